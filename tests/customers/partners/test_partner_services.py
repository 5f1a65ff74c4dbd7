import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Partner
from customers.partners.models import ApiToken
from customers.partners.services.partners import (
    PARTNER_TRANSITIONS,
    partner_actions_allowed,
    partner_create,
    partner_transition,
    partner_update,
    token_authenticate,
    token_issue,
    token_revoke,
    token_rotate,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

Status = Partner.Status
READ = ApiToken.Scope.READ
WRITE = ApiToken.Scope.WRITE

ALLOWED_MOVES = [
    (Status.APPLIED, "validate", Status.VALIDATED),
    (Status.VALIDATED, "approve", Status.APPROVED),
    (Status.APPROVED, "suspend", Status.SUSPENDED),
    (Status.SUSPENDED, "reinstate", Status.APPROVED),
    (Status.APPLIED, "terminate", Status.TERMINATED),
    (Status.VALIDATED, "terminate", Status.TERMINATED),
    (Status.APPROVED, "terminate", Status.TERMINATED),
    (Status.SUSPENDED, "terminate", Status.TERMINATED),
]
REFUSED_MOVES = [
    (status, action)
    for status in Status
    for action, (sources, _) in PARTNER_TRANSITIONS.items()
    if status not in sources
]


def _issue(partner, actor, *, scopes=(READ,), name="billing sync"):
    return token_issue(partner=partner, name=name, scopes=list(scopes), actor=actor)


def _at(moment):
    """Services read the clock through django.utils.timezone.now."""
    return mock.patch.object(timezone, "now", return_value=moment)


# --- Applications -------------------------------------------------------------------------------


def test_an_application_starts_as_applied_and_is_logged_with_its_partner(manager):
    partner = partner_create(
        name="  Blue MVNO ",
        registration_number=" gb123 ",
        contact_email="Ops@Blue.Example",
        actor=manager,
    )

    assert partner.status == Status.APPLIED
    assert (partner.name, partner.registration_number) == ("Blue MVNO", "GB123")
    assert partner.contact_email == "ops@blue.example"
    entry = ActionLog.objects.get(action="partner.applied")
    assert (entry.partner, entry.actor, entry.customer) == (partner, manager, None)


def test_a_second_partner_with_the_same_name_is_refused(manager):
    partner_create(name="Blue MVNO", actor=manager)

    with pytest.raises(ValidationError) as refused:
        partner_create(name="Blue MVNO", actor=manager)

    assert "already exists" in refused.value.message_dict["name"][0]
    assert Partner.objects.filter(name="Blue MVNO").count() == 1


def test_an_update_logs_old_and_new_values_with_the_partner(manager):
    partner = PartnerFactory(rate_limit_per_minute=600)

    partner_update(partner=partner, actor=manager, rate_limit_per_minute=120)

    partner.refresh_from_db()
    assert partner.rate_limit_per_minute == 120
    entry = ActionLog.objects.get(action="partner.updated")
    assert entry.partner == partner
    assert entry.data == {"rate_limit_per_minute": [600, 120]}


def test_an_update_cannot_change_the_status(manager):
    partner = PartnerFactory(status=Status.APPLIED)

    with pytest.raises(ValidationError, match="cannot be changed here: status"):
        partner_update(partner=partner, actor=manager, status=Status.APPROVED)


# --- Lifecycle ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "action", "end"), ALLOWED_MOVES)
def test_each_allowed_move_reaches_its_status_and_is_logged_with_the_partner(
    manager, start, action, end
):
    partner = PartnerFactory(status=start)

    moved = partner_transition(
        partner=partner, action=action, actor=manager, reason="contract ended"
    )

    assert moved.status == end
    partner.refresh_from_db()
    assert partner.status == end
    entry = ActionLog.objects.get(action=f"partner.{action}")
    assert entry.partner == partner
    assert entry.actor == manager
    assert entry.data == {"from": start, "to": end, "reason": "contract ended"}


@pytest.mark.parametrize(("start", "action"), REFUSED_MOVES)
def test_each_refused_move_names_the_status_and_what_is_allowed(manager, start, action):
    partner = PartnerFactory(status=start, name="Blue MVNO")
    allowed = ", ".join(partner_actions_allowed(partner)) or "nothing"

    with pytest.raises(ValidationError) as refused:
        partner_transition(partner=partner, action=action, actor=manager, reason="because")

    assert refused.value.messages == [
        f"Cannot {action} partner Blue MVNO: it is {start.label.lower()}. Allowed: {allowed}."
    ]
    partner.refresh_from_db()
    assert partner.status == start
    assert not ActionLog.objects.filter(partner=partner).exists()


def test_a_terminated_partner_allows_nothing(manager):
    partner = PartnerFactory(status=Status.TERMINATED, name="Gone Ltd")

    with pytest.raises(ValidationError) as refused:
        partner_transition(partner=partner, action="reinstate", actor=manager)

    assert refused.value.messages == [
        "Cannot reinstate partner Gone Ltd: it is terminated. Allowed: nothing."
    ]


@pytest.mark.parametrize("action", ["suspend", "terminate"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_suspending_or_terminating_needs_a_reason(manager, action, reason):
    partner = PartnerFactory(status=Status.APPROVED)

    with pytest.raises(ValidationError) as refused:
        partner_transition(partner=partner, action=action, actor=manager, reason=reason)

    assert refused.value.message_dict == {"reason": [f"Give a reason to {action} the partner."]}
    partner.refresh_from_db()
    assert partner.status == Status.APPROVED


def test_the_reason_is_kept_on_the_partner(manager):
    partner = PartnerFactory(status=Status.APPROVED)

    partner_transition(partner=partner, action="suspend", actor=manager, reason=" unpaid fees ")

    partner.refresh_from_db()
    assert partner.status_reason == "unpaid fees"


def test_an_unknown_action_is_refused(manager):
    with pytest.raises(ValidationError, match="Unknown partner action 'promote'"):
        partner_transition(partner=PartnerFactory(), action="promote", actor=manager)


# --- Tokens -------------------------------------------------------------------------------------


def test_issuing_a_token_stores_only_a_hash_of_it(manager):
    partner = PartnerFactory()

    issued = _issue(partner, manager)

    token = ApiToken.objects.get()
    assert issued.secret.startswith(f"crm_{token.prefix}_")
    assert token.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    stored = [str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields]
    secret_part = issued.secret.removeprefix(f"crm_{token.prefix}_")
    assert not any(secret_part in value for value in stored)
    assert token.created_by == manager


def test_the_issued_token_authenticates_and_records_its_use(manager):
    partner = PartnerFactory()
    issued = _issue(partner, manager)

    token = token_authenticate(issued.secret)

    assert token == issued.token
    assert token.partner == partner
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_a_token_used_a_moment_ago_authenticates_without_a_query(
    manager, django_assert_num_queries
):
    issued = _issue(PartnerFactory(), manager)
    token_authenticate(issued.secret)

    with django_assert_num_queries(0):
        token = token_authenticate(issued.secret)

    assert token == issued.token


def test_revoking_a_token_just_used_stops_it_at_once(manager, django_capture_on_commit_callbacks):
    issued = _issue(PartnerFactory(), manager)
    token_authenticate(issued.secret)

    with django_capture_on_commit_callbacks(execute=True):
        token_revoke(token=issued.token, actor=manager)

    assert token_authenticate(issued.secret) is None


def test_suspending_a_partner_stops_its_tokens_just_used_at_once(
    manager, django_capture_on_commit_callbacks
):
    partner = PartnerFactory()
    issued = _issue(partner, manager)
    token_authenticate(issued.secret)

    with django_capture_on_commit_callbacks(execute=True):
        partner_transition(partner=partner, action="suspend", actor=manager, reason="unpaid")

    assert token_authenticate(issued.secret) is None


def test_a_token_changed_a_moment_ago_is_read_from_the_database_each_time(
    manager, django_capture_on_commit_callbacks, django_assert_num_queries
):
    old = _issue(PartnerFactory(), manager)
    token_authenticate(old.secret)
    with django_capture_on_commit_callbacks(execute=True):
        token_rotate(token=old.token, actor=manager, grace=timedelta(hours=1))

    for _ in range(2):
        with django_assert_num_queries(1):
            assert token_authenticate(old.secret) == old.token


def test_a_cached_token_still_ends_when_its_grace_period_does(manager):
    old = _issue(PartnerFactory(), manager)
    token_rotate(token=old.token, actor=manager, grace=timedelta(hours=1))
    old.token.refresh_from_db()
    assert token_authenticate(old.secret) == old.token

    with _at(old.token.expires_at + timedelta(seconds=1)):
        assert token_authenticate(old.secret) is None


@pytest.mark.parametrize(
    "raw",
    ["", "crm_", "crm_nope_nope", "bearer abc", "crm__"],
)
def test_made_up_tokens_do_not_authenticate(manager, raw):
    _issue(PartnerFactory(), manager)

    assert token_authenticate(raw) is None


def test_the_right_prefix_with_a_wrong_secret_does_not_authenticate(manager):
    issued = _issue(PartnerFactory(), manager)

    assert token_authenticate(f"crm_{issued.token.prefix}_guessed") is None


def test_a_revoked_token_does_not_authenticate(manager):
    issued = _issue(PartnerFactory(), manager)

    token_revoke(token=issued.token, actor=manager)

    assert token_authenticate(issued.secret) is None
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == manager


def test_an_expired_token_does_not_authenticate(manager):
    issued = _issue(PartnerFactory(), manager)
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert token_authenticate(issued.secret) is None


def test_rotating_without_grace_stops_the_old_token_at_once(manager):
    old = _issue(PartnerFactory(), manager, scopes=[READ, WRITE])

    new = token_rotate(token=old.token, actor=manager)

    assert token_authenticate(old.secret) is None
    assert token_authenticate(new.secret) == new.token
    assert (new.token.name, new.token.scopes) == (old.token.name, sorted([READ, WRITE]))


def test_rotating_with_grace_keeps_the_old_token_working_until_it_expires(manager):
    old = _issue(PartnerFactory(), manager)

    new = token_rotate(token=old.token, actor=manager, grace=timedelta(hours=1))

    old.token.refresh_from_db()
    assert old.token.revoked_at is None
    assert old.token.expires_at is not None
    assert token_authenticate(old.secret) == old.token
    assert token_authenticate(new.secret) == new.token
    with _at(old.token.expires_at - timedelta(seconds=1)):
        assert token_authenticate(old.secret) == old.token
    with _at(old.token.expires_at + timedelta(seconds=1)):
        assert token_authenticate(old.secret) is None
        assert token_authenticate(new.secret) == new.token


def test_a_token_that_was_rotated_out_cannot_be_rotated_again(manager):
    old = _issue(PartnerFactory(), manager)
    token_rotate(token=old.token, actor=manager)

    with pytest.raises(ValidationError, match="no longer active"):
        token_rotate(token=old.token, actor=manager)


@pytest.mark.parametrize("status", [Status.APPLIED, Status.VALIDATED])
def test_tokens_do_not_work_before_the_partner_is_approved(manager, status):
    issued = _issue(PartnerFactory(status=status), manager)

    assert token_authenticate(issued.secret) is None


def test_a_suspended_partners_tokens_stop_working_until_it_is_reinstated(manager):
    partner = PartnerFactory()
    issued = _issue(partner, manager)

    partner_transition(partner=partner, action="suspend", actor=manager, reason="unpaid fees")
    assert token_authenticate(issued.secret) is None

    partner_transition(partner=partner, action="reinstate", actor=manager)
    assert token_authenticate(issued.secret) == issued.token


def test_a_terminated_partners_tokens_stop_working_and_it_gets_no_new_ones(manager):
    partner = PartnerFactory()
    issued = _issue(partner, manager)

    terminated = partner_transition(
        partner=partner, action="terminate", actor=manager, reason="contract end"
    )

    assert token_authenticate(issued.secret) is None
    with pytest.raises(ValidationError, match="is terminated; it gets no new tokens"):
        _issue(terminated, manager)


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [
        ("  ", [READ], "name"),
        ("sync", [], "scopes"),
        ("sync", ["customer:delete"], "scopes"),
    ],
)
def test_a_token_needs_a_name_and_known_scopes(manager, name, scopes, field):
    with pytest.raises(ValidationError) as refused:
        token_issue(partner=PartnerFactory(), name=name, scopes=scopes, actor=manager)

    assert list(refused.value.message_dict) == [field]
    assert not ApiToken.objects.exists()


def test_a_token_with_only_the_read_scope_is_read_only(manager):
    assert _issue(PartnerFactory(), manager, scopes=[READ]).token.is_read_only
    assert not _issue(PartnerFactory(), manager, scopes=[READ, WRITE]).token.is_read_only


def test_token_actions_are_logged_with_the_partner_and_never_the_secret(manager):
    partner = PartnerFactory()
    first = _issue(partner, manager)
    second = token_rotate(token=first.token, actor=manager, grace=timedelta(hours=24))
    token_revoke(token=second.token, actor=manager)

    entries = ActionLog.objects.filter(partner=partner).order_by("created_at", "id")

    assert [e.action for e in entries] == [
        "partner.token_issued",
        "partner.token_issued",
        "partner.token_rotated",
        "partner.token_revoked",
    ]
    assert all(e.actor == manager for e in entries)
    logged = " ".join(str(e.data) for e in entries)
    assert first.secret not in logged
    assert second.secret not in logged
    assert entries[2].data["successor"] == second.token.prefix
