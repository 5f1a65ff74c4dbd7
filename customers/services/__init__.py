"""Every write to the customer domain goes through these functions.

Views, admin actions, API endpoints, tasks and management commands all call them, so each
business rule is written once.
"""

from customers.services.audit import action_log_record, action_logs_record
from customers.services.billing import (
    invoice_record,
    payment_record,
    subscription_add,
    subscription_change,
    subscription_end,
)
from customers.services.contacts import (
    ContactMediumInput,
    contact_medium_add,
    contact_medium_remove,
    contact_medium_update,
)
from customers.services.customers import PartyInput, customer_create, customer_update
from customers.services.debt import customer_debt, invoices_mark_missed
from customers.services.interactions import (
    interaction_assign,
    interaction_record,
    interaction_resolve,
)
from customers.services.lifecycle import (
    TRANSITIONS,
    TransitionNotAllowed,
    customer_disqualify,
    customer_establish,
    customer_qualify,
    customer_reestablish,
    customer_resume,
    customer_suspend,
    customer_terminate,
    customer_transition,
    leads_flag_stale,
)
from customers.services.preferences import consent_record, preferences_update
from customers.services.relationships import relationship_add, relationship_remove

__all__ = [
    "TRANSITIONS",
    "ContactMediumInput",
    "PartyInput",
    "TransitionNotAllowed",
    "action_log_record",
    "action_logs_record",
    "consent_record",
    "contact_medium_add",
    "contact_medium_remove",
    "contact_medium_update",
    "customer_create",
    "customer_debt",
    "customer_disqualify",
    "customer_establish",
    "customer_qualify",
    "customer_reestablish",
    "customer_resume",
    "customer_suspend",
    "customer_terminate",
    "customer_transition",
    "customer_update",
    "interaction_assign",
    "interaction_record",
    "interaction_resolve",
    "invoice_record",
    "invoices_mark_missed",
    "leads_flag_stale",
    "payment_record",
    "preferences_update",
    "relationship_add",
    "relationship_remove",
    "subscription_add",
    "subscription_change",
    "subscription_end",
]
