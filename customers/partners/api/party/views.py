"""TMF632 v5 endpoints: parse the request, call one service or selector, render the party.

``individual`` and ``organization`` are the same views over the two kinds of party.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from customers.identity_rules import DuplicateFound
from customers.models import Party
from customers.partners.api import openapi
from customers.partners.api.auth import CustomerApiPermission, actor_of, partner_of
from customers.partners.api.errors import ApiError, validation_message
from customers.partners.api.parsers import LimitedJSONParser, MergePatchJSONParser
from customers.partners.api.party import schema
from customers.partners.api.party.inputs import (
    SERIALIZERS,
    contact_media_input,
    derived_name,
    party_changes,
    party_input,
)
from customers.partners.api.party.representation import (
    ALWAYS,
    ATTRIBUTES,
    RESOURCES,
    parties_with_relations,
    party_representation,
)
from customers.partners.api.tmf import (
    TmfView,
    base_url,
    contact_medium_id,
    created_once,
    fields_asked,
    listed,
    our_id,
    page_asked,
    unknown_parameters_refused,
)
from customers.partners.selectors import (
    ApiPartyFilters,
    api_party_page,
    party_visible,
)
from customers.partners.services.idempotency import Answer
from customers.services.parties import (
    PartyInUse,
    party_change,
    party_delete,
    party_register,
)

# Our model fields by the TMF632 attribute a partner sends them as, for error messages.
TMF_NAMES = {
    "given_name": "givenName",
    "family_name": "familyName",
    "legal_name": "name",
    "trading_name": "tradingName",
    "birth_date": "birthDate",
    "national_id": "individualIdentification",
    "registration_number": "organizationIdentification",
    "title": "title",
    "kind": "contactMedium.@type",
    "value": "contactMedium",
    "street": "contactMedium.street1",
    "city": "contactMedium.city",
    "postcode": "contactMedium.postCode",
    "country": "contactMedium.country",
    "valid_to": "contactMedium.validFor",
}


def invalid(error: DjangoValidationError) -> ApiError:
    """A service's refusal of the input, naming the TMF632 attribute that is wrong."""
    code = getattr(error, "code", None) or "invalid"
    return ApiError(400, code, validation_message(error, TMF_NAMES))


def duplicate_error(request, found: DuplicateFound) -> ApiError:
    """409 naming the existing party only when the caller may see it."""
    partner = partner_of(request)
    visible = [
        m.customer.party_id
        for m in found.matches
        if party_visible(partner=partner, party_id=m.customer.party_id) is not None
    ]
    if visible:
        message = f"This party already exists as party {', '.join(map(str, sorted(visible)))}: "
        message += ", ".join(found.matches[0].match.reasons)
    else:
        # Another partner's customer, or the operator's own: say so without naming them.
        message = "This party is already known to the operator; contact us to use it."
    return ApiError(409, "duplicate", message)


