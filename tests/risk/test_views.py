"""The analysts' risk page, the retention work list, "rescore now" and the score columns of
the customer list, each behind its permission."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import Customer, LatestScores
from customers.selectors import customer_list
from customers.services import customer_terminate
from risk import runs, services
from risk.models import CustomerScore, RiskModel, ScoringRun

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _scored(established, count: int) -> list[Customer]:
    customers = established(count)
    for customer in customers:
        services.customer_rescore(customer=customer)
    return customers


def _set_scores(customer, **values):
    LatestScores.objects.filter(customer=customer).update(**values)


# --- Permissions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", reverse("risk:overview")),
        ("post", reverse("risk:run_start")),
        ("post", reverse("risk:model_train", args=["churn"])),
        ("post", reverse("risk:customer_rescore", args=["C00000001"])),
    ],
)
def test_agents_may_not_use_the_analysts_pages(client, agent, method, url):
    client.force_login(agent)

    assert getattr(client, method)(url).status_code == 403
    assert not ScoringRun.objects.exists()


def test_the_risk_pages_ask_for_a_login(client):
    response = client.get(reverse("risk:retention"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_analysts_page_changes_nothing_on_a_get(client, analyst):
    client.force_login(analyst)

    assert client.get(reverse("risk:run_start")).status_code == 405
    assert client.get(reverse("risk:customer_rescore", args=["C00000001"])).status_code == 405


def test_agents_see_the_retention_list_but_no_rescore_button(client, agent, established):
    (customer,) = _scored(established, 1)
    client.force_login(agent)

    assert client.get(reverse("risk:retention")).status_code == 200
    assert "Rescore now" not in client.get(customer.get_absolute_url()).content.decode()


# --- The analysts' page -------------------------------------------------------------------


def test_an_analyst_sees_model_versions_with_metrics_and_the_runs(client, analyst, established):
    _scored(established, 2)
    run = runs.scoring_run_start(actor=analyst)
    client.force_login(analyst)

    page = client.get(reverse("risk:overview")).content.decode()

    assert "Churn risk" in page and "Credit" in page
    assert "v1" in page and "too little history to train on" in page
    assert f'data-progress-url="{reverse("jobs:progress", args=["scoring", run.pk])}"' in page
    assert "Score every customer now" in page
    assert "Customers per credit rating" in page


def test_an_analyst_starts_a_run_that_workers_carry_out(
    client, analyst, established, django_capture_on_commit_callbacks
):
    established(3)
    client.force_login(analyst)

    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process here
        response = client.post(reverse("risk:run_start"), {"newest_run": 0}, follow=True)

    run = ScoringRun.objects.get()
    assert "Scoring run" in response.content.decode()
    assert run.status == ScoringRun.Status.DONE
    assert run.customers_scored == 3
    assert run.requested_by == analyst
    progress = client.get(reverse("jobs:progress", args=["scoring", run.pk])).json()
    assert progress == {
        "status": "done",
        "status_label": "Done",
        "percent": 100,
        "chunks_done": 1,
        "chunks_total": 1,
        "chunks_failed": 0,
        "customers_scored": 3,
    }


def test_a_second_run_now_while_one_runs_says_so_and_starts_nothing(client, analyst, established):
    established(1)
    run = runs.scoring_run_start()
    client.force_login(analyst)

    response = client.post(reverse("risk:run_start"), {"newest_run": run.pk}, follow=True)

    assert "already in progress" in response.content.decode()
    assert ScoringRun.objects.count() == 1


def test_a_retrain_with_too_little_history_leaves_the_active_model(
    client, analyst, established, django_capture_on_commit_callbacks
):
    established(2)
    default = services.active_model("churn")
    client.force_login(analyst)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("risk:model_train", args=["churn"]), follow=True)

    assert "Training a new churn risk model" in response.content.decode()
    assert RiskModel.objects.get(kind="churn", is_active=True) == default


def test_rules_without_a_learned_part_cannot_be_retrained(client, analyst):
    client.force_login(analyst)

    response = client.post(reverse("risk:model_train", args=["fraud"]), follow=True)

    assert "Only the churn and credit models learn from history" in response.content.decode()
    assert client.post(reverse("risk:model_train", args=["nonsense"])).status_code == 404


def test_an_analyst_rescores_a_customer_from_their_page(client, analyst, established):
    (customer,) = established(1)
    client.force_login(analyst)

    page = client.get(customer.get_absolute_url()).content.decode()
    assert "Rescore now" in page
    response = client.post(reverse("risk:customer_rescore", args=[customer.number]), follow=True)

    assert "Scores updated." in response.content.decode()
    assert CustomerScore.objects.filter(customer=customer).count() == 1
    assert client.post(reverse("risk:customer_rescore", args=["C99999999"])).status_code == 404


# --- The retention work list --------------------------------------------------------------


def test_the_work_list_puts_the_most_value_at_risk_first_with_its_reasons(
    client, agent, established
):
    small, large, middle = _scored(established, 3)
    _set_scores(small, value_at_risk=Decimal("10.00"), value_segment="standard")
    _set_scores(large, value_at_risk=Decimal("900.00"), value_segment="top")
    _set_scores(middle, value_at_risk=Decimal("300.00"), value_segment="high")
    client.force_login(agent)

    response = client.get(reverse("risk:retention"))

    rows = response.context["page"].rows
    assert [row.customer for row in rows] == [large, middle, small]
    assert all(row.churn_reasons for row in rows)
    assert rows[0].churn_reasons[0] in response.content.decode()

    top_only = client.get(reverse("risk:retention"), {"value_segment": "top"})
    assert [row.customer for row in top_only.context["page"].rows] == [large]


def test_the_work_list_leaves_out_customers_who_have_left(client, agent, established):
    staying, leaving = _scored(established, 2)
    customer_terminate(customer=leaving, actor=None, reason="voluntary_churn")
    client.force_login(agent)

    rows = client.get(reverse("risk:retention")).context["page"].rows

    assert [row.customer for row in rows] == [staying]


def test_the_work_list_refuses_a_bad_filter_with_a_message(client, agent):
    client.force_login(agent)

    response = client.get(reverse("risk:retention"), {"churn_at_least": "lots"})

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Select a valid choice" in response.content.decode()


# --- Scores on the customer list ----------------------------------------------------------


def test_the_customer_list_sorts_by_churn_risk_across_pages(established):
    customers = _scored(established, 5)
    for n, customer in enumerate(customers):
        _set_scores(customer, churn_risk=[0.2, 0.9, 0.5, 0.5, 0.1][n])
    expected = [customers[1], customers[3], customers[2], customers[0], customers[4]]

    first = customer_list(sort="churn", page_size=2)
    second = customer_list(sort="churn", page_size=2, after=first.next_cursor)
    third = customer_list(sort="churn", page_size=2, after=second.next_cursor)
    back = customer_list(sort="churn", page_size=2, before=third.previous_cursor)

    assert first.rows + second.rows + third.rows == expected
    assert third.next_cursor is None
    assert back.rows == second.rows


def test_the_customer_list_sorts_by_lifetime_value_with_decimal_cursors(established):
    customers = _scored(established, 3)
    for customer, value in zip(customers, ["120.50", "980.25", "120.50"], strict=True):
        _set_scores(customer, lifetime_value=Decimal(value))

    first = customer_list(sort="value", page_size=2)
    second = customer_list(sort="value", page_size=2, after=first.next_cursor)

    assert first.rows + second.rows == [customers[1], customers[2], customers[0]]


def test_the_customer_list_filters_on_scores_and_leaves_unscored_customers_out(
    client, agent, established
):
    low, high = _scored(established, 2)
    unscored = established(1)[0]
    LatestScores.objects.filter(customer=unscored).delete()
    _set_scores(low, churn_risk=0.1, credit_rating="A", value_segment="standard")
    _set_scores(high, churn_risk=0.8, credit_rating="D", value_segment="top")

    assert customer_list(churn_at_least=0.5).rows == [high]
    assert customer_list(credit_rating="A").rows == [low]
    assert customer_list(value_segment="top").rows == [high]
    assert unscored not in customer_list(sort="fraud").rows

    client.force_login(agent)
    response = client.get(reverse("customers:list"), {"churn_at_least": "0.5", "sort": "churn"})
    assert [row.pk for row in response.context["page"].rows] == [high.pk]
    assert "80 %" in response.content.decode()


# --- Champion, challenger and drift on the analysts' page -------------------------------------


def _churn_version(version: int, *, active: bool, metrics: dict) -> RiskModel:
    from datetime import timedelta

    from django.utils import timezone

    from risk import defaults

    now = timezone.now()
    return RiskModel.objects.create(
        kind="churn",
        version=version,
        artifact=defaults.CHURN,
        as_of=timezone.localdate() - timedelta(days=90),
        horizon_days=90,
        training_rows=4000,
        metrics=metrics,
        trained_at=now - timedelta(days=40 - version),
        trained_by_label="monthly challenger retrain",
        is_active=active,
        activated_at=now - timedelta(days=40 - version) if active else None,
    )


def test_the_page_shows_champion_and_challenger_side_by_side_with_their_evidence(client, analyst):
    _churn_version(
        1,
        active=True,
        metrics={
            "roc_auc": 0.84,
            "brier": 0.12,
            "candidates": {
                "logistic": {"roc_auc": 0.84, "brier": 0.12},
                "boosted": {"roc_auc": 0.838, "brier": 0.121},
            },
            "chosen": "logistic",
            "decision": {"promoted": True, "reason": "the first version of its kind"},
        },
    )
    _churn_version(
        2,
        active=False,
        metrics={
            "roc_auc": 0.85,
            "brier": 0.118,
            "held_out_rows": 1000,
            "candidates": {
                "logistic": {"roc_auc": 0.841, "brier": 0.12},
                "boosted": {"roc_auc": 0.85, "brier": 0.118},
            },
            "chosen": "boosted",
            "compared_with": {
                "version": 1,
                "roc_auc": 0.84,
                "brier": 0.12,
                "auc_gain_ci": [-0.002, 0.021],
            },
            "decision": {
                "promoted": False,
                "reason": "no evidence it ranks better: AUC gain over v1 -0.0020 to +0.0210 "
                "(95 % interval) does not exclude zero or a loss",
            },
        },
    )
    client.force_login(analyst)

    page = client.get(reverse("risk:overview")).content.decode()

    assert "Champion v1" in page
    assert "Why it is in use: made active at training: the first version of its kind." in page
    assert "Candidate v2 beside active v1" in page
    assert "ROC AUC gain over v1, 95 % interval (paired bootstrap)" in page
    assert "-0.0020 to +0.0210" in page
    assert "Kept as a candidate: no evidence it ranks better" in page
    assert "(ROC AUC 0.85 against 0.84)" in page
    assert "Boosted trees: ROC AUC / Brier on its training&#x27;s held-out customers" in page
    assert "0.85 / 0.118 (chosen)" in page and "0.838 / 0.121" in page
    assert "Logistic: ROC AUC / Brier" in page and "0.84 / 0.12 (chosen)" in page


def test_the_page_tolerates_versions_trained_before_classes_and_decisions_were_kept(
    client, analyst
):
    _churn_version(1, active=True, metrics={"roc_auc": 0.8})
    _churn_version(2, active=False, metrics={"roc_auc": 0.7, "compared_with": {"version": 1}})
    client.force_login(analyst)

    page = client.get(reverse("risk:overview")).content.decode()

    assert "Why it is in use: trained before decisions were recorded." in page
    assert "Candidate v2 beside active v1" in page
    assert "No finished run has measured drift yet" in page


def test_the_page_shows_the_drift_of_the_latest_run_with_its_alert_in_words(client, analyst):
    from django.utils import timezone

    model = _churn_version(1, active=True, metrics={"roc_auc": 0.8})
    ScoringRun.objects.create(
        as_of=timezone.localdate(),
        requested_at=timezone.now(),
        finished_at=timezone.now(),
        status=ScoringRun.Status.DONE,
        drift={
            "churn": {
                "model": model.pk,
                "rows": 500,
                "score_psi": 0.31,
                "features": {"monthly_charges": 0.62, "tenure_months": 0.12, "senior": 0.01},
                "status": "alert",
                "alerts": ["monthly_charges", "score"],
            }
        },
    )
    client.force_login(analyst)

    page = client.get(reverse("risk:overview")).content.decode()

    assert 'id="drift-h"' in page
    assert "Churn risk v1: <span" in page and ">alert</span>" in page
    assert "Drift alert on the churn risk model: PSI above 0.25 for its score 0.31; " in page
    assert "monthly_charges 0.62" in page
    assert "Score PSI: 0.31 (alert)." in page
    assert "0.620 alert" in page and "0.120 shift" in page and "0.010 stable" in page
