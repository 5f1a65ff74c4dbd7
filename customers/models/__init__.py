from .audit import ActionLog
from .billing import Invoice, Payment, Product, Subscription
from .contact import ContactMedium
from .customer import Customer, CustomerNumberCounter, LifecycleEvent, Partner
from .identity import (
    CustomerAlias,
    DuplicateCandidate,
    DuplicateScan,
    DuplicateScanChunk,
    IdentityKey,
)
from .imports import ImportJob, ImportRowError
from .interaction import Interaction
from .party import Party
from .preferences import CommunicationPreferences, Consent
from .relationship import CustomerRelationship
from .scores import LatestScores

__all__ = [
    "ActionLog",
    "CommunicationPreferences",
    "Consent",
    "ContactMedium",
    "Customer",
    "CustomerAlias",
    "CustomerNumberCounter",
    "CustomerRelationship",
    "DuplicateCandidate",
    "DuplicateScan",
    "DuplicateScanChunk",
    "IdentityKey",
    "ImportJob",
    "ImportRowError",
    "Interaction",
    "Invoice",
    "LatestScores",
    "LifecycleEvent",
    "Partner",
    "Party",
    "Payment",
    "Product",
    "Subscription",
]
