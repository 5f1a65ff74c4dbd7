"""The nightly recount: set-based tallies of the business figures, safe to run twice."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from crm.celery import app
from customers.models import Customer, Interaction, LatestScores, LifecycleEvent
from home.models import (
    FunnelTally,
    MoveTally,
    StatusTally,
    TallyRecount,
    TouchPointTally,
    ValueAtRiskTally,
)
from home.tallies import business_tallies_recount
from home.tasks import business_tallies_recount_nightly
from satisfaction.results import month_start
from tests.factories import CustomerFactory, InteractionFactory


def _rows(model) -> list[tuple]:
    fields = [f.name for f in model._meta.fields if f.name not in ("id", "counted_at")]
    return sorted(model.objects.values_list(*fields))


def _everything() -> dict:
    return {
        model.__name__: _rows(model)
        for model in (StatusTally, MoveTally, FunnelTally, TouchPointTally, ValueAtRiskTally)
    }


def test_running_the_recount_twice_leaves_the_same_rows(agent):
    CustomerFactory(actor=agent, status="active", lead_source="Web")
    CustomerFactory(actor=agent, status="prospect", lead_source="Store")
    first = (business_tallies_recount(), _everything())
    second = (business_tallies_recount(), _everything())

    assert first[1] == second[1]
    assert TallyRecount.objects.count() == 1


def test_statuses_at_past_month_ends_are_walked_back_through_the_moves(agent):
    today = timezone.localdate()
    this_month, last_month = month_start(today), month_start(today, 1)
    terminated = CustomerFactory(actor=agent, status="terminated")
    CustomerFactory(actor=agent, status="active")
    # The terminated customer was created and established last month, and left this month.
    events = LifecycleEvent.objects.filter(customer=terminated)
    events.exclude(to_status="terminated").update(
        occurred_at=timezone.now() - timedelta(days=today.day + 3)
    )
    events.filter(to_status="terminated").update(occurred_at=timezone.now())

    business_tallies_recount(today=today)

    def active_at(month):
        return sum(
            StatusTally.objects.filter(month=month, status="active").values_list(
                "customers", flat=True
            )
        )

    assert active_at(this_month) == 1
    assert active_at(last_month) == 1  # the one who left since; the other came this month
    assert MoveTally.objects.get(month=this_month, to_status="terminated").moves == 1


def test_the_funnel_counts_each_step_with_its_median_days(agent):
    for source in ("Web", "Web", "Store"):
        CustomerFactory(actor=agent, status="active", lead_source=source)
    CustomerFactory(actor=agent, status="prospect", lead_source="Web")

    business_tallies_recount()

    def step(step, **dimensions):
        return FunnelTally.objects.get(
            step=step, **{"segment": "", "lead_source": "", **dimensions}
        )

    assert step("lead").customers == 4
    assert step("prospect").customers == 1
    assert step("active").customers == 3
    assert step("active", lead_source="Web").customers == 2
    assert step("active", segment="residential").customers == 3
    assert step("active").median_days is not None


def test_touch_points_count_first_contact_resolution_and_complaints(agent):
    customer = CustomerFactory(actor=agent)
    InteractionFactory(customer=customer, actor=agent, outcome=Interaction.Outcome.RESOLVED)
    InteractionFactory(
        customer=customer,
        actor=agent,
        kind=Interaction.Kind.COMPLAINT,
        outcome=Interaction.Outcome.OPEN,
    )

    business_tallies_recount()

    rows = TouchPointTally.objects.filter(month=month_start(timezone.localdate()))
    assert sum(r.interactions for r in rows) == 2
    assert sum(r.resolved_first_contact for r in rows) == 1
    assert rows.get(kind=Interaction.Kind.COMPLAINT).interactions == 1


def test_value_at_risk_adds_up_the_active_customers_latest_scores(agent):
    for n, status in enumerate(["active", "active", "suspended"]):
        customer = CustomerFactory(actor=agent, status=status, family_name=f"Scored {n}")
        LatestScores.objects.create(
            customer=customer,
            churn_risk=0.5,
            credit_score=600,
            credit_rating="B",
            fraud_risk=0.0,
            influence=0.0,
            lifetime_value=Decimal("200"),
            value_segment="top",
            value_at_risk=Decimal("100"),
            scored_at=timezone.now(),
        )

    business_tallies_recount()

    tally = ValueAtRiskTally.objects.get(value_segment="top")
    assert (tally.customers, tally.value_at_risk) == (2, Decimal("200"))


def test_the_recount_is_scheduled_nightly_after_the_scoring_run(db):
    entry = app.conf.beat_schedule["recount-home-tallies-nightly"]
    scoring = app.conf.beat_schedule["score-customers-nightly"]["schedule"]
    assert entry["task"] == business_tallies_recount_nightly.name
    assert min(entry["schedule"].hour) > min(scoring.hour)


def test_the_nightly_task_recounts(agent):
    CustomerFactory(actor=agent, status="active")
    assert business_tallies_recount_nightly() == str(timezone.localdate())
    assert StatusTally.objects.filter(status=Customer.Status.ACTIVE).exists()


def test_operators_can_recount_at_once_with_a_command(agent):
    from io import StringIO

    from django.core.management import call_command

    CustomerFactory(actor=agent, status="active")
    out = StringIO()
    call_command("recount_home_tallies", stdout=out)
    assert "counted as of" in out.getvalue()
    assert TallyRecount.objects.count() == 1
