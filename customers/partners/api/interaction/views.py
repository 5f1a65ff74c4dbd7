"""TMF683 v5 endpoints: parse the request, call one service or selector, render the resource."""

from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from customers.models import Interaction
from customers.partners.api import openapi
from customers.partners.api.auth import (
    CustomerApiPermission,
    actor_of,
    partner_of,
)
from customers.partners.api.errors import ApiError
from customers.partners.api.interaction import schema
from customers.partners.api.interaction.inputs import (
    CHANNELS,
    DIRECTIONS,
    KINDS,
    InteractionInputSerializer,
    InteractionPatchSerializer,
    channel_of,
    customer_number_of,
)
from customers.partners.api.interaction.representation import (
    ALWAYS,
    ATTRIBUTES,
    OUTCOME_OF_STATUS,
    STATUS_OF_OUTCOME,
    interaction_representation,
    interactions_with_relations,
)
from customers.partners.api.interaction.selectors import (
    ApiInteractionFilters,
    api_interaction_search,
    interactions_visible_to,
)
from customers.partners.api.parsers import LimitedJSONParser, MergePatchJSONParser
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
from customers.partners.services.idempotency import (
    Answer,
)
from customers.services.interactions import interaction_change, interaction_record

CHANNEL_FILTERS = ("relatedChannel", "relatedChannel.channel.id", "relatedChannel.channel.name")
DATE_FILTERS = {
    "interactionDate.startDateTime.gt": "occurred_after",
    "interactionDate.startDateTime.gte": "occurred_from",
    "interactionDate.startDateTime.lt": "occurred_before",
    "interactionDate.startDateTime.lte": "occurred_until",
}
FILTERS = {"relatedParty.id", "status", "direction", "reason", *CHANNEL_FILTERS, *DATE_FILTERS}


class InteractionApiPermission(CustomerApiPermission):
    """Partners by their token's customer scopes (an interaction is part of the customer's
    record); staff by their role's interaction permissions."""

    STAFF_PERMISSIONS = {
        "GET": "customers.view_interaction",
        "HEAD": "customers.view_interaction",
        "OPTIONS": "customers.view_interaction",
        "POST": "customers.add_interaction",
        "PATCH": "customers.change_interaction",
        # Never allowed (405); whoever may change interactions is told why.
        "DELETE": "customers.change_interaction",
    }


def _fields(request) -> set[str]:
    return fields_asked(request, ATTRIBUTES, ALWAYS)


def _listed(request, name: str, allowed) -> tuple[str, ...]:
    values = tuple(v.strip() for v in request.query_params.get(name, "").split(",") if v.strip())
    wrong = set(values) - set(allowed)
    if wrong:
        raise ApiError(
            400,
            "invalid_parameter",
            f"Unknown {name} {', '.join(sorted(wrong))}; use {', '.join(allowed)}.",
        )
    return values


def _moment(request, name: str):
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))  # a "+" left unescaped reads as a space
    except ValueError:
        moment = None
    if moment is None:
        raise ApiError(
            400, "invalid_parameter", f"{name} must be a date and time such as 2026-01-31T08:00Z."
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filters(request) -> ApiInteractionFilters:
    unknown_parameters_refused(request, FILTERS)
    params = request.query_params
    statuses = _listed(request, "status", list(dict.fromkeys(STATUS_OF_OUTCOME.values())))
    channels = tuple(
        channel.lower() for name in CHANNEL_FILTERS for channel in _listed_lower(request, name)
    )
    direction = params.get("direction", "").strip()
    if direction and direction not in DIRECTIONS:
        raise ApiError(400, "invalid_parameter", f"Unknown direction; use {', '.join(DIRECTIONS)}.")
    return ApiInteractionFilters(
        customer_number=params.get("relatedParty.id", "").strip().upper()[:20],
        outcomes=tuple(
            outcome for outcome, status_ in STATUS_OF_OUTCOME.items() if status_ in statuses
        ),
        direction=direction,
        kinds=_listed(request, "reason", KINDS),
        channels=channels,
        **{field: _moment(request, name) for name, field in DATE_FILTERS.items()},
    )


def _listed_lower(request, name: str) -> tuple[str, ...]:
    raw = request.query_params.get(name, "")
    values = tuple(v.strip().lower() for v in raw.split(",") if v.strip())
    wrong = set(values) - set(CHANNELS)
    if wrong:
        raise ApiError(
            400,
            "invalid_parameter",
            f"Unknown {name} {', '.join(sorted(wrong))}; use {', '.join(CHANNELS)}.",
        )
    return values


def _render(request, interaction: Interaction, fields=ATTRIBUTES) -> dict:
    return interaction_representation(interaction, base_url=base_url(request), fields=fields)


def _reload(interaction: Interaction) -> Interaction:
    return interactions_with_relations(Interaction.objects.filter(pk=interaction.pk)).get()


def _closed_conflict(error: DjangoValidationError) -> ApiError | None:
    if getattr(error, "code", None) == "closed":
        return ApiError(
            409,
            "closed",
            f"{' '.join(error.messages)} A completed interaction is kept as the customer's record.",
        )
    return None


class PartyInteractionCollection(TmfView):
    permission_classes = [InteractionApiPermission]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="listPartyInteraction",
        summary="List or find party interactions",
        parameters=schema.LIST_PARAMETERS,
        responses=schema.list_responses(),
        tags=["partyInteraction"],
    )
    def get(self, request):
        return list_answered(
            request,
            fields_of=_fields,
            filters_of=_filters,
            search=api_interaction_search,
            page_of=lambda ids, fields: interactions_with_relations(
                Interaction.objects.filter(pk__in=ids), fields
            ).order_by("-occurred_at", "-id"),
            render=_render,
        )

    @extend_schema(
        operation_id="createPartyInteraction",
        summary="Record a touch point with one of your customers",
        parameters=[openapi.IDEMPOTENCY_KEY_PARAMETER],
        request={"application/json": schema.PARTY_INTERACTION_CREATE},
        responses=schema.create_responses(),
        tags=["partyInteraction"],
    )
    def post(self, request):
        return created_once(request, lambda: self._create(request))

    def _create(self, request) -> Answer:
        serializer = InteractionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = customer_visible(request, customer_number_of(data))
        period = data.get("interactionDate") or {}
        outcome = OUTCOME_OF_STATUS[data.get("status") or "completed"]
        if period.get("endDateTime") and outcome != Interaction.Outcome.RESOLVED:
            raise ApiError(
                400,
                "invalid",
                "interactionDate.endDateTime: only a completed interaction has ended.",
            )
        try:
            interaction = interaction_record(
                customer=customer,
                channel=channel_of(data),
                direction=data["direction"],
                kind=data["reason"],
                summary=data.get("description") or Interaction.Kind(data["reason"]).label,
                actor=actor_of(request),
                outcome=outcome,
                occurred_at=period.get("startDateTime"),
                closed_at=period.get("endDateTime"),
            )
        except DjangoValidationError as error:
            raise _tmf_names(error) from None
        body = _render(request, _reload(interaction))
        return Answer(status.HTTP_201_CREATED, body, location=body["href"])


