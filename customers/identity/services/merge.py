"""Merging two customers who are one person (eTOM 1.3.4.2: one customer, one identity)."""

import datetime
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from customers.identity.models import DuplicateCandidate, IdentityKey
from customers.models import (
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerAlias,
    CustomerRelationship,
    LifecycleEvent,
    Party,
)
from customers.services.audit import action_log_record, actor_label
from customers.services.customers import PARTY_FIELDS, party_names

# Party fields where two records can disagree; each is settled by a rule the user can override.
MERGEABLE_PARTY_FIELDS = tuple(name for name in PARTY_FIELDS if name != "kind")
MERGEABLE_CUSTOMER_FIELDS = ("segment", "payment_method", "account_manager_id", "lead_source")


def _field(target: str, name: str) -> models.Field:
    return (Party if target == "party" else Customer)._meta.get_field(name)


def _field_values(
    survivor: Customer, merged: Customer
) -> Iterator[tuple[str, str, object, object]]:
    """(target, field name, survivor's value, merged customer's value) of every mergeable field."""
    for target, names in (
        ("party", MERGEABLE_PARTY_FIELDS),
        ("customer", MERGEABLE_CUSTOMER_FIELDS),
    ):
        for name in names:
            kept = getattr(survivor.party if target == "party" else survivor, name)
            other = getattr(merged.party if target == "party" else merged, name)
            yield target, name, kept, other


def _value_shown(field: models.Field, value, users: dict[int, str]) -> str:
    """A value as the staff pages show it: a choice's label, a date as 1973-08-05, a user's name."""
    if value in (None, ""):
        return "—"
    if isinstance(field, models.ForeignKey):
        return users.get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _users_named(values) -> dict[int, str]:
    """The user names of the account managers among ``values``: one query, if any."""
    ids = {value for value in values if isinstance(value, int)}
    if not ids:
        return {}
    return {user.pk: user.get_username() for user in get_user_model().objects.filter(pk__in=ids)}


def _described(differing: list[tuple[str, str, object, object]]) -> list[dict]:
    """Each field with its label, and both values raw and as people read them."""
    users = _users_named(
        value for _, name, *values in differing if name == "account_manager_id" for value in values
    )
    described = []
    for target, name, kept, other in differing:
        field = _field(target, name)
        described.append(
            {
                "target": target,
                "field": name,
                "label": capfirst(field.verbose_name),
                "survivor": kept,
                "merged": other,
                "survivor_shown": _value_shown(field, kept, users),
                "merged_shown": _value_shown(field, other, users),
            }
        )
    return described


def merge_conflicts(*, survivor: Customer, merged: Customer) -> list[dict]:
    """Fields where both customers hold a value and the values differ, with their labels and
    values as people read them."""
    return _described(
        [
            (target, name, kept, other)
            for target, name, kept, other in _field_values(survivor, merged)
            if kept not in (None, "") and other not in (None, "") and kept != other
        ]
    )


def merge_outcome(
    *, survivor: Customer, merged: Customer, take_from_merged: set[str] | frozenset[str]
) -> list[dict]:
    """What ``customers_merge`` will do with each field the merged customer holds a value for
    that the survivor does not share: the value the survivor ends with, the one dropped, and
    whether it comes from the merged customer (``taken``). Nothing is written."""
    _check_fields(take_from_merged)
    changes = _merged_values(survivor, merged, set(take_from_merged))
    outcome = []
    for row in _described(
        [
            (target, name, kept, other)
            for target, name, kept, other in _field_values(survivor, merged)
            if other not in (None, "") and kept != other
        ]
    ):
        taken = (row["target"], row["field"]) in changes
        outcome.append(
            {
                "label": row["label"],
                "taken": taken,
                "result": row["merged_shown"] if taken else row["survivor_shown"],
                "dropped": row["survivor_shown"] if taken else row["merged_shown"],
            }
        )
    return outcome


