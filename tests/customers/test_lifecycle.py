import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import (
    ActionLog,
    ContactMedium,
    Customer,
    Interaction,
    LifecycleEvent,
    Subscription,
)
from customers.services import (
    TRANSITIONS,
    ContactMediumInput,
    TransitionNotAllowed,
    consent_record,
    contact_medium_add,
    customer_disqualify,
    customer_establish,
    customer_qualify,
    customer_reestablish,
    customer_resume,
    customer_suspend,
    customer_terminate,
    customer_transition,
    payment_record,
)
from customers.services.debt import customer_debt
from customers.services.lifecycle import (
    REESTABLISH_REASONS_ACCEPTING_OVERDUE_DEBT,
    TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT,
)
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvoiceFactory,
    ProductFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

Status = Customer.Status

LEGAL = [
    pytest.param(action, source, id=f"{action}-from-{source}")
    for action, transition in TRANSITIONS.items()
    for source in sorted(transition.sources)
]
ILLEGAL = [
    pytest.param(action, status, id=f"{action}-from-{status}")
    for action, transition in TRANSITIONS.items()
    for status in Status.values
    # A merged customer refuses every transition too; tests/customers/test_merge.py shows it.
    if status not in transition.sources and status != Status.MERGED
]
REASON_REQUIRED = [action for action, t in TRANSITIONS.items() if t.reason_required]
REASON_OPTIONAL = [action for action, t in TRANSITIONS.items() if not t.reason_required]


def _a_reason(action):
    return TRANSITIONS[action].reasons[0][0]


NOTHING_OWED = {"overdue": "0.00", "not_yet_due": "0.00", "overdue_invoices": 0, "currency": "EUR"}
# What terminate and re-establish add to their record about money owed, when nothing is.
DEBT_RECORD_WHEN_NOTHING_IS_OWED = {
    "terminate": ("\nFinal bill: nothing owed.", {"final_bill": NOTHING_OWED}),
    "reestablish": ("", {"debt_carried_over": NOTHING_OWED}),
}


def _overdue_invoice(customer, amount, *, days_late=16):
    """An invoice whose due date passed ``days_late`` days ago, still unpaid."""
    issued_on = timezone.localdate() - datetime.timedelta(days=days_late + 14)
    return InvoiceFactory(customer=customer, amount=Decimal(amount), issued_on=issued_on)


def _running_invoice(customer, amount):
    """An invoice issued today, due in two weeks."""
    return InvoiceFactory(customer=customer, amount=Decimal(amount))


def _snapshot(customer):
    return (
        Customer.objects.values().get(pk=customer.pk),
        list(LifecycleEvent.objects.filter(customer=customer).values_list("pk", flat=True)),
        list(ActionLog.objects.filter(customer=customer).values_list("pk", flat=True)),
        list(Subscription.objects.filter(customer=customer).values_list("status", "end_date")),
    )


def test_the_transition_table_covers_every_status_but_merged():
    # "merged" is reached only through customers_merge and is final: the number lives on as
    # an alias of the survivor.
    reachable = {t.target for t in TRANSITIONS.values()}
    leavable = set().union(*(t.sources for t in TRANSITIONS.values()))

    assert reachable | {Status.LEAD, Status.MERGED} == set(Status.values)
    assert leavable | {Status.MERGED} == set(Status.values)


@pytest.mark.parametrize(("action", "source"), LEGAL)
def test_every_legal_transition_writes_status_reason_history_and_action_log(
    action, source, manager
):
    customer = CustomerFactory(status=source)
    before = timezone.now()
    reason = _a_reason(action)

    result = customer_transition(
        customer=customer, action=action, actor=manager, reason=reason, note="as agreed"
    )

    target = TRANSITIONS[action].target
    customer.refresh_from_db()
    assert result.status == customer.status == target
    assert customer.status_reason == reason
    assert customer.status_changed_at >= before
    assert customer.last_activity_at == customer.status_changed_at
    note_line, debt_data = DEBT_RECORD_WHEN_NOTHING_IS_OWED.get(action, ("", {}))
    event = LifecycleEvent.objects.filter(customer=customer).latest("id")
    assert (event.action, event.from_status, event.to_status) == (action, source, target)
    assert (event.reason, event.note, event.actor) == (reason, "as agreed" + note_line, manager)
    assert event.occurred_at == customer.status_changed_at
    entry = ActionLog.objects.filter(customer=customer).latest("id")
    assert entry.action == f"customer.{action}"
    assert entry.actor == manager
    assert entry.data == {
        "from": source,
        "to": target,
        "reason": reason,
        "note": "as agreed" + note_line,
        **debt_data,
    }


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_every_illegal_transition_is_refused_naming_the_state_and_allowed_actions(
    action, status, manager
):
    customer = CustomerFactory(status=status)
    before = _snapshot(customer)

    with pytest.raises(TransitionNotAllowed) as refused:
        customer_transition(
            customer=customer, action=action, actor=manager, reason=_a_reason(action)
        )

    message = refused.value.messages[0]
    current = Status(status).label.lower()
    assert refused.value.code == "transition_not_allowed"
    assert f"Cannot {TRANSITIONS[action].label.lower()} customer {customer.number}" in message
    assert f"it is {current}" in message
    allowed = [t.label.lower() for t in TRANSITIONS.values() if status in t.sources]
    assert allowed, "every status allows something"
    assert message.endswith(f"Allowed from {current}: {', '.join(allowed)}.")
    assert _snapshot(customer) == before