# Our field names in a service's refusal, by the TMF attribute a client sent.
_TMF_NAMES = {
    "occurred_at": "interactionDate.startDateTime",
    "closed_at": "interactionDate.endDateTime",
    "summary": "description",
    "kind": "reason",
    "channel": "relatedChannel",
    "outcome": "status",
}


def _tmf_names(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        message = " ".join(
            f"{_TMF_NAMES.get(field, field)}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
        return ApiError(400, "invalid", message)
    return error


class PartyInteractionItem(TmfView):
    permission_classes = [InteractionApiPermission]
    parser_classes = [LimitedJSONParser, MergePatchJSONParser]

    def _interaction(self, request, interaction_id: str, fields=ATTRIBUTES) -> Interaction:
        interactions = interactions_visible_to(partner=partner_of(request))
        return found_by_id(
            interactions_with_relations(interactions, fields), interaction_id, "party interaction"
        )

    @extend_schema(
        operation_id="retrievePartyInteraction",
        summary="Retrieve a party interaction",
        parameters=[schema.FIELDS_PARAMETER],
        responses=schema.item_responses(),
        tags=["partyInteraction"],
    )
    def get(self, request, interaction_id: str):
        fields = _fields(request)
        return Response(
            _render(request, self._interaction(request, interaction_id, fields), fields)
        )

    @extend_schema(
        operation_id="patchPartyInteraction",
        summary="Change an interaction that is not completed (JSON merge patch)",
        request={
            "application/merge-patch+json": schema.PARTY_INTERACTION_PATCH,
            "application/json": schema.PARTY_INTERACTION_PATCH,
        },
        responses=schema.patch_responses(),
        tags=["partyInteraction"],
    )
    def patch(self, request, interaction_id: str):
        interaction = self._interaction(request, interaction_id, fields=())
        serializer = InteractionPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        number = customer_number_of(data)
        if number is not None and number != interaction.customer.number:
            raise ApiError(400, "invalid", "relatedParty: an interaction stays with its customer.")
        outcome = None
        if data.get("status") is not None:
            status_now = STATUS_OF_OUTCOME[interaction.outcome]
            # A status it already has keeps the outcome it has (escalated stays escalated).
            if data["status"] != status_now and not (
                data["status"] == "open" and status_now == "opened"
            ):
                outcome = OUTCOME_OF_STATUS[data["status"]]
        notes = data.get("note") or []
        if notes and outcome != Interaction.Outcome.RESOLVED:
            raise ApiError(
                400, "invalid", "note: a note goes with the patch that sets status completed."
            )
        try:
            interaction = interaction_change(
                interaction=interaction,
                actor=actor_of(request),
                summary=data.get("description"),
                kind=data.get("reason"),
                channel=channel_of(data),
                outcome=outcome,
                note=notes[0]["text"] if notes else "",
            )
        except DjangoValidationError as error:
            raise (_closed_conflict(error) or _tmf_names(error)) from None
        return Response(_render(request, _reload(interaction)))

    @extend_schema(
        operation_id="deletePartyInteraction",
        summary="Not allowed: interactions are kept as the customer's record",
        responses=schema.delete_responses(),
        tags=["partyInteraction"],
    )
    def delete(self, request, interaction_id: str):
        self._interaction(request, interaction_id, fields=())
        raise ApiError(
            405,
            "not_deletable",
            "Interactions are kept as the customer's record: surveys, follow-ups and risk scores "
            "were based on them. Correct an open one with PATCH, or complete it.",
        )
