"""What partners may send: TMF ``PartyInteraction_FVO`` (create) and ``_MVO`` (patch) bodies.

Strict like the customer API: an unknown attribute, one we do not keep, a read-only one or a
wrong type is a 400 that names it and says why.
"""

from rest_framework import serializers

from customers.models import Interaction
from customers.partners.api.customer.inputs import (
    StrictSerializer,
    Text,
    TimePeriodSerializer,
)
from customers.partners.api.interaction.representation import OUTCOME_OF_STATUS

READ_ONLY = {
    "id": "The interaction's id is ours, given at creation.",
    "href": "The interaction's address is ours.",
    "creationDate": "Set when the interaction is recorded.",
    "statusChangeDate": "Set when the status changes.",
    "lastUpdate": "Set by the system.",
}
NOT_KEPT = {
    name: "Not kept by this product: an interaction is one touch point with its summary in "
    "description."
    for name in ("attachment", "interactionItem", "interactionRelationship", "externalIdentifier")
}
FIXED_AFTER_CREATION = {
    "direction": "Set at creation: who started the interaction does not change.",
    "interactionDate": "Set at creation; the end is set when the interaction is completed.",
}
KINDS = Interaction.Kind.values
CHANNELS = Interaction.Channel.values
DIRECTIONS = Interaction.Direction.values


def one_of(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise serializers.ValidationError(f"Unknown {what} {value!r}; use {', '.join(allowed)}.")
    return value


class ExplainedSerializer(StrictSerializer):
    """Refuses the attributes in ``refused`` with the reason given for each."""

    refused: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {name: [why] for name, why in self.refused.items() if name in data}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ChannelRefSerializer(StrictSerializer):
    expected_type = {"ChannelRef"}
    ignored_keys = {"href", "@referredType"}
    id = Text(required=False, max_length=40)
    name = Text(required=False, max_length=40)

    def validate(self, attrs):
        code = (attrs.get("id") or attrs.get("name") or "").strip().lower()
        if not code:
            raise serializers.ValidationError({"id": ["Name the channel by id or name."]})
        try:
            attrs["code"] = one_of(code, CHANNELS, "channel")
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"id": error.detail}) from None
        return attrs


class RelatedChannelSerializer(StrictSerializer):
    expected_type = {"RelatedChannel"}
    role = Text(required=False, allow_blank=True, max_length=40)
    channel = ChannelRefSerializer()


class PartyRoleRefSerializer(StrictSerializer):
    expected_type = {"PartyRoleRef"}
    ignored_keys = {"href", "name", "partyId", "partyName", "@referredType"}
    id = Text(max_length=20)

    def to_internal_value(self, data):
        if isinstance(data, dict) and (
            data.get("@type") != "PartyRoleRef"
            or data.get("@referredType", "Customer") != "Customer"
        ):
            raise serializers.ValidationError(
                {
                    "@type": [
                        "Relate the customer as a PartyRoleRef with @referredType Customer and "
                        "its customer number as id."
                    ]
                }
            )
        return super().to_internal_value(data)


class RelatedPartySerializer(StrictSerializer):
    expected_type = {"RelatedPartyOrPartyRole"}
    role = Text(required=False, allow_blank=True, max_length=40)
    partyOrPartyRole = PartyRoleRefSerializer()


class NoteSerializer(StrictSerializer):
    expected_type = {"Note"}
    ignored_keys = {"id", "author", "date"}
    text = Text(max_length=2000)


def _single(child, *, required: bool, what: str):
    """A list of exactly one: we keep one channel and one customer per interaction."""
    return serializers.ListField(
        child=child,
        required=required,
        min_length=1,
        max_length=1,
        error_messages={
            "min_length": f"Give one {what}.",
            "max_length": f"Give one {what}: an interaction has one.",
        },
    )


class InteractionInputSerializer(ExplainedSerializer):
    expected_type = {"PartyInteraction"}
    refused = {**READ_ONLY, **NOT_KEPT}
    direction = Text(max_length=10)
    reason = Text(max_length=20)
    description = Text(required=False, max_length=4000)
    status = Text(required=False, max_length=20)
    interactionDate = TimePeriodSerializer(required=False)
    relatedChannel = _single(RelatedChannelSerializer(), required=True, what="channel")
    relatedParty = _single(RelatedPartySerializer(), required=True, what="customer")

    def validate_direction(self, value):
        return one_of(value, DIRECTIONS, "direction")

    def validate_reason(self, value):
        return one_of(value, KINDS, "reason")

    def validate_status(self, value):
        return one_of(value, list(OUTCOME_OF_STATUS), "status")


class InteractionPatchSerializer(InteractionInputSerializer):
    """The changeable attributes, none required; ``note`` is the note of a completion."""

    refused = {**READ_ONLY, **NOT_KEPT, **FIXED_AFTER_CREATION}
    direction = None
    interactionDate = None
    reason = Text(required=False, max_length=20)
    relatedChannel = _single(RelatedChannelSerializer(), required=False, what="channel")
    relatedParty = _single(RelatedPartySerializer(), required=False, what="customer")
    note = serializers.ListField(
        child=NoteSerializer(),
        required=False,
        max_length=1,
        error_messages={"max_length": "Give one note, with the status completed."},
    )


def channel_of(data: dict) -> str | None:
    channels = data.get("relatedChannel")
    return channels[0]["channel"]["code"] if channels else None


def customer_number_of(data: dict) -> str | None:
    parties = data.get("relatedParty")
    return parties[0]["partyOrPartyRole"]["id"].strip().upper() if parties else None