def _check_fields(take_from_merged) -> None:
    unknown = set(take_from_merged) - set(MERGEABLE_PARTY_FIELDS) - set(MERGEABLE_CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields to take over: {', '.join(sorted(unknown))}.")


def _merged_values(survivor: Customer, merged: Customer, take_from_merged: set[str]) -> dict:
    """Rule: keep the survivor's value unless it is empty or the user chose the other one."""
    values = {}
    for target, name, kept, other in _field_values(survivor, merged):
        wanted = name in take_from_merged or (kept in (None, "") and other not in (None, ""))
        if wanted and kept != other:
            values[(target, name)] = other
    return values


@transaction.atomic
def customers_merge(
    *,
    survivor: Customer,
    merged: Customer,
    actor,
    take_from_merged: set[str] | frozenset[str] = frozenset(),
) -> Customer:
    """Merge ``merged`` into ``survivor``: every related row moves, the number stays an alias.

    Atomic: either everything moves or nothing does. Both rows are locked in id order, so a
    concurrent edit or a second merge of either customer waits and then sees the result.
    """
    if survivor.pk == merged.pk:
        raise ValidationError("A customer cannot be merged into itself.")
    _check_fields(take_from_merged)
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .select_related("party")
        .filter(pk__in=[survivor.pk, merged.pk])
        .order_by("pk")
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if survivor.partner_id != merged.partner_id:
        # Each partner may see only its own customers: merging would hand one partner's
        # customer data to another (or to the operator). The customer is moved first, by staff.
        raise ValidationError(
            f"Customers {survivor.number} and {merged.number} are managed by different partners; "
            "they cannot be merged.",
            code="different_partners",
        )
    if survivor.currency != merged.currency:
        # Their invoices and payments would be summed as if in one currency.
        raise ValidationError(
            f"Customers {survivor.number} and {merged.number} are billed in different "
            f"currencies ({survivor.currency} and {merged.currency}); they cannot be merged.",
            code="different_currencies",
        )
    for customer in (survivor, merged):
        if customer.merged_into_id is not None:
            raise ValidationError(
                f"Customer {customer.number} was already merged into another customer.",
                code="merged",
            )

    now = timezone.now()
    field_changes = _merged_values(survivor, merged, set(take_from_merged))
    moved = _move_related_rows(survivor, merged)

    for (target, name), value in field_changes.items():
        setattr(survivor.party if target == "party" else survivor, name, value)
    party_names(survivor.party)
    survivor.party.save()
    # A relationship is as old as its oldest part; the survivor keeps the earliest start.
    survivor.valid_from = min(survivor.valid_from, merged.valid_from)
    survivor.last_activity_at = now
    survivor.stale_since = None
    if survivor.external_ref is None and merged.external_ref is not None:
        survivor.external_ref, merged.external_ref = merged.external_ref, None
        Customer.objects.filter(pk=merged.pk).update(external_ref=None)
    survivor.save()

    previous_status = merged.status
    Customer.objects.filter(pk=merged.pk).update(
        status=Customer.Status.MERGED,
        status_reason="duplicate",
        status_changed_at=now,
        merged_into=survivor,
        valid_to=now,
    )
    CustomerAlias.objects.filter(customer=merged).update(customer=survivor)
    CustomerAlias.objects.create(number=merged.number, customer=survivor)
    IdentityKey.objects.filter(party_id=merged.party_id).delete()
    _close_candidates(survivor, merged, actor, now)
    LifecycleEvent.objects.create(
        customer=merged,
        action="merge",
        from_status=previous_status,
        to_status=Customer.Status.MERGED,
        reason="duplicate",
        note=f"Merged into {survivor.number}",
        actor=actor if getattr(actor, "pk", None) else None,
        occurred_at=now,
    )
    data = {
        "survivor": survivor.number,
        "merged": merged.number,
        "fields_taken_from_merged": sorted(name for _, name in field_changes),
        "moved": moved,
    }
    action_log_record(action="customer.merged", customer=survivor, actor=actor, data=data)
    action_log_record(action="customer.merged_away", customer=merged, actor=actor, data=data)

    from customers.identity.services.identity import identity_keys_refresh

    identity_keys_refresh(party_ids=[survivor.party_id])
    survivor.refresh_from_db()
    return survivor


def _move_related_rows(survivor: Customer, merged: Customer) -> dict[str, int]:
    """Repoint every row that refers to the merged customer or its party; returns counts.

    Rows of apps this one does not know (scores, surveys …) move too: every foreign key to
    Customer is followed. Tables with uniqueness rules get their conflicts settled first.
    """
    moved: dict[str, int] = {}

    # Contact media: drop the merged party's copies of what the survivor already has; the
    # survivor's preferred medium of each kind stays preferred.
    survivor_media = ContactMedium.objects.filter(party_id=survivor.party_id)
    existing = set(survivor_media.values_list("kind", "value"))
    preferred_kinds = set(survivor_media.filter(is_preferred=True).values_list("kind", flat=True))
    duplicates, verified_elsewhere = [], []
    for pk, kind, value, is_verified in ContactMedium.objects.filter(
        party_id=merged.party_id
    ).values_list("pk", "kind", "value", "is_verified"):
        if (kind, value) in existing:
            duplicates.append(pk)
            if is_verified:
                verified_elsewhere.append((kind, value))
    # A copy dropped as a duplicate hands its verification over to the one that stays.
    for kind, value in verified_elsewhere:
        survivor_media.filter(kind=kind, value=value).update(is_verified=True)
    ContactMedium.objects.filter(pk__in=duplicates).delete()
    ContactMedium.objects.filter(
        party_id=merged.party_id, kind__in=preferred_kinds, is_preferred=True
    ).update(is_preferred=False)
    moved["contact_media"] = ContactMedium.objects.filter(party_id=merged.party_id).update(
        party_id=survivor.party_id
    )

    # Consents: per channel and purpose the most recent answer is the customer's answer.
    for consent in Consent.objects.filter(customer=merged):
        current = Consent.objects.filter(
            customer=survivor, channel=consent.channel, purpose=consent.purpose
        ).first()
        if current is None or current.recorded_at < consent.recorded_at:
            if current is not None:
                current.delete()
            consent.customer = survivor
            consent.save(update_fields=["customer"])
            moved["consents"] = moved.get("consents", 0) + 1
        else:
            consent.delete()

    # Preferences: the survivor's stay; the merged customer's are taken only if it has none.
    if not CommunicationPreferences.objects.filter(customer=survivor).exists():
        CommunicationPreferences.objects.filter(customer=merged).update(customer=survivor)
    else:
        CommunicationPreferences.objects.filter(customer=merged).delete()

    # Relationships: links between the two would become self-links, and links both had
    # would be doubled; neither survives.
    CustomerRelationship.objects.filter(
        Q(from_customer=merged, to_customer=survivor)
        | Q(from_customer=survivor, to_customer=merged)
    ).delete()
    for direction, other in (("from_customer", "to_customer"), ("to_customer", "from_customer")):
        for link in CustomerRelationship.objects.filter(**{direction: merged}):
            clash = CustomerRelationship.objects.filter(
                **{direction: survivor, other: getattr(link, f"{other}_id"), "kind": link.kind}
            ).exists()
            if clash:
                link.delete()
            else:
                setattr(link, direction, survivor)
                link.save(update_fields=[direction])
                moved["relationships"] = moved.get("relationships", 0) + 1

    handled = {
        (Consent, "customer"),
        (CommunicationPreferences, "customer"),
        (CustomerRelationship, "from_customer"),
        (CustomerRelationship, "to_customer"),
        (CustomerAlias, "customer"),
        (DuplicateCandidate, "customer_low"),
        (DuplicateCandidate, "customer_high"),
        (Customer, "merged_into"),
    }
    # include_hidden: a relation declared with related_name="+" still points at the customer.
    reverse_relations = [
        f
        for f in Customer._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete
    ]
    for relation in reverse_relations:
        if not isinstance(relation.field, models.ForeignKey):
            continue
        key = (relation.related_model, relation.field.name)
        if key in handled:
            continue
        model, name = relation.related_model, relation.field.name
        if isinstance(relation.field, models.OneToOneField) and (
            model._base_manager.filter(**{name: survivor}).exists()
        ):
            # One row per customer (cached scores …): the survivor's stays.
            model._base_manager.filter(**{name: merged}).delete()
            continue
        count = relation.related_model._base_manager.filter(**{relation.field.name: merged}).update(
            **{relation.field.name: survivor}
        )
        if count:
            label = relation.related_model._meta.verbose_name_plural
            moved[str(label)] = moved.get(str(label), 0) + count
    for relation in Party._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if isinstance(relation.field, models.ForeignKey) and relation.related_model not in (
            ContactMedium,
            IdentityKey,
            Customer,
        ):
            relation.related_model._base_manager.filter(
                **{relation.field.name: merged.party_id}
            ).update(**{relation.field.name: survivor.party_id})
    return moved


def _close_candidates(survivor: Customer, merged: Customer, actor, now) -> None:
    """The pair just merged is decided; other open pairs of the merged customer are moot."""
    low, high = sorted((survivor.pk, merged.pk))
    DuplicateCandidate.objects.filter(customer_low_id=low, customer_high_id=high).update(
        status=DuplicateCandidate.Status.MERGED,
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_at=now,
    )
    DuplicateCandidate.objects.filter(
        Q(customer_low=merged) | Q(customer_high=merged), status=DuplicateCandidate.Status.OPEN
    ).delete()


def duplicate_mark_distinct(*, candidate: DuplicateCandidate, actor) -> DuplicateCandidate:
    """Record that the two customers are different people; the pair is never proposed again."""
    with transaction.atomic():
        candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != DuplicateCandidate.Status.OPEN:
            raise ValidationError("This pair has already been decided.")
        candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
        candidate.decided_by = actor if getattr(actor, "pk", None) else None
        candidate.decided_at = timezone.now()
        candidate.save()
        for customer in (candidate.customer_low, candidate.customer_high):
            action_log_record(
                action="customer.not_duplicate",
                customer=customer,
                actor=actor,
                data={
                    "pair": [candidate.customer_low.number, candidate.customer_high.number],
                    "by": actor_label(actor),
                },
            )
    return candidate
