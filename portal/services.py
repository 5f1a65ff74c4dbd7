"""Sign-in to the portal by a one-time code: asking for a code, and signing in with it.

A customer is found by an e-mail address or mobile number that is one of their *verified*
contact media, while the relationship is active or suspended. Whoever asks is told the same
thing whether or not the address led to anyone (``sign_in_code_request`` returns what happened
for the log and the tests; the page does not show it).

Codes are 6 digits, kept only as a keyed hash of the address and the code (HMAC-SHA256 under
SECRET_KEY), good for CODE_LIFETIME, once, and for CODE_MAX_TRIES tries; a new code ends the
address's earlier ones. How many codes were sent, per address and per customer, is counted
from the code table itself: no cache is needed, and the row lock on the customer makes two
parallel requests count one after the other. Every step is written to the sign-in log.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from crm.sealed import lookup_digest
from customers.models import ContactMedium, Customer
from customers.normalization import looks_like_phone, normalize_email, normalize_phone
from portal import texts
from portal.models import PortalSignIn, SignInCode

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODES_PER_ADDRESS, ADDRESS_WINDOW = 3, timedelta(minutes=15)
CODES_PER_CUSTOMER, CUSTOMER_WINDOW = 10, timedelta(days=1)
# The relationships that may use the portal: a suspended customer still sees their bills.
SERVED_STATUSES = (Customer.Status.ACTIVE, Customer.Status.SUSPENDED)

_CODE_PURPOSE = "portal.sign_in_code"
Outcome = PortalSignIn.Outcome


class AddressInvalid(ValueError):
    """What was typed is neither an e-mail address nor a phone number."""


class CodeNotSent(RuntimeError):
    """The code could not be handed to the mail server; the customer may try again later."""


class CodeRefused(ValueError):
    """The code is wrong, or no code of the address is in force (expired, used, out of tries)."""


@dataclass(frozen=True)
class PortalAddress:
    """An address typed on the sign-in page, normalised as contact media are stored."""

    kind: str  # ContactMedium.Kind.EMAIL or MOBILE
    value: str

    @property
    def digest(self) -> str:
        return lookup_digest(f"{self.kind}:{self.value}")


def portal_address_parse(raw: str) -> PortalAddress:
    """An e-mail address (anything with an @) or a mobile number in E.164; AddressInvalid else."""
    raw = (raw or "").strip()
    try:
        if "@" in raw:
            return PortalAddress(kind=ContactMedium.Kind.EMAIL, value=normalize_email(raw))
        if looks_like_phone(raw):
            return PortalAddress(kind=ContactMedium.Kind.MOBILE, value=normalize_phone(raw))
    except ValidationError:
        pass
    raise AddressInvalid(raw)


def sign_in_log_record(
    *, outcome: str, address_digest: str = "", customer: Customer | None = None, ip_address=None
) -> PortalSignIn:
    return PortalSignIn.objects.create(
        outcome=outcome,
        address_digest=address_digest,
        customer=customer,
        ip_address=ip_address,
        at=timezone.now(),
    )


def customer_language(customer: Customer) -> str:
    """The portal language of the customer's preferred language."""
    preferences = getattr(customer, "preferences", None)
    return texts.language_supported(preferences.language if preferences else "")


def _code_digest(address_digest: str, code: str) -> str:
    return salted_hmac(_CODE_PURPOSE, f"{address_digest}:{code}", algorithm="sha256").hexdigest()


def _customer_reached_at(address: PortalAddress) -> Customer | None:
    """The one served customer with this verified address; None for none, or for several
    (a shared address cannot say whose account to open)."""
    today = timezone.localdate()
    media = ContactMedium.objects.filter(
        kind=address.kind,
        value=address.value,
        is_verified=True,
        party__customer__status__in=SERVED_STATUSES,
    ).filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
    media = media.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    customer_ids = set(media.values_list("party__customer", flat=True)[:2])
    if len(customer_ids) != 1:
        return None
    return Customer.objects.select_related("party", "preferences").get(pk=customer_ids.pop())


def _throttled(*, customer: Customer, address: PortalAddress, now) -> bool:
    codes = SignInCode.objects
    return (
        codes.filter(address_digest=address.digest, created_at__gt=now - ADDRESS_WINDOW).count()
        >= CODES_PER_ADDRESS
        or codes.filter(customer=customer, created_at__gt=now - CUSTOMER_WINDOW).count()
        >= CODES_PER_CUSTOMER
    )


def sms_send(*, to: str, text: str) -> None:
    """No SMS gateway is part of the product: the message is logged, without the code (tests
    replace this function to read it)."""
    logger.info("SMS portal sign-in code sent to a verified mobile number ending %s", to[-3:])


