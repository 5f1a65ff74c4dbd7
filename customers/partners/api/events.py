"""Every partner API's events: the types each may send, and what makes them.

A change recorded in the action log (``customers.events``) may concern several APIs at once:
a new customer is a TMF629 customer and, when its party came with it, a TMF632 party.
"""

from customers.partners.api.customer import events as customer
from customers.partners.api.interaction import events as interaction
from customers.partners.api.party import events as party
from customers.partners.api.privacy import events as privacy
from customers.partners.models import HubSubscription

Api = HubSubscription.Api

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    Api.CUSTOMER: customer.EVENT_TYPES,
    Api.PARTY: party.EVENT_TYPES,
    Api.INTERACTION: interaction.EVENT_TYPES,
    Api.PRIVACY: privacy.EVENT_TYPES,
}

# Each takes a batch of CustomerEvents and ``hears(event_type, partner_id)`` and returns the
# HubNotices some hub of its API wants.
NOTICE_BUILDERS = {
    Api.CUSTOMER: customer.customer_notices,
    Api.PARTY: party.party_notices,
    Api.INTERACTION: interaction.interaction_notices,
    Api.PRIVACY: privacy.privacy_notices,
}
