from .audit import ActionLog
from .billing import Invoice, Payment, Product, Subscription
from .contact import ContactMedium
from .customer import Customer, CustomerAlias, CustomerNumberCounter, LifecycleEvent
from .identity import (
    DuplicateCandidate,
    DuplicateScan,
    DuplicateScanChunk,
    IdentityKey,
)
from .imports import ImportChunk, ImportJob, ImportRowError
from .interaction import Interaction
from .partner import ApiToken, HubDelivery, HubEvent, HubSubscription, Partner
from .party import Party
from .preferences import CommunicationPreferences, Consent
from .relationship import CustomerRelationship
from .scores import LatestScores

__all__ = [
    "ActionLog",
    "ApiToken",
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
    "HubDelivery",
    "HubEvent",
    "HubSubscription",
    "IdentityKey",
    "ImportChunk",
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
