"""portal.self_service: each change a customer makes goes through the staff's service, logged
with the portal as its actor."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from customers.models import ActionLog, Consent, ContactMedium, Customer, Interaction
from portal import self_service, services
from portal.models import SignInCode
from portal.self_service import PORTAL_ACTOR, ContactChangeRefused
from portal.services import CodeRefused, portal_address_parse
from tests.portal.conftest import ADA_EMAIL, ADA_TWIN_EMAIL, code_in

NEW_EMAIL = "ada.lovelace@example.org"


def _start(customer, address: str, contact=None):
    return self_service.contact_change_start(
        customer=customer, address=portal_address_parse(address), contact=contact
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _ada_email(ada) -> ContactMedium:
    return ada.party.contact_media.get(kind="email")


def test_a_new_email_gets_a_code_and_counts_only_once_it_is_entered(ada, mailoutbox):
    pending = _start(ada, NEW_EMAIL, _ada_email(ada))
    assert mail.outbox[-1].to == [NEW_EMAIL]
    assert _ada_email(ada).value == ADA_EMAIL  # nothing changed yet

    self_service.contact_change_confirm(
        customer=ada, pending=pending, code=code_in(mail.outbox[-1])
    )

    changed = _ada_email(ada)
    assert (changed.value, changed.is_verified) == (NEW_EMAIL, True)
    entry = ActionLog.objects.filter(customer=ada, action="contact_medium.changed").get()
    assert entry.actor_label == PORTAL_ACTOR
    assert entry.actor is None
    assert entry.data["after"]["value"] == NEW_EMAIL


def test_an_added_mobile_number_is_verified(ada, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "sms_send", lambda *, to, text: sent.append((to, text)))
    pending = _start(ada, "+447400123456")
    [(to, text)] = sent
    assert to == "+447400123456"
    self_service.contact_change_confirm(customer=ada, pending=pending, code=code_in(text))
    assert ada.party.contact_media.get(value="+447400123456").is_verified
    assert ActionLog.objects.filter(
        customer=ada, action="contact_medium.added", actor_label=PORTAL_ACTOR
    ).exists()


def test_a_contact_code_is_good_once(ada, mailoutbox):
    pending = _start(ada, NEW_EMAIL)
    code = code_in(mail.outbox[-1])
    self_service.contact_change_confirm(customer=ada, pending=pending, code=code)
    with pytest.raises(CodeRefused):
        self_service.contact_change_confirm(customer=ada, pending=pending, code=code)


def test_an_expired_contact_code_is_refused(ada, mailoutbox):
    pending = _start(ada, NEW_EMAIL)
    SignInCode.objects.filter(purpose=SignInCode.Purpose.CONTACT).update(
        expires_at=SignInCode.objects.get(purpose="contact").created_at
    )
    with pytest.raises(CodeRefused):
        self_service.contact_change_confirm(
            customer=ada, pending=pending, code=code_in(mail.outbox[-1])
        )
    assert not ada.party.contact_media.filter(value=NEW_EMAIL).exists()


def test_a_contact_code_cannot_be_guessed(ada, mailoutbox):
    pending = _start(ada, NEW_EMAIL)
    code = code_in(mail.outbox[-1])
    for _ in range(services.CODE_MAX_TRIES):
        with pytest.raises(CodeRefused):
            self_service.contact_change_confirm(customer=ada, pending=pending, code=_wrong(code))
    with pytest.raises(CodeRefused):  # the right code, too late
        self_service.contact_change_confirm(customer=ada, pending=pending, code=code)
    assert not ada.party.contact_media.filter(value=NEW_EMAIL).exists()


def test_a_contact_code_is_no_sign_in_code_and_no_other_customers_code(ada, otto, mailoutbox):
    pending = _start(ada, NEW_EMAIL)
    code = code_in(mail.outbox[-1])
    with pytest.raises(CodeRefused):
        services.sign_in_code_verify(address_digest=pending.address.digest, code=code)
    with pytest.raises(CodeRefused):
        self_service.contact_change_confirm(customer=otto, pending=pending, code=code)
    self_service.contact_change_confirm(customer=ada, pending=pending, code=code)


def test_contact_codes_are_throttled(ada, mailoutbox):
    for _ in range(services.CODES_PER_ADDRESS):
        _start(ada, NEW_EMAIL)
    with pytest.raises(services.CodeThrottled):
        _start(ada, NEW_EMAIL)
    assert len(mail.outbox) == services.CODES_PER_ADDRESS


def test_an_address_of_the_other_kind_or_already_held_is_refused_before_any_code(ada, mailoutbox):
    with pytest.raises(ContactChangeRefused) as refused:
        _start(ada, "+447400123456", _ada_email(ada))
    assert refused.value.reason == "contact_kind_differs"
    with pytest.raises(ContactChangeRefused) as refused:
        _start(ada, ADA_EMAIL)
    assert refused.value.reason == "contact_already_yours"
    assert mail.outbox == []


def test_an_address_another_customer_verified_is_refused_as_a_duplicate(ada, ada_twin, mailoutbox):
    pending = _start(ada, ADA_TWIN_EMAIL, _ada_email(ada))
    with pytest.raises(ContactChangeRefused) as refused:
        self_service.contact_change_confirm(
            customer=ada, pending=pending, code=code_in(mail.outbox[-1])
        )
    assert refused.value.reason == "contact_duplicate"
    assert _ada_email(ada).value == ADA_EMAIL
    assert not ActionLog.objects.filter(customer=ada, action="contact_medium.changed").exists()


def test_preferences_are_changed_through_the_service_and_logged(ada):
    import datetime

    self_service.preferences_change(
        customer=ada,
        language="de",
        preferred_channel="sms",
        contact_time_from=datetime.time(9),
        contact_time_to=datetime.time(18),
        contact_on_weekends=True,
        statement_format="portal",
        statement_frequency="quarterly",
        itemised_statement=True,
    )
    ada.preferences.refresh_from_db()
    assert (ada.preferences.language, ada.preferences.statement_frequency) == ("de", "quarterly")
    entry = ActionLog.objects.get(customer=ada, action="preferences.changed")
    assert entry.actor_label == PORTAL_ACTOR


def test_an_empty_contact_window_is_refused(ada):
    import datetime

    with pytest.raises(ValidationError) as error:
        self_service.preferences_change(
            customer=ada, contact_time_from=datetime.time(9), contact_time_to=datetime.time(9)
        )
    assert "contact_time_to" in error.value.error_dict


def test_a_consent_withdrawn_keeps_its_history(ada):
    marketing_by_email = {"customer": ada, "channel": "email", "purpose": "marketing"}
    self_service.consent_change(**marketing_by_email, granted=True)
    consent = self_service.consent_change(**marketing_by_email, granted=False)
    assert (consent.granted, consent.source) == (False, Consent.Source.WEB)
    from portal.selectors import customer_consents

    [row] = [r for r in customer_consents(ada) if (r.purpose, r.channel) == ("marketing", "email")]
    assert row.granted is False
    assert [entry.action for entry in row.history] == ["consent.withdrawn", "consent.granted"]
    assert {entry.actor_label for entry in row.history} == {PORTAL_ACTOR}


def test_the_consent_page_reads_its_history_in_two_queries(ada, django_assert_num_queries):
    from portal.selectors import customer_consents

    for channel in ("email", "sms", "phone"):
        self_service.consent_change(customer=ada, channel=channel, purpose="surveys", granted=True)
    with django_assert_num_queries(2):
        rows = customer_consents(ada)
    assert len(rows) == len(Consent.Channel.values) * len(Consent.Purpose.values)


def test_a_complaint_becomes_an_open_web_interaction_owned_by_the_account_manager(ada, agent_user):
    Customer.objects.filter(pk=ada.pk).update(account_manager=agent_user)
    ada.refresh_from_db()
    interaction = self_service.inquiry_raise(
        customer=ada, kind="complaint", summary="  My line drops every evening. "
    )
    assert (interaction.channel, interaction.direction) == ("web", "inbound")
    assert (interaction.kind, interaction.outcome) == ("complaint", "open")
    assert interaction.closed_at is None
    assert interaction.owner == agent_user
    assert interaction.staff is None
    assert interaction.summary == "My line drops every evening."
    assert ActionLog.objects.get(customer=ada, action="interaction.recorded").actor_label == (
        PORTAL_ACTOR
    )


def test_an_inquiry_without_an_account_manager_waits_unassigned(ada):
    interaction = self_service.inquiry_raise(customer=ada, kind="inquiry", summary="A question")
    assert interaction.owner is None
    assert interaction.outcome == Interaction.Outcome.OPEN


def test_an_account_manager_who_may_not_own_interactions_is_not_made_owner(ada, staff_user):
    Customer.objects.filter(pk=ada.pk).update(account_manager=staff_user)  # no role
    ada.refresh_from_db()
    assert self_service.inquiry_raise(customer=ada, kind="inquiry", summary="?").owner is None


def test_only_a_question_or_a_complaint_may_be_raised(ada):
    with pytest.raises(ValidationError):
        self_service.inquiry_raise(customer=ada, kind="retention", summary="Cancel")
    with pytest.raises(ValidationError):
        self_service.inquiry_raise(customer=ada, kind="inquiry", summary="   ")


def test_a_data_export_is_asked_for_and_written_in_the_background(
    ada, settings, tmp_path, tasks_in_process, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        export = self_service.data_export_request(customer=ada)
    export.refresh_from_db()
    assert export.status == "done"
    path, _ = self_service.data_export_file(customer=ada, export_id=export.pk, kind="json")
    assert ada.number in path.read_text()
    actions = ActionLog.objects.filter(customer=ada, action__startswith="subject_access.")
    assert {(e.action, e.actor_label) for e in actions} == {
        ("subject_access.requested", PORTAL_ACTOR),
        ("subject_access.downloaded", PORTAL_ACTOR),
    }


def test_a_request_to_be_forgotten_is_recorded_by_the_data_rights_service_as_theirs(ada):
    request = self_service.erasure_ask(customer=ada, reason="Please  forget me.")
    assert (request.status, request.requested_by) == ("requested", None)
    assert request.reason == "Asked on the customer portal: Please forget me."
    entry = ActionLog.objects.get(customer=ada, action="erasure.requested")
    assert entry.actor_label == "portal"


def test_a_request_to_be_forgotten_waits_for_the_relationship_to_end_before_approval(ada, manager):
    from privacy.erasure import erasure_approve

    request = self_service.erasure_ask(customer=ada, reason="Please forget me.")
    with pytest.raises(ValidationError, match="has not ended"):
        erasure_approve(request=request, actor=manager)
    with pytest.raises(ValidationError, match="already waiting"):
        self_service.erasure_ask(customer=ada, reason="Again.")


def test_every_word_of_the_new_pages_is_written_in_each_language():
    from portal import texts

    for language in ("de", "fr", "es"):
        missing = set(texts._SELF_SERVICE["en"]) - set(texts._SELF_SERVICE[language])
        assert not missing, (language, missing)
