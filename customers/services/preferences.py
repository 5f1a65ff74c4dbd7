from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import CommunicationPreferences, Consent, Customer
from customers.services.audit import action_log_record, customer_lock_for_edit, touch


@transaction.atomic
def consent_record(
    *, customer: Customer, channel: str, purpose: str, granted: bool, source: str, actor
) -> Consent:
    """Record the customer's answer for one channel and purpose; the log keeps every answer."""
    if channel not in Consent.Channel.values:
        raise ValidationError({"channel": f"Unknown channel '{channel}'."})
    if purpose not in Consent.Purpose.values:
        raise ValidationError({"purpose": f"Unknown purpose '{purpose}'."})
    if source not in Consent.Source.values:
        raise ValidationError({"source": f"Unknown source '{source}'."})
    customer_lock_for_edit(customer)
    now = timezone.now()
    consent, created = Consent.objects.select_for_update().get_or_create(
        customer=customer,
        channel=channel,
        purpose=purpose,
        defaults={
            "granted": granted,
            "source": source,
            "recorded_at": now,
            "recorded_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    previous = None if created else consent.granted
    if not created:
        consent.granted = granted
        consent.source = source
        consent.recorded_at = now
        consent.recorded_by = actor if getattr(actor, "pk", None) else None
        consent.save()
    touch(customer)
    action_log_record(
        action="consent.granted" if granted else "consent.withdrawn",
        customer=customer,
        actor=actor,
        data={
            "consent": consent.pk,
            "channel": channel,
            "purpose": purpose,
            "source": source,
            "previous": previous,
        },
    )
    return consent


@transaction.atomic
def consent_first_record(
    *, customer: Customer, channel: str, purpose: str, granted: bool, source: str, actor
) -> Consent:
    """Record the customer's first answer for one channel and purpose. An answer already on
    record is refused (code ``consent_exists``, its id in ``params``): a caller that creates
    must not silently overwrite it, it changes it instead. Checked under the customer's lock,
    so two first answers sent at once cannot both count as first."""
    customer_lock_for_edit(customer)
    existing = (
        Consent.objects.filter(customer=customer, channel=channel, purpose=purpose)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            "An answer for this channel and purpose is already on record.",
            code="consent_exists",
            params={"id": existing},
        )
    return consent_record(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=source,
        actor=actor,
    )


PREFERENCE_FIELDS = (
    "language",
    "preferred_channel",
    "contact_time_from",
    "contact_time_to",
    "contact_on_weekends",
    "statement_format",
    "statement_frequency",
    "itemised_statement",
)


def contact_window_check(*, time_from: time | None, time_to: time | None) -> None:
    """When the customer may be called: from ``time_from`` to ``time_to``, across midnight when
    it ends earlier than it starts (18:00 to 09:00); both empty for any time of day."""
    if time_from is None and time_to is None:
        return
    if time_from is None:
        raise ValidationError(
            {"contact_time_from": "Give the time the window starts, or leave both times empty."}
        )
    if time_to is None:
        raise ValidationError(
            {"contact_time_to": "Give the time the window ends, or leave both times empty."}
        )
    if time_from == time_to:
        raise ValidationError(
            {
                "contact_time_to": "The window must end at another time than it starts; for any "
                "time of day, leave both times empty."
            }
        )


@transaction.atomic
def preferences_update(*, customer: Customer, actor, **changes) -> CommunicationPreferences:
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown preferences: {', '.join(sorted(unknown))}.")
    customer_lock_for_edit(customer)
    preferences, _ = CommunicationPreferences.objects.select_for_update().get_or_create(
        customer=customer
    )
    diff = {}
    for name, value in changes.items():
        old = getattr(preferences, name)
        if old != value:
            diff[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(preferences, name, value)
    contact_window_check(
        time_from=preferences.contact_time_from, time_to=preferences.contact_time_to
    )
    preferences.full_clean(exclude=["customer"])
    preferences.save()
    if diff:
        touch(customer)
        action_log_record(action="preferences.changed", customer=customer, actor=actor, data=diff)
    return preferences
