"""Scoring runs, single rescores and model versions, through the services on real tables."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.celery import app
from crm.jobs.kinds import job_kind
from crm.jobs.services import CHUNK_ATTEMPTS, job_chunk_failed, job_lease
from customers.identity.services.merge import customers_merge
from customers.models import Customer, LatestScores
from risk import challengers, defaults, runs, services
from risk.models import (
    CustomerScore,
    RetrainRun,
    RiskModel,
    ScoreKind,
    ScoringChunk,
    ScoringRun,
)
from risk.tasks import models_retrain, scoring_run_start
from tests.factories import CustomerFactory, InvoiceFactory, ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _established(count: int) -> list[Customer]:
    product = ProductFactory(code="MOB-RISK", list_price=Decimal("30.00"))
    customers = []
    for n in range(count):
        customer = CustomerFactory(status=Customer.Status.ACTIVE, family_name=f"Scored {n}")
        SubscriptionFactory(
            customer=customer,
            product=product,
            monthly_charge=Decimal("30.00") + n,
            start_date=timezone.localdate() - timedelta(days=400),
        )
        customers.append(customer)
    return customers


def _run_all(run: ScoringRun) -> int:
    return sum(
        runs.scoring_chunk_run(chunk_id=chunk_id)
        for chunk_id in runs.scoring_pending_chunks(run_id=run.pk)
    )


def test_a_new_install_scores_with_default_models_created_on_first_use():
    model = services.active_model(ScoreKind.CHURN)

    assert model.version == 1 and model.is_active
    assert model.artifact == defaults.CHURN
    assert "too little history" in model.metrics["source"]
    assert services.active_model(ScoreKind.CHURN).pk == model.pk


def test_a_run_scores_every_established_customer_once_and_leaves_leads_alone():
    customers = _established(5)
    lead = CustomerFactory(family_name="Only a lead")

    run = runs.scoring_run_start(chunk_size=2)
    scored = _run_all(run)

    run.refresh_from_db()
    assert scored == 5
    assert run.status == ScoringRun.Status.DONE
    assert run.chunks_done == run.chunks_total
    assert run.customers_scored == 5
    assert set(run.models_used) == set(ScoreKind.values)
    assert CustomerScore.objects.filter(run=run).count() == 5
    assert set(LatestScores.objects.values_list("customer_id", flat=True)) == {
        c.pk for c in customers
    }
    assert not LatestScores.objects.filter(customer=lead).exists()


def test_the_run_ranks_lifetime_value_into_segments_across_the_base():
    _established(20)

    run = runs.scoring_run_start(chunk_size=3)
    _run_all(run)

    run.refresh_from_db()
    segments = list(
        LatestScores.objects.order_by("-lifetime_value").values_list("value_segment", flat=True)
    )
    assert segments[0] == LatestScores.ValueSegment.TOP
    assert segments[-1] == LatestScores.ValueSegment.STANDARD
    assert segments.count(LatestScores.ValueSegment.TOP) == 1  # 5 % of 20
    assert segments.count(LatestScores.ValueSegment.HIGH) == 3  # the next 15 %
    assert run.value_thresholds["top"] >= run.value_thresholds["high"]


def test_a_second_run_cannot_start_while_one_is_in_progress():
    _established(2)
    runs.scoring_run_start()

    with pytest.raises(ValidationError, match="already in progress"):
        runs.scoring_run_start()
    assert scoring_run_start.run() is None  # the nightly task simply skips
    assert ScoringRun.objects.count() == 1


def test_a_chunk_delivered_twice_writes_its_scores_once():
    _established(3)
    run = runs.scoring_run_start()
    (chunk_id,) = runs.scoring_pending_chunks(run_id=run.pk)

    first = runs.scoring_chunk_run(chunk_id=chunk_id)
    second = runs.scoring_chunk_run(chunk_id=chunk_id)

    assert (first, second) == (3, 0)
    assert CustomerScore.objects.count() == 3
    run.refresh_from_db()
    assert run.chunks_done == 1 and run.customers_scored == 3


def test_a_chunk_whose_worker_died_is_taken_over_after_its_lease():
    _established(2)
    run = runs.scoring_run_start()
    chunk = run.chunks.get()
    ScoringChunk.objects.filter(pk=chunk.pk).update(claimed_at=timezone.now())
    assert runs.scoring_pending_chunks(run_id=run.pk) == []
    assert runs.scoring_chunk_run(chunk_id=chunk.pk) == 0  # still leased

    ScoringChunk.objects.filter(pk=chunk.pk).update(
        claimed_at=timezone.now() - job_lease() - timedelta(seconds=1)
    )

    assert runs.scoring_chunk_run(chunk_id=chunk.pk) == 2
    assert CustomerScore.objects.count() == 2


def test_a_chunk_failing_for_the_last_time_fails_the_run_with_a_message():
    _established(2)
    run = runs.scoring_run_start()
    chunk = run.chunks.get()

    ScoringChunk.objects.filter(pk=chunk.pk).update(attempts=CHUNK_ATTEMPTS)

    assert job_chunk_failed(job_kind(runs.KIND), chunk_id=chunk.pk, error="boom") is False

    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED
    assert "1 of 1 chunks failed" in run.error
    assert (run.chunks_done, run.chunks_failed) == (1, 1)
    chunk.refresh_from_db()
    assert chunk.failed and chunk.error == "boom" and chunk.done_at is not None


def test_rescoring_one_customer_adds_to_the_history_and_updates_the_latest_scores():
    (customer,) = _established(1)
    InvoiceFactory(
        customer=customer,
        issued_on=timezone.localdate() - timedelta(days=100),
        amount=Decimal("30.00"),
    )

    first = services.customer_rescore(customer=customer)
    second = services.customer_rescore(customer=customer)

    assert first.pk != second.pk
    assert CustomerScore.objects.filter(customer=customer).count() == 2
    latest = LatestScores.objects.get(customer=customer)
    assert latest.churn_risk == second.churn_risk
    assert latest.credit_rating in {"A", "B", "C", "D", "E"}
    # The overdue invoice costs credit points and says so.
    assert "1 invoice unpaid for over 60 days" in second.reasons["credit"]


def test_a_lead_has_nothing_to_rescore():
    lead = CustomerFactory()

    assert services.customer_rescore(customer=lead) is None
    assert not LatestScores.objects.filter(customer=lead).exists()


def test_merging_moves_the_score_history_and_keeps_the_survivors_latest_scores():
    survivor, merged = _established(2)
    services.customer_rescore(customer=survivor)
    services.customer_rescore(customer=merged)
    survivor_latest = LatestScores.objects.get(customer=survivor).churn_risk

    customers_merge(survivor=survivor, merged=merged, actor=None)

    assert CustomerScore.objects.filter(customer=survivor).count() == 2
    assert not LatestScores.objects.filter(customer=merged).exists()
    assert LatestScores.objects.get(customer=survivor).churn_risk == survivor_latest


def test_training_numbers_versions_and_keeps_one_active_model_per_kind():
    first = services.model_train(ScoreKind.VALUE)
    second = services.model_train(ScoreKind.VALUE)

    assert (first.version, second.version) == (1, 2)
    assert list(RiskModel.objects.filter(kind="value", is_active=True)) == [second]


def test_training_churn_without_enough_history_is_a_clear_command_error():
    _established(3)

    with pytest.raises(CommandError, match="at least 100 customers"):
        call_command("train_model", "churn", stdout=StringIO())


def test_the_monthly_retrain_reports_kinds_it_could_not_train(
    tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        planned = models_retrain.run()

    outcome = challengers.challengers_retrain_outcome(RetrainRun.objects.get(pk=planned["run"]))
    assert "at least 100 customers" in outcome["churn"]
    assert "at least 100 customers" in outcome["credit"]


def test_score_customers_scores_the_base_and_reports_it():
    _established(3)
    out = StringIO()

    call_command("score_customers", "--chunk-size", "100", stdout=out, verbosity=0)

    assert "3 customers scored" in out.getvalue()
    assert ScoringRun.objects.get().status == ScoringRun.Status.DONE


def test_the_nightly_run_and_the_monthly_retrain_are_declared_for_beat():
    nightly = app.conf.beat_schedule["score-customers-nightly"]
    monthly = app.conf.beat_schedule["retrain-challengers-monthly"]

    assert nightly["task"] == scoring_run_start.name
    assert nightly["schedule"].hour == {3}
    assert monthly["task"] == models_retrain.name
    assert monthly["schedule"].day_of_month == {2}


def test_the_customer_page_shows_the_scores_with_their_reasons_and_trend(client, django_user_model):
    from django.contrib.auth.models import Group

    (customer,) = _established(1)
    services.customer_rescore(customer=customer)
    services.customer_rescore(customer=customer)
    staff = django_user_model.objects.create_user("agent-scores", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name="agent"))
    client.force_login(staff)

    page = client.get(customer.get_absolute_url()).content.decode()

    assert "Value and risk" in page
    assert "Churn risk (90 days)" in page
    assert "<polyline" in page  # two scorings make a trend
    assert LatestScores.objects.get(customer=customer).credit_rating in page


def test_an_unscored_customer_page_says_so(client, django_user_model):
    from django.contrib.auth.models import Group

    lead = CustomerFactory()
    staff = django_user_model.objects.create_user("agent-unscored", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name="agent"))
    client.force_login(staff)

    page = client.get(lead.get_absolute_url()).content.decode()

    assert "Not scored yet" in page


def test_the_database_holds_one_run_in_progress_whether_queued_or_running():
    CustomerFactory()
    assert runs.scoring_run_start().status == ScoringRun.Status.QUEUED

    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRun.objects.create(
            status=ScoringRun.Status.RUNNING,
            as_of=timezone.localdate(),
            requested_at=timezone.now(),
        )
