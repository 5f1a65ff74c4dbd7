"""Lifecycle messages to customers: from a customer event to a message sent once.

The outbox: ``messages_for_events`` writes one ``OutboundMessage`` per message in the
transaction of the change it is about (a rolled-back change sends nothing, a committed one
never loses its message), rendered then in the customer's language, on a channel they consented
to service messages on, due at the first moment their contact times allow. Messages due at once
are handed to Celery after the commit (``crm.handoff``); the others, and any whose hand-off was
lost, are sent by the minute's sweep. Other apps ask for messages of their own (a statement
with its PDF attached) through ``outbound_messages_write``, under the same rules.

Exactly once: a send claims its row (pending to sending, one UPDATE), so two workers, a task
delivered twice or a sweep racing the hand-off send it once. A mail server that is down gives
the claim back, and the message is tried again later.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from babel.dates import format_date
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from crm.formatting import money
from crm.handoff import task_send, tasks_send_after_commit
from customers.models import (
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    Interaction,
    Invoice,
    Party,
)
from customers.services import action_log_record, interaction_record

from .defaults import CONTACT_WORDS, NO_INVOICE
from .models import Event, Language, MessageTemplate, OutboundMessage, OverdueNotice
from .placeholders import PLACEHOLDERS, placeholders_check, text_render
from .selectors import template_texts

logger = logging.getLogger(__name__)

SEND_TASK = "messaging.tasks.outbound_message_send"

# The customer events that call for a message, by the action their change logged.
EVENT_OF_ACTION = {
    "customer.establish": Event.WELCOME,
    "customer.suspend": Event.SUSPENSION,
    "customer.terminate": Event.TERMINATION,
    "customer.reestablish": Event.WELCOME_BACK,
    "contact_medium.added": Event.CONTACT_CHANGE,
    "contact_medium.changed": Event.CONTACT_CHANGE,
    "contact_medium.removed": Event.CONTACT_CHANGE,
    # The daily missed-payment job: the notice before a suspension (there is no dunning stage).
    "payment.missed": Event.PAYMENT_OVERDUE,
}
# Events told only to an active customer: one already suspended or gone is past the warning.
ONLY_WHEN_ACTIVE = {Event.PAYMENT_OVERDUE}
# How each message shows on the customer's timeline. Outbound notices are closed with "no
# action needed": nobody has to follow them up, and no touch-point survey asks about them.
INTERACTION_KIND = {
    Event.WELCOME: Interaction.Kind.SALES,
    Event.SUSPENSION: Interaction.Kind.SUPPORT,
    Event.TERMINATION: Interaction.Kind.BILLING,  # it carries the final bill
    Event.WELCOME_BACK: Interaction.Kind.RETENTION,
    Event.CONTACT_CHANGE: Interaction.Kind.SUPPORT,
    Event.STATEMENT: Interaction.Kind.BILLING,
    Event.PAYMENT_OVERDUE: Interaction.Kind.BILLING,
}
_MEDIUM_OF_CHANNEL = {
    OutboundMessage.Channel.EMAIL: ContactMedium.Kind.EMAIL,
    OutboundMessage.Channel.SMS: ContactMedium.Kind.MOBILE,
}
_CHANNEL_OF_MEDIUM = {medium: channel for channel, medium in _MEDIUM_OF_CHANNEL.items()}
# A worker that claimed a message and died mid-send leaves it "sending"; after this long the
# sweep gives it back. One SMTP send takes seconds, so only a dead worker holds a claim this
# long; in that rare case the message may go out twice rather than never.
CLAIM_LEASE = timedelta(minutes=15)
# After a failed send, wait this long (doubling per attempt, at most a day) before the next.
RETRY_BASE = timedelta(minutes=2)
RETRY_MAX = timedelta(days=1)


# --- Rules ---------------------------------------------------------------------------------


def message_language(tag: str | None) -> str:
    """The message language for a BCP 47 tag ("de-CH" is German); English when we have none."""
    primary = (tag or "").split("-")[0].split("_")[0].lower()
    return primary if primary in Language.values else Language.EN


def contact_window_next(
    moment: datetime, *, time_from: time | None, time_to: time | None, weekends: bool
) -> datetime:
    """The first moment from ``moment`` on that the customer's contact times allow.

    The window is in the project's time zone and may span midnight (18:00 to 09:00); without
    one any hour is fine. Without weekends, Saturday and Sunday are skipped.
    """
    zone = timezone.get_current_timezone()

    def allowed(at: datetime) -> bool:
        local = timezone.localtime(at, zone)
        if not weekends and local.weekday() >= 5:
            return False
        if time_from is None or time_to is None:
            return True
        if time_from < time_to:
            return time_from <= local.time() < time_to
        return local.time() >= time_from or local.time() < time_to

    if allowed(moment):
        return moment
    # Every allowed stretch starts at the window's opening or at midnight (a window spanning
    # it, or the first weekday after a weekend): the earliest such start after now is it.
    starts = sorted({time(0, 0), *([time_from] if time_from else [])})
    first_day = timezone.localtime(moment, zone).date()
    for offset in range(8):
        day = first_day + timedelta(days=offset)
        for start in starts:
            candidate = datetime.combine(day, start, tzinfo=zone)
            if candidate > moment and allowed(candidate):
                return candidate
    raise AssertionError("a week always has an allowed moment")  # pragma: no cover


def _date_text(day, language: str) -> str:
    return format_date(day, format="long", locale=language)


def _contact_text(action: str, data: dict, language: str) -> str:
    words = CONTACT_WORDS[language]
    if action == "contact_medium.changed":
        old, new = data.get("before", {}).get("value", ""), data.get("after", {}).get("value", "")
        return words["changed"].format(old=old, new=new) if old != new else new
    if action == "contact_medium.removed":
        return words["removed"].format(old=data.get("value", ""))
    return words["added"].format(new=data.get("value", ""))


def _old_address(action: str, data: dict) -> tuple[str, str] | None:
    """The (medium kind, value) a contact change took away: it is told of the change too, so
    that a customer whose address was changed by someone else hears of it."""
    if action == "contact_medium.removed":
        return data.get("kind", ""), data.get("value", "")
    if action == "contact_medium.changed":
        before, after = data.get("before", {}), data.get("after", {})
        if before.get("value") != after.get("value") or before.get("kind") != after.get("kind"):
            return before.get("kind", ""), before.get("value", "")
    return None


# --- The outbox ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A file in the default storage sent along with a message (read when it is sent)."""

    name: str
    content_type: str
    filename: str


