"""Parties on their own: registered before (or without) a customer role, as TMF632 does.

A party with a customer is changed through its customer (``customer_profile_change``), so the
customer's rules, audit entries and events are the usual ones. A party without one is changed
here: its identity keys are kept up to date and a change that makes it certainly an existing
customer is refused, as a create would be.
"""

from dataclasses import asdict
from datetime import date

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from customers import identity_rules
from customers.events import PartyEvent, party_events_announce
from customers.models import ContactMedium, Customer, Party
from customers.services.audit import action_log_record
from customers.services.contacts import ContactMediumInput, contact_medium_fields
from customers.services.customers import (
    PARTY_FIELDS,
    PartyInput,
    party_from_input,
    party_input_from,
    party_names,
)
from customers.services.profile import customer_profile_change

# Fields a change may set; the kind of a party never changes.
PARTY_CHANGEABLE_FIELDS = tuple(name for name in PARTY_FIELDS if name != "kind")


class PartyInUse(ValidationError):
    """The party plays a role (a customer) that must end first."""


def customer_of(party: Party) -> Customer | None:
    try:
        return party.customer
    except ObjectDoesNotExist:
        return None


def _certain_duplicates_refused(party_input: PartyInput) -> None:
    """A certain duplicate of an existing customer is refused; a probable one is not blocked
    (its pair is queued when the party takes a customer role: ``customer_create`` judges an
    engaged party as it judges a new one)."""
    try:
        identity_rules.duplicates_check(party_input)
    except identity_rules.DuplicateFound as found:
        if found.exact:
            raise


def _contact_media_write(party: Party, media: list[tuple[int | None, ContactMediumInput]]):
    """Make ``media`` the party's whole set of contact media: an id keeps and updates that
    medium, media not listed are removed. Returns what was removed, added and changed."""
    existing = {m.id: m for m in ContactMedium.objects.filter(party=party)}
    wanted = []
    for medium_id, medium in media:
        if medium_id is not None and medium_id not in existing:
            raise ValidationError(
                {"contactMedium": f"This party has no contact medium {medium_id}."}
            )
        wanted.append((medium_id, contact_medium_fields(medium)))
    seen = set()
    for _, fields in wanted:
        key = (fields["kind"], fields["value"])
        if key in seen:
            raise ValidationError({"contactMedium": f"{fields['value']} is given twice."})
        seen.add(key)
    preferred = [fields["kind"] for _, fields in wanted if fields["is_preferred"]]
    if len(preferred) != len(set(preferred)):
        raise ValidationError({"contactMedium": "Only one medium of each kind can be preferred."})
    kept = {medium_id for medium_id, _ in wanted if medium_id is not None}
    removed = [m for pk, m in existing.items() if pk not in kept]
    ContactMedium.objects.filter(pk__in=[m.pk for m in removed]).delete()
    added, changed = [], []
    # Clear the kept ones' preference first, so no moment has two preferred of a kind.
    ContactMedium.objects.filter(pk__in=kept).update(is_preferred=False)
    for medium_id, fields in wanted:
        if medium_id is None:
            added.append(ContactMedium.objects.create(party=party, **fields))
            continue
        contact = existing[medium_id]
        before = {name: getattr(contact, name) for name in fields}
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.save()
        if before != fields:
            changed.append(contact)
    return removed, added, changed


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _media_summary(media) -> list[dict]:
    return [{"kind": m.kind, "value": m.value} for m in media]


@transaction.atomic
def party_register(*, party_input: PartyInput, partner, actor) -> Party:
    """Register a person or an organisation with no customer role (yet), for ``partner``
    (None: staff). A certain duplicate of an existing customer is refused (DuplicateFound)."""
    for medium in party_input.contact_media:
        contact_medium_fields(medium)  # a wrong contact medium is said before anything else
    _certain_duplicates_refused(party_input)
    party = party_from_input(party_input)
    party.partner = partner
    party.full_clean(exclude=["name_key", "display_name", "sort_key", "partner"])
    party.save()
    _contact_media_write(party, [(None, medium) for medium in party_input.contact_media])
    identity_rules.identity_keys_refresh(party_ids=[party.pk])
    data = {
        "party": party.pk,
        "kind": party.kind,
        "name": party.display_name,
        "contact_media": [
            {name: _plain(value) for name, value in asdict(m).items()}
            for m in party_input.contact_media
        ],
    }
    action_log_record(action="party.registered", customer=None, actor=actor, data=data)
    party_events_announce([PartyEvent(party=party, action="party.created", data=data)])
    return party


@transaction.atomic
def party_change(
    *,
    party: Party,
    actor,
    changes: dict | None = None,
    contact_media: list[tuple[int | None, ContactMediumInput]] | None = None,
) -> Party:
    """Change a party's fields and (when given) its whole set of contact media.

    A party with a customer role changes as its customer does, through the customer's own
    service (its audit, events and duplicate rules); one without is changed here, and a change
    that makes it certainly an existing customer is refused (DuplicateFound).
    """
    changes = changes or {}
    unknown = set(changes) - set(PARTY_CHANGEABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    party = Party.objects.select_for_update().get(pk=party.pk)
    customer = customer_of(party)
    if customer is not None:
        customer_profile_change(
            customer=customer, actor=actor, changes=changes, contact_media=contact_media
        )
        return Party.objects.get(pk=party.pk)
    diff = {}
    for name, value in changes.items():
        old = getattr(party, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(party, name, value)
    if diff:
        party_names(party)
        party.full_clean(exclude=["name_key", "display_name", "sort_key", "partner"])
        party.save()
    if contact_media is not None:
        removed, added, changed = _contact_media_write(party, contact_media)
        if removed:
            diff["contact_media_removed"] = _media_summary(removed)
        if added:
            diff["contact_media_added"] = _media_summary(added)
        if changed:
            diff["contact_media_changed"] = _media_summary(changed)
    if not diff:
        return party
    _certain_duplicates_refused(party_input_from(party))
    identity_rules.identity_keys_refresh(party_ids=[party.pk])
    data = {"party": party.pk, **diff}
    action_log_record(action="party.changed", customer=None, actor=actor, data=data)
    party_events_announce([PartyEvent(party=party, action="party.changed", data=data)])
    return party


@transaction.atomic
def party_delete(*, party: Party, actor) -> None:
    """Delete a party with no customer role, with its contact media and identity keys.

    A party with a customer is refused (PartyInUse): the customer is deleted (or ended) first,
    through its own service.
    """
    party = Party.objects.select_for_update().get(pk=party.pk)
    customer = customer_of(party)
    if customer is not None:
        raise PartyInUse(
            f"Party {party.pk} is customer {customer.number}: delete the customer first.",
            code="in_use",
        )
    data = {"party": party.pk, "kind": party.kind, "name": party.display_name}
    # Announced while the party still exists, so receivers can describe it.
    party_events_announce([PartyEvent(party=party, action="party.deleted", data=data)])
    action_log_record(action="party.deleted", customer=None, actor=actor, data=data)
    party.delete()  # its contact media and identity keys go with it
