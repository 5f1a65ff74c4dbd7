"""The save-rate measurement: the interval arithmetic, and a campaign on seeded customers with a
planted effect (and one without) whose churn goes through the lifecycle service."""

import numpy as np
import pytest
from dateutil.relativedelta import relativedelta

from customers.models import Customer
from customers.services.lifecycle import customer_terminate
from retention.models import Campaign, CampaignMember
from retention.services.campaigns import campaign_start
from retention.services.measure import campaign_measure, difference_interval, wilson_interval


def test_wilson_interval_matches_the_published_example():
    # Newcombe (1998), table I: 81/263 gives 0.2553 to 0.3662.
    low, high = wilson_interval(81, 263)
    assert (round(float(low), 4), round(float(high), 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize(
    "treated, control, expected",
    [
        # Newcombe (1998), table II, method 10.
        ((56, 70), (48, 80), (0.2, 0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.6, 0.1705, 0.8090)),
        ((5, 56), (0, 29), (0.0893, -0.0381, 0.1926)),
    ],
)
def test_difference_interval_matches_newcombes_hybrid_score_examples(treated, control, expected):
    figures = difference_interval(*treated, *control)
    assert tuple(round(float(value), 4) for value in figures) == expected


def test_intervals_work_on_arrays_and_on_empty_groups():
    low, high = wilson_interval(np.array([0, 5]), np.array([0, 10]))
    assert low[0] == 0 and high[0] == 1
    assert low[1] < 0.5 < high[1]


def _run_with_churn(seeded, campaigner, manager, *, members, treated_churn, control_churn):
    ids = seeded(members)
    started = campaign_start(
        customers=Customer.objects.filter(pk__in=ids),
        actor=campaigner,
        name="Winter retention call",
        action=Campaign.Action.CALL,
        control_share=50,
        seed=20261207,
    )
    campaign = started.campaign
    rows = CampaignMember.objects.filter(campaign=campaign).order_by("customer_id")
    groups = list(rows.values_list("customer_id", "group"))
    churn = np.where(
        np.array([group for _, group in groups]) == CampaignMember.Group.TREATED,
        treated_churn,
        control_churn,
    )
    leaving = np.random.default_rng(7).random(len(groups)) < churn
    for (customer_id, _), leaves in zip(groups, leaving, strict=True):
        if leaves:
            customer_terminate(
                customer=Customer.objects.get(pk=customer_id),
                actor=manager,
                reason="voluntary_churn",
            )
    return campaign


@pytest.mark.django_db
def test_a_planted_effect_is_recovered_within_its_interval(seeded, campaigner, manager):
    campaign = _run_with_churn(
        seeded, campaigner, manager, members=2000, treated_churn=0.10, control_churn=0.25
    )
    measure = campaign_measure(campaign)
    assert measure.so_far
    assert measure.treated.members == measure.control.members == 1000
    assert measure.uplift_low < 0.15 < measure.uplift_high
    assert measure.uplift_low > 0
    assert measure.shows_effect
    # Some 150 of the 1,000 treated customers stayed because of the campaign.
    _, low, high = measure.attributable
    assert low < 150 < high


@pytest.mark.django_db
def test_without_an_effect_the_interval_contains_zero(seeded, campaigner, manager):
    campaign = _run_with_churn(
        seeded, campaigner, manager, members=1000, treated_churn=0.2, control_churn=0.2
    )
    measure = campaign_measure(campaign)
    assert measure.uplift_low < 0 < measure.uplift_high
    assert not measure.shows_effect


@pytest.mark.django_db
def test_the_window_end_counts_terminations_up_to_then_only(seeded, campaigner, manager):
    ids = seeded(20)
    campaign = campaign_start(
        customers=Customer.objects.filter(pk__in=ids),
        actor=campaigner,
        name="Loyalty points",
        action=Campaign.Action.LOYALTY_REWARD,
        control_share=50,
        window_months=3,
        seed=1,
    ).campaign
    control = campaign.members.filter(group=CampaignMember.Group.CONTROL).first()
    customer_terminate(customer=control.customer, actor=manager, reason="voluntary_churn")
    after_the_window = campaign.created_at + relativedelta(months=4)
    measure = campaign_measure(campaign, now=after_the_window)
    assert not measure.so_far
    assert measure.control.saved == measure.control.members - 1
    # Measured as of the start, nobody had left yet.
    assert campaign_measure(campaign, now=campaign.created_at).control.saved == 10


@pytest.mark.django_db
def test_the_measurement_is_one_query_whatever_the_members(
    seeded, campaigner, django_assert_num_queries
):
    ids = seeded(300)
    campaign = campaign_start(
        customers=Customer.objects.filter(pk__in=ids),
        actor=campaigner,
        name="Discount",
        action=Campaign.Action.DISCOUNT,
        control_share=10,
    ).campaign
    with django_assert_num_queries(1):
        campaign_measure(campaign)
