"""A real Celery worker, consuming from the real Redis broker, runs the product's tasks."""

from datetime import timedelta

import pytest
from celery.result import EagerResult
from django.utils import timezone

from customers.models import ActionLog, Customer
from customers.tasks import flag_stale_leads
from tests.factories import CustomerFactory


@pytest.mark.broker
def test_the_worker_flags_stale_leads_through_the_broker(worker):
    idle = CustomerFactory(family_name="Idle")
    fresh = CustomerFactory(family_name="Fresh")
    Customer.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(days=45))

    result = flag_stale_leads.delay(30)

    assert not isinstance(result, EagerResult)
    assert result.get(timeout=60) == 1
    idle.refresh_from_db()
    fresh.refresh_from_db()
    assert idle.stale_since is not None
    assert fresh.stale_since is None
    assert ActionLog.objects.filter(customer=idle, action="customer.flagged_stale").count() == 1


@pytest.mark.broker
def test_a_task_delivered_twice_flags_each_lead_once(worker):
    idle = CustomerFactory(family_name="Idle")
    Customer.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(days=45))

    first, second = flag_stale_leads.delay(30), flag_stale_leads.delay(30)

    assert sorted([first.get(timeout=60), second.get(timeout=60)]) == [0, 1]
    assert ActionLog.objects.filter(customer=idle, action="customer.flagged_stale").count() == 1
