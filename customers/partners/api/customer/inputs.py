"""What partners may send: TMF ``Customer_FVO`` (create) and ``Customer_MVO`` (patch) bodies.

Strict on purpose: an unknown attribute, a read-only one or a wrong type is a 400 that names
it, so a typo in an integration fails at once instead of being silently dropped.
"""

from rest_framework import serializers

from customers.models import ContactMedium, Customer
from customers.services import ContactMediumInput, PartyInput

META_KEYS = {"@type", "@baseType", "@schemaLocation"}
# The longest text accepted in an attribute that is taken and not used (href, @baseType …).
IGNORED_TEXT_LONGEST = 500
CONTACT_TYPES = {
    "EmailContactMedium",
    "PhoneContactMedium",
    "GeographicAddressContactMedium",
    "SocialContactMedium",
}
SETTABLE_CHARACTERISTICS = {"segment", "language", "externalReference", "currency"}
COMPUTED_CHARACTERISTICS = {
    "customerNumber",
    "valueSegment",
    "lifetimeValue",
    "churnRisk",
    "creditRating",
    "fraudRisk",
}
# Customer_FVO attributes the system sets itself: each is refused with a 400 that says so (the
# conformance statement, docs/tmf629-conformance.md, gives the reason for each).
READ_ONLY = {
    "id",
    "href",
    "validFor",
    "creditProfile",
    "account",
    "agreement",
    "relatedParty",
    "partyRoleSpecification",
}


class Text(serializers.CharField):
    """A string and only a string: 5 or true where a name belongs is a mistake, not "5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses attributes it does not know; accepts (and checks) the TMF meta attributes."""

    expected_type: set[str] = set()
    read_only_names: set[str] = set()
    # References carry these as well; they are accepted and not used.
    ignored_keys: set[str] = set()

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected a JSON object."]}, code="invalid"
            )
        errors = {}
        for key in data:
            if key in self.ignored_keys or key in META_KEYS - {"@type"}:
                # Accepted and not used, but still text of a sensible length.
                value = data[key]
                if not isinstance(value, str) or len(value) > IGNORED_TEXT_LONGEST:
                    errors[key] = [
                        f"Must be a string of at most {IGNORED_TEXT_LONGEST} characters."
                    ]
                continue
            if key in self.fields or key in META_KEYS:
                continue
            if key in self.read_only_names:
                errors[key] = ["This attribute is set by the system and cannot be sent."]
            else:
                errors[key] = ["Unknown attribute."]
        kind = data.get("@type")
        if "@type" in data and not isinstance(kind, str):
            errors["@type"] = ["Must be a string."]
        elif kind is not None and self.expected_type and kind not in self.expected_type:
            expected = ", ".join(sorted(self.expected_type))
            errors["@type"] = [f"Expected {expected}, not {kind!r}."]
        if errors:
            raise serializers.ValidationError(errors)
        values = super().to_internal_value(
            {k: v for k, v in data.items() if k not in self.ignored_keys}
        )
        if "@type" in data:
            values["@type"] = data["@type"]
        return values


class TimePeriodSerializer(StrictSerializer):
    startDateTime = serializers.DateTimeField(required=False, allow_null=True)
    endDateTime = serializers.DateTimeField(required=False, allow_null=True)


class ContactMediumSerializer(StrictSerializer):
    expected_type = CONTACT_TYPES
    id = Text(required=False, max_length=20)
    preferred = serializers.BooleanField(required=False)
    contactType = Text(required=False, allow_blank=True, max_length=40)
    validFor = TimePeriodSerializer(required=False)
    emailAddress = Text(required=False, max_length=254)
    phoneNumber = Text(required=False, max_length=40)
    street1 = Text(required=False, max_length=200)
    street2 = Text(required=False, allow_blank=True, max_length=200)
    city = Text(required=False, allow_blank=True, max_length=100)
    postCode = Text(required=False, allow_blank=True, max_length=20)
    country = Text(required=False, allow_blank=True, max_length=2)
    socialNetworkId = Text(required=False, max_length=320)

    REQUIRED = {
        "EmailContactMedium": "emailAddress",
        "PhoneContactMedium": "phoneNumber",
        "GeographicAddressContactMedium": "street1",
        "SocialContactMedium": "socialNetworkId",
    }

    def validate(self, attrs):
        kind = attrs.get("@type")
        if kind is None:
            raise serializers.ValidationError(
                {
                    "@type": [
                        f"Say which contact medium this is: {', '.join(sorted(CONTACT_TYPES))}."
                    ]
                }
            )
        needed = self.REQUIRED[kind]
        if not attrs.get(needed):
            raise serializers.ValidationError({needed: [f"A {kind} needs this."]})
        return attrs


