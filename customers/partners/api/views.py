"""TMF629 v5 endpoints: parse the request, call one service or selector, render the resource."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.identity_rules import DuplicateFound
from customers.labels import transition_permission_refusal
from customers.models import Customer
from customers.partners.api import schema
from customers.partners.api.auth import (
    CustomerApiPermission,
    HubApiPermission,
    PartnerClient,
    PartnerRateThrottle,
    actor_of,
    caller_of,
    partner_of,
)
from customers.partners.api.errors import ApiError, api_error_response
from customers.partners.api.inputs import (
    CustomerInputSerializer,
    CustomerPatchSerializer,
    characteristic_values,
    contact_medium_input,
    party_changes,
    party_input,
)
from customers.partners.api.parsers import LimitedJSONParser, MergePatchJSONParser
from customers.partners.api.representation import (
    ALWAYS,
    API_ROOT,
    ATTRIBUTES,
    customer_reference,
    customer_representation,
    customers_with_relations,
)
from customers.partners.models import HubSubscription
from customers.partners.selectors import (
    ApiCustomerFilters,
    api_customer_count,
    api_customer_search,
    customers_visible_to,
)
from customers.partners.services.hub import (
    NewHub,
    hub_secret_rotate,
    hub_subscribe,
    hub_unsubscribe,
)
from customers.partners.services.idempotency import (
    Answer,
    KeyReused,
    answered_once,
    idempotency_key_checked,
    request_fingerprint,
)
from customers.services.customers import customer_delete
from customers.services.lifecycle import TRANSITIONS, transition_to
from customers.services.profile import (
    ONBOARDING_STATUSES,
    customer_onboard,
    customer_profile_change,
)

DEFAULT_LIMIT = 50
OUR_ID = re.compile(r"[0-9]{1,18}")
LIST_PARAMETERS = {
    "fields",
    "offset",
    "limit",
    "status",
    "name",
    "segment",
    "contactMedium.emailAddress",
    "contactMedium.phoneNumber",
    "externalReference",
}


def _fields(request) -> set[str]:
    raw = request.query_params.get("fields")
    if raw is None or not raw.strip():
        return set(ATTRIBUTES)
    asked = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = asked - set(ATTRIBUTES) - set(ALWAYS)
    if unknown:
        raise ApiError(
            400,
            "invalid_fields",
            f"Unknown attributes in fields: {', '.join(sorted(unknown))}. "
            f"Choose from {', '.join(ATTRIBUTES)}.",
        )
    return asked & set(ATTRIBUTES)


def _whole_number(request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number.") from None
    if not minimum <= value <= maximum:
        raise ApiError(400, "invalid_parameter", f"{name} must be from {minimum} to {maximum}.")
    return value


def _filters(request) -> ApiCustomerFilters:
    params = request.query_params
    unknown = set(params) - LIST_PARAMETERS
    if unknown:
        raise ApiError(
            400,
            "invalid_parameter",
            f"Unknown query parameters: {', '.join(sorted(unknown))}. "
            f"Filter with {', '.join(sorted(LIST_PARAMETERS - {'fields', 'offset', 'limit'}))}.",
        )
    statuses = tuple(s.strip() for s in params.get("status", "").split(",") if s.strip())
    wrong = set(statuses) - set(Customer.Status.values)
    if wrong:
        raise ApiError(
            400,
            "invalid_parameter",
            f"Unknown status {', '.join(sorted(wrong))}; use {', '.join(Customer.Status.values)}.",
        )
    segment = params.get("segment", "").strip()
    if segment and segment not in Customer.Segment.values:
        raise ApiError(
            400, "invalid_parameter", f"Unknown segment; use {', '.join(Customer.Segment.values)}."
        )
    return ApiCustomerFilters(
        statuses=statuses,
        name=params.get("name", "").strip()[:200],
        segment=segment,
        email=params.get("contactMedium.emailAddress", "").strip()[:320],
        phone=params.get("contactMedium.phoneNumber", "").strip()[:40],
        external_ref=params.get("externalReference", "").strip()[:64],
    )


def _render(request, customer: Customer, fields=ATTRIBUTES) -> dict:
    return customer_representation(
        customer,
        base_url=f"{request.scheme}://{request.get_host()}",
        fields=fields,
        internal=not isinstance(request.user, PartnerClient),
    )


def _reload(customer: Customer) -> Customer:
    return customers_with_relations(Customer.objects.filter(pk=customer.pk)).get()


def _check_staff_transition(request, customer: Customer, target: str | None) -> None:
    """Staff may only move a customer along transitions their role allows."""
    if target is None or target == customer.status or isinstance(request.user, PartnerClient):
        return
    transition = transition_to(customer.status, target)
    if not request.user.has_perm(TRANSITIONS[transition.action].permission):
        raise ApiError(403, "forbidden", transition_permission_refusal(transition))


class TmfView(APIView):
    """What every endpoint shares: no text with a null character reaches the database (the
    parsers refuse one in a body, with lone surrogates)."""

    throttle_classes = [PartnerRateThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        texts = [*kwargs.values(), *request.query_params.keys()]
        texts += [v for values in request.query_params.lists() for v in values[1]]
        if any("\x00" in str(text) for text in texts):
            raise ApiError(400, "invalid_parameter", "Null characters are not allowed.")


class CustomerCollection(TmfView):
    permission_classes = [CustomerApiPermission]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="listCustomer",
        summary="List or find customers",
        parameters=schema.LIST_PARAMETERS,
        responses=schema.list_responses(),
        tags=["customer"],
    )
    def get(self, request):
        fields = _fields(request)
        filters = _filters(request)
        offset = _whole_number(request, "offset", 0, minimum=0, maximum=10_000_000)
        limit = _whole_number(request, "limit", DEFAULT_LIMIT, minimum=1, maximum=1000)
        partner = partner_of(request)
        matching = api_customer_search(partner=partner, filters=filters)
        total = api_customer_count(partner=partner, filters=filters, customers=matching)
        # The page's ids first, on the index alone; then only those rows with their relations,
        # so a deep offset never joins the rows it skips.
        ids = list(matching.values_list("pk", flat=True)[offset : offset + limit])
        page = customers_with_relations(Customer.objects.filter(pk__in=ids), fields)
        page = sorted(page, key=lambda customer: -customer.pk)
        body = [_render(request, customer, fields) for customer in page]
        headers = {"X-Total-Count": str(total), "X-Result-Count": str(len(body))}
        return Response(body, headers=headers)

    @extend_schema(
        operation_id="createCustomer",
        summary="Create a customer",
        parameters=[schema.IDEMPOTENCY_KEY_PARAMETER],
        request={"application/json": schema.CUSTOMER_CREATE},
        responses=schema.create_responses(),
        tags=["customer"],
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            answer = self._create(request)
        else:
            try:
                answer = answered_once(
                    caller=caller_of(request),
                    key=idempotency_key_checked(key),
                    operation=f"POST {request.get_full_path()}"[:300],
                    fingerprint=request_fingerprint(request.data),
                    work=lambda: self._create(request),
                )
            except DjangoValidationError as error:
                raise ApiError(400, "invalid_idempotency_key", " ".join(error.messages)) from None
            except KeyReused as error:
                raise ApiError(422, "idempotency_key_reused", str(error)) from None
        headers = {"Location": answer.location}
        if answer.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(answer.body, status=answer.status_code, headers=headers)

    def _create(self, request) -> Answer:
        serializer = CustomerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        characteristics = characteristic_values(data)
        partner = partner_of(request)
        status_wanted = data.get("status") or Customer.Status.LEAD
        if status_wanted not in ONBOARDING_STATUSES:
            raise ApiError(
                400, "invalid", "status: a new customer starts as lead, prospect or active."
            )
        if not isinstance(request.user, PartnerClient) and status_wanted != Customer.Status.LEAD:
            _check_staff_transition(request, Customer(status=Customer.Status.LEAD), status_wanted)
        party = party_input(data)
        derived = " ".join(n for n in (party.given_name.strip(), party.family_name.strip()) if n)
        if party.kind == "individual" and data.get("name") and data["name"] != derived:
            raise ApiError(400, "invalid", "name: a person's name comes from engagedParty.")
        try:
            customer = customer_onboard(
                party=party,
                actor=actor_of(request),
                partner=partner,
                segment=characteristics.get("segment", Customer.Segment.RESIDENTIAL),
                language=characteristics.get("language", "en"),
                payment_method=(data.get("paymentMethod") or [{}])[0].get("id", ""),
                external_ref=None if partner else characteristics.get("externalReference"),
                partner_reference=characteristics.get("externalReference", "") if partner else "",
                currency=characteristics.get("currency", ""),
                status=status_wanted,
                status_reason=data.get("statusReason") or "",
                lead_source=f"partner {partner.name}"[:40] if partner else "api",
            )
        except DuplicateFound as found:
            raise duplicate_error(request, found) from None
        body = _render(request, _reload(customer))
        return Answer(status.HTTP_201_CREATED, body, location=body["href"])


def duplicate_error(request, found: DuplicateFound) -> ApiError:
    """409 naming the existing customer only when the caller may see it."""
    visible = customers_visible_to(partner=partner_of(request)).filter(
        pk__in=[m.customer.pk for m in found.matches]
    )
    numbers = sorted(visible.values_list("number", flat=True))
    if numbers:
        message = f"This person is already customer {', '.join(numbers)}: " + ", ".join(
            found.matches[0].match.reasons
        )
    else:
        # Another partner's customer, or the operator's own: say so without naming them.
        message = "This person is already a customer of the operator; contact us to transfer them."
    return ApiError(409, "duplicate", message)


class CustomerItem(TmfView):
    permission_classes = [CustomerApiPermission]
    parser_classes = [LimitedJSONParser, MergePatchJSONParser]

    def _customer(self, request, customer_id: str, fields=ATTRIBUTES) -> Customer:
        customers = customers_visible_to(partner=partner_of(request))
        customer = (
            customers_with_relations(customers, fields).filter(number=customer_id.upper()).first()
        )
        if customer is None:
            raise ApiError(404, "not_found", f"No customer {customer_id}.")
        return customer

    @extend_schema(
        operation_id="retrieveCustomer",
        summary="Retrieve a customer",
        parameters=[schema.FIELDS_PARAMETER],
        responses=schema.item_responses(),
        tags=["customer"],
    )
    def get(self, request, customer_id: str):
        fields = _fields(request)
        return Response(_render(request, self._customer(request, customer_id, fields), fields))

    @extend_schema(
        operation_id="patchCustomer",
        summary="Change a customer (JSON merge patch)",
        request={
            "application/merge-patch+json": schema.CUSTOMER_PATCH,
            "application/json": schema.CUSTOMER_PATCH,
        },
        responses=schema.patch_responses(),
        tags=["customer"],
    )
    def patch(self, request, customer_id: str):
        customer = self._customer(request, customer_id, fields=())
        serializer = CustomerPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        party = customer.party
        changes = {}
        if "name" in data and data["name"] != party.display_name:
            if party.kind != "organization":
                raise ApiError(400, "invalid", "name: a person's name is changed in engagedParty.")
            changes["legal_name"] = data["name"]
        if "engagedParty" in data:
            engaged = data["engagedParty"]
            kind = {"Individual": "individual", "Organization": "organization"}.get(
                engaged.get("@type"), party.kind
            )
            if kind != party.kind:
                raise ApiError(
                    400, "invalid", "engagedParty: a person cannot become an organisation or back."
                )
            changes.update(party_changes(engaged, organisation=kind == "organization"))
        characteristics = characteristic_values(data)
        reference = customer_reference(customer)
        if characteristics.get("externalReference", reference) != reference:
            raise ApiError(400, "invalid", "externalReference is set at creation only.")
        # Every amount billed so far is in the currency: it is chosen once, at creation.
        if characteristics.get("currency", customer.currency).upper() != customer.currency:
            raise ApiError(400, "invalid", "currency is set at creation only.")
        if "segment" in characteristics:
            changes["segment"] = characteristics["segment"]
        if "paymentMethod" in data:
            methods = data["paymentMethod"] or []
            changes["payment_method"] = methods[0]["id"] if methods else ""
        contact_media = None
        if "contactMedium" in data:
            contact_media = [
                (_medium_id(item), contact_medium_input(item))
                for item in data["contactMedium"] or []
            ]
        target = data.get("status")
        _check_staff_transition(request, customer, target)
        try:
            customer = customer_profile_change(
                customer=customer,
                actor=actor_of(request),
                changes=changes,
                language=characteristics.get("language"),
                contact_media=contact_media,
                status=target,
                status_reason=data.get("statusReason") or "",
            )
        except DuplicateFound as found:
            raise duplicate_error(request, found) from None
        return Response(_render(request, _reload(customer)))

    @extend_schema(
        operation_id="deleteCustomer",
        summary="Delete a customer who never held products",
        responses=schema.delete_responses(),
        tags=["customer"],
    )
    def delete(self, request, customer_id: str):
        customer = self._customer(request, customer_id, fields=())
        customer_delete(customer=customer, actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _our_id(raw: str) -> int | None:
    """A row id as we hand them out, or None for anything else."""
    return int(raw) if OUR_ID.fullmatch(raw) else None


def _medium_id(item: dict) -> int | None:
    raw = item.get("id")
    if raw is None:
        return None
    medium_id = _our_id(raw)
    if medium_id is None:
        raise ApiError(400, "invalid", f"contactMedium.id: '{raw}' is not one of ours.")
    return medium_id


# --- Hub ---------------------------------------------------------------------------------------


def _hub_body(request, hub: HubSubscription, secret: str | None = None) -> dict:
    body = {
        "id": str(hub.pk),
        "href": f"{request.scheme}://{request.get_host()}{API_ROOT}/hub/{hub.pk}",
        "@type": "Hub",
        "callback": hub.callback,
        "query": hub.query,
    }
    if secret is not None:
        body["secret"] = secret
    return body


def _hub_input(data, *, allowed: set[str]) -> None:
    """Refuse attributes a hub call does not take, and text that is not text or too long."""
    unknown = set(data) - allowed
    if unknown:
        raise ApiError(400, "invalid", f"Unknown attributes: {', '.join(sorted(unknown))}.")
    for name, longest in (("callback", 500), ("query", 500), ("secret", 128)):
        if name in data and not isinstance(data[name], str):
            raise ApiError(400, "invalid", f"{name} must be a string.")
        if len(data.get(name) or "") > longest:
            raise ApiError(400, "invalid", f"{name} is longer than {longest} characters.")


def _with_new_secret(request, new: NewHub, status_code: int, **headers) -> Response:
    """The hub, and the secret we chose for it: the only copy, kept by no cache."""
    body = _hub_body(request, new.hub, new.secret if new.secret_generated else None)
    if new.hub.previous_secret_expires_at:
        body["previousSecretValidUntil"] = new.hub.previous_secret_expires_at.isoformat().replace(
            "+00:00", "Z"
        )
    if "secret" in body:
        headers["Cache-Control"] = "no-store"
    return Response(body, status=status_code, headers=headers)


def _hubs_of(request):
    hubs = HubSubscription.objects.filter(deleted_at=None)
    partner = partner_of(request)
    return hubs.filter(partner=partner) if partner else hubs.filter(partner=None)


class HubCollection(TmfView):
    permission_classes = [HubApiPermission]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="createHub",
        summary="Subscribe to customer events",
        request={"application/json": schema.HUB_CREATE},
        responses=schema.hub_create_responses(),
        tags=["events subscription"],
    )
    def post(self, request):
        data = request.data
        _hub_input(
            data,
            allowed={"callback", "query", "secret", "@type", "@baseType", "@schemaLocation"},
        )
        if not data.get("callback"):
            raise ApiError(400, "invalid", "callback: give the URL to send events to.")
        if data.get("@type", "Hub") != "Hub":
            raise ApiError(400, "invalid", "@type must be Hub.")
        new = hub_subscribe(
            partner=partner_of(request),
            actor=actor_of(request),
            callback=data["callback"],
            query=data.get("query", ""),
            secret=data.get("secret"),
        )
        response = _with_new_secret(request, new, status.HTTP_201_CREATED)
        response["Location"] = response.data["href"]
        return response

    @extend_schema(
        operation_id="listHub",
        summary="List your event subscriptions",
        responses=schema.hub_list_responses(),
        tags=["events subscription"],
    )
    def get(self, request):
        hubs = list(_hubs_of(request).order_by("-id")[:1000])
        return Response([_hub_body(request, hub) for hub in hubs])


def _hub(request, hub_id: str) -> HubSubscription:
    """One of the caller's live hubs; another's is as unknown as one that never was."""
    pk = _our_id(hub_id)
    hub = _hubs_of(request).filter(pk=pk).first() if pk is not None else None
    if hub is None:
        raise ApiError(404, "not_found", f"No hub {hub_id}.")
    return hub


class HubItem(TmfView):
    permission_classes = [HubApiPermission]

    @extend_schema(
        operation_id="retrieveHub",
        summary="Retrieve an event subscription",
        responses=schema.hub_item_responses(),
        tags=["events subscription"],
    )
    def get(self, request, hub_id: str):
        return Response(_hub_body(request, _hub(request, hub_id)))

    @extend_schema(
        operation_id="hubDelete",
        summary="Remove an event subscription",
        responses=schema.delete_responses(),
        tags=["events subscription"],
    )
    def delete(self, request, hub_id: str):
        hub_unsubscribe(hub=_hub(request, hub_id), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HubSecretRotation(TmfView):
    """A new signing secret; the old one keeps signing beside it for the overlap."""

    permission_classes = [HubApiPermission]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="rotateHubSecret",
        summary="Rotate the secret that signs an event subscription's deliveries",
        request={"application/json": schema.HUB_SECRET_ROTATE},
        responses=schema.hub_rotate_responses(),
        tags=["events subscription"],
    )
    def post(self, request, hub_id: str):
        hub = _hub(request, hub_id)
        _hub_input(request.data, allowed={"secret"})
        new = hub_secret_rotate(hub=hub, actor=actor_of(request), secret=request.data.get("secret"))
        return _with_new_secret(request, new, status.HTTP_200_OK)


def not_found(request, *args, **kwargs):
    return api_error_response(404, "not_found", f"Nothing at {request.path}.")
