"""What partners may send: a TMF635 ``Usage_FVO`` body for one monthly summary.

Strict like the other partner APIs: an unknown attribute, one we do not keep, a read-only one,
an unknown characteristic or a wrong type is a 400 that names it and says why.
"""

from rest_framework import serializers

from customers.partners.api.customer.inputs import StrictSerializer, Text
from customers.partners.api.interaction.inputs import ExplainedSerializer, RelatedPartySerializer
from customers.partners.api.usage.representation import FIELD_OF, STATUS, USAGE_TYPE

READ_ONLY = {
    "id": "The usage's id is ours, given at creation.",
    "href": "The usage's address is ours.",
    "description": "Written by the system from the product and the month.",
}
NOT_KEPT = {
    name: "Not kept by this product: a usage is a monthly summary of measured use, not rated."
    for name in ("ratedProductUsage", "usageSpecification", "usageItem", "isBundle")
}


class ProductOfferingRefSerializer(StrictSerializer):
    expected_type = {"ProductOfferingRef"}
    ignored_keys = {"href", "name", "@referredType", "version"}
    id = Text(max_length=30)


class CharacteristicSerializer(StrictSerializer):
    expected_type = {"FloatCharacteristic", "IntegerCharacteristic", "NumberCharacteristic"}
    ignored_keys = {"id", "valueType"}
    name = Text(max_length=40)
    # A number, or its text; checked against the measure by the service's rules.
    value = serializers.JSONField()

    def validate_name(self, value):
        if value not in FIELD_OF:
            raise serializers.ValidationError(
                f"Unknown characteristic {value!r}; use {', '.join(FIELD_OF)}."
            )
        return value

    def validate_value(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise serializers.ValidationError("Must be a number.")
        return value


class ExternalIdentifierSerializer(StrictSerializer):
    expected_type = {"ExternalIdentifier"}
    ignored_keys = {"owner", "externalIdentifierType"}
    id = Text(max_length=64)


class UsagePartySerializer(RelatedPartySerializer):
    # TMF635 v5 relates parties by reference; the interaction API's name is accepted too.
    expected_type = {"RelatedPartyRefOrPartyRoleRef", "RelatedPartyOrPartyRole"}


class UsageInputSerializer(ExplainedSerializer):
    expected_type = {"Usage"}
    refused = {**READ_ONLY, **NOT_KEPT}
    usageType = Text(required=False, max_length=40)
    usageDate = serializers.DateTimeField()
    status = Text(required=False, max_length=20)
    productOffering = ProductOfferingRefSerializer()
    relatedParty = serializers.ListField(
        child=UsagePartySerializer(),
        min_length=1,
        max_length=1,
        error_messages={"min_length": "Give the customer.", "max_length": "Give one customer."},
    )
    usageCharacteristic = serializers.ListField(
        child=CharacteristicSerializer(), required=False, max_length=len(FIELD_OF)
    )
    externalIdentifier = serializers.ListField(
        child=ExternalIdentifierSerializer(),
        required=False,
        max_length=1,
        error_messages={"max_length": "Give one external identifier."},
    )

    def validate_usageType(self, value):
        if value != USAGE_TYPE:
            raise serializers.ValidationError(f"Only {USAGE_TYPE!r} usage is kept.")
        return value

    def validate_status(self, value):
        if value != STATUS:
            raise serializers.ValidationError(f"A usage sent to us is {STATUS!r}.")
        return value

    def validate_usageCharacteristic(self, value):
        names = [item["name"] for item in value]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise serializers.ValidationError(f"Given more than once: {', '.join(repeated)}.")
        return value


def customer_number_of(data: dict) -> str:
    return data["relatedParty"][0]["partyOrPartyRole"]["id"].strip().upper()


def measures_of(data: dict) -> dict[str, object]:
    """The measures sent, by our field name."""
    return {FIELD_OF[item["name"]]: item["value"] for item in data.get("usageCharacteristic", [])}


def external_ref_of(data: dict) -> str | None:
    identifiers = data.get("externalIdentifier") or []
    return identifiers[0]["id"].strip() or None if identifiers else None