@dataclass(frozen=True)
class MessageRequest:
    """A message another app asks for (a statement by e-mail): the customer, the event, the
    values of its event's own placeholders (name, number and date are filled in here), the
    language when it must match something already written (else the customer's), the channels
    it may go on, and an attachment."""

    customer: Customer
    event: str
    values: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    channels: tuple[str, ...] = tuple(OutboundMessage.Channel.values)
    attachment: Attachment | None = None


@dataclass
class _Reach:
    """What the outbox knows of one customer, read for a whole batch at once: the channels
    they consented to service messages on, their addresses, name, language and contact times."""

    channels: set[str]
    addresses: dict[str, str]
    name: str
    prefs: dict

    @property
    def language(self) -> str:
        return message_language(self.prefs.get("language"))

    def recipients(self, allowed=None) -> list[tuple[str, str]]:
        channels = self.channels if allowed is None else self.channels & set(allowed)
        return _recipients(channels, self.addresses, self.prefs.get("preferred_channel", ""))

    def due_at(self, now: datetime) -> datetime:
        return contact_window_next(
            now,
            time_from=self.prefs.get("contact_time_from"),
            time_to=self.prefs.get("contact_time_to"),
            weekends=self.prefs.get("contact_on_weekends", False),
        )


def _reach_read(customers, *, today) -> dict[int, _Reach]:
    """Each customer who consented to service messages on a channel we send on, with what it
    takes to reach them; four queries whatever the number of customers, and one when none
    consented."""
    customers = {customer.pk: customer for customer in customers}
    consented: dict[int, set[str]] = {}
    for customer_id, channel in Consent.objects.filter(
        customer_id__in=list(customers),
        purpose=Consent.Purpose.SERVICE,
        granted=True,
        channel__in=OutboundMessage.Channel.values,
    ).values_list("customer_id", "channel"):
        consented.setdefault(customer_id, set()).add(channel)
    if not consented:
        return {}
    party_ids = {customers[pk].party_id for pk in consented}
    addresses: dict[int, dict[str, str]] = {}  # party -> channel -> address, preferred first
    for party_id, kind, value in (
        ContactMedium.objects.filter(party_id__in=party_ids, kind__in=_CHANNEL_OF_MEDIUM)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-is_preferred", "pk")
        .values_list("party_id", "kind", "value")
    ):
        addresses.setdefault(party_id, {}).setdefault(_CHANNEL_OF_MEDIUM[kind], value)
    names = dict(Party.objects.filter(pk__in=party_ids).values_list("pk", "display_name"))
    preferences = {
        row["customer_id"]: row
        for row in CommunicationPreferences.objects.filter(customer_id__in=list(consented)).values(
            "customer_id",
            "language",
            "preferred_channel",
            "contact_time_from",
            "contact_time_to",
            "contact_on_weekends",
        )
    }
    return {
        pk: _Reach(
            channels=channels,
            addresses=addresses.get(customers[pk].party_id, {}),
            name=names.get(customers[pk].party_id, ""),
            prefs=preferences.get(pk, {}),
        )
        for pk, channels in consented.items()
    }