class CharacteristicSerializer(StrictSerializer):
    id = Text(required=False, max_length=40)
    name = Text(max_length=40)
    valueType = Text(required=False, max_length=20)
    value = serializers.JSONField()

    def validate(self, attrs):
        name, value = attrs["name"], attrs["value"]
        if name in COMPUTED_CHARACTERISTICS:
            raise serializers.ValidationError({"name": [f"'{name}' is computed by us."]})
        if name not in SETTABLE_CHARACTERISTICS:
            allowed = ", ".join(sorted(SETTABLE_CHARACTERISTICS))
            raise serializers.ValidationError({"name": [f"Unknown characteristic; use {allowed}."]})
        if not isinstance(value, str):
            raise serializers.ValidationError({"value": [f"'{name}' takes a string."]})
        if "\x00" in value:
            raise serializers.ValidationError({"value": ["Null characters are not allowed."]})
        if name == "segment" and value not in Customer.Segment.values:
            allowed = ", ".join(Customer.Segment.values)
            raise serializers.ValidationError({"value": [f"Segment must be one of {allowed}."]})
        if name == "language" and not 2 <= len(value) <= 8:
            raise serializers.ValidationError({"value": ["Give a language tag such as 'en'."]})
        if name == "externalReference" and not 1 <= len(value) <= 64:
            raise serializers.ValidationError({"value": ["Give 1 to 64 characters."]})
        return attrs


class PaymentMethodSerializer(StrictSerializer):
    ignored_keys = {"name", "href", "@referredType"}
    id = serializers.ChoiceField(choices=Customer.PaymentMethod.values)


class EngagedPartySerializer(StrictSerializer):
    expected_type = {"Individual", "Organization"}
    read_only_names = {"id", "href"}
    ignored_keys = {"@referredType"}
    # Individual
    title = Text(required=False, allow_blank=True, max_length=20)
    givenName = Text(required=False, allow_blank=True, max_length=100)
    familyName = Text(required=False, allow_blank=True, max_length=100)
    birthDate = serializers.DateField(required=False, allow_null=True)
    nationalId = Text(required=False, allow_blank=True, max_length=40)
    # Organization
    name = Text(required=False, allow_blank=True, max_length=200)
    tradingName = Text(required=False, allow_blank=True, max_length=200)
    registrationNumber = Text(required=False, allow_blank=True, max_length=40)

    def validate(self, attrs):
        if attrs.get("@type") == "Individual" and "name" in attrs:
            raise serializers.ValidationError(
                {"name": ["A person's name is givenName and familyName."]}
            )
        return attrs

    def to_internal_value(self, data):
        # The standard form: a reference to a party registered before (TMF632).
        if isinstance(data, dict) and data.get("@type") == "PartyRef":
            return PartyRefSerializer().to_internal_value(data)
        return super().to_internal_value(data)


class PartyRefSerializer(StrictSerializer):
    """TMF ``PartyRef``: the id of a party (from TMF632), optionally its href and name."""

    expected_type = {"PartyRef"}
    id = Text(max_length=20)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=220)

    def to_internal_value(self, data):
        referred = data.get("@referredType") if isinstance(data, dict) else None
        if referred is not None and referred not in ("Individual", "Organization"):
            raise serializers.ValidationError(
                {"@referredType": ["A customer's party is an Individual or an Organization."]}
            )
        values = super().to_internal_value({k: v for k, v in data.items() if k != "@referredType"})
        if referred is not None:
            values["@referredType"] = referred
        return values


