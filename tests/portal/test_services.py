"""portal.services: one-time codes, who gets one, how often, and how they are used."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer
from portal import services
from portal.models import PortalSignIn, SignInCode
from portal.services import CodeRefused, portal_address_parse
from tests.portal.conftest import ADA_EMAIL, ADA_MOBILE, code_in

Outcome = PortalSignIn.Outcome


def _request(address: str) -> str:
    return services.sign_in_code_request(address=portal_address_parse(address))


def _verify(address: str, code: str):
    return services.sign_in_code_verify(
        address_digest=portal_address_parse(address).digest, code=code
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_an_email_address_is_read_as_stored_and_a_mobile_number_in_e164():
    assert portal_address_parse("  Ada@Example.COM ").value == ADA_EMAIL
    assert portal_address_parse("07911 123456").value == ADA_MOBILE
    with pytest.raises(services.AddressInvalid):
        portal_address_parse("not an address")


def test_a_verified_email_of_an_active_customer_gets_a_code_by_email(ada, mailoutbox):
    assert _request(ADA_EMAIL) == Outcome.CODE_SENT
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ADA_EMAIL]
    assert ada == _verify(ADA_EMAIL, code_in(mailoutbox[0]))


def test_a_verified_mobile_number_gets_its_code_by_sms_and_the_log_holds_no_code(
    ada, mailoutbox, monkeypatch, caplog
):
    sent, real_send = [], services.sms_send

    def spy(*, to, text):
        sent.append((to, text))
        real_send(to=to, text=text)

    monkeypatch.setattr(services, "sms_send", spy)
    caplog.set_level("INFO", logger="portal.services")
    assert _request("07911 123456") == Outcome.CODE_SENT
    assert mailoutbox == []
    [(to, text)] = sent
    assert to == ADA_MOBILE
    code = code_in(text)
    assert caplog.messages
    assert all(code not in message and ADA_MOBILE not in message for message in caplog.messages)
    assert ada == _verify(ADA_MOBILE, code)


def test_the_code_is_stored_only_as_a_keyed_hash(ada, mailoutbox):
    _request(ADA_EMAIL)
    code = code_in(mailoutbox[0])
    row = SignInCode.objects.get()
    assert code not in row.code_digest
    assert ADA_EMAIL not in row.address_digest


def test_a_suspended_customer_gets_a_code(customer_like, mailoutbox):
    customer_like(status=Customer.Status.SUSPENDED, email="sue@example.com")
    assert _request("sue@example.com") == Outcome.CODE_SENT


@pytest.mark.parametrize(
    "status", [Customer.Status.LEAD, Customer.Status.PROSPECT, Customer.Status.TERMINATED]
)
def test_a_customer_who_is_not_served_gets_no_code(customer_like, mailoutbox, status):
    customer_like(status=status, email="nobody@example.com")
    assert _request("nobody@example.com") == Outcome.NO_MATCH
    assert mailoutbox == []


def test_an_unverified_address_gets_no_code(customer_like, mailoutbox):
    customer_like(email="unverified@example.com", verified=False)
    assert _request("unverified@example.com") == Outcome.NO_MATCH
    assert mailoutbox == []


def test_an_address_two_customers_share_opens_neither(customer_like, mailoutbox):
    customer_like(email="shared@example.com")
    customer_like(email="shared@example.com")
    assert _request("shared@example.com") == Outcome.NO_MATCH
    assert mailoutbox == []


def test_a_code_used_once_is_refused_the_second_time(ada, mailoutbox):
    _request(ADA_EMAIL)
    code = code_in(mailoutbox[0])
    assert _verify(ADA_EMAIL, code) == ada
    with pytest.raises(CodeRefused):
        _verify(ADA_EMAIL, code)


def test_an_expired_code_is_refused(ada, mailoutbox):
    _request(ADA_EMAIL)
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(CodeRefused):
        _verify(ADA_EMAIL, code_in(mailoutbox[0]))


def test_a_code_lives_ten_minutes():
    assert timedelta(minutes=10) == services.CODE_LIFETIME


def test_a_new_code_ends_the_earlier_one(ada, mailoutbox):
    _request(ADA_EMAIL)
    _request(ADA_EMAIL)
    first, second = code_in(mailoutbox[0]), code_in(mailoutbox[1])
    if first != second:
        with pytest.raises(CodeRefused):
            _verify(ADA_EMAIL, first)
    assert _verify(ADA_EMAIL, second) == ada


def test_after_five_wrong_tries_even_the_right_code_is_refused(ada, mailoutbox):
    _request(ADA_EMAIL)
    code = code_in(mailoutbox[0])
    for _ in range(services.CODE_MAX_TRIES):
        with pytest.raises(CodeRefused):
            _verify(ADA_EMAIL, _wrong(code))
    with pytest.raises(CodeRefused):
        _verify(ADA_EMAIL, code)
    assert SignInCode.objects.get().attempts == services.CODE_MAX_TRIES


def test_the_right_code_after_four_wrong_tries_still_signs_in(ada, mailoutbox):
    _request(ADA_EMAIL)
    code = code_in(mailoutbox[0])
    for _ in range(services.CODE_MAX_TRIES - 1):
        with pytest.raises(CodeRefused):
            _verify(ADA_EMAIL, _wrong(code))
    assert _verify(ADA_EMAIL, code) == ada


def test_an_address_gets_three_codes_in_fifteen_minutes_and_no_more(ada, mailoutbox):
    outcomes = [_request(ADA_EMAIL) for _ in range(services.CODES_PER_ADDRESS + 1)]
    assert outcomes == [Outcome.CODE_SENT] * 3 + [Outcome.THROTTLED]
    assert len(mailoutbox) == 3
    # The window slides: codes older than fifteen minutes no longer count.
    SignInCode.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert _request(ADA_EMAIL) == Outcome.CODE_SENT


def test_a_customer_gets_ten_codes_a_day_whatever_the_address(ada, mailoutbox, monkeypatch):
    monkeypatch.setattr(services, "sms_send", lambda **kwargs: None)
    earlier = timezone.now() - timedelta(minutes=20)
    for _ in range(services.CODES_PER_CUSTOMER - 1):
        _request(ADA_EMAIL)
        SignInCode.objects.update(created_at=earlier)  # out of the address's window
    assert _request(ADA_MOBILE) == Outcome.CODE_SENT
    assert _request(ADA_EMAIL) == Outcome.THROTTLED
    assert _request(ADA_MOBILE) == Outcome.THROTTLED


def test_a_code_of_a_customer_terminated_meanwhile_is_refused(ada, mailoutbox):
    _request(ADA_EMAIL)
    Customer.objects.filter(pk=ada.pk).update(status=Customer.Status.TERMINATED)
    with pytest.raises(CodeRefused):
        _verify(ADA_EMAIL, code_in(mailoutbox[0]))


def test_a_mail_server_that_fails_leaves_a_dead_code_and_a_logged_failure(ada, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(services.CodeNotSent):
        _request(ADA_EMAIL)
    assert not SignInCode.objects.filter(expires_at__gt=timezone.now()).exists()
    assert PortalSignIn.objects.get().outcome == Outcome.SEND_FAILED


def test_the_sign_in_log_records_every_step_with_the_customer_when_known(ada, mailoutbox):
    _request("stranger@example.com")
    _request(ADA_EMAIL)
    code = code_in(mailoutbox[0])
    with pytest.raises(CodeRefused):
        _verify(ADA_EMAIL, _wrong(code))
    _verify(ADA_EMAIL, code)
    with pytest.raises(CodeRefused):
        _verify(ADA_EMAIL, code)
    log = list(PortalSignIn.objects.order_by("id").values_list("outcome", "customer"))
    assert log == [
        (Outcome.NO_MATCH, None),
        (Outcome.CODE_SENT, ada.pk),
        (Outcome.WRONG_CODE, ada.pk),
        (Outcome.SIGNED_IN, ada.pk),
        (Outcome.NO_LIVE_CODE, None),
    ]
    digests = set(PortalSignIn.objects.values_list("address_digest", flat=True))
    assert portal_address_parse(ADA_EMAIL).digest in digests
    assert ADA_EMAIL not in digests


def test_the_code_is_written_in_the_customers_language(customer_like, mailoutbox):
    customer_like(email="dora@example.com", language="de")
    _request("dora@example.com")
    assert mailoutbox[0].subject == "Ihr Anmeldecode"


def test_purge_deletes_old_codes_and_old_sign_ins_and_keeps_recent_ones(ada, mailoutbox):
    _request(ADA_EMAIL)
    _request(ADA_EMAIL)
    old = timezone.now() - services.SIGN_INS_KEPT - timedelta(days=1)
    SignInCode.objects.filter(pk=SignInCode.objects.order_by("id").first().pk).update(
        created_at=old
    )
    PortalSignIn.objects.filter(pk=PortalSignIn.objects.order_by("id").first().pk).update(at=old)
    assert services.sign_in_records_purge() == (1, 1)
    assert SignInCode.objects.count() == 1
    assert PortalSignIn.objects.count() == 1


def test_the_purge_command_says_what_it_deleted(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("portal_purge", stdout=out)
    assert "Deleted 0 sign-in codes and 0 sign-in log rows." in out.getvalue()