def _outbox_write(
    messages: list[OutboundMessage], *, now: datetime, notices=()
) -> list[OutboundMessage]:
    """The messages inserted in one statement, with the invoices each payment-overdue notice
    tells of (``notices``: (message, invoices)) in one more; those due now handed over after
    the commit."""
    OutboundMessage.objects.bulk_create(messages, batch_size=1000)
    if notices:
        OverdueNotice.objects.bulk_create(
            [
                OverdueNotice(invoice_id=invoice.pk, message=message)
                for message, invoices in notices
                for invoice in invoices
            ],
            batch_size=1000,
        )
    tasks_send_after_commit(SEND_TASK, [(m.pk,) for m in messages if m.due_at <= now])
    return messages


def messages_for_events(events, *, now: datetime | None = None) -> list[OutboundMessage]:
    """The messages a batch of customer events calls for, written to the outbox; those due
    now are handed over after the commit. A fixed number of queries however big the batch."""
    wanted = [
        (e, EVENT_OF_ACTION[e.action])
        for e in events
        if e.action in EVENT_OF_ACTION
        and (
            EVENT_OF_ACTION[e.action] not in ONLY_WHEN_ACTIVE
            or e.customer.status == Customer.Status.ACTIVE
        )
    ]
    if not wanted:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    reach = _reach_read([e.customer for e, _ in wanted], today=today)
    # No consent to service messages on any channel we send on: nothing is written for them.
    wanted = [(e, event) for e, event in wanted if e.customer.pk in reach]
    if not wanted:
        return []
    terminated = {e.customer.pk for e, event in wanted if event == Event.TERMINATION}
    last_invoices = {}
    if terminated:
        last = Invoice.objects.filter(customer_id=OuterRef("pk")).order_by("-issued_on", "-pk")
        last_invoices = dict(
            Customer.objects.filter(pk__in=terminated)
            .annotate(last_invoice=Subquery(last.values("number")[:1]))
            .values_list("pk", "last_invoice")
        )
    overdue = _overdue_invoices_read([e for e, event in wanted if event == Event.PAYMENT_OVERDUE])
    texts = template_texts({event for _, event in wanted})

    messages = []
    notices: list[tuple[OutboundMessage, list[_OverdueInvoice]]] = []
    for customer_event, event in wanted:
        customer = customer_event.customer
        known = reach[customer.pk]
        language = known.language
        recipients = known.recipients()
        if event == Event.CONTACT_CHANGE:
            old = _old_address(customer_event.action, customer_event.data)
            channel = _CHANNEL_OF_MEDIUM.get(old[0]) if old else None
            if channel in known.channels and old[1] and (channel, old[1]) not in recipients:
                recipients.append((channel, old[1]))
        if not recipients:
            continue  # consented, but no e-mail address or mobile number to reach them on
        values = {
            "name": known.name,
            "number": customer.number,
            "date": _date_text(today, language),
        }
        invoices = []
        if event == Event.TERMINATION:
            values.update(_final_bill(customer, customer_event.data, language, last_invoices))
        elif event == Event.CONTACT_CHANGE:
            values["contact"] = _contact_text(customer_event.action, customer_event.data, language)
        elif event == Event.PAYMENT_OVERDUE:
            invoices = _overdue_invoices_take(overdue, customer, customer_event.data)
            if not invoices:
                continue  # paid since, or every one of them told of already
            values.update(_overdue_values(invoices, customer, customer_event.data, language))
        rendered = _messages_rendered(
            customer,
            event,
            texts[(event, language)],
            values,
            language=language,
            recipients=recipients,
            now=now,
            due_at=known.due_at(now),
        )
        if invoices:
            notices.append((rendered[0], invoices))  # one recipient: the invoices are its
        messages += rendered
    return _outbox_write(messages, now=now, notices=notices)


