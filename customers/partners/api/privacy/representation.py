"""Our consents as TMF644 v5 ``PartyPrivacyAgreement`` resources, and the mappings both ways.

One agreement is one consent row: the customer's current answer for one channel and one
purpose. Its status is the answer (approved or rejected), its authorization says when and
through which source the answer reached us, and its one privacy profile characteristic names
the channel and the purpose. The full history of answers stays in the action log.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet

from customers.models import Consent
from customers.partners.api.customer.representation import customer_href, resource_body

API_ROOT = "/tmf-api/privacyManagement/v5"

ALWAYS = ("id", "href", "@type")
ATTRIBUTES = (
    "name",
    "agreementType",
    "status",
    "engagedParty",
    "agreementAuthorization",
    "partyPrivacyProfileCharacteristic",
)
AGREEMENT_TYPE = "privacyConsent"
APPROVED, REJECTED = "approved", "rejected"
STATUSES = (APPROVED, REJECTED)
# The characteristic whose allowed use a consent states: how the customer may be contacted.
CHANNEL_CHARACTERISTIC = "contactChannel"


def agreement_href(pk: int, base_url: str | None = None) -> str:
    base = settings.CRM_PUBLIC_URL if base_url is None else base_url
    return f"{base}{API_ROOT}/partyPrivacyAgreement/{pk}"


def consents_with_relations(queryset: QuerySet, fields: Iterable[str] = ATTRIBUTES) -> QuerySet:
    """Joined for what ``fields`` renders: the customer always (its number is the engaged
    party's id and its partner decides who sees the row), its party only for the engaged
    party's name."""
    related = "customer__party" if "engagedParty" in set(fields) else "customer"
    return queryset.select_related(related)


def status_of(consent: Consent) -> str:
    return APPROVED if consent.granted else REJECTED


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _engaged_party(consent: Consent, base_url: str | None) -> list[dict]:
    customer = consent.customer
    return [
        {
            "@type": "PartyRoleRef",
            "id": customer.number,
            "href": customer_href(customer.number, base_url),
            "name": customer.name or customer.party.display_name,
            "partyId": str(customer.party_id),
            "@referredType": "Customer",
        }
    ]


def _authorization(consent: Consent) -> list[dict]:
    return [
        {
            "@type": "AgreementAuthorization",
            "date": _iso(consent.recorded_at),
            "state": status_of(consent),
            "signatureRepresentation": consent.source,
        }
    ]


def _characteristic(consent: Consent) -> list[dict]:
    return [
        {
            "@type": "PartyPrivacyProfileCharacteristic",
            "privacyUsagePurpose": consent.purpose,
            # The spec's spelling of the attribute.
            "characterisitc": {
                "@type": "StringCharacteristic",
                "name": CHANNEL_CHARACTERISTIC,
                "valueType": "string",
                "value": consent.channel,
            },
        }
    ]


def agreement_representation(
    consent: Consent,
    *,
    base_url: str | None = None,
    fields: Iterable[str] = ATTRIBUTES,
) -> dict:
    """The TMF ``PartyPrivacyAgreement`` for one of our consents."""
    renderers = {
        "name": lambda: f"{consent.get_purpose_display()} by {consent.get_channel_display()}",
        "agreementType": lambda: AGREEMENT_TYPE,
        "status": lambda: status_of(consent),
        "engagedParty": lambda: _engaged_party(consent, base_url),
        "agreementAuthorization": lambda: _authorization(consent),
        "partyPrivacyProfileCharacteristic": lambda: _characteristic(consent),
    }
    return resource_body(
        pk=consent.pk,
        href=agreement_href(consent.pk, base_url),
        resource_type="PartyPrivacyAgreement",
        attributes=ATTRIBUTES,
        fields=fields,
        renderers=renderers,
    )
