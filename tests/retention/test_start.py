"""Starting a campaign: the control group is the chosen share, random and reproducible;
customers in a running campaign or no longer customers are skipped and counted."""

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import ActionLog, Customer
from retention.models import Campaign, CampaignMember
from retention.services.campaigns import (
    campaign_close,
    campaign_start,
    control_count,
    control_draw,
)


def _start(customer_ids, actor, **fields):
    return campaign_start(
        customers=Customer.objects.filter(pk__in=customer_ids),
        actor=actor,
        name=fields.pop("name", "Spring offer"),
        action=fields.pop("action", Campaign.Action.DISCOUNT),
        control_share=fields.pop("control_share", 20),
        **fields,
    )


def _groups(campaign) -> dict[int, str]:
    return dict(campaign.members.values_list("customer_id", "group"))


def test_the_control_count_is_the_share_rounded_half_up():
    assert control_count(1000, 20) == 200
    assert control_count(5, 10) == 1  # 0.5 rounds up
    assert control_count(4, 10) == 0


def test_the_draw_holds_out_exactly_the_share_reproducibly():
    first = control_draw(1000, control_share=30, seed=42)
    assert first.sum() == 300
    assert np.array_equal(first, control_draw(1000, control_share=30, seed=42))
    assert not np.array_equal(first, control_draw(1000, control_share=30, seed=43))


@pytest.mark.django_db
def test_the_control_group_has_the_chosen_share_spread_at_random(seeded, campaigner):
    ids = seeded(1000)
    campaign = _start(ids, campaigner, control_share=20, seed=11).campaign
    assert (campaign.treated_count, campaign.control_count) == (800, 200)
    assert campaign.members.filter(group=CampaignMember.Group.CONTROL).count() == 200
    # Not the first or last ids: about a fifth of each half of the customers is held out.
    groups = _groups(campaign)
    lower_half = sorted(ids)[:500]
    held_out_low = sum(1 for pk in lower_half if groups[pk] == CampaignMember.Group.CONTROL)
    assert 70 < held_out_low < 130


@pytest.mark.django_db
def test_the_same_seed_on_the_same_customers_gives_the_same_split(seeded, campaigner):
    ids = seeded(200)
    first = _start(ids, campaigner, seed=99).campaign
    campaign_close(campaign=first, actor=campaigner)
    second = _start(ids, campaigner, seed=99).campaign
    campaign_close(campaign=second, actor=campaigner)
    third = _start(ids, campaigner, seed=100).campaign
    assert _groups(first) == _groups(second)
    assert _groups(first) != _groups(third)


@pytest.mark.django_db
def test_members_keep_their_scores_and_status_at_the_start(seeded, campaigner):
    ids = seeded(10)
    campaign = _start(ids, campaigner, control_share=30).campaign
    member = campaign.members.get(customer_id=ids[0])
    assert member.churn_risk_at_start == 0.3
    assert str(member.lifetime_value_at_start) == "1200.00"
    assert member.status_at_start == Customer.Status.ACTIVE


@pytest.mark.django_db
def test_customers_in_a_running_campaign_or_gone_are_skipped_and_counted(seeded, campaigner):
    ids = seeded(10)
    gone = seeded(3, status=Customer.Status.TERMINATED)
    _start(ids[:4], campaigner, control_share=50)
    started = _start(ids + gone, campaigner, control_share=50)
    assert started.skipped_running == 4
    assert started.skipped_not_current == 3
    assert started.campaign.member_count == 6


@pytest.mark.django_db
def test_closing_frees_the_members_for_another_campaign(seeded, campaigner):
    ids = seeded(10)
    first = _start(ids, campaigner, control_share=50).campaign
    campaign_close(campaign=first, actor=campaigner)
    second = _start(ids, campaigner, control_share=50)
    assert second.skipped_running == 0
    assert second.campaign.member_count == 10
    assert ActionLog.objects.filter(action="retention.campaign_closed").count() == 1


@pytest.mark.django_db
def test_a_start_with_nobody_who_can_join_is_refused(seeded, campaigner):
    gone = seeded(3, status=Customer.Status.TERMINATED)
    with pytest.raises(ValidationError, match="None of the 3"):
        _start(gone, campaigner)
    with pytest.raises(ValidationError, match="empty"):
        _start([], campaigner)
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_too_few_customers_for_a_control_group_are_refused(seeded, campaigner):
    ids = seeded(2)
    with pytest.raises(ValidationError, match="too few"):
        _start(ids, campaigner, control_share=10)


@pytest.mark.django_db
@pytest.mark.parametrize("share", [0, 4, 51, 100])
def test_a_control_share_out_of_bounds_is_refused(seeded, campaigner, share):
    ids = seeded(10)
    with pytest.raises(ValidationError) as refused:
        _start(ids, campaigner, control_share=share)
    assert "control_share" in refused.value.message_dict


@pytest.mark.django_db
def test_an_agent_cannot_start_a_campaign(seeded, agent):
    ids = seeded(10)
    with pytest.raises(PermissionDenied):
        _start(ids, agent)
