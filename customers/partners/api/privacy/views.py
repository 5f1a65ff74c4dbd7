"""TMF644 v5 endpoints: parse the request, call one service or selector, render the resource."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from customers.models import Consent
from customers.partners.api import openapi
from customers.partners.api.auth import (
    CustomerApiPermission,
    actor_of,
    partner_of,
)
from customers.partners.api.errors import ApiError

# The list filters read their values as the TMF683 list does.
from customers.partners.api.interaction.views import _listed, _moment
from customers.partners.api.parsers import LimitedJSONParser, MergePatchJSONParser
from customers.partners.api.privacy import schema
from customers.partners.api.privacy.inputs import (
    CHANNELS,
    PURPOSES,
    AgreementInputSerializer,
    AgreementPatchSerializer,
    channel_and_purpose_of,
    customer_number_of,
    granted_of,
)
from customers.partners.api.privacy.representation import (
    ALWAYS,
    APPROVED,
    ATTRIBUTES,
    STATUSES,
    agreement_representation,
    consents_with_relations,
)
from customers.partners.api.privacy.selectors import (
    ApiAgreementFilters,
    api_agreement_search,
    consents_visible_to,
)
from customers.partners.api.tmf import (
    TmfView,
    base_url,
    created_once,
    customer_visible,
    fields_asked,
    found_by_id,
    list_answered,
    unknown_parameters_refused,
)
from customers.partners.services.idempotency import Answer
from customers.services.preferences import consent_first_record, consent_record

PURPOSE_FILTER = "partyPrivacyProfileCharacteristic.privacyUsagePurpose"
CHANNEL_FILTER = "partyPrivacyProfileCharacteristic.characterisitc.value"
DATE_FILTERS = {
    "agreementAuthorization.date.gt": "recorded_after",
    "agreementAuthorization.date.gte": "recorded_from",
    "agreementAuthorization.date.lt": "recorded_before",
    "agreementAuthorization.date.lte": "recorded_until",
}
FILTERS = {"engagedParty.id", "status", PURPOSE_FILTER, CHANNEL_FILTER, *DATE_FILTERS}
# A partner records answers it collected itself: they reach us through the API.
SOURCE = Consent.Source.API


class PrivacyApiPermission(CustomerApiPermission):
    """Partners by their token's customer scopes (consents are part of the customer's record);
    staff by their role's consent permissions."""

    STAFF_PERMISSIONS = {
        "GET": "customers.view_consent",
        "HEAD": "customers.view_consent",
        "OPTIONS": "customers.view_consent",
        "POST": "customers.add_consent",
        "PATCH": "customers.change_consent",
        # Never allowed (405); whoever may change consents is told why.
        "DELETE": "customers.change_consent",
    }


def _fields(request) -> set[str]:
    return fields_asked(request, ATTRIBUTES, ALWAYS)


def _filters(request) -> ApiAgreementFilters:
    unknown_parameters_refused(request, FILTERS)
    statuses = _listed(request, "status", STATUSES)
    return ApiAgreementFilters(
        customer_number=request.query_params.get("engagedParty.id", "").strip().upper()[:20],
        granted=tuple(value == APPROVED for value in statuses),
        purposes=_listed(request, PURPOSE_FILTER, PURPOSES),
        channels=_listed(request, CHANNEL_FILTER, CHANNELS),
        **{field: _moment(request, name) for name, field in DATE_FILTERS.items()},
    )


def _render(request, consent: Consent, fields=ATTRIBUTES) -> dict:
    return agreement_representation(consent, base_url=base_url(request), fields=fields)


def _reload(consent: Consent) -> Consent:
    return consents_with_relations(Consent.objects.filter(pk=consent.pk)).get()


def _on_record(error: DjangoValidationError) -> ApiError | None:
    if getattr(error, "code", None) == "consent_exists":
        existing = error.params["id"]
        return ApiError(
            409,
            "conflict",
            f"The customer's answer for this channel and purpose is party privacy agreement "
            f"{existing}: change its status with PATCH.",
        )
    return None


