"""What partners may send: TMF632 ``Individual_FVO`` / ``Organization_FVO`` (create) and the
``_MVO`` bodies (merge patch).

Strict as TMF629's inputs are: an attribute of the spec that we do not store is a 400 naming
it (docs/tmf632-conformance.md lists them), so nothing a partner sends is silently dropped.
"""

from datetime import date, datetime

from rest_framework import serializers

from customers.models import Party
from customers.partners.api.customer.inputs import (
    ContactMediumSerializer,
    StrictSerializer,
    Text,
    contact_medium_input,
)
from customers.partners.api.party.representation import NATIONAL_ID, REGISTRATION_NUMBER
from customers.services import ContactMediumInput, PartyInput

READ_ONLY = {"id", "href"}
# Party attributes of the spec that we do not store (both kinds).
PARTY_NOT_STORED = {
    "externalReference",
    "partyCharacteristic",
    "taxExemptionCertificate",
    "creditRating",
    "relatedParty",
    "status",
    "otherName",
}
INDIVIDUAL_NOT_STORED = PARTY_NOT_STORED | {
    "gender",
    "placeOfBirth",
    "countryOfBirth",
    "nationality",
    "maritalStatus",
    "deathDate",
    "aristocraticTitle",
    "generation",
    "preferredGivenName",
    "familyNamePrefix",
    "legalName",
    "middleName",
    "formattedName",
    "location",
    "disability",
    "languageAbility",
    "skill",
}
ORGANIZATION_NOT_STORED = PARTY_NOT_STORED | {
    "isLegalEntity",
    "isHeadOffice",
    "organizationType",
    "existsDuring",
    "nameType",
    "organizationChildRelationship",
    "organizationParentRelationship",
}
IDENTIFICATION_NOT_STORED = {"issuingAuthority", "issuingDate", "validFor", "attachment"}
NOT_STORED_MESSAGE = "We do not store this attribute (see the API's conformance notes)."


class PartyStrictSerializer(StrictSerializer):
    """Names a spec attribute we do not store as such, not as an unknown one."""

    not_stored: set[str] = set()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            refused = {name: [NOT_STORED_MESSAGE] for name in data if name in self.not_stored}
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


class BirthDateField(serializers.Field):
    """The spec's birthDate is a date-time; a plain date is accepted too. The day is kept."""

    default_error_messages = {"invalid": "Give a date (1990-04-01) or a date-time."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return value.isoformat()


class IdentificationSerializer(PartyStrictSerializer):
    not_stored = IDENTIFICATION_NOT_STORED
    identification_type = ""
    identificationType = Text(required=False, max_length=40)
    identificationId = Text(max_length=40)

    def validate(self, attrs):
        kind = attrs.get("identificationType", self.identification_type)
        if kind != self.identification_type:
            raise serializers.ValidationError(
                {"identificationType": [f"Only {self.identification_type} is stored."]}
            )
        if not attrs["identificationId"].strip():
            raise serializers.ValidationError({"identificationId": ["Give the identifier."]})
        return attrs


class IndividualIdentificationSerializer(IdentificationSerializer):
    expected_type = {"IndividualIdentification"}
    identification_type = NATIONAL_ID


class OrganizationIdentificationSerializer(IdentificationSerializer):
    expected_type = {"OrganizationIdentification"}
    identification_type = REGISTRATION_NUMBER


def _media_field(*, allow_null: bool = False):
    # A list of serializers, not ``many=True``: a null item is then an error, not a None.
    return serializers.ListField(
        child=ContactMediumSerializer(), required=False, allow_null=allow_null, max_length=20
    )


class IndividualSerializer(PartyStrictSerializer):
    """``Individual_FVO``: givenName and familyName are required by the spec; one may be
    empty (not everyone has a family name), not both."""

    expected_type = {"Individual"}
    read_only_names = READ_ONLY
    not_stored = INDIVIDUAL_NOT_STORED
    name = Text(required=False, allow_blank=True, max_length=220)
    title = Text(required=False, allow_blank=True, max_length=20)
    givenName = Text(allow_blank=True, max_length=100)
    familyName = Text(allow_blank=True, max_length=100)
    birthDate = BirthDateField(required=False)
    individualIdentification = serializers.ListField(
        child=IndividualIdentificationSerializer(), required=False, max_length=1
    )
    contactMedium = _media_field()


class IndividualPatchSerializer(IndividualSerializer):
    """In a merge patch, null removes what is there."""

    title = Text(required=False, allow_blank=True, allow_null=True, max_length=20)
    givenName = Text(required=False, allow_blank=True, allow_null=True, max_length=100)
    familyName = Text(required=False, allow_blank=True, allow_null=True, max_length=100)
    birthDate = BirthDateField(required=False, allow_null=True)
    individualIdentification = serializers.ListField(
        child=IndividualIdentificationSerializer(), required=False, allow_null=True, max_length=1
    )
    contactMedium = _media_field(allow_null=True)


class OrganizationSerializer(PartyStrictSerializer):
    expected_type = {"Organization"}
    read_only_names = READ_ONLY
    not_stored = ORGANIZATION_NOT_STORED
    name = Text(max_length=200)
    tradingName = Text(required=False, allow_blank=True, max_length=200)
    organizationIdentification = serializers.ListField(
        child=OrganizationIdentificationSerializer(), required=False, max_length=1
    )
    contactMedium = _media_field()


class OrganizationPatchSerializer(OrganizationSerializer):
    """In a merge patch, null removes what is there."""

    name = Text(required=False, max_length=200)
    tradingName = Text(required=False, allow_blank=True, allow_null=True, max_length=200)
    organizationIdentification = serializers.ListField(
        child=OrganizationIdentificationSerializer(),
        required=False,
        allow_null=True,
        max_length=1,
    )
    contactMedium = _media_field(allow_null=True)


SERIALIZERS = {
    Party.Kind.INDIVIDUAL: (IndividualSerializer, IndividualPatchSerializer),
    Party.Kind.ORGANIZATION: (OrganizationSerializer, OrganizationPatchSerializer),
}


# --- From the validated body to the services' inputs ------------------------------------------


def _identifier(items) -> str:
    return items[0]["identificationId"].strip() if items else ""


def party_changes(data: dict, *, kind: str) -> dict:
    """Party model fields from a validated body (only the attributes it contains); null or an
    empty list removes a value, as a merge patch does."""
    changes = {}
    simple = (
        {"title": "title", "givenName": "given_name", "familyName": "family_name"}
        if kind == Party.Kind.INDIVIDUAL
        else {"name": "legal_name", "tradingName": "trading_name"}
    )
    for name, field in simple.items():
        if name in data:
            changes[field] = data[name] or ""
    if kind == Party.Kind.INDIVIDUAL:
        if "birthDate" in data:
            changes["birth_date"] = data["birthDate"]
        if "individualIdentification" in data:
            changes["national_id"] = _identifier(data["individualIdentification"])
    elif "organizationIdentification" in data:
        changes["registration_number"] = _identifier(data["organizationIdentification"])
    return changes


def contact_media_input(data: dict) -> list[ContactMediumInput]:
    return [contact_medium_input(item) for item in data.get("contactMedium") or []]


def party_input(data: dict, *, kind: str) -> PartyInput:
    return PartyInput(
        kind=kind, contact_media=contact_media_input(data), **party_changes(data, kind=kind)
    )


def derived_name(changes: dict) -> str:
    """The name a person is shown by: given and family name."""
    parts = (changes.get("given_name", "").strip(), changes.get("family_name", "").strip())
    return " ".join(part for part in parts if part)
