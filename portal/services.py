"""One-time codes: to sign in to the portal, and to prove a new contact address reaches the
customer who gave it (``contact_code_send``/``contact_code_verify``, same rules).

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
Purpose = SignInCode.Purpose


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


def _code_digest(address_digest: str, code: str, purpose: str = Purpose.SIGN_IN) -> str:
    salt = _CODE_PURPOSE if purpose == Purpose.SIGN_IN else f"{_CODE_PURPOSE}.{purpose}"
    return salted_hmac(salt, f"{address_digest}:{code}", algorithm="sha256").hexdigest()


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


def _code_send(*, customer: Customer, address: PortalAddress, code: str, purpose: str) -> None:
    words = texts.page_text(customer_language(customer))
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    prefix = "code" if purpose == Purpose.SIGN_IN else "contact_code"
    text = words[f"{prefix}_message"].format(code=code, minutes=minutes)
    if address.kind == ContactMedium.Kind.EMAIL:
        EmailMessage(subject=words[f"{prefix}_subject"], body=text, to=[address.value]).send()
    else:
        sms_send(to=address.value, text=text)


def _code_issue(
    *, customer: Customer, address: PortalAddress, purpose: str
) -> tuple[SignInCode, str] | None:
    """A new code of ``purpose`` for ``address``, stored (hashed) and not yet sent; None when a
    throttle is reached. The throttles count every code, whatever its purpose."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        # One request per customer at a time: the throttles count what the others wrote.
        list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk"))
        now = timezone.now()
        if _throttled(customer=customer, address=address, now=now):
            return None
        # A new code ends the earlier ones: only the latest message counts.
        SignInCode.objects.filter(
            address_digest=address.digest, purpose=purpose, used_at=None, expires_at__gt=now
        ).update(expires_at=now)
        row = SignInCode.objects.create(
            customer=customer,
            address_digest=address.digest,
            code_digest=_code_digest(address.digest, code, purpose),
            channel=(
                SignInCode.Channel.EMAIL
                if address.kind == ContactMedium.Kind.EMAIL
                else SignInCode.Channel.SMS
            ),
            purpose=purpose,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    return row, code


def _code_deliver(*, row: SignInCode, customer: Customer, address: PortalAddress, code: str):
    """Send the code; CodeNotSent (the code then dead) when the mail server refused it."""
    try:
        _code_send(customer=customer, address=address, code=code, purpose=row.purpose)
    except Exception as error:  # SMTP, DNS, a refused recipient: the page explains, no 500
        logger.warning("Portal code %s could not be sent: %r", row.pk, error)
        SignInCode.objects.filter(pk=row.pk).update(expires_at=timezone.now())
        raise CodeNotSent from error


class _CodeCheck:
    NONE, WRONG, RIGHT = "none", "wrong", "right"


def _code_use(*, codes, address_digest: str, code: str, purpose: str) -> tuple[str, SignInCode]:
    """Try ``code`` against the latest code in force among ``codes`` (of one address and
    purpose): (_CodeCheck.*, the code row or None). Each try counts, right or wrong."""
    now = timezone.now()
    live = (
        codes.filter(
            address_digest=address_digest,
            purpose=purpose,
            used_at=None,
            expires_at__gt=now,
            attempts__lt=CODE_MAX_TRIES,
        )
        .select_related("customer")
        .order_by("-created_at", "-id")
        .first()
    )
    if live is None:
        return _CodeCheck.NONE, None
    # The try is counted before the code is compared: parallel guesses get no extra tries.
    counted = SignInCode.objects.filter(
        pk=live.pk, used_at=None, attempts__lt=CODE_MAX_TRIES
    ).update(attempts=F("attempts") + 1)
    if not counted:
        return _CodeCheck.NONE, live
    if not constant_time_compare(_code_digest(address_digest, code, purpose), live.code_digest):
        return _CodeCheck.WRONG, live
    # Used once: of two requests with the right code, one finds it already used.
    claimed = SignInCode.objects.filter(pk=live.pk, used_at=None).update(used_at=now)
    return (_CodeCheck.RIGHT if claimed else _CodeCheck.NONE), live


def sign_in_code_request(*, address: PortalAddress, ip_address=None) -> str:
    """Send a one-time code to ``address`` if it is the verified address of a served customer
    and neither throttle is reached; returns the outcome logged. CodeNotSent when the mail
    server refused it (the code is then dead)."""
    customer = _customer_reached_at(address)
    log = {"address_digest": address.digest, "customer": customer, "ip_address": ip_address}
    if customer is None:
        sign_in_log_record(outcome=Outcome.NO_MATCH, **log)
        return Outcome.NO_MATCH
    issued = _code_issue(customer=customer, address=address, purpose=Purpose.SIGN_IN)
    if issued is None:
        sign_in_log_record(outcome=Outcome.THROTTLED, **log)
        return Outcome.THROTTLED
    row, code = issued
    try:
        _code_deliver(row=row, customer=customer, address=address, code=code)
    except CodeNotSent:
        sign_in_log_record(outcome=Outcome.SEND_FAILED, **log)
        raise
    sign_in_log_record(outcome=Outcome.CODE_SENT, **log)
    return Outcome.CODE_SENT


def sign_in_code_verify(*, address_digest: str, code: str, ip_address=None) -> Customer:
    """The customer the address's code in force belongs to, the code now used up; CodeRefused
    for a wrong code or when none is in force (each try at a code counts, right or wrong)."""
    check, live = _code_use(
        codes=SignInCode.objects, address_digest=address_digest, code=code, purpose=Purpose.SIGN_IN
    )
    log = {"address_digest": address_digest, "ip_address": ip_address}
    if live is not None:
        log["customer"] = live.customer
    if check == _CodeCheck.WRONG:
        sign_in_log_record(outcome=Outcome.WRONG_CODE, **log)
        raise CodeRefused
    if check == _CodeCheck.NONE or live.customer.status not in SERVED_STATUSES:
        sign_in_log_record(outcome=Outcome.NO_LIVE_CODE, **log)
        raise CodeRefused
    sign_in_log_record(outcome=Outcome.SIGNED_IN, **log)
    return live.customer


class CodeThrottled(RuntimeError):
    """Too many codes were asked for: the customer waits a little before asking again."""


def contact_code_send(*, customer: Customer, address: PortalAddress) -> None:
    """Send a code to a new address the signed-in customer gave, to prove it reaches them;
    CodeThrottled, or CodeNotSent when the mail server refused it."""
    issued = _code_issue(customer=customer, address=address, purpose=Purpose.CONTACT)
    if issued is None:
        raise CodeThrottled
    row, code = issued
    _code_deliver(row=row, customer=customer, address=address, code=code)


def contact_code_verify(*, customer: Customer, address: PortalAddress, code: str) -> None:
    """Use up the code sent to ``address`` for ``customer``; CodeRefused when it is wrong, or
    when none is in force (expired, used, out of tries, or sent for another customer)."""
    check, _ = _code_use(
        codes=SignInCode.objects.filter(customer=customer),
        address_digest=address.digest,
        code=code,
        purpose=Purpose.CONTACT,
    )
    if check != _CodeCheck.RIGHT:
        raise CodeRefused


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