class CustomerInputSerializer(StrictSerializer):
    """``Customer_FVO``: ``@type`` and ``engagedParty`` are required; so is ``name`` with a
    ``PartyRef`` (with an inline party it defaults to the party's name)."""

    expected_type = {"Customer"}
    read_only_names = READ_ONLY
    type_required = True
    name = Text(required=False, allow_blank=True, max_length=220)
    description = Text(required=False, allow_blank=True, max_length=2000)
    role = Text(required=False, max_length=40)
    engagedParty = EngagedPartySerializer()
    # Lists of serializers, not ``many=True``: a null item is then an error, not a None.
    contactMedium = serializers.ListField(
        child=ContactMediumSerializer(), required=False, allow_null=True, max_length=20
    )
    characteristic = serializers.ListField(
        child=CharacteristicSerializer(), required=False, max_length=20
    )
    paymentMethod = serializers.ListField(
        child=PaymentMethodSerializer(), required=False, allow_null=True, max_length=1
    )
    status = serializers.ChoiceField(choices=Customer.Status.values, required=False)
    statusReason = Text(required=False, allow_blank=True, allow_null=True, max_length=40)

    def validate_characteristic(self, items):
        names = [item["name"] for item in items]
        repeated = {name for name in names if names.count(name) > 1}
        if repeated:
            raise serializers.ValidationError(f"Given twice: {', '.join(sorted(repeated))}.")
        return items

    def validate_role(self, role):
        if role.lower() != "customer":
            raise serializers.ValidationError("The role of a Customer is 'Customer'.")
        return role

    def validate(self, attrs):
        if self.type_required and "@type" not in attrs:
            raise serializers.ValidationError({"@type": ["Required: Customer."]})
        engaged = attrs.get("engagedParty") or {}
        if (
            self.type_required
            and is_party_reference(engaged)
            and not (attrs.get("name") or "").strip()
        ):
            raise serializers.ValidationError(
                {
                    "name": [
                        "Required: the customer's name (with an inline party it defaults to "
                        "the party's name)."
                    ]
                }
            )
        return attrs


class CustomerPatchSerializer(CustomerInputSerializer):
    """The same attributes, none required; each nested object is still checked in full."""

    type_required = False
    engagedParty = EngagedPartySerializer(required=False)


# --- From the validated body to the services' inputs ------------------------------------------


def contact_medium_input(item: dict) -> ContactMediumInput:
    Kind = ContactMedium.Kind
    kind_name = item["@type"]
    label = item.get("contactType", "") or ""
    period = item.get("validFor") or {}
    common = {
        "is_preferred": item.get("preferred", False),
        "valid_from": period.get("startDateTime") and period["startDateTime"].date(),
        "valid_to": period.get("endDateTime") and period["endDateTime"].date(),
    }
    if kind_name == "EmailContactMedium":
        return ContactMediumInput(
            kind=Kind.EMAIL, value=item["emailAddress"], label=label, **common
        )
    if kind_name == "PhoneContactMedium":
        # contactType "mobile" makes a mobile; anything else is a phone labelled with it.
        kind = Kind.MOBILE if label.lower() == "mobile" else Kind.PHONE
        label = "" if label.lower() in ("mobile", "phone") else label
        return ContactMediumInput(
            kind=kind,
            value=item["phoneNumber"],
            label=label,
            country=item.get("country", ""),
            **common,
        )
    if kind_name == "GeographicAddressContactMedium":
        street = " ".join(p for p in (item["street1"], item.get("street2", "")) if p)
        return ContactMediumInput(
            kind=Kind.POSTAL,
            label=label,
            street=street,
            city=item.get("city", ""),
            postcode=item.get("postCode", ""),
            country=item.get("country", ""),
            **common,
        )
    kind = Kind.WEB if label.lower() == "web" else Kind.SOCIAL
    return ContactMediumInput(kind=kind, value=item["socialNetworkId"], **common)


PARTY_FIELD_NAMES = {
    "title": "title",
    "givenName": "given_name",
    "familyName": "family_name",
    "birthDate": "birth_date",
    "nationalId": "national_id",
    "tradingName": "trading_name",
    "registrationNumber": "registration_number",
}


def party_changes(engaged: dict, *, organisation: bool) -> dict:
    """Party model fields from an ``engagedParty`` body (only those it contains)."""
    changes = {}
    for name, field in PARTY_FIELD_NAMES.items():
        if name in engaged:
            value = engaged[name]
            changes[field] = value if value is not None or field == "birth_date" else ""
    if "name" in engaged and organisation:
        changes["legal_name"] = engaged["name"] or ""
    return changes


def is_party_reference(engaged: dict) -> bool:
    return engaged.get("@type") == "PartyRef"


def party_input(data: dict) -> PartyInput:
    engaged = data["engagedParty"]
    organisation = engaged.get("@type") == "Organization"
    fields = party_changes(engaged, organisation=organisation)
    if organisation and not fields.get("legal_name") and data.get("name"):
        fields["legal_name"] = data["name"]
    return PartyInput(
        kind="organization" if organisation else "individual",
        contact_media=[contact_medium_input(item) for item in data.get("contactMedium") or []],
        **fields,
    )


def characteristic_values(data: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in data.get("characteristic") or []}