def _code_send(*, customer: Customer, address: PortalAddress, code: str) -> None:
    words = texts.page_text(customer_language(customer))
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    text = words["code_message"].format(code=code, minutes=minutes)
    if address.kind == ContactMedium.Kind.EMAIL:
        EmailMessage(subject=words["code_subject"], body=text, to=[address.value]).send()
    else:
        sms_send(to=address.value, text=text)


def sign_in_code_request(*, address: PortalAddress, ip_address=None) -> str:
    """Send a one-time code to ``address`` if it is the verified address of a served customer
    and neither throttle is reached; returns the outcome logged. CodeNotSent when the mail
    server refused it (the code is then dead)."""
    customer = _customer_reached_at(address)
    log = {"address_digest": address.digest, "customer": customer, "ip_address": ip_address}
    if customer is None:
        sign_in_log_record(outcome=Outcome.NO_MATCH, **log)
        return Outcome.NO_MATCH
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        # One request per customer at a time: the throttles count what the others wrote.
        list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk"))
        now = timezone.now()
        if _throttled(customer=customer, address=address, now=now):
            sign_in_log_record(outcome=Outcome.THROTTLED, **log)
            return Outcome.THROTTLED
        # A new code ends the earlier ones: only the latest message counts.
        SignInCode.objects.filter(
            address_digest=address.digest, used_at=None, expires_at__gt=now
        ).update(expires_at=now)
        sign_in_code = SignInCode.objects.create(
            customer=customer,
            address_digest=address.digest,
            code_digest=_code_digest(address.digest, code),
            channel=(
                SignInCode.Channel.EMAIL
                if address.kind == ContactMedium.Kind.EMAIL
                else SignInCode.Channel.SMS
            ),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    try:
        _code_send(customer=customer, address=address, code=code)
    except Exception as error:  # SMTP, DNS, a refused recipient: the page explains, no 500
        logger.warning("Portal sign-in code %s could not be sent: %r", sign_in_code.pk, error)
        SignInCode.objects.filter(pk=sign_in_code.pk).update(expires_at=timezone.now())
        sign_in_log_record(outcome=Outcome.SEND_FAILED, **log)
        raise CodeNotSent from error
    sign_in_log_record(outcome=Outcome.CODE_SENT, **log)
    return Outcome.CODE_SENT


def sign_in_code_verify(*, address_digest: str, code: str, ip_address=None) -> Customer:
    """The customer the address's code in force belongs to, the code now used up; CodeRefused
    for a wrong code or when none is in force (each try at a code counts, right or wrong)."""
    now = timezone.now()
    live = (
        SignInCode.objects.filter(
            address_digest=address_digest,
            used_at=None,
            expires_at__gt=now,
            attempts__lt=CODE_MAX_TRIES,
        )
        .select_related("customer")
        .order_by("-created_at", "-id")
        .first()
    )
    log = {"address_digest": address_digest, "ip_address": ip_address}
    if live is None:
        sign_in_log_record(outcome=Outcome.NO_LIVE_CODE, **log)
        raise CodeRefused
    log["customer"] = live.customer
    # The try is counted before the code is compared: parallel guesses get no extra tries.
    counted = SignInCode.objects.filter(
        pk=live.pk, used_at=None, attempts__lt=CODE_MAX_TRIES
    ).update(attempts=F("attempts") + 1)
    if not counted:
        sign_in_log_record(outcome=Outcome.NO_LIVE_CODE, **log)
        raise CodeRefused
    if not constant_time_compare(_code_digest(address_digest, code), live.code_digest):
        sign_in_log_record(outcome=Outcome.WRONG_CODE, **log)
        raise CodeRefused
    # Used once: of two requests with the right code, one finds it already used.
    claimed = SignInCode.objects.filter(pk=live.pk, used_at=None).update(used_at=now)
    customer = live.customer
    if not claimed or customer.status not in SERVED_STATUSES:
        sign_in_log_record(outcome=Outcome.NO_LIVE_CODE, **log)
        raise CodeRefused
    sign_in_log_record(outcome=Outcome.SIGNED_IN, **log)
    return customer


def sign_out_record(*, customer_id: int, ip_address=None) -> None:
    sign_in_log_record(
        outcome=Outcome.SIGNED_OUT,
        customer=Customer.objects.filter(pk=customer_id).first(),
        ip_address=ip_address,
    )


# Codes older than the longest throttle window count for nothing; the sign-in log is kept
# long enough to look into an account taken over.
CODES_KEPT = CUSTOMER_WINDOW
SIGN_INS_KEPT = timedelta(days=180)


def sign_in_records_purge(*, now=None) -> tuple[int, int]:
    """Delete codes and sign-in log rows past their keeping time; (codes, log rows) deleted."""
    now = now or timezone.now()
    codes, _ = SignInCode.objects.filter(created_at__lt=now - CODES_KEPT).delete()
    sign_ins, _ = PortalSignIn.objects.filter(at__lt=now - SIGN_INS_KEPT).delete()
    return codes, sign_ins
