"""TMF629 v5 endpoints: parse the request, call one service or selector, render the resource."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from customers.identity_rules import DuplicateFound
from customers.labels import transition_permission_refusal
from customers.models import Customer, Party
from customers.partners.api import openapi
from customers.partners.api.auth import (
    CustomerApiPermission,
    PartnerClient,
    actor_of,
    partner_of,
)
from customers.partners.api.customer import schema
from customers.partners.api.customer.inputs import (
    CustomerInputSerializer,
    CustomerPatchSerializer,
    characteristic_values,
    contact_medium_input,
    is_party_reference,
    party_changes,
    party_input,
)
from customers.partners.api.customer.representation import (
    ALWAYS,
    ATTRIBUTES,
    PARTY_TYPES,
    customer_reference,
    customer_representation,
    customers_with_relations,
)
from customers.partners.api.errors import ApiError
from customers.partners.api.parsers import LimitedJSONParser, MergePatchJSONParser
from customers.partners.api.tmf import (
    TmfView,
    base_url,
    contact_medium_id,
    created_once,
    fields_asked,
    list_answered,
    our_id,
    unique_row,
    unknown_parameters_refused,
)
from customers.partners.selectors import (
    ApiCustomerFilters,
    api_customer_search,
    customers_visible_to,
    party_visible,
)
from customers.partners.services.idempotency import (
    Answer,
)
from customers.services.customers import customer_delete
from customers.services.lifecycle import TRANSITIONS, transition_to
from customers.services.profile import (
    ONBOARDING_STATUSES,
    customer_onboard,
    customer_profile_change,
)

FILTERS = {
    "status",
    "name",
    "segment",
    "contactMedium.emailAddress",
    "contactMedium.phoneNumber",
    "externalReference",
}


def _fields(request) -> set[str]:
    return fields_asked(request, ATTRIBUTES, ALWAYS)


def _filters(request) -> ApiCustomerFilters:
    params = request.query_params
    unknown_parameters_refused(request, FILTERS)
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
        base_url=base_url(request),
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
        return list_answered(
            request,
            fields_of=_fields,
            filters_of=_filters,
            search=api_customer_search,
            page_of=lambda ids, fields: sorted(
                customers_with_relations(Customer.objects.filter(pk__in=ids), fields),
                key=lambda customer: -customer.pk,
            ),
            render=_render,
        )

    @extend_schema(
        operation_id="createCustomer",
        summary="Create a customer",
        parameters=[schema.FIELDS_PARAMETER, openapi.IDEMPOTENCY_KEY_PARAMETER],
        request={"application/json": schema.CUSTOMER_CREATE},
        responses=schema.create_responses(),
        tags=["customer"],
    )
    def post(self, request):
        return created_once(request, lambda: self._create(request))

    def _create(self, request) -> Answer:
        fields = _fields(request)  # a wrong one is refused before anything is created
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
        engaged = data["engagedParty"]
        if is_party_reference(engaged):
            existing, party = _engaged_party(request, engaged), None
        else:
            existing, party = None, party_input(data)
        try:
            customer = customer_onboard(
                party=party,
                engaged_party=existing,
                name=_role_name(data.get("name"), existing),
                description=data.get("description") or "",
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
        body = _render(request, _reload(customer), fields)
        return Answer(status.HTTP_201_CREATED, body, location=body["href"])


def _engaged_party(request, engaged: dict) -> Party:
    """The party a ``PartyRef`` names, when the caller may use it for a new customer."""
    party_id = our_id(engaged["id"])
    party = (
        party_visible(partner=partner_of(request), party_id=party_id)
        if party_id is not None
        else None
    )
    if party is None:
        raise ApiError(
            400,
            "invalid",
            f"engagedParty: no party {engaged['id']}; register it first at "
            "/tmf-api/partyManagement/v5/individual or /organization.",
        )
    referred = engaged.get("@referredType")
    if referred is not None and referred != PARTY_TYPES[party.kind]:
        raise ApiError(
            400, "invalid", f"engagedParty: party {party.pk} is an {PARTY_TYPES[party.kind]}."
        )
    return party


def _role_name(name: str | None, party: Party | None) -> str:
    """The role's own name; empty when it is the party's (then it follows the party's)."""
    name = (name or "").strip()
    return "" if party is not None and name == party.display_name else name


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
        customer = unique_row(
            customers_with_relations(customers, fields).filter(number=customer_id.upper())
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
        parameters=[schema.FIELDS_PARAMETER],
        request={
            "application/merge-patch+json": schema.CUSTOMER_PATCH,
            "application/json": schema.CUSTOMER_PATCH,
        },
        responses=schema.patch_responses(),
        tags=["customer"],
    )
    def patch(self, request, customer_id: str):
        fields = _fields(request)
        customer = self._customer(request, customer_id, fields=())
        serializer = CustomerPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        party = customer.party
        changes = {}
        if "name" in data:
            changes["name"] = _role_name(data["name"], party)
        if "description" in data:
            changes["description"] = data["description"] or ""
        if "engagedParty" in data and is_party_reference(data["engagedParty"]):
            if our_id(data["engagedParty"]["id"]) != party.pk:
                raise ApiError(
                    400, "invalid", "engagedParty: a customer role stays with its party."
                )
        elif "engagedParty" in data:
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
                (contact_medium_id(item), contact_medium_input(item))
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
        return Response(_render(request, _reload(customer), fields))

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
