"""Several changes to one customer as one write: what a partner's PATCH or create asks for."""

from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import ContactMedium, Customer, Party
from customers.services.audit import customer_lock_for_edit
from customers.services.contacts import (
    ContactMediumInput,
    contact_medium_add,
    contact_medium_fields,
    contact_medium_remove,
    contact_medium_update,
)
from customers.services.customers import PartyInput, customer_create, customer_update
from customers.services.lifecycle import customer_transition, transition_to
from customers.services.preferences import preferences_update

# A new customer starts at one of these; the later states need a history first.
ONBOARDING_STATUSES = {Customer.Status.LEAD, Customer.Status.PROSPECT, Customer.Status.ACTIVE}


def onboarding_actions(status: str) -> list[str]:
    """The actions ``customer_onboard`` logs and announces for a new customer in ``status``:
    its creation, then the lifecycle move from lead to that status."""
    if status not in ONBOARDING_STATUSES:
        raise ValidationError(
            {"status": "A new customer starts as lead, prospect or active."},
            code="invalid_status",
        )
    actions = ["customer.created"]
    if status != Customer.Status.LEAD:
        actions.append(f"customer.{transition_to(Customer.Status.LEAD, status).action}")
    return actions


@transaction.atomic
def customer_onboard(
    *,
    party: PartyInput | None = None,
    actor,
    engaged_party: Party | None = None,
    name: str = "",
    description: str = "",
    partner=None,
    segment: str = Customer.Segment.RESIDENTIAL,
    language: str = "en",
    payment_method: str = "",
    external_ref: str | None = None,
    partner_reference: str = "",
    status: str = Customer.Status.LEAD,
    status_reason: str = "",
    lead_source: str = "",
    currency: str = "",
) -> Customer:
    """Create a customer and bring it to ``status`` through the lifecycle, all or nothing.

    Probable duplicates do not block (they go to the review queue); a certain one does. The
    party is new (``party``) or one registered before that takes the role (``engaged_party``).
    """
    onboarding_actions(status)  # refuses a status a new customer cannot start in
    customer = customer_create(
        party=party,
        engaged_party=engaged_party,
        name=name,
        description=description,
        actor=actor,
        partner=partner,
        segment=segment,
        language=language,
        external_ref=external_ref,
        partner_reference=partner_reference,
        lead_source=lead_source,
        currency=currency,
        duplicate_source="api",
        queue_probable_duplicates=True,
    )
    if payment_method:
        customer = customer_update(customer=customer, actor=actor, payment_method=payment_method)
    if status != customer.status:
        transition = transition_to(customer.status, status)
        reason = status_reason or (transition.reasons[0][0] if transition.reasons else "")
        customer = customer_transition(
            customer=customer, action=transition.action, actor=actor, reason=reason
        )
    return customer


@transaction.atomic
def customer_profile_change(
    *,
    customer: Customer,
    actor,
    changes: dict | None = None,
    language: str | None = None,
    contact_media: list[tuple[int | None, ContactMediumInput]] | None = None,
    status: str | None = None,
    status_reason: str = "",
) -> Customer:
    """Apply party and customer field ``changes``, the language, the whole set of contact
    media (an id keeps and updates that medium; media not listed are removed) and a status.

    Each part goes through its own service, so every rule and audit entry is the usual one;
    the transaction makes the request succeed or fail as a whole, and the row lock taken first
    makes a concurrent change to the same customer wait for this one.
    """
    customer_lock_for_edit(customer)
    if changes:
        customer = customer_update(customer=customer, actor=actor, **changes)
    if language is not None:
        preferences_update(customer=customer, actor=actor, language=language)
    if contact_media is not None:
        _contact_media_replace(customer, contact_media, actor)
    if status is not None and status != customer.status:
        transition = transition_to(customer.status, status)
        customer = customer_transition(
            customer=customer, action=transition.action, actor=actor, reason=status_reason
        )
    return Customer.objects.select_related("party").get(pk=customer.pk)


def _contact_media_replace(customer, media, actor) -> None:
    existing = {m.id: m for m in ContactMedium.objects.filter(party_id=customer.party_id)}
    kept = set()
    for medium_id, _ in media:
        if medium_id is not None:
            if medium_id not in existing:
                raise ValidationError(
                    {"contactMedium": f"This customer has no contact medium {medium_id}."}
                )
            kept.add(medium_id)
    for medium_id, contact in existing.items():
        if medium_id not in kept:
            contact_medium_remove(contact=contact, actor=actor)
    for medium_id, medium in media:
        if medium_id is None:
            contact_medium_add(customer=customer, medium=medium, actor=actor)
            continue
        contact = existing[medium_id]
        wanted = contact_medium_fields(medium)
        if any(getattr(contact, name) != value for name, value in wanted.items()):
            contact_medium_update(contact=contact, medium=medium, actor=actor)
