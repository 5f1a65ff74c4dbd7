"""Our monthly usage summaries as TMF635 ``Usage`` resources, and the names both ways.

A summary is one usage resource of type ``monthlySummary``: its month is the ``usageDate`` (the
first day, midnight UTC) and each measure a ``usageCharacteristic`` named in camelCase.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, time

from django.conf import settings
from django.db.models import QuerySet

from customers.models import UsageSummary
from customers.models.usage import MEASURE_FIELDS, QUANTITY_FIELDS
from customers.partners.api.customer.representation import customer_href, resource_body

API_ROOT = "/tmf-api/usageManagement/v5"
ALWAYS = ("id", "href", "@type")
ATTRIBUTES = (
    "usageType",
    "usageDate",
    "description",
    "status",
    "productOffering",
    "relatedParty",
    "usageCharacteristic",
    "externalIdentifier",
)
USAGE_TYPE = "monthlySummary"
# Mediation sends what it measured; this product neither guides nor rates it.
STATUS = "received"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# TMF characteristic name by our column, and back.
CHARACTERISTIC_OF = {name: _camel(name) for name in MEASURE_FIELDS}
FIELD_OF = {camel: name for name, camel in CHARACTERISTIC_OF.items()}


def usage_href(pk: int, base_url: str | None = None) -> str:
    base = settings.CRM_PUBLIC_URL if base_url is None else base_url
    return f"{base}{API_ROOT}/usage/{pk}"


def usages_with_relations(queryset: QuerySet, fields: Iterable[str] = ATTRIBUTES) -> QuerySet:
    related = ["product", "customer__party" if "relatedParty" in set(fields) else "customer"]
    return queryset.select_related(*related)


def month_moment(month) -> str:
    return datetime.combine(month, time.min, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _characteristics(summary: UsageSummary) -> list[dict]:
    characteristics = []
    for name in MEASURE_FIELDS:
        value = getattr(summary, name)
        quantity = name in QUANTITY_FIELDS
        characteristics.append(
            {
                "@type": "FloatCharacteristic" if quantity else "IntegerCharacteristic",
                "name": CHARACTERISTIC_OF[name],
                "valueType": "float" if quantity else "integer",
                "value": float(value) if quantity else int(value),
            }
        )
    return characteristics


def _related_parties(summary: UsageSummary, base_url: str | None) -> list[dict]:
    customer = summary.customer
    return [
        {
            "@type": "RelatedPartyRefOrPartyRoleRef",
            "role": "customer",
            "partyOrPartyRole": {
                "@type": "PartyRoleRef",
                "id": customer.number,
                "href": customer_href(customer.number, base_url),
                "name": customer.name or customer.party.display_name,
                "partyId": str(customer.party_id),
                "@referredType": "Customer",
            },
        }
    ]


def usage_representation(
    summary: UsageSummary, *, base_url: str | None = None, fields: Iterable[str] = ATTRIBUTES
) -> dict:
    """The TMF ``Usage`` for one monthly summary."""
    product = summary.product
    renderers = {
        "usageType": lambda: USAGE_TYPE,
        "usageDate": lambda: month_moment(summary.month),
        "description": lambda: f"Use of {product.name} in {summary.month:%B %Y}",
        "status": lambda: STATUS,
        "productOffering": lambda: {
            "@type": "ProductOfferingRef",
            "id": product.code,
            "name": product.name,
            "@referredType": "ProductOffering",
        },
        "relatedParty": lambda: _related_parties(summary, base_url),
        "usageCharacteristic": lambda: _characteristics(summary),
        "externalIdentifier": lambda: (
            [{"@type": "ExternalIdentifier", "id": summary.external_ref}]
            if summary.external_ref
            else []
        ),
    }
    return resource_body(
        pk=summary.pk,
        href=usage_href(summary.pk, base_url),
        resource_type="Usage",
        attributes=ATTRIBUTES,
        fields=fields,
        renderers=renderers,
    )