class PartyView(TmfView):
    """A view over one kind of party (set with ``as_view(kind=...)``)."""

    kind = Party.Kind.INDIVIDUAL
    permission_classes = [CustomerApiPermission]

    @property
    def resource(self) -> str:
        return RESOURCES[self.kind]

    def fields(self, request) -> set[str]:
        return fields_asked(request, ATTRIBUTES[self.kind], ALWAYS)

    def render(self, request, party: Party, fields=None) -> dict:
        partner = partner_of(request)
        return party_representation(
            party,
            base_url=base_url(request),
            fields=fields,
            partner_id=partner.pk if partner else None,
        )

    def reload(self, party: Party) -> Party:
        return parties_with_relations(Party.objects.filter(pk=party.pk)).get()

    def validated(self, request, *, patch: bool) -> dict:
        serializer = SERIALIZERS[self.kind][1 if patch else 0](data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class PartyCollection(PartyView):
    parser_classes = [LimitedJSONParser]

    def _filters(self, request) -> ApiPartyFilters:
        unknown_parameters_refused(request, schema.FILTERS[self.resource])
        params = request.query_params
        return ApiPartyFilters(
            kind=self.kind,
            given_name=params.get("givenName", "").strip()[:100],
            family_name=params.get("familyName", "").strip()[:100],
            name=params.get("name", "").strip()[:200],
            email=params.get("contactMedium.emailAddress", "").strip()[:320],
            phone=params.get("contactMedium.phoneNumber", "").strip()[:40],
            identification=params.get("individualIdentification.identificationId", "").strip()[:40],
        )

    def get(self, request):
        fields = self.fields(request)
        filters = self._filters(request)
        offset, limit = page_asked(request)
        # The page's ids first, on the indexes alone; then only those rows with their relations.
        ids, total = api_party_page(
            partner=partner_of(request), filters=filters, offset=offset, limit=limit
        )
        page = parties_with_relations(Party.objects.filter(pk__in=ids), fields)
        return listed(
            sorted(page, key=lambda party: -party.pk),
            lambda party: self.render(request, party, fields),
            total=total,
        )

    def post(self, request):
        return created_once(request, lambda: self._create(request))

    def _create(self, request) -> Answer:
        fields = self.fields(request)
        data = self.validated(request, patch=False)
        party = party_input(data, kind=self.kind)
        if self.kind == Party.Kind.INDIVIDUAL and data.get("name"):
            names = {"given_name": party.given_name, "family_name": party.family_name}
            if data["name"] != derived_name(names):
                raise ApiError(400, "invalid", "name: a person's name is givenName familyName.")
        try:
            created = party_register(
                party_input=party, partner=partner_of(request), actor=actor_of(request)
            )
        except DuplicateFound as found:
            raise duplicate_error(request, found) from None
        except DjangoValidationError as error:
            raise invalid(error) from None
        body = self.render(request, self.reload(created), fields)
        return Answer(status.HTTP_201_CREATED, body, location=body["href"])


class PartyItem(PartyView):
    parser_classes = [LimitedJSONParser, MergePatchJSONParser]

    def party(self, request, party_id: str) -> Party:
        """One of the caller's parties of this kind; another's is as unknown as none."""
        pk = our_id(party_id)
        party = None
        if pk is not None:
            party = party_visible(partner=partner_of(request), party_id=pk, kind=self.kind)
        if party is None:
            raise ApiError(404, "not_found", f"No {self.resource} {party_id}.")
        return party

    def get(self, request, party_id: str):
        fields = self.fields(request)
        party = self.reload(self.party(request, party_id))
        return Response(self.render(request, party, fields))

    def patch(self, request, party_id: str):
        fields = self.fields(request)
        party = self.party(request, party_id)
        data = self.validated(request, patch=True)
        changes = party_changes(data, kind=self.kind)
        if self.kind == Party.Kind.INDIVIDUAL and data.get("name"):
            names = {
                "given_name": changes.get("given_name", party.given_name),
                "family_name": changes.get("family_name", party.family_name),
            }
            if data["name"] != derived_name(names):
                raise ApiError(400, "invalid", "name: a person's name is givenName familyName.")
        contact_media = None
        if "contactMedium" in data:
            contact_media = [
                (contact_medium_id(item), medium)
                for item, medium in zip(
                    data["contactMedium"] or [], contact_media_input(data), strict=True
                )
            ]
        try:
            changed = party_change(
                party=party, actor=actor_of(request), changes=changes, contact_media=contact_media
            )
        except DuplicateFound as found:
            raise duplicate_error(request, found) from None
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "merged":
                raise ApiError(409, "merged", " ".join(error.messages)) from None
            raise invalid(error) from None
        return Response(self.render(request, self.reload(changed), fields))

    def delete(self, request, party_id: str):
        party = self.party(request, party_id)
        try:
            party_delete(party=party, actor=actor_of(request))
        except PartyInUse as error:
            raise ApiError(409, "in_use", " ".join(error.messages)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _documented(resource: str, tag_type: str, item: dict, create: dict, patch: dict):
    """The collection and item views of one resource, with their OpenAPI operations."""
    name = tag_type
    article = "an" if resource[0] in "aeiou" else "a"
    collection = extend_schema_view(
        get=extend_schema(
            operation_id=f"list{name}",
            summary=f"List or find {resource}s",
            parameters=schema.list_parameters(resource),
            responses=openapi.list_responses(item, f"{name}s"),
            tags=[resource],
        ),
        post=extend_schema(
            operation_id=f"create{name}",
            summary=f"Register {article} {resource}",
            parameters=[schema.fields_parameter(resource), openapi.IDEMPOTENCY_KEY_PARAMETER],
            request={"application/json": create},
            responses=openapi.create_responses(item),
            tags=[resource],
        ),
    )(type(f"{name}Collection", (PartyCollection,), {}))
    detail = extend_schema_view(
        get=extend_schema(
            operation_id=f"retrieve{name}",
            summary=f"Retrieve {article} {resource}",
            parameters=[schema.fields_parameter(resource)],
            responses=openapi.item_responses(item, name),
            tags=[resource],
        ),
        patch=extend_schema(
            operation_id=f"patch{name}",
            summary=f"Change {resource} (JSON merge patch)",
            parameters=[schema.fields_parameter(resource)],
            request={"application/merge-patch+json": patch, "application/json": patch},
            responses=openapi.patch_responses(item),
            tags=[resource],
        ),
        delete=extend_schema(
            operation_id=f"delete{name}",
            summary=f"Delete {resource} with no customer role",
            responses=openapi.delete_responses(),
            tags=[resource],
        ),
    )(type(f"{name}Item", (PartyItem,), {}))
    return collection, detail


IndividualCollection, IndividualItem = _documented(
    "individual",
    "Individual",
    schema.INDIVIDUAL,
    schema.INDIVIDUAL_CREATE,
    schema.INDIVIDUAL_PATCH,
)
OrganizationCollection, OrganizationItem = _documented(
    "organization",
    "Organization",
    schema.ORGANIZATION,
    schema.ORGANIZATION_CREATE,
    schema.ORGANIZATION_PATCH,
)
