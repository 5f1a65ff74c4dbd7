"""Two staff members act on the same customer at the same moment.

Each thread has its own database connection, so the transactions really overlap: PostgreSQL
makes the second wait on the row lock, SQLite (``BEGIN IMMEDIATE``) on the write lock. Either way
the second one must then see the first one's result and be refused.
"""

import itertools
import threading

import pytest
from django.db import connection

from customers.models import ActionLog, Customer, LifecycleEvent
from customers.services import TransitionNotAllowed, customer_transition
from tests.factories import CustomerFactory, UserFactory

Status = Customer.Status

# Pairs where whichever runs first takes away the other's source state. (Suspend and terminate
# from active are not such a pair: terminate is also legal from suspended, so both may succeed.)
CONFLICTS = [
    pytest.param(
        Status.ACTIVE,
        ("terminate", "voluntary_churn"),
        ("terminate", "competitor"),
        id="two-terminates",
    ),
    pytest.param(
        Status.ACTIVE,
        ("suspend", "non_payment"),
        ("suspend", "customer_request"),
        id="two-suspends",
    ),
    pytest.param(
        Status.LEAD,
        ("establish", "first_order"),
        ("disqualify", "no_need"),
        id="establish-and-disqualify",
    ),
    pytest.param(
        Status.SUSPENDED,
        ("resume", "balance_settled"),
        ("resume", "customer_request"),
        id="two-resumes",
    ),
]


def _race(customer, attempts):
    """Start every attempt at the same instant; return each one's result or exception."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def attempt(index, action, reason, actor):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = customer_transition(
                customer=customer, action=action, actor=actor, reason=reason
            )
        except Exception as error:  # the test inspects whatever happened, not just refusals
            outcomes[index] = error
        finally:
            # A thread's connection is its own; left open it would block the test database flush.
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(index, action, reason, actor))
        for index, (action, reason, actor) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a transition never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("start", "first", "second"), CONFLICTS)
def test_two_conflicting_transitions_at_once_let_exactly_one_win(start, first, second):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    customer = CustomerFactory(status=start)
    last_event = LifecycleEvent.objects.filter(customer=customer).latest("id").pk
    last_log = ActionLog.objects.filter(customer=customer).latest("id").pk

    outcomes = _race(customer, [(*first, alice), (*second, bob)])

    winners = [o for o in outcomes if isinstance(o, Customer)]
    losers = [o for o in outcomes if isinstance(o, TransitionNotAllowed)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    winner_action = first[0] if outcomes[0] is winners[0] else second[0]

    customer.refresh_from_db()
    assert customer.status == winners[0].status
    new_events = LifecycleEvent.objects.filter(customer=customer, pk__gt=last_event)
    assert [(e.action, e.from_status) for e in new_events] == [(winner_action, start)]
    new_logs = ActionLog.objects.filter(customer=customer, pk__gt=last_log)
    assert [entry.action for entry in new_logs] == [f"customer.{winner_action}"]
    assert f"it is {Status(customer.status).label.lower()}" in losers[0].messages[0]


@pytest.mark.django_db(transaction=True)
def test_suspend_and_terminate_at_once_end_terminated_with_a_history_that_chains():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    customer = CustomerFactory(status=Status.ACTIVE)
    last_event = LifecycleEvent.objects.filter(customer=customer).latest("id").pk

    outcomes = _race(
        customer, [("suspend", "non_payment", alice), ("terminate", "non_payment", bob)]
    )

    # Whichever went first, the history must read as if they had run one after the other.
    assert not [o for o in outcomes if not isinstance(o, Customer | TransitionNotAllowed)]
    customer.refresh_from_db()
    assert customer.status == Status.TERMINATED
    new_events = list(
        LifecycleEvent.objects.filter(customer=customer, pk__gt=last_event).order_by("id")
    )
    assert new_events[0].from_status == Status.ACTIVE
    assert new_events[-1].to_status == Status.TERMINATED
    assert all(a.to_status == b.from_status for a, b in itertools.pairwise(new_events))
    assert len(new_events) == sum(isinstance(o, Customer) for o in outcomes)
