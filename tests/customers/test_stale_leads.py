import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Customer
from customers.services import interaction_record, leads_flag_stale
from customers.tasks import flag_stale_leads
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

Status = Customer.Status


def _idle_for(customer, days):
    """Pretend nobody has touched the customer for ``days``; time itself cannot be waited out."""
    last = timezone.now() - datetime.timedelta(days=days)
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=last)
    return last


def _flag_entries(customer=None):
    entries = ActionLog.objects.filter(action="customer.flagged_stale")
    return entries.filter(customer=customer) if customer else entries


def _stale_ids():
    return set(Customer.objects.filter(stale_since__isnull=False).values_list("pk", flat=True))


def test_leads_idle_beyond_the_threshold_are_flagged_once_each_with_a_log_entry():
    old, older = CustomerFactory(), CustomerFactory()
    _idle_for(old, 31)
    _idle_for(older, 200)
    now = timezone.now()

    flagged = leads_flag_stale(older_than_days=30, now=now)

    assert flagged == 2
    assert _stale_ids() == {old.pk, older.pk}
    old.refresh_from_db()
    assert old.stale_since == now
    entry = _flag_entries(older).get()
    assert entry.actor is None
    assert entry.actor_label == "job:flag_stale_leads"
    assert entry.data == {"idle_days": 200, "threshold_days": 30}
    assert entry.created_at == now
    assert _flag_entries().count() == 2


def test_recent_leads_and_customers_who_are_not_leads_are_left_alone():
    recent = CustomerFactory()
    _idle_for(recent, 29)
    idle_others = [CustomerFactory(status=status) for status in Status.values if status != "lead"]
    for customer in idle_others:
        _idle_for(customer, 400)

    assert leads_flag_stale(older_than_days=30) == 0

    assert _stale_ids() == set()
    assert not _flag_entries().exists()


def test_a_second_run_flags_nothing_new():
    lead = CustomerFactory()
    _idle_for(lead, 45)
    first_run = timezone.now()
    leads_flag_stale(older_than_days=30, now=first_run)

    assert leads_flag_stale(older_than_days=30) == 0

    lead.refresh_from_db()
    assert lead.stale_since == first_run
    assert _flag_entries().count() == 1


def test_a_lead_that_becomes_idle_later_is_flagged_by_a_later_run():
    first, second = CustomerFactory(), CustomerFactory()
    _idle_for(first, 45)
    _idle_for(second, 10)
    leads_flag_stale(older_than_days=30)

    flagged = leads_flag_stale(older_than_days=30, now=timezone.now() + datetime.timedelta(days=25))

    assert flagged == 1
    assert _stale_ids() == {first.pk, second.pk}
    assert _flag_entries(second).count() == 1


def test_batches_flag_every_idle_lead():
    leads = [CustomerFactory() for _ in range(5)]
    for lead in leads:
        _idle_for(lead, 60)

    assert leads_flag_stale(older_than_days=30, batch_size=2) == 5

    assert _stale_ids() == {lead.pk for lead in leads}
    assert _flag_entries().count() == 5


def test_touching_a_stale_lead_clears_the_flag_and_it_can_be_flagged_again_later(agent):
    lead = CustomerFactory()
    _idle_for(lead, 45)
    leads_flag_stale(older_than_days=30)

    interaction_record(
        customer=lead,
        channel="phone",
        direction="outbound",
        kind="sales",
        summary="Called back",
        actor=agent,
    )

    lead.refresh_from_db()
    assert lead.stale_since is None
    assert leads_flag_stale(older_than_days=30) == 0
    assert (
        leads_flag_stale(older_than_days=30, now=timezone.now() + datetime.timedelta(days=31)) == 1
    )
    assert _flag_entries(lead).count() == 2


@pytest.mark.parametrize("days", [0, -1])
def test_a_threshold_below_one_day_is_refused(days):
    with pytest.raises(ValidationError, match="at least 1"):
        leads_flag_stale(older_than_days=days)


def test_the_nightly_task_flags_leads_idle_beyond_the_configured_days(settings):
    settings.CRM_STALE_LEAD_DAYS = 10
    idle, recent = CustomerFactory(), CustomerFactory()
    _idle_for(idle, 11)
    _idle_for(recent, 9)

    # apply() runs the task in this process whatever the broker settings are.
    result = flag_stale_leads.apply()

    assert result.successful()
    assert result.result == 1
    assert _stale_ids() == {idle.pk}
    assert _flag_entries(idle).get().data["threshold_days"] == 10


def test_the_nightly_task_accepts_its_own_threshold_and_is_safe_to_run_twice():
    lead = CustomerFactory()
    _idle_for(lead, 8)

    assert flag_stale_leads.apply(kwargs={"older_than_days": 7}).result == 1
    assert flag_stale_leads.apply(kwargs={"older_than_days": 7}).result == 0

    assert _flag_entries(lead).count() == 1
