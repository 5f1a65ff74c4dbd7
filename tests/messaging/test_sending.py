"""When messages go out: at the customer's contact times, once, whatever the broker does."""

import time as clock
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.celery import broker_pointed_at
from crm.handoff import handoffs_sweep, task_send
from crm.models import Handoff
from customers.events import CustomerEvent
from customers.models import Customer, Interaction
from customers.services import customer_suspend, preferences_update
from messaging import services
from messaging.models import OutboundMessage
from messaging.tasks import outbound_message_send
from tests.crm.test_handoff import CLOSED_PORT

ZONE = timezone.get_current_timezone()
MONDAY_NIGHT = datetime(2026, 12, 7, 22, 0, tzinfo=ZONE)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE)


def window(moment, time_from=None, time_to=None, weekends=False):
    return services.contact_window_next(
        moment, time_from=time_from, time_to=time_to, weekends=weekends
    )


def test_inside_the_window_a_message_is_due_at_once():
    assert window(at(7, 10), time(9), time(17)) == at(7, 10)


def test_after_the_window_it_waits_for_the_next_morning():
    assert window(MONDAY_NIGHT, time(9), time(17)) == at(8, 9)


def test_a_window_spanning_midnight_allows_the_night():
    assert window(at(8, 2), time(18), time(9)) == at(8, 2)
    assert window(at(8, 12), time(18), time(9)) == at(8, 18)


def test_without_weekends_saturday_waits_for_monday():
    saturday = at(12, 10)
    assert window(saturday, time(9), time(17)) == at(14, 9)
    assert window(saturday) == at(14, 0)
    assert window(saturday, weekends=True) == saturday


def test_friday_evening_waits_for_monday_morning():
    assert window(at(11, 20), time(9), time(17)) == at(14, 9)


def test_outside_contact_hours_the_message_waits_and_the_sweep_sends_it_in_time(
    reachable, tasks_in_process
):
    customer = reachable(Customer.Status.ACTIVE)
    preferences_update(
        customer=customer, actor=None, contact_time_from=time(9), contact_time_to=time(17)
    )
    customer.refresh_from_db()
    event = CustomerEvent(customer=customer, action="customer.suspend", data={})
    [message] = services.messages_for_events([event], now=MONDAY_NIGHT)
    assert message.due_at == at(8, 9)
    assert not Handoff.objects.filter(task=services.SEND_TASK).exists()  # not before its time

    assert services.outbound_messages_sweep(now=MONDAY_NIGHT + timedelta(minutes=1)) == 0
    assert services.outbound_messages_sweep(now=at(8, 8, 59)) == 0
    assert not mail.outbox

    assert services.outbound_messages_sweep(now=at(8, 9)) == 1
    assert [m.subject for m in mail.outbox] == ["Your services are suspended"]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    # Later sweeps find nothing more to send.
    assert services.outbound_messages_sweep(now=at(8, 9, 1)) == 0
    assert services.outbound_messages_sweep(now=at(9, 9)) == 0
    assert len(mail.outbox) == 1


def test_the_sweep_sends_a_message_whose_hand_off_was_lost(reachable, tasks_in_process):
    customer = reachable(Customer.Status.ACTIVE)
    customer_suspend(customer=customer, actor=None, reason="customer_request")
    Handoff.objects.all().delete()  # the hand-off is lost
    message = OutboundMessage.objects.get()
    # Its own hand-off may still be on its way for a moment: the sweep leaves it that long.
    assert services.outbound_messages_sweep(now=message.created_at) == 0
    assert services.outbound_messages_sweep(now=message.created_at + timedelta(minutes=1)) == 1
    assert len(mail.outbox) == 1


def test_the_task_delivered_twice_sends_once(reachable, tasks_in_process):
    customer = reachable(Customer.Status.ACTIVE)
    customer_suspend(customer=customer, actor=None, reason="customer_request")
    message = OutboundMessage.objects.get()
    assert outbound_message_send.apply(args=[message.pk]).get() == "sent"
    assert outbound_message_send.apply(args=[message.pk]).get() == "already taken"
    assert len(mail.outbox) == 1
    assert Interaction.objects.filter(customer=customer, direction="outbound").count() == 1


def test_a_mail_server_that_is_down_gives_the_claim_back_and_the_message_goes_later(
    reachable, tasks_in_process, settings, monkeypatch
):
    customer = reachable(Customer.Status.ACTIVE)
    customer_suspend(customer=customer, actor=None, reason="customer_request")
    message = OutboundMessage.objects.get()

    def refused(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refused)
    with pytest.raises(ConnectionRefusedError):
        services.outbound_message_send(message_id=message.pk)
    pause = services.outbound_message_send_failed(
        message_id=message.pk, error=ConnectionRefusedError("mail server away")
    )
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.PENDING
    assert message.last_error == "mail server away"
    assert not Interaction.objects.filter(customer=customer, direction="outbound").exists()

    monkeypatch.undo()
    assert services.outbound_messages_sweep(now=timezone.now()) == 0  # not before its pause
    assert services.outbound_messages_sweep(now=timezone.now() + pause) == 1
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_given_back_after_its_lease(reachable, tasks_in_process):
    customer = reachable(Customer.Status.ACTIVE)
    customer_suspend(customer=customer, actor=None, reason="customer_request")
    message = OutboundMessage.objects.get()
    claimed_at = timezone.now()
    OutboundMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=claimed_at)
    assert services.outbound_messages_sweep(now=claimed_at + timedelta(minutes=5)) == 0
    assert services.outbound_messages_sweep(now=claimed_at + services.CLAIM_LEASE * 2) == 1
    assert len(mail.outbox) == 1


def _wait_until(condition, seconds=20.0):
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if condition():
            return True
        clock.sleep(0.1)
    return condition()


@pytest.mark.broker
def test_with_the_broker_down_the_message_is_sent_once_after_it_returns(
    transactional_db, reachable, request
):
    customer = reachable(Customer.Status.ACTIVE)
    with broker_pointed_at(CLOSED_PORT):
        customer_suspend(customer=customer, actor=None, reason="customer_request")
        customer.refresh_from_db()
        assert customer.status == Customer.Status.SUSPENDED  # the change is saved
        assert Handoff.objects.filter(task=services.SEND_TASK).count() == 1
        # The minute's sweep cannot hand it over either, and loses nothing by trying.
        assert services.outbound_messages_sweep(now=timezone.now() + timedelta(minutes=1)) == 0
    assert not mail.outbox
    message = OutboundMessage.objects.get()
    assert message.status == OutboundMessage.Status.PENDING

    request.getfixturevalue("worker")  # the broker is back, and a worker with it
    assert handoffs_sweep(older_than=timedelta(0)) == 1
    assert _wait_until(lambda: OutboundMessage.objects.filter(status="sent").exists())

    # The sweep twice and the task twice more: still one message.
    later = timezone.now() + timedelta(minutes=5)
    assert services.outbound_messages_sweep(now=later) == 0
    assert services.outbound_messages_sweep(now=later) == 0
    assert task_send(services.SEND_TASK, message.pk)
    assert task_send(services.SEND_TASK, message.pk)
    clock.sleep(1.5)
    assert len(mail.outbox) == 1
    assert Interaction.objects.filter(customer=customer, direction="outbound").count() == 1
