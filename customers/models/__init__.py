from .audit import ActionLog
from .billing import Invoice, Payment, Product, Subscription
from .contact import ContactMedium
from .customer import Customer, CustomerNumberCounter, LifecycleEvent, Partner
from .interaction import Interaction
from .party import Party
from .preferences import CommunicationPreferences, Consent
from .relationship import CustomerRelationship

__all__ = [
    "ActionLog",
    "CommunicationPreferences",
    "Consent",
    "ContactMedium",
    "Customer",
    "CustomerNumberCounter",
    "CustomerRelationship",
    "Interaction",
    "Invoice",
    "LifecycleEvent",
    "Partner",
    "Party",
    "Payment",
    "Product",
    "Subscription",
]