class PartyPrivacyAgreementCollection(TmfView):
    permission_classes = [PrivacyApiPermission]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="listPartyPrivacyAgreement",
        summary="List or find your customers' privacy agreements (consents)",
        parameters=schema.LIST_PARAMETERS,
        responses=schema.list_responses(),
        tags=["partyPrivacyAgreement"],
    )
    def get(self, request):
        return list_answered(
            request,
            fields_of=_fields,
            filters_of=_filters,
            search=api_agreement_search,
            page_of=lambda ids, fields: consents_with_relations(
                Consent.objects.filter(pk__in=ids), fields
            ).order_by("-id"),
            render=_render,
        )

    @extend_schema(
        operation_id="createPartyPrivacyAgreement",
        summary="Record a customer's first answer for one channel and purpose",
        parameters=[openapi.IDEMPOTENCY_KEY_PARAMETER],
        request={"application/json": schema.PARTY_PRIVACY_AGREEMENT_CREATE},
        responses=schema.create_responses(),
        tags=["partyPrivacyAgreement"],
    )
    def post(self, request):
        return created_once(request, lambda: self._create(request))

    def _create(self, request) -> Answer:
        serializer = AgreementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = customer_visible(request, customer_number_of(data))
        channel, purpose = channel_and_purpose_of(data)
        try:
            consent = consent_first_record(
                customer=customer,
                channel=channel,
                purpose=purpose,
                granted=granted_of(data),
                source=SOURCE,
                actor=actor_of(request),
            )
        except DjangoValidationError as error:
            raise (_on_record(error) or error) from None
        body = _render(request, _reload(consent))
        return Answer(status.HTTP_201_CREATED, body, location=body["href"])


class PartyPrivacyAgreementItem(TmfView):
    permission_classes = [PrivacyApiPermission]
    parser_classes = [LimitedJSONParser, MergePatchJSONParser]

    def _consent(self, request, agreement_id: str, fields=ATTRIBUTES) -> Consent:
        consents = consents_visible_to(partner=partner_of(request))
        return found_by_id(
            consents_with_relations(consents, fields), agreement_id, "party privacy agreement"
        )

    @extend_schema(
        operation_id="retrievePartyPrivacyAgreement",
        summary="Retrieve a party privacy agreement",
        parameters=[schema.FIELDS_PARAMETER],
        responses=schema.item_responses(),
        tags=["partyPrivacyAgreement"],
    )
    def get(self, request, agreement_id: str):
        fields = _fields(request)
        return Response(_render(request, self._consent(request, agreement_id, fields), fields))

    @extend_schema(
        operation_id="patchPartyPrivacyAgreement",
        summary="Grant or withdraw: set the status (JSON merge patch)",
        request={
            "application/merge-patch+json": schema.PARTY_PRIVACY_AGREEMENT_PATCH,
            "application/json": schema.PARTY_PRIVACY_AGREEMENT_PATCH,
        },
        responses=schema.patch_responses(),
        tags=["partyPrivacyAgreement"],
    )
    def patch(self, request, agreement_id: str):
        consent = self._consent(request, agreement_id, fields=())
        serializer = AgreementPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        granted = granted_of(serializer.validated_data)
        if granted is not None:
            consent = consent_record(
                customer=consent.customer,
                channel=consent.channel,
                purpose=consent.purpose,
                granted=granted,
                source=SOURCE,
                actor=actor_of(request),
            )
        return Response(_render(request, _reload(consent)))

    @extend_schema(
        operation_id="deletePartyPrivacyAgreement",
        summary="Not allowed: answers are kept as evidence",
        responses=schema.delete_responses(),
        tags=["partyPrivacyAgreement"],
    )
    def delete(self, request, agreement_id: str):
        self._consent(request, agreement_id, fields=())
        raise ApiError(
            405,
            "not_deletable",
            "A customer's answer is kept as evidence of what they agreed to and when. Withdraw "
            "it with PATCH and status rejected.",
        )
