"""Retention periods: a dry run reports what each enabled rule would do and changes nothing; a
run applies them chunk by chunk, passing by legal holds and debts, keeping the evidence of
erasures, and a chunk done twice (a killed worker's) erases no one twice."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.models import ActionLog, Customer, Interaction
from customers.services.billing import invoice_record
from customers.services.lifecycle import customer_terminate
from privacy import holds, retention
from privacy.models import ErasureRequest, RetentionRule
from satisfaction import services as satisfaction_services
from satisfaction.models import Response
from tests.factories import CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=3000)


def _enable_every_rule(agent_admin):
    for rule in retention.retention_rules():
        retention.retention_rule_update(
            kind=rule.kind, days=rule.days, enabled=True, actor=agent_admin
        )


@pytest.fixture
def administrator(db):
    from django.contrib.auth.models import Group

    from customers import roles
    from tests.factories import UserFactory

    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


@pytest.fixture
def base(agent, manager, invitation):
    """An old lead, a recent lead, an old lead under a legal hold, a customer terminated long
    ago owing nothing and one still owing, an old interaction and an old survey comment."""
    old_lead = CustomerFactory(given_name="Olga", family_name="Oldlead", actor=agent)
    new_lead = CustomerFactory(given_name="Nina", family_name="Newlead", actor=agent)
    held_lead = CustomerFactory(given_name="Hugo", family_name="Heldlead", actor=agent)
    holds.legal_hold_set(customer=held_lead, reason="Court order 12", actor=manager)
    gone = CustomerFactory(
        given_name="Tom", family_name="Terminated", status=Customer.Status.TERMINATED, actor=agent
    )
    owing = CustomerFactory(given_name="Otto", family_name="Owing", status="active", actor=agent)
    today = timezone.localdate()
    invoice_record(
        customer=owing,
        number="INV-OWING",
        period_start=today.replace(day=1),
        issued_on=today,
        due_on=today + datetime.timedelta(days=14),
        amount=Decimal("9.99"),
        actor=agent,
    )
    customer_terminate(customer=owing, actor=manager, reason="voluntary_churn")
    InteractionFactory(customer=new_lead, summary="Asked about fibre at home", actor=agent)
    satisfaction_services.response_submit(invitation=invitation, score=9, comment="Lovely staff")

    Customer.objects.filter(pk__in=[old_lead.pk, held_lead.pk]).update(
        last_activity_at=LONG_AGO, created_at=LONG_AGO
    )
    Customer.objects.filter(pk__in=[gone.pk, owing.pk]).update(valid_to=LONG_AGO)
    Interaction.objects.update(occurred_at=LONG_AGO)
    Response.objects.update(responded_at=LONG_AGO)
    ActionLog.objects.filter(customer=new_lead).update(created_at=LONG_AGO)
    return {"old": old_lead, "new": new_lead, "held": held_lead, "gone": gone, "owing": owing}


def _run(dry_run, administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = retention.retention_run_request(dry_run=dry_run, actor=administrator)
    run.refresh_from_db()
    return run


def _erased(customer) -> bool:
    customer.party.refresh_from_db()
    return customer.party.display_name.startswith("Erased customer")


def test_the_rules_start_with_their_default_periods_switched_off(db):
    rules = retention.retention_rules()

    assert [rule.kind for rule in rules] == RetentionRule.Kind.values
    assert not any(rule.enabled for rule in rules)
    assert {rule.kind: rule.days for rule in rules} == retention.DEFAULT_DAYS


def test_a_dry_run_reports_and_changes_nothing(
    base, administrator, tasks_in_process, django_capture_on_commit_callbacks
):
    _enable_every_rule(administrator)
    texts = Interaction.objects.exclude(summary="").count()  # the answer recorded one too

    run = _run(True, administrator, django_capture_on_commit_callbacks)

    assert run.status == "done"
    assert (run.leads_erased, run.terminated_erased) == (1, 1)
    assert (run.interactions_scrubbed, run.comments_scrubbed) == (texts, 1)
    assert run.log_entries_deleted > 0
    assert not _erased(base["old"])
    assert Interaction.objects.exclude(summary="").count() == texts


def test_a_run_applies_each_rule_and_passes_by_holds_and_debts(
    base, administrator, tasks_in_process, django_capture_on_commit_callbacks
):
    _enable_every_rule(administrator)

    run = _run(False, administrator, django_capture_on_commit_callbacks)

    assert (run.leads_erased, run.terminated_erased) == (1, 1)
    assert _erased(base["old"]) and _erased(base["gone"])
    assert not _erased(base["new"]) and not _erased(base["held"]) and not _erased(base["owing"])
    assert not Interaction.objects.exclude(summary="").exists()
    assert not Response.objects.exclude(comment="").exists()
    assert not ActionLog.objects.filter(customer=base["new"], created_at=LONG_AGO).exists()
    erased = ErasureRequest.objects.get(customer=base["old"])
    assert erased.reason.startswith("Retention:") and erased.status == "erased"
    assert ActionLog.objects.filter(customer=base["old"], action="customer.erased").exists()


def test_a_rule_switched_off_does_nothing(
    base, administrator, tasks_in_process, django_capture_on_commit_callbacks
):
    run = _run(False, administrator, django_capture_on_commit_callbacks)

    assert run.leads_erased == run.interactions_scrubbed == run.log_entries_deleted == 0
    assert not _erased(base["old"])


def test_a_chunk_done_again_after_a_killed_worker_erases_no_one_twice(base, administrator):
    _enable_every_rule(administrator)
    run = retention.retention_run_request(dry_run=False, actor=administrator)
    (chunk,) = run.chunks.all()

    first = retention.retention_chunk_work(run, chunk)
    again = retention.retention_chunk_work(run, chunk)  # the same range, the work already done

    assert first["leads_erased"] == 1 and again["leads_erased"] == 0
    assert ErasureRequest.objects.filter(customer=base["old"]).count() == 1
    kind = job_kind(retention.KIND)
    assert jobs.job_chunk_run(kind, chunk_id=chunk.pk)["leads_erased"] == 0


def test_only_administrators_start_a_run_or_change_a_rule(agent, manager):
    with pytest.raises(PermissionDenied):
        retention.retention_run_request(dry_run=True, actor=manager)
    with pytest.raises(PermissionDenied):
        retention.retention_rule_update(kind="interactions", days=400, enabled=True, actor=agent)


def test_a_period_under_thirty_days_is_refused(administrator):
    with pytest.raises(ValidationError, match="30 days"):
        retention.retention_rule_update(
            kind="interactions", days=7, enabled=True, actor=administrator
        )