def outbound_messages_write(
    requests: list[MessageRequest], *, now: datetime | None = None
) -> list[OutboundMessage]:
    """The messages other apps ask for, written to the outbox by the same rules as the
    lifecycle's (consent to service messages, the customer's channel and contact times, the
    event's wording in the language), in one insert; those due now are handed over after the
    commit. A customer without consent or an address on the allowed channels gets none: the
    requests with no message written are simply left out of the list returned. A fixed
    number of queries however many requests."""
    if not requests:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    reach = _reach_read([request.customer for request in requests], today=today)
    requests = [request for request in requests if request.customer.pk in reach]
    if not requests:
        return []
    texts = template_texts({request.event for request in requests})
    messages = []
    for request in requests:
        customer, known = request.customer, reach[request.customer.pk]
        language = message_language(request.language) if request.language else known.language
        allowed = set(PLACEHOLDERS[request.event])
        values = {
            "name": known.name,
            "number": customer.number,
            "date": _date_text(today, language),
            **request.values,
        }
        messages += _messages_rendered(
            customer,
            request.event,
            texts[(request.event, language)],
            {name: value for name, value in values.items() if name in allowed},
            language=language,
            recipients=known.recipients(request.channels),
            now=now,
            due_at=known.due_at(now),
            attachment=request.attachment,
        )
    return _outbox_write(messages, now=now)


def _messages_rendered(
    customer,
    event: str,
    text,
    values: dict[str, str],
    *,
    language: str,
    recipients: list[tuple[str, str]],
    now: datetime,
    due_at: datetime,
    attachment: Attachment | None = None,
) -> list[OutboundMessage]:
    """One message per recipient, its wording filled in now."""
    subject, body = text_render(text.subject, values)[:200], text_render(text.body, values)
    return [
        OutboundMessage(
            customer_id=customer.pk,
            event=event,
            channel=channel,
            address=address,
            language=language,
            subject=subject,
            body=body,
            created_at=now,
            due_at=due_at,
            attachment_name=attachment.name if attachment else "",
            attachment_type=attachment.content_type if attachment else "",
            attachment_filename=attachment.filename if attachment else "",
        )
        for channel, address in recipients
    ]


def _recipients(channels: set[str], known: dict[str, str], preferred: str) -> list:
    """The one (channel, address) a message goes to: the customer's preferred channel first,
    e-mail before SMS, among those they consented to and we have an address for."""
    order = sorted(OutboundMessage.Channel.values, key=lambda channel: channel != preferred)
    for channel in order:
        if channel in channels and known.get(channel):
            return [(channel, known[channel])]
    return []


def _final_bill(customer, data: dict, language: str, last_invoices: dict) -> dict[str, str]:
    """{invoice} and {amount} of a termination: its last invoice, and what the final bill
    recorded as still owed (overdue and not yet due)."""
    bill = data.get("final_bill") or {}
    owed = Decimal(bill.get("overdue") or 0) + Decimal(bill.get("not_yet_due") or 0)
    currency = bill.get("currency") or customer.currency
    return {
        "invoice": last_invoices.get(customer.pk) or NO_INVOICE[language],
        "amount": money(owed, currency, locale=language),
    }


