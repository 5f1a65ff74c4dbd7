"""An event one of the partner APIs has to tell its hubs about, before it is written."""

from dataclasses import dataclass


@dataclass(frozen=True)
class HubNotice:
    """One TMF event: ``resource`` is the body under ``event.<resource_name>``.

    ``partner_id`` is the partner whose hubs may hear it (besides staff's); None when the
    resource belongs to no partner. ``customer_id`` ties it to a customer, when there is one.
    """

    api: str
    event_type: str
    title: str
    resource_name: str
    resource: dict
    partner_id: int | None
    customer_id: int | None = None
