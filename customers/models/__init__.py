from customers.models.audit import ActionLog
from customers.models.billing import Invoice, Payment, Product, Subscription
from customers.models.bulk import BulkActionChunk, BulkActionRefusal, BulkActionRun
from customers.models.contact import ContactMedium
from customers.models.customer import Customer, CustomerAlias, CustomerNumberCounter, LifecycleEvent
from customers.models.interaction import Interaction
from customers.models.partner import Partner
from customers.models.party import Party
from customers.models.preferences import CommunicationPreferences, Consent
from customers.models.relationship import CustomerRelationship
from customers.models.scores import LatestScores
from customers.models.usage import UsageSummary

__all__ = [
    "ActionLog",
    "BulkActionChunk",
    "BulkActionRefusal",
    "BulkActionRun",
    "CommunicationPreferences",
    "Consent",
    "ContactMedium",
    "Customer",
    "CustomerAlias",
    "CustomerNumberCounter",
    "CustomerRelationship",
    "Interaction",
    "Invoice",
    "LatestScores",
    "LifecycleEvent",
    "Partner",
    "Party",
    "Payment",
    "Product",
    "Subscription",
    "UsageSummary",
]
