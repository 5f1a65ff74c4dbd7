"""Our customers as TMF629 v5 ``Customer`` resources.

Plain functions over rows that the selectors load with everything they need (one query per
relation for a whole page), so rendering a list never goes back to the database.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet

from customers.models import ContactMedium, Customer, Party, Subscription

API_ROOT = "/tmf-api/customerManagement/v5"

# Top-level attributes a client may ask for with ``fields=``; id, href and @type always come.
ALWAYS = ("id", "href", "@type")
ATTRIBUTES = (
    "name",
    "description",
    "role",
    "status",
    "statusReason",
    "validFor",
    "engagedParty",
    "contactMedium",
    "characteristic",
    "creditProfile",
    "account",
    "agreement",
    "paymentMethod",
    "relatedParty",
)

# TMF's integer creditRiskRating, from our rating bands: 1 is the safest.
CREDIT_RISK_RATING = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}

PARTY_TYPES = {Party.Kind.INDIVIDUAL: "Individual", Party.Kind.ORGANIZATION: "Organization"}
ContactKind = ContactMedium.Kind


def customer_href(number: str, base_url: str | None = None) -> str:
    base = settings.CRM_PUBLIC_URL if base_url is None else base_url
    return f"{base}{API_ROOT}/customer/{number}"


def customers_with_relations(queryset: QuerySet, fields: Iterable[str] = ATTRIBUTES) -> QuerySet:
    """The queryset joined and prefetched for what ``fields`` will render; nothing per row."""
    fields = set(fields)
    related = ["party"]
    if fields & {"characteristic", "creditProfile"}:
        related += ["latest_scores", "preferences"]
    if "relatedParty" in fields:
        related += ["partner"]
        # Of the survivor of a merge, only its number and partner are shown: two columns,
        # not a second customer row to compile and load with every one.
        queryset = queryset.annotate(
            survivor_number=F("merged_into__number"),
            survivor_partner_id=F("merged_into__partner_id"),
        )
    queryset = queryset.select_related(*related)
    if "contactMedium" in fields:
        queryset = queryset.prefetch_related(
            Prefetch("party__contact_media", queryset=ContactMedium.objects.order_by("kind", "id"))
        )
    if "agreement" in fields:
        queryset = queryset.prefetch_related(
            Prefetch(
                "subscriptions",
                queryset=Subscription.objects.filter(contract_term_months__gt=0)
                .exclude(status=Subscription.Status.TERMINATED)
                .select_related("product")
                .order_by("start_date", "id"),
                to_attr="contracts",
            )
        )
    return queryset


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _period(start, end) -> dict:
    period = {}
    if start:
        period["startDateTime"] = _iso(start)
    if end:
        period["endDateTime"] = _iso(end)
    return period


def contact_medium_representation(medium: ContactMedium) -> dict:
    item = {"id": str(medium.id), "preferred": medium.is_preferred}
    if medium.kind == ContactKind.EMAIL:
        item["@type"] = "EmailContactMedium"
        item["emailAddress"] = medium.value
        if medium.label:
            item["contactType"] = medium.label
    elif medium.kind in (ContactKind.PHONE, ContactKind.MOBILE):
        item["@type"] = "PhoneContactMedium"
        item["phoneNumber"] = medium.value
        item["contactType"] = medium.label or medium.kind
    elif medium.kind == ContactKind.POSTAL:
        item["@type"] = "GeographicAddressContactMedium"
        item.update(street1=medium.street, city=medium.city, postCode=medium.postcode)
        if medium.country:
            item["country"] = medium.country
        if medium.label:
            item["contactType"] = medium.label
    else:
        item["@type"] = "SocialContactMedium"
        item["socialNetworkId"] = medium.value
        item["contactType"] = medium.kind
    period = _period(
        medium.valid_from and _day_start(medium.valid_from),
        medium.valid_to and _day_start(medium.valid_to),
    )
    if period:
        item["validFor"] = period
    return item


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def money_representation(amount, currency: str) -> dict:
    """An amount as TMF's ``Money``: its value and its ISO 4217 unit, the customer's currency."""
    return {"unit": currency, "value": float(amount)}


def _characteristic(name: str, value) -> dict:
    if isinstance(value, bool):
        kind, value_type = "BooleanCharacteristic", "boolean"
    elif isinstance(value, (int, float)):
        kind, value_type = "NumberCharacteristic", "number"
    elif isinstance(value, dict):
        kind, value_type = "ObjectCharacteristic", "object"
    else:
        kind, value_type = "StringCharacteristic", "string"
    return {"@type": kind, "name": name, "valueType": value_type, "value": value}


def customer_reference(customer: Customer) -> str:
    """The id the customer has elsewhere: the partner's own, or the source system's."""
    return customer.partner_reference or customer.external_ref or ""


def _characteristics(customer: Customer, *, internal: bool) -> list[dict]:
    items = [
        _characteristic("customerNumber", customer.number),
        _characteristic("segment", customer.segment),
        _characteristic("currency", customer.currency),
    ]
    preferences = getattr(customer, "preferences", None)
    if preferences is not None:
        items.append(_characteristic("language", preferences.language))
    reference = customer_reference(customer)
    if reference:
        items.append(_characteristic("externalReference", reference))
    scores = getattr(customer, "latest_scores", None)
    if scores is not None:
        items += [
            _characteristic("valueSegment", scores.value_segment),
            _characteristic(
                "lifetimeValue", money_representation(scores.lifetime_value, customer.currency)
            ),
            _characteristic("churnRisk", round(scores.churn_risk, 4)),
            _characteristic("creditRating", scores.credit_rating),
        ]
        if internal:
            # Fraud suspicion is for the enterprise's own staff, never for a partner.
            items.append(_characteristic("fraudRisk", round(scores.fraud_risk, 4)))
    return items


def _credit_profiles(customer: Customer) -> list[dict]:
    scores = getattr(customer, "latest_scores", None)
    if scores is None:
        return []
    return [
        {
            "@type": "CreditProfile",
            "id": f"{customer.number}-credit",
            "creditScore": scores.credit_score,
            "creditRiskRating": CREDIT_RISK_RATING.get(scores.credit_rating, 5),
            "creditProfileDate": _iso(scores.scored_at),
            "validFor": {"startDateTime": _iso(scores.scored_at)},
        }
    ]


def _accounts(customer: Customer) -> list[dict]:
    billed = (Customer.Status.ACTIVE, Customer.Status.SUSPENDED, Customer.Status.TERMINATED)
    if customer.status not in billed:
        return []
    # Billing is per customer: the customer's billing account carries its number.
    return [
        {
            "@type": "AccountRef",
            "id": customer.number,
            "name": f"Billing account {customer.number}",
            "@referredType": "BillingAccount",
        }
    ]


def _agreements(customer: Customer) -> list[dict]:
    return [
        {
            "@type": "AgreementRef",
            "id": f"S{subscription.id}",
            "name": f"{subscription.product.name}, {subscription.contract_term_months} months "
            f"from {subscription.start_date.isoformat()}",
            "@referredType": "Agreement",
        }
        for subscription in getattr(customer, "contracts", [])
    ]


def _payment_methods(customer: Customer) -> list[dict]:
    if not customer.payment_method:
        return []
    return [
        {
            "@type": "PaymentMethodRef",
            "id": customer.payment_method,
            "name": customer.get_payment_method_display(),
            "@referredType": "PaymentMethod",
        }
    ]


class Survivor(NamedTuple):
    number: str
    partner_id: int | None


def _survivor(customer: Customer) -> Survivor | None:
    """The customer ``customer`` was merged into, or None: annotated by
    customers_with_relations, else read through the relation."""
    if customer.merged_into_id is None:
        return None
    if hasattr(customer, "survivor_number"):
        return Survivor(customer.survivor_number, customer.survivor_partner_id)
    return Survivor(customer.merged_into.number, customer.merged_into.partner_id)


def _related_parties(customer: Customer, base_url: str | None, *, internal: bool) -> list[dict]:
    related = []
    if customer.partner_id is not None:
        related.append(
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "reseller",
                "partyOrPartyRole": {
                    "@type": "PartyRef",
                    "id": f"P{customer.partner_id}",
                    "name": customer.partner.name,
                    "@referredType": "Organization",
                },
            }
        )
    survivor = _survivor(customer)
    # Merges never cross partners; should one have, the survivor is not the partner's to see.
    if survivor is not None and (internal or survivor.partner_id == customer.partner_id):
        related.append(
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "mergedInto",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": survivor.number,
                    "href": customer_href(survivor.number, base_url),
                    "@referredType": "Customer",
                },
            }
        )
    return related


def customer_representation(
    customer: Customer,
    *,
    base_url: str | None = None,
    fields: Iterable[str] = ATTRIBUTES,
    internal: bool = False,
) -> dict:
    """The TMF ``Customer`` for one of our customers; ``internal`` adds what only staff see."""
    fields = set(fields)
    party = customer.party
    body = {
        "id": customer.number,
        "href": customer_href(customer.number, base_url),
        "@type": "Customer",
        "@baseType": "PartyRole",
    }
    renderers = {
        "name": lambda: customer.name or party.display_name,
        "description": lambda: customer.description or None,
        "role": lambda: "Customer",
        "status": lambda: customer.status,
        "statusReason": lambda: customer.status_reason or None,
        "validFor": lambda: _period(customer.valid_from, customer.valid_to),
        "engagedParty": lambda: {
            "@type": "PartyRef",
            "id": str(party.id),
            "name": party.display_name,
            "@referredType": PARTY_TYPES[party.kind],
        },
        "contactMedium": lambda: [
            contact_medium_representation(m) for m in party.contact_media.all()
        ],
        "characteristic": lambda: _characteristics(customer, internal=internal),
        "creditProfile": lambda: _credit_profiles(customer),
        "account": lambda: _accounts(customer),
        "agreement": lambda: _agreements(customer),
        "paymentMethod": lambda: _payment_methods(customer),
        "relatedParty": lambda: _related_parties(customer, base_url, internal=internal),
    }
    for name in ATTRIBUTES:
        if name in fields:
            value = renderers[name]()
            if value is not None:
                body[name] = value
    return body


def resource_body(
    *,
    pk,
    href: str,
    resource_type: str,
    attributes: Iterable[str],
    fields: Iterable[str],
    renderers: dict[str, Callable[[], object]],
) -> dict:
    """A TMF resource: its id, href and @type, then each attribute asked for in ``fields``, in
    the order of ``attributes``; an attribute is rendered only when asked for."""
    fields = set(fields)
    body = {"id": str(pk), "href": href, "@type": resource_type}
    for name in attributes:
        if name in fields:
            body[name] = renderers[name]()
    return body
