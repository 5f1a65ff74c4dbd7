"""Our parties as TMF632 v5 ``Individual`` and ``Organization`` resources.

Plain functions over rows loaded with what they render (``parties_with_relations``), so a page
of parties is rendered without going back to the database.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, time

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from customers.models import ContactMedium, Party
from customers.partners.api.customer.representation import (
    contact_medium_representation,
    customer_href,
)

API_ROOT = "/tmf-api/partyManagement/v5"
RESOURCES = {Party.Kind.INDIVIDUAL: "individual", Party.Kind.ORGANIZATION: "organization"}
TYPES = {Party.Kind.INDIVIDUAL: "Individual", Party.Kind.ORGANIZATION: "Organization"}

# Top-level attributes ``fields=`` may ask for; id, href and @type always come.
ALWAYS = ("id", "href", "@type")
INDIVIDUAL_ATTRIBUTES = (
    "name",
    "title",
    "givenName",
    "familyName",
    "birthDate",
    "individualIdentification",
    "contactMedium",
    "relatedParty",
)
ORGANIZATION_ATTRIBUTES = (
    "name",
    "tradingName",
    "organizationIdentification",
    "contactMedium",
    "relatedParty",
)
ATTRIBUTES = {
    Party.Kind.INDIVIDUAL: INDIVIDUAL_ATTRIBUTES,
    Party.Kind.ORGANIZATION: ORGANIZATION_ATTRIBUTES,
}
# The one identification each kind of party holds, and the TMF identificationType naming it.
NATIONAL_ID = "nationalId"
REGISTRATION_NUMBER = "registrationNumber"


def party_href(party: Party, base_url: str | None = None) -> str:
    base = settings.CRM_PUBLIC_URL if base_url is None else base_url
    return f"{base}{API_ROOT}/{RESOURCES[party.kind]}/{party.pk}"


def parties_with_relations(queryset: QuerySet, fields: Iterable[str] = ("contactMedium",)):
    """The queryset joined and prefetched for what ``fields`` will render; nothing per row."""
    queryset = queryset.select_related("customer")
    if "contactMedium" in set(fields):
        queryset = queryset.prefetch_related(
            Prefetch("contact_media", queryset=ContactMedium.objects.order_by("kind", "id"))
        )
    return queryset


def _customer_of(party: Party):
    try:
        return party.customer
    except ObjectDoesNotExist:
        return None


def _related_parties(party: Party, base_url: str | None, partner_id: int | None) -> list[dict]:
    """The party's customer role, when the caller may see that customer (staff: always)."""
    customer = _customer_of(party)
    if customer is None or (partner_id is not None and customer.partner_id != partner_id):
        return []
    return [
        {
            "@type": "RelatedPartyOrPartyRole",
            "role": "customer",
            "partyOrPartyRole": {
                "@type": "PartyRoleRef",
                "id": customer.number,
                "href": customer_href(customer.number, base_url),
                "name": customer.name or party.display_name,
                "partyId": str(party.pk),
                "partyName": party.display_name,
                "@referredType": "Customer",
            },
        }
    ]


def _identification(kind: str, number: str, identification_type: str) -> list[dict]:
    if not number:
        return []
    return [{"@type": kind, "identificationType": identification_type, "identificationId": number}]


def _birth_date(party: Party) -> str | None:
    if party.birth_date is None:
        return None
    # The spec's birthDate is a date-time; a birth day is its midnight UTC.
    return (
        datetime.combine(party.birth_date, time.min, tzinfo=UTC).isoformat().replace("+00:00", "Z")
    )


def party_representation(
    party: Party,
    *,
    base_url: str | None = None,
    fields: Iterable[str] | None = None,
    partner_id: int | None = None,
) -> dict:
    """The TMF ``Individual`` or ``Organization`` for one party, as ``partner_id`` (None:
    staff) may see it."""
    attributes = ATTRIBUTES[party.kind]
    fields = set(attributes if fields is None else fields)
    body = {
        "id": str(party.pk),
        "href": party_href(party, base_url),
        "@type": TYPES[party.kind],
        "@baseType": "Party",
    }
    renderers = {
        "name": lambda: (
            party.legal_name if party.kind == Party.Kind.ORGANIZATION else party.display_name
        ),
        "title": lambda: party.title or None,
        "givenName": lambda: party.given_name or None,
        "familyName": lambda: party.family_name or None,
        "birthDate": lambda: _birth_date(party),
        "individualIdentification": lambda: _identification(
            "IndividualIdentification", party.national_id, NATIONAL_ID
        ),
        "tradingName": lambda: party.trading_name or None,
        "organizationIdentification": lambda: _identification(
            "OrganizationIdentification", party.registration_number, REGISTRATION_NUMBER
        ),
        "contactMedium": lambda: [
            contact_medium_representation(m) for m in party.contact_media.all()
        ],
        "relatedParty": lambda: _related_parties(party, base_url, partner_id),
    }
    for name in attributes:
        if name in fields:
            value = renderers[name]()
            if value is not None:
                body[name] = value
    return body
