"""Our interactions as TMF683 v5 ``PartyInteraction`` resources, and the mappings both ways.

Plain functions over rows loaded with their customer (and its party when ``relatedParty`` is
rendered), so a page renders without going back to the database.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet

from customers.models import Interaction
from customers.partners.api.customer.representation import customer_href, resource_body

API_ROOT = "/tmf-api/partyInteraction/v5"

ALWAYS = ("id", "href", "@type")
ATTRIBUTES = (
    "direction",
    "reason",
    "description",
    "status",
    "statusChangeDate",
    "creationDate",
    "interactionDate",
    "relatedChannel",
    "relatedParty",
)

Outcome = Interaction.Outcome
OPENED, IN_PROGRESS, COMPLETED = "opened", "inProgress", "completed"
# TMF status by our outcome: several outcomes read as one status.
STATUS_OF_OUTCOME = {
    Outcome.OPEN: OPENED,
    Outcome.ESCALATED: IN_PROGRESS,
    Outcome.FOLLOW_UP: IN_PROGRESS,
    Outcome.RESOLVED: COMPLETED,
    Outcome.NO_ACTION: COMPLETED,
}
# The outcome a status sent by a client sets. "open" is the spec's enum spelling of "opened".
OUTCOME_OF_STATUS = {
    OPENED: Outcome.OPEN,
    "open": Outcome.OPEN,
    IN_PROGRESS: Outcome.FOLLOW_UP,
    COMPLETED: Outcome.RESOLVED,
}
CHANNEL_ROLE = "interactionChannel"


def interaction_href(pk: int, base_url: str | None = None) -> str:
    base = settings.CRM_PUBLIC_URL if base_url is None else base_url
    return f"{base}{API_ROOT}/partyInteraction/{pk}"


def interactions_with_relations(queryset: QuerySet, fields: Iterable[str] = ATTRIBUTES) -> QuerySet:
    """Joined for what ``fields`` renders: the customer always (its number is the href of the
    related party and its partner the hub's audience), its party only for ``relatedParty``."""
    related = "customer__party" if "relatedParty" in set(fields) else "customer"
    return queryset.select_related(related)


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _interaction_date(interaction: Interaction) -> dict:
    period = {"startDateTime": _iso(interaction.occurred_at)}
    if interaction.closed_at is not None:
        period["endDateTime"] = _iso(interaction.closed_at)
    return period


def _related_channels(interaction: Interaction) -> list[dict]:
    return [
        {
            "@type": "RelatedChannel",
            "role": CHANNEL_ROLE,
            "channel": {
                "@type": "ChannelRef",
                "id": interaction.channel,
                "name": interaction.get_channel_display(),
                "@referredType": "Channel",
            },
        }
    ]


def _related_parties(interaction: Interaction, base_url: str | None) -> list[dict]:
    customer = interaction.customer
    return [
        {
            "@type": "RelatedPartyOrPartyRole",
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


def interaction_representation(
    interaction: Interaction,
    *,
    base_url: str | None = None,
    fields: Iterable[str] = ATTRIBUTES,
) -> dict:
    """The TMF ``PartyInteraction`` for one of our interactions."""
    renderers = {
        "direction": lambda: interaction.direction,
        "reason": lambda: interaction.kind,
        "description": lambda: interaction.summary,
        "status": lambda: STATUS_OF_OUTCOME[interaction.outcome],
        # Only the closing is dated; an open one's status dates from its recording.
        "statusChangeDate": lambda: _iso(interaction.closed_at or interaction.created_at),
        "creationDate": lambda: _iso(interaction.created_at),
        "interactionDate": lambda: _interaction_date(interaction),
        "relatedChannel": lambda: _related_channels(interaction),
        "relatedParty": lambda: _related_parties(interaction, base_url),
    }
    return resource_body(
        pk=interaction.pk,
        href=interaction_href(interaction.pk, base_url),
        resource_type="PartyInteraction",
        attributes=ATTRIBUTES,
        fields=fields,
        renderers=renderers,
    )