@dataclass(frozen=True)
class _OverdueInvoice:
    pk: int
    number: str
    customer_id: int
    due_on: date
    open_amount: Decimal


def _overdue_invoices_read(events) -> dict[str, _OverdueInvoice]:
    """The invoices these ``payment.missed`` events name that are still unpaid and that no
    notice told of yet, by number; one query for the batch, none without such events."""
    numbers = {number for e in events for number in e.data.get("invoices", [])}
    if not numbers:
        return {}
    rows = (
        Invoice.objects.filter(number__in=numbers, paid_on__isnull=True)
        .exclude(Exists(OverdueNotice.objects.filter(invoice=OuterRef("pk"))))
        .values_list("pk", "number", "customer_id", "due_on", "amount", "paid_amount")
    )
    return {
        number: _OverdueInvoice(pk, number, customer_id, due_on, max(amount - paid, Decimal(0)))
        for pk, number, customer_id, due_on, amount, paid in rows
    }


def _overdue_invoices_take(overdue: dict, customer, data: dict) -> list[_OverdueInvoice]:
    """The customer's invoices of one event still to be told of, taken out of ``overdue`` so
    that an invoice named twice in a batch is told of once."""
    numbers = data.get("invoices", [])
    return [
        overdue.pop(number)
        for number in numbers
        if number in overdue and overdue[number].customer_id == customer.pk
    ]


def _overdue_values(invoices, customer, data: dict, language: str) -> dict[str, str]:
    """{invoice}, {amount} and {date} of a payment-overdue notice: the invoices, what is still
    open on them, and the (earliest) due date they missed."""
    owed = sum((invoice.open_amount for invoice in invoices), Decimal(0))
    return {
        "invoice": ", ".join(invoice.number for invoice in invoices),
        "amount": money(owed, data.get("currency") or customer.currency, locale=language),
        "date": _date_text(min(invoice.due_on for invoice in invoices), language),
    }


# --- Sending -------------------------------------------------------------------------------


def outbound_message_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one message if nobody else is sending or has sent it; say what became of it.

    The claim is one UPDATE on a pending row, so of two deliveries of the same task (or a task
    and the sweep) one sends and the other finds nothing to do.
    """
    now = now or timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, status=OutboundMessage.Status.PENDING
    ).update(status=OutboundMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "already taken"
    message = OutboundMessage.objects.select_related("customer").get(pk=message_id)
    if not Consent.objects.filter(
        customer_id=message.customer_id,
        purpose=Consent.Purpose.SERVICE,
        channel=message.channel,
        granted=True,
    ).exists():
        # Withdrawn while the message waited for the contact window: it does not go out.
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.WITHDRAWN
        )
        return OutboundMessage.Status.WITHDRAWN
    if message.channel == OutboundMessage.Channel.EMAIL:
        email = EmailMessage(subject=message.subject, body=message.body, to=[message.address])
        if message.attachment_name:
            content = _attachment_read(message.attachment_name)
            if content is None:
                # Removed since (the customer's data erased): it can never go, so it is not
                # tried again; the worker goes on with the next message.
                OutboundMessage.objects.filter(pk=message_id).update(
                    status=OutboundMessage.Status.FAILED,
                    last_error=(
                        f"The attachment {message.attachment_filename or 'of this message'} is "
                        "no longer stored: the message cannot be sent."
                    )[:500],
                )
                return OutboundMessage.Status.FAILED
            email.attach(message.attachment_filename, content, message.attachment_type)
        email.send()
    else:
        # No SMS gateway is part of the product: the message is logged (never its text, which
        # is the customer's), and recorded below like any other.
        logger.info("SMS lifecycle message %s (%s) sent", message.pk, message.event)
    with transaction.atomic():
        interaction = interaction_record(
            customer=message.customer,
            channel=message.channel,
            direction=Interaction.Direction.OUTBOUND,
            kind=INTERACTION_KIND[message.event],
            summary=f"{message.get_event_display()}: «{message.subject}»",
            outcome=Interaction.Outcome.NO_ACTION,
            actor="messaging",
        )
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.SENT,
            sent_at=now,
            interaction=interaction,
            last_error="",
        )
    return OutboundMessage.Status.SENT


def _attachment_read(name: str) -> bytes | None:
    """The attachment's bytes, or None when the storage no longer has it. Other storage
    errors (OSError) go up: like a mail server away, they are tried again later."""
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        return None


def outbound_message_send_failed(
    *, message_id: int, error: Exception, now: datetime | None = None
) -> timedelta:
    """The message did not go out (the mail server is away): give the claim back, due again
    after a pause that grows with each attempt; that pause is returned."""
    now = now or timezone.now()
    attempts = (
        OutboundMessage.objects.filter(pk=message_id).values_list("attempts", flat=True).first()
    )
    pause = min(RETRY_BASE * 2 ** max((attempts or 1) - 1, 0), RETRY_MAX)
    OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.SENDING).update(
        status=OutboundMessage.Status.PENDING,
        claimed_at=None,
        due_at=now + pause,
        last_error=str(error)[:500],
    )
    return pause


def outbound_messages_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Pending messages whose time has come and that no hand-off is about to send: those that
    waited for the contact window, and those whose own hand-off is overdue (it was lost)."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.CRM_HANDOFF_GRACE_SECONDS)
    return list(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING, due_at__lte=now)
        .filter(Q(due_at__gt=F("created_at")) | Q(created_at__lte=now - grace))
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbound_messages_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Every minute: give back claims a dead worker left, then hand over every message due;
    how many were handed over. The rows say what is owed, so a send the broker refuses is
    found again next minute, and one sent twice is claimed once."""
    now = now or timezone.now()
    OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    ).update(status=OutboundMessage.Status.PENDING, claimed_at=None)
    handed = 0
    for message_id in outbound_messages_due(now=now, limit=limit):
        if not task_send(SEND_TASK, message_id):
            break  # the broker is away: the rest wait for the next sweep
        handed += 1
    return handed


