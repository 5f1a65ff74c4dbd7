from .idempotency import IdempotentRequest
from .partner import ApiToken, HubDelivery, HubEvent, HubSubscription

__all__ = [
    "ApiToken",
    "HubDelivery",
    "HubEvent",
    "HubSubscription",
    "IdempotentRequest",
]