def test_terminate_refuses_a_lead_and_names_the_allowed_actions(manager):
    lead = CustomerFactory()

    with pytest.raises(TransitionNotAllowed) as refused:
        customer_terminate(customer=lead, actor=manager, reason="voluntary_churn")

    assert refused.value.messages == [
        f"Cannot terminate relationship customer {lead.number}: it is lead. "
        "Allowed from lead: qualify, establish relationship, disqualify."
    ]


def test_a_refusal_judges_the_stored_state_not_the_callers_stale_copy(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    stale_copy = Customer.objects.get(pk=customer.pk)
    customer_terminate(customer=customer, actor=manager, reason="competitor")

    with pytest.raises(TransitionNotAllowed, match="it is terminated"):
        customer_suspend(customer=stale_copy, actor=manager, reason="non_payment")


@pytest.mark.parametrize("action", REASON_REQUIRED)
def test_a_reason_is_required_where_the_transition_says_so(action, manager):
    source = sorted(TRANSITIONS[action].sources)[0]
    customer = CustomerFactory(status=source)
    before = _snapshot(customer)

    with pytest.raises(ValidationError) as refused:
        customer_transition(customer=customer, action=action, actor=manager, reason="")

    assert "Give a reason" in refused.value.message_dict["reason"][0]
    assert _snapshot(customer) == before


@pytest.mark.parametrize("action", REASON_OPTIONAL)
def test_a_reason_may_be_left_out_where_the_transition_allows_it(action, manager):
    source = sorted(TRANSITIONS[action].sources)[0]
    customer = CustomerFactory(status=source)

    result = customer_transition(customer=customer, action=action, actor=manager)

    assert result.status == TRANSITIONS[action].target
    assert result.status_reason == ""


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_unknown_reasons_are_refused(action, manager):
    source = sorted(TRANSITIONS[action].sources)[0]
    customer = CustomerFactory(status=source)
    before = _snapshot(customer)

    with pytest.raises(ValidationError) as refused:
        customer_transition(customer=customer, action=action, actor=manager, reason="bored")

    assert "'bored' is not a reason" in refused.value.message_dict["reason"][0]
    assert _snapshot(customer) == before


def test_a_reason_of_another_transition_is_refused(manager):
    customer = CustomerFactory(status=Status.ACTIVE)

    with pytest.raises(ValidationError) as refused:
        customer_suspend(customer=customer, actor=manager, reason="voluntary_churn")

    assert "reason" in refused.value.message_dict
    customer.refresh_from_db()
    assert customer.status == Status.ACTIVE


def test_an_unknown_action_is_refused(manager):
    customer = CustomerFactory()

    with pytest.raises(ValidationError, match="Unknown lifecycle action 'promote'"):
        customer_transition(customer=customer, action="promote", actor=manager)


@pytest.mark.parametrize(
    ("service", "action", "source"),
    [
        (customer_qualify, "qualify", Status.LEAD),
        (customer_establish, "establish", Status.PROSPECT),
        (customer_disqualify, "disqualify", Status.PROSPECT),
        (customer_suspend, "suspend", Status.ACTIVE),
        (customer_resume, "resume", Status.SUSPENDED),
        (customer_terminate, "terminate", Status.SUSPENDED),
        (customer_reestablish, "reestablish", Status.TERMINATED),
    ],
)
def test_each_named_service_performs_its_own_transition(service, action, source, manager):
    customer = CustomerFactory(status=source)

    result = service(customer=customer, actor=manager, reason=_a_reason(action))

    assert result.status == TRANSITIONS[action].target
    assert LifecycleEvent.objects.filter(customer=customer).latest("id").action == action


def test_factory_builds_each_status_through_the_lifecycle():
    customer = CustomerFactory(status=Status.SUSPENDED)

    history = LifecycleEvent.objects.filter(customer=customer).order_by("id")
    assert [(e.action, e.to_status) for e in history] == [
        ("create", "lead"),
        ("establish", "active"),
        ("suspend", "suspended"),
    ]


def test_establish_starts_the_relationship_now(manager):
    lead = CustomerFactory()
    before = timezone.now()

    customer = customer_establish(customer=lead, actor=manager, reason="contract_signed")

    assert customer.valid_from >= before
    assert customer.valid_to is None


def test_terminate_records_when_the_relationship_ended(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    before = timezone.now()

    customer = customer_terminate(customer=customer, actor=manager, reason="moved_away")

    assert customer.valid_to >= before
    assert customer.valid_to == customer.status_changed_at


def test_a_transition_clears_the_stale_flag(manager):
    lead = CustomerFactory()
    long_ago = timezone.now() - datetime.timedelta(days=90)
    Customer.objects.filter(pk=lead.pk).update(last_activity_at=long_ago, stale_since=long_ago)

    customer = customer_qualify(customer=lead, actor=manager)

    assert customer.stale_since is None
    assert customer.last_activity_at > long_ago


def test_terminate_with_overdue_debt_is_refused_for_voluntary_churn(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    _overdue_invoice(customer, "40.00")
    before = _snapshot(customer)

    with pytest.raises(ValidationError) as refused:
        customer_terminate(customer=customer, actor=manager, reason="voluntary_churn")

    assert refused.value.code == "overdue_debt"
    assert "has €40.00 overdue on 1 invoice" in refused.value.messages[0]
    assert _snapshot(customer) == before


@pytest.mark.parametrize("reason", sorted(TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT))
def test_terminate_with_overdue_debt_is_allowed_when_the_debt_goes_to_collections(reason, manager):
    customer = CustomerFactory(status=Status.SUSPENDED)
    _overdue_invoice(customer, "40.00")

    customer = customer_terminate(customer=customer, actor=manager, reason=reason)

    assert customer.status == Status.TERMINATED
    assert customer.status_reason == reason


def test_terminate_for_voluntary_churn_is_allowed_once_the_overdue_debt_is_settled(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    invoice = _overdue_invoice(customer, "40.00")
    payment_record(
        customer=customer,
        invoice=invoice,
        amount=Decimal("40.00"),
        received_on=timezone.localdate(),
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    customer = customer_terminate(customer=customer, actor=manager, reason="voluntary_churn")

    assert customer.status == Status.TERMINATED


def test_terminate_counts_what_is_overdue_across_all_invoices(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    settled = _overdue_invoice(customer, "40.00")
    _overdue_invoice(customer, "15.50", days_late=3)
    _overdue_invoice(customer, "4.50", days_late=40)
    payment_record(
        customer=customer,
        invoice=settled,
        amount=Decimal("40.00"),
        received_on=timezone.localdate(),
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    with pytest.raises(ValidationError, match=r"has €20\.00 overdue on 2 invoices"):
        customer_terminate(customer=customer, actor=manager, reason="competitor")


def test_terminating_for_a_competitor_is_allowed_while_the_bill_is_not_yet_due(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    invoice = _running_invoice(customer, "28.00")

    customer = customer_terminate(customer=customer, actor=manager, reason="competitor")

    assert customer.status == Status.TERMINATED
    invoice.refresh_from_db()
    assert (invoice.paid_on, invoice.open_amount) == (None, Decimal("28.00"))  # still owed
    debt = customer_debt(customer=customer)
    assert (debt.overdue, debt.not_yet_due) == (Decimal("0.00"), Decimal("28.00"))


def test_an_invoice_due_today_is_not_yet_overdue(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    InvoiceFactory(
        customer=customer,
        amount=Decimal("28.00"),
        issued_on=timezone.localdate() - datetime.timedelta(days=14),
    )

    customer = customer_terminate(customer=customer, actor=manager, reason="voluntary_churn")

    assert customer.status == Status.TERMINATED


def test_terminating_with_overdue_debt_for_a_competitor_is_refused_naming_the_overdue_amount(
    manager,
):
    customer = CustomerFactory(status=Status.ACTIVE)
    _overdue_invoice(customer, "12.00")
    _running_invoice(customer, "28.00")
    before = _snapshot(customer)

    with pytest.raises(ValidationError) as refused:
        customer_terminate(customer=customer, actor=manager, reason="competitor")

    message = refused.value.messages[0]
    assert refused.value.code == "overdue_debt"
    assert f"Customer {customer.number} has €12.00 overdue on 1 invoice." in message
    assert "non-payment" in message
    assert "28.00" not in message  # the running bill is no debt
    assert _snapshot(customer) == before


def test_only_the_unpaid_part_of_a_partly_paid_invoice_is_overdue(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    invoice = _overdue_invoice(customer, "40.00")
    payment_record(
        customer=customer,
        invoice=invoice,
        amount=Decimal("30.00"),
        received_on=timezone.localdate(),
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    with pytest.raises(ValidationError, match=r"has €10\.00 overdue on 1 invoice"):
        customer_terminate(customer=customer, actor=manager, reason="moved_away")


def test_termination_records_the_final_bill_in_the_history_and_the_action_log(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    _running_invoice(customer, "28.00")
    _overdue_invoice(customer, "12.50")

    customer_terminate(
        customer=customer, actor=manager, reason="non_payment", note="Handed to collections"
    )

    event = LifecycleEvent.objects.filter(customer=customer, action="terminate").get()
    assert event.note == (
        "Handed to collections\n"
        "Final bill: €40.50 owed (€28.00 not yet due, €12.50 overdue on 1 invoice)."
    )
    entry = ActionLog.objects.get(customer=customer, action="customer.terminate")
    assert entry.data["final_bill"] == {
        "overdue": "12.50",
        "not_yet_due": "28.00",
        "overdue_invoices": 1,
        "currency": "EUR",
    }
    assert entry.data["note"] == event.note


def test_the_final_bill_is_in_the_customers_currency(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    Customer.objects.filter(pk=customer.pk).update(currency="GBP")
    _running_invoice(customer, "28.00")

    customer_terminate(customer=customer, actor=manager, reason="competitor")

    event = LifecycleEvent.objects.get(customer=customer, action="terminate")
    assert event.note == "Final bill: £28.00 owed, not yet due."
    entry = ActionLog.objects.get(customer=customer, action="customer.terminate")
    assert entry.data["final_bill"]["currency"] == "GBP"


def _terminated_for_non_payment(manager, overdue="45.00"):
    customer = CustomerFactory(status=Status.ACTIVE)
    _overdue_invoice(customer, overdue)
    return customer_terminate(customer=customer, actor=manager, reason="non_payment")


@pytest.mark.parametrize("reason", ["", "win_back", "returned", "terminated_in_error"])
def test_reestablish_is_refused_while_debt_from_the_termination_is_overdue(reason, manager):
    customer = _terminated_for_non_payment(manager)
    before = _snapshot(customer)

    with pytest.raises(ValidationError) as refused:
        customer_reestablish(customer=customer, actor=manager, reason=reason)

    message = refused.value.messages[0]
    assert refused.value.code == "overdue_debt"
    assert f"Customer {customer.number} has €45.00 overdue on 1 invoice." in message
    assert "'Payment plan agreed for the open debt'" in message
    assert _snapshot(customer) == before


def test_reestablish_from_a_suspension_is_refused_while_debt_is_overdue(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    _overdue_invoice(customer, "45.00")
    customer = customer_suspend(customer=customer, actor=manager, reason="non_payment")

    with pytest.raises(ValidationError, match=r"has €45\.00 overdue"):
        customer_reestablish(customer=customer, actor=manager, reason="returned")


def test_resuming_because_the_balance_is_settled_is_refused_while_debt_is_overdue(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    _overdue_invoice(customer, "45.00")
    customer = customer_suspend(customer=customer, actor=manager, reason="non_payment")

    with pytest.raises(ValidationError, match=r"balance is not settled.*€45\.00 overdue"):
        customer_resume(customer=customer, actor=manager, reason="balance_settled")

    customer = customer_resume(customer=customer, actor=manager, reason="customer_request")
    assert customer.status == Status.ACTIVE


@pytest.mark.parametrize("reason", sorted(REESTABLISH_REASONS_ACCEPTING_OVERDUE_DEBT))
def test_reestablish_with_the_debt_dealt_with_carries_the_debt_over(reason, manager):
    customer = _terminated_for_non_payment(manager)
    _running_invoice(customer, "10.00")

    customer = customer_reestablish(
        customer=customer, actor=manager, reason=reason, note="Pays 15.00 a month"
    )

    assert customer.status == Status.ACTIVE
    debt = customer_debt(customer=customer)
    assert (debt.overdue, debt.not_yet_due) == (Decimal("45.00"), Decimal("10.00"))  # still owed
    event = LifecycleEvent.objects.get(customer=customer, action="reestablish")
    assert event.note == (
        "Pays 15.00 a month\nDebt carried over: €45.00 overdue, €10.00 not yet due."
    )
    entry = ActionLog.objects.get(customer=customer, action="customer.reestablish")
    assert entry.data["debt_carried_over"] == {
        "overdue": "45.00",
        "not_yet_due": "10.00",
        "overdue_invoices": 1,
        "currency": "EUR",
    }


def test_reestablish_needs_no_special_reason_once_the_debt_is_paid(manager):
    customer = _terminated_for_non_payment(manager)
    invoice = customer.invoices.get()
    payment_record(
        customer=customer,
        invoice=invoice,
        amount=Decimal("45.00"),
        received_on=timezone.localdate(),
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    customer = customer_reestablish(customer=customer, actor=manager, reason="win_back")

    assert customer.status == Status.ACTIVE
    assert LifecycleEvent.objects.get(customer=customer, action="reestablish").note == ""


def _subscriptions(customer):
    return {
        s.service_id: (s.status, s.end_date) for s in Subscription.objects.filter(customer=customer)
    }


def test_suspension_suspends_the_active_subscriptions(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    SubscriptionFactory(customer=customer, service_id="A")
    SubscriptionFactory(customer=customer, service_id="B")

    customer_suspend(customer=customer, actor=manager, reason="non_payment")

    assert _subscriptions(customer) == {
        "A": (Subscription.Status.SUSPENDED, None),
        "B": (Subscription.Status.SUSPENDED, None),
    }


@pytest.mark.parametrize(("service", "reason"), [(customer_resume, ""), (customer_reestablish, "")])
def test_resume_and_reestablish_reactivate_the_suspended_subscriptions(service, reason, manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    SubscriptionFactory(customer=customer, service_id="A")
    customer = customer_suspend(customer=customer, actor=manager, reason="non_payment")

    service(customer=customer, actor=manager, reason=reason)

    assert _subscriptions(customer) == {"A": (Subscription.Status.ACTIVE, None)}


@pytest.mark.parametrize("source", [Status.ACTIVE, Status.SUSPENDED])
def test_termination_ends_every_subscription_today(source, manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    SubscriptionFactory(
        customer=customer, service_id="A", start_date=timezone.localdate() - datetime.timedelta(30)
    )
    SubscriptionFactory(customer=customer, service_id="B")
    if source == Status.SUSPENDED:
        customer = customer_suspend(customer=customer, actor=manager, reason="non_payment")

    customer_terminate(customer=customer, actor=manager, reason="non_payment")

    today = timezone.localdate()
    assert _subscriptions(customer) == {
        "A": (Subscription.Status.TERMINATED, today),
        "B": (Subscription.Status.TERMINATED, today),
    }


def test_termination_ends_a_subscription_that_had_not_started_yet_on_its_start_date(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    next_month = timezone.localdate() + datetime.timedelta(days=30)
    SubscriptionFactory(customer=customer, service_id="A", start_date=next_month)

    customer = customer_terminate(customer=customer, actor=manager, reason="competitor")

    assert customer.status == Status.TERMINATED
    assert _subscriptions(customer) == {"A": (Subscription.Status.TERMINATED, next_month)}


def test_termination_leaves_the_end_date_of_already_ended_subscriptions_alone(manager):
    customer = CustomerFactory(status=Status.ACTIVE)
    last_year = timezone.localdate() - datetime.timedelta(days=365)
    SubscriptionFactory(customer=customer, service_id="A", start_date=last_year)
    customer = customer_terminate(customer=customer, actor=manager, reason="competitor")
    ended_on = timezone.localdate() - datetime.timedelta(days=3)
    Subscription.objects.filter(customer=customer).update(end_date=ended_on)
    customer = customer_reestablish(customer=customer, actor=manager, reason="win_back")

    customer_terminate(customer=customer, actor=manager, reason="moved_away")

    assert _subscriptions(customer) == {"A": (Subscription.Status.TERMINATED, ended_on)}


def test_reestablish_keeps_everything_and_reopens_the_relationship(manager, agent):
    customer = CustomerFactory(status=Status.ACTIVE, actor=agent)
    valid_from = customer.valid_from
    InteractionFactory(customer=customer, actor=agent, summary="Asked about roaming")
    contact_medium_add(
        customer=customer,
        medium=ContactMediumInput(kind="email", value="ada@example.org"),
        actor=agent,
    )
    consent_record(
        customer=customer,
        channel="email",
        purpose="marketing",
        granted=True,
        source="web",
        actor=agent,
    )
    SubscriptionFactory(customer=customer, service_id="A")
    customer = customer_terminate(customer=customer, actor=manager, reason="competitor")
    assert customer.valid_to is not None
    log_before = set(ActionLog.objects.filter(customer=customer).values_list("pk", flat=True))

    customer = customer_reestablish(customer=customer, actor=manager, reason="win_back")

    assert customer.status == Status.ACTIVE
    assert customer.valid_to is None
    assert customer.valid_from == valid_from
    assert Interaction.objects.get(customer=customer).summary == "Asked about roaming"
    assert ContactMedium.objects.get(party=customer.party).value == "ada@example.org"
    assert customer.consents.get().granted is True
    assert _subscriptions(customer) == {"A": (Subscription.Status.TERMINATED, timezone.localdate())}
    assert log_before < set(
        ActionLog.objects.filter(customer=customer).values_list("pk", flat=True)
    )
    history = LifecycleEvent.objects.filter(customer=customer).order_by("id")
    assert [e.action for e in history] == ["create", "establish", "terminate", "reestablish"]


def test_reestablish_from_suspended_needs_no_termination_first(manager):
    customer = CustomerFactory(status=Status.SUSPENDED)

    customer = customer_reestablish(customer=customer, actor=manager, reason="returned")

    assert customer.status == Status.ACTIVE
    assert customer.valid_to is None


def test_a_disqualified_lead_can_be_qualified_again_and_become_a_customer(agent):
    customer = CustomerFactory(status=Status.DISQUALIFIED, actor=agent)
    assert customer.status_reason == "no_need"

    customer = customer_qualify(customer=customer, actor=agent, reason="returned")
    assert (customer.status, customer.status_reason) == (Status.PROSPECT, "returned")
    customer = customer_establish(customer=customer, actor=agent, reason="first_order")

    assert customer.status == Status.ACTIVE
    history = LifecycleEvent.objects.filter(customer=customer).order_by("id")
    assert [(e.from_status, e.to_status) for e in history] == [
        ("", Status.LEAD),
        (Status.LEAD, Status.DISQUALIFIED),
        (Status.DISQUALIFIED, Status.PROSPECT),
        (Status.PROSPECT, Status.ACTIVE),
    ]


def test_each_transition_is_credited_to_whoever_did_it(agent, manager):
    customer = CustomerFactory(actor=agent)
    customer = customer_establish(customer=customer, actor=agent, reason="first_order")
    customer_suspend(customer=customer, actor=manager, reason="fraud_suspected")

    history = LifecycleEvent.objects.filter(customer=customer).order_by("id")
    assert [(e.action, e.actor) for e in history] == [
        ("create", agent),
        ("establish", agent),
        ("suspend", manager),
    ]
    log = ActionLog.objects.filter(customer=customer, action__startswith="customer.")
    assert [(e.action, e.actor_label) for e in log.order_by("id")] == [
        ("customer.created", agent.username),
        ("customer.establish", agent.username),
        ("customer.suspend", manager.username),
    ]


def test_a_transition_by_a_job_is_logged_under_the_job_name():
    customer = CustomerFactory(status=Status.ACTIVE)

    customer_suspend(customer=customer, actor="job:dunning", reason="non_payment")

    entry = ActionLog.objects.filter(customer=customer).latest("id")
    assert (entry.actor, entry.actor_label) == (None, "job:dunning")
    assert LifecycleEvent.objects.filter(customer=customer).latest("id").actor is None


def test_products_cannot_be_added_to_a_terminated_customer_until_reestablished(manager):
    customer = CustomerFactory(status=Status.TERMINATED)
    product = ProductFactory()

    with pytest.raises(ValidationError, match="re-establish"):
        SubscriptionFactory(customer=customer, product=product)
    customer = customer_reestablish(customer=customer, actor=manager, reason="win_back")

    assert SubscriptionFactory(customer=customer, product=product).status == "active"