# --- Templates -----------------------------------------------------------------------------


def template_check(*, event: str, subject: str, body: str) -> None:
    """Refuse placeholders the event does not offer, naming the field they are in."""
    errors = {}
    for part, text in (("subject", subject), ("body", body)):
        try:
            placeholders_check(text, event=event)
        except ValidationError as error:
            errors[part] = error.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def message_template_save(
    *, event: str, language: str, subject: str, body: str, actor
) -> MessageTemplate:
    """Store a manager's wording of one message; later messages use it."""
    if event not in Event.values or language not in Language.values:
        raise ValidationError("Unknown message or language.")
    subject, body = subject.strip(), body.strip()
    template_check(event=event, subject=subject, body=body)
    template, _ = MessageTemplate.objects.update_or_create(
        event=event,
        language=language,
        defaults={"subject": subject, "body": body, "updated_by": actor},
    )
    action_log_record(
        action="message_template.changed",
        customer=None,
        actor=actor,
        data={"event": event, "language": language, "subject": subject},
    )
    return template


SAMPLE_CUSTOMER = {"name": "Ada Example", "number": "C00000018"}
# The words of a statement's period, as statements write it (medium dates, en dash).
SAMPLE_PERIOD = {
    "en": "1 Nov 2026 \N{EN DASH} 30 Nov 2026",
    "de": "01.11.2026 \N{EN DASH} 30.11.2026",
    "fr": "1 nov. 2026 \N{EN DASH} 30 nov. 2026",
    "es": "1 nov 2026 \N{EN DASH} 30 nov 2026",
}


def message_preview(*, event: str, language: str, subject: str, body: str) -> tuple[str, str]:
    """The message as a sample customer would get it (made-up values, never a real person's);
    raises ValidationError for placeholders the event does not offer."""
    template_check(event=event, subject=subject, body=body)
    values = {**SAMPLE_CUSTOMER, "date": _date_text(timezone.localdate(), language)}
    values["invoice"] = "INV-000042"
    values["amount"] = money(Decimal("42.50"), None, locale=language)
    values["contact"] = CONTACT_WORDS[language]["changed"].format(
        old="ada.old@example.com", new="ada@example.com"
    )
    values["period"] = SAMPLE_PERIOD[language]
    allowed = {name: values[name] for name in PLACEHOLDERS[event]}
    return text_render(subject, allowed), text_render(body, allowed)
