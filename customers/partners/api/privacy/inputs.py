"""What partners may send: TMF ``PartyPrivacyAgreement_FVO`` (create) and ``_MVO`` (patch).

Strict like the other APIs: an unknown attribute, one we do not keep, a read-only one or a
wrong type is a 400 that names it and says why.
"""

from rest_framework import serializers

from customers.models import Consent
from customers.partners.api.customer.inputs import StrictSerializer, Text
from customers.partners.api.interaction.inputs import (
    ExplainedSerializer,
    PartyRoleRefSerializer,
    one_of,
)
from customers.partners.api.privacy.representation import (
    AGREEMENT_TYPE,
    APPROVED,
    CHANNEL_CHARACTERISTIC,
    STATUSES,
)

PURPOSES = Consent.Purpose.values
CHANNELS = Consent.Channel.values
READ_ONLY = {
    "id": "The agreement's id is ours, given at creation.",
    "href": "The agreement's address is ours.",
    "agreementAuthorization": "Set from when and through which source the answer reached us.",
}
NOT_KEPT = {
    name: "Not kept by this product: a privacy agreement is the customer's answer for one "
    "channel and one purpose, with its status and the time it was given."
    for name in (
        "agreementItem",
        "agreementPeriod",
        "agreementRelationship",
        "agreementSpecification",
        "characteristic",
        "completionDate",
        "description",
        "initialDate",
        "partyPrivacyProfile",
        "relatedDocument",
        "relatedParty",
        "statementOfIntent",
        "version",
    )
}
FIXED_AFTER_CREATION = {
    "engagedParty": "An agreement stays with its customer.",
    "partyPrivacyProfileCharacteristic": "An agreement is for one channel and one purpose; "
    "record another agreement for another.",
}


class ChannelCharacteristicSerializer(StrictSerializer):
    expected_type = {"StringCharacteristic"}
    ignored_keys = {"id", "valueType"}
    name = Text(required=False, max_length=40)
    value = Text(max_length=20)

    def validate_name(self, value):
        if value != CHANNEL_CHARACTERISTIC:
            raise serializers.ValidationError(
                f"The characteristic a consent is about is {CHANNEL_CHARACTERISTIC}."
            )
        return value

    def validate_value(self, value):
        return one_of(value.strip().lower(), CHANNELS, "channel")


class PrivacyCharacteristicSerializer(ExplainedSerializer):
    expected_type = {"PartyPrivacyProfileCharacteristic"}
    refused = {
        "relatedParty": "Not kept: a consent is given to us; sharing with partners is the "
        "purpose third_party."
    }
    privacyUsagePurpose = Text(max_length=20)
    # The spec spells it so; a client that corrects the spelling is understood as well.
    characterisitc = ChannelCharacteristicSerializer(required=False)
    characteristic = ChannelCharacteristicSerializer(required=False)

    def validate_privacyUsagePurpose(self, value):
        return one_of(value.strip().lower(), PURPOSES, "privacyUsagePurpose")

    def validate(self, attrs):
        given = [attrs[name] for name in ("characterisitc", "characteristic") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"characterisitc": [f"Give the channel once, as {CHANNEL_CHARACTERISTIC}."]}
            )
        return {"purpose": attrs["privacyUsagePurpose"], "channel": given[0]["value"]}


def _single(child, *, what: str):
    """A list of exactly one: an agreement is one customer's answer for one channel/purpose."""
    return serializers.ListField(
        child=child,
        min_length=1,
        max_length=1,
        error_messages={
            "min_length": f"Give one {what}.",
            "max_length": f"Give one {what}: an agreement has one.",
        },
    )


class AgreementPatchSerializer(ExplainedSerializer):
    """What a merge patch may change: the status. ``name`` and ``agreementType`` are taken
    (a client may send back what it read) and checked, not kept: the name is made from the
    purpose and the channel."""

    expected_type = {"PartyPrivacyAgreement"}
    refused = {**READ_ONLY, **NOT_KEPT, **FIXED_AFTER_CREATION}
    name = Text(required=False, max_length=200)
    agreementType = Text(required=False, max_length=40)
    status = Text(required=False, max_length=20)

    def validate_agreementType(self, value):
        if value != AGREEMENT_TYPE:
            raise serializers.ValidationError(
                f"An agreement here is a consent: agreementType {AGREEMENT_TYPE}."
            )
        return value

    def validate_status(self, value):
        return one_of(value, STATUSES, "status")


class AgreementInputSerializer(AgreementPatchSerializer):
    refused = {**READ_ONLY, **NOT_KEPT}
    status = Text(max_length=20)
    engagedParty = _single(PartyRoleRefSerializer(), what="customer")
    partyPrivacyProfileCharacteristic = _single(
        PrivacyCharacteristicSerializer(), what="channel and purpose"
    )


def granted_of(data: dict) -> bool | None:
    return None if data.get("status") is None else data["status"] == APPROVED


def customer_number_of(data: dict) -> str:
    return data["engagedParty"][0]["id"].strip().upper()


def channel_and_purpose_of(data: dict) -> tuple[str, str]:
    answer = data["partyPrivacyProfileCharacteristic"][0]
    return answer["channel"], answer["purpose"]
