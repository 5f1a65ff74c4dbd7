"""Events that matter to a customer's risk ask for one rescore of that customer, written with
the event itself and carried out after it commits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from crm.celery import app
from crm.jobs.kinds import job_kind
from crm.jobs.services import job_chunks_stalled, job_lease
from crm.jobs.tasks import jobs_resume
from customers.models import Customer, Interaction, LatestScores
from customers.services import (
    customer_terminate,
    interaction_record,
    payment_record,
    subscription_change,
    subscription_end,
)
from risk import runs, services
from risk.models import CustomerScore, RescoreRequest
from risk.tasks import customer_rescore, rescores_resume
from tests.factories import InteractionFactory, InvoiceFactory, SubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _complaint(customer):
    return InteractionFactory(
        customer=customer, kind=Interaction.Kind.COMPLAINT, summary="Line keeps dropping"
    )


def test_a_complaint_asks_for_a_rescore_that_runs_after_commit(
    established, django_capture_on_commit_callbacks
):
    (customer,) = established(1)

    with django_capture_on_commit_callbacks(execute=True):
        _complaint(customer)

    assert not RescoreRequest.objects.filter(customer=customer).exists()  # done and removed
    score = CustomerScore.objects.get(customer=customer)
    assert score.run is None
    assert "1 complaint in the last 90 days" in " ".join(score.reasons["churn"])
    assert LatestScores.objects.filter(customer=customer).exists()


def test_an_inquiry_asks_for_no_rescore(established, django_capture_on_commit_callbacks):
    (customer,) = established(1)

    with django_capture_on_commit_callbacks() as callbacks:
        InteractionFactory(customer=customer, kind=Interaction.Kind.INQUIRY)

    assert callbacks == []
    assert not RescoreRequest.objects.exists()


def test_a_late_payment_asks_for_a_rescore(established, django_capture_on_commit_callbacks):
    (customer,) = established(1)
    invoice = InvoiceFactory(
        customer=customer,
        issued_on=timezone.localdate() - timedelta(days=40),
        due_on=timezone.localdate() - timedelta(days=26),
    )

    with django_capture_on_commit_callbacks() as callbacks:
        payment_record(
            customer=customer,
            amount=Decimal("40.00"),
            received_on=timezone.localdate(),
            method="card",
            reference="PAY-LATE-1",
            actor=None,
            invoice=invoice,
        )

    assert RescoreRequest.objects.get(customer=customer).reasons == ["payment recorded"]
    assert len(callbacks) == 1


@pytest.mark.parametrize("change", ["added", "changed", "ended"])
def test_a_product_added_changed_or_ended_asks_for_a_rescore(established, change):
    (customer,) = established(1)
    RescoreRequest.objects.all().delete()

    if change == "added":
        SubscriptionFactory(customer=customer)
    else:
        subscription = customer.subscriptions.first()
        if change == "changed":
            subscription_change(subscription=subscription, actor=None, monthly_charge=Decimal("1"))
        else:
            subscription_end(subscription=subscription, actor=None, end_date=timezone.localdate())

    request = RescoreRequest.objects.get(customer=customer)
    assert request.reasons == [f"product {change}"]


def test_events_in_a_burst_share_one_request_and_one_task(
    established, django_capture_on_commit_callbacks
):
    (customer,) = established(1)

    with django_capture_on_commit_callbacks() as callbacks:
        _complaint(customer)
        _complaint(customer)
        customer_terminate(customer=customer, actor=None, reason="voluntary_churn")

    request = RescoreRequest.objects.get(customer=customer)
    assert request.reasons == ["complaint recorded", "lifecycle: terminate"]
    assert len(callbacks) == 1


def test_an_event_rolled_back_asks_for_nothing(established):
    (customer,) = established(1)

    with pytest.raises(RuntimeError), transaction.atomic():
        _complaint(customer)
        raise RuntimeError("the surrounding work failed")

    assert not RescoreRequest.objects.exists()


def test_a_rescore_delivered_twice_scores_once(established):
    (customer,) = established(1)
    services.customer_rescore_request(customer_id=customer.pk, reason="complaint recorded")

    assert customer_rescore.run(customer.pk) is True
    assert customer_rescore.run(customer.pk) is False  # the request is gone: nothing to do

    assert CustomerScore.objects.filter(customer=customer).count() == 1


def test_a_terminated_customer_loses_their_current_scores_but_keeps_the_history(
    established, django_capture_on_commit_callbacks
):
    (customer,) = established(1)
    services.customer_rescore(customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        customer_terminate(customer=customer, actor=None, reason="voluntary_churn")

    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.TERMINATED
    assert not LatestScores.objects.filter(customer=customer).exists()
    assert CustomerScore.objects.filter(customer=customer).count() == 1


def test_the_watchdog_carries_out_requests_whose_task_was_lost(established, settings):
    first, second = established(2)
    services.customer_rescore_request(customer_id=first.pk, reason="complaint recorded")
    services.customer_rescore_request(customer_id=second.pk, reason="complaint recorded")
    long_ago = timezone.now() - timedelta(seconds=settings.RISK_RESCORE_DELAY_SECONDS + 3600)
    RescoreRequest.objects.filter(customer=first).update(requested_at=long_ago)

    assert services.rescore_requests_stalled() == [first.pk]
    assert rescores_resume.run() == 1  # tasks run in-process

    assert list(RescoreRequest.objects.values_list("customer_id", flat=True)) == [second.pk]
    assert CustomerScore.objects.filter(customer=first).count() == 1


def test_the_watchdog_requeues_chunks_of_a_dead_worker_and_lost_messages(established):
    established(3)
    run = runs.scoring_run_start(chunk_size=1)
    dead, lost, live = run.chunks.order_by("first_id")
    lease_ago = timezone.now() - job_lease() - timedelta(seconds=1)
    dead.claimed_at = lease_ago
    dead.save()
    live.claimed_at = timezone.now()
    live.save()

    # Queued just now, the untouched chunk's message is still on its way; the dead one is free.
    assert job_chunks_stalled(job_kind(runs.KIND)) == [dead.pk]
    type(run).objects.filter(pk=run.pk).update(requested_at=lease_ago)

    assert job_chunks_stalled(job_kind(runs.KIND)) == [dead.pk, lost.pk]


def test_the_watchdog_is_declared_for_beat_every_five_minutes():
    every_five_minutes = {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55}
    for name, task in (
        ("resume-background-jobs", jobs_resume),
        ("resume-rescores", rescores_resume),
    ):
        entry = app.conf.beat_schedule[name]
        assert entry["task"] == task.name
        assert entry["schedule"].minute == every_five_minutes


def test_interaction_recorded_for_a_lead_asks_for_a_rescore_with_nothing_to_score(
    django_capture_on_commit_callbacks,
):
    from tests.factories import CustomerFactory

    lead = CustomerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        interaction_record(
            customer=lead,
            channel=Interaction.Channel.EMAIL,
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.COMPLAINT,
            summary="Nobody called back",
            actor=None,
        )

    assert not RescoreRequest.objects.exists()
    assert not CustomerScore.objects.filter(customer=lead).exists()


@pytest.mark.django_db(transaction=True)  # the scheduler closes connections in a transaction
def test_the_database_scheduler_installs_the_scoring_jobs_for_admin_to_edit():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=app)

    installed = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    assert installed["score-customers-nightly"].task == "risk.tasks.scoring_run_start"
    assert installed["retrain-challengers-monthly"].crontab.day_of_month == "2"
    assert installed["resume-background-jobs"].crontab.minute == "*/5"
    assert installed["resume-rescores"].crontab.minute == "*/5"
    assert all(installed[name].enabled for name in installed)
