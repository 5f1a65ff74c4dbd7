"""The customer relationship lifecycle (eTOM 1.3.4): one service per transition.

    lead ──qualify──> prospect ──establish──> active ──suspend──> suspended ──resume──> active
      └───establish─────────────────────────┘   └──terminate──> terminated <─terminate─┘
    lead/prospect ──disqualify──> disqualified ──qualify──> prospect
    suspended/terminated ──reestablish──> active

Each transition locks the customer row, checks the current state, writes a history row and an
action-log entry, and refuses an illegal move with a message naming the state and what is allowed.

Money follows the telco's rules: only *overdue* debt (unpaid past its due date) stands in the way
of leaving or coming back. A termination closes the account with a final bill: what is not yet
due stays owed and visible, and is recorded with the termination.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateField, F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from crm.formatting import money
from customers.models import Customer, LifecycleEvent, Subscription
from customers.services.audit import action_log_entry, action_log_record, action_logs_record
from customers.services.debt import Debt, customer_debt

Status = Customer.Status


class TransitionNotAllowed(ValidationError):
    """The customer is not in a state from which the requested transition may happen."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    reasons: tuple[tuple[str, str], ...] = ()
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "qualify",
            "Qualify",
            frozenset({Status.LEAD, Status.DISQUALIFIED}),
            Status.PROSPECT,
            "customers.qualify_customer",
            reasons=(
                ("need_confirmed", "Need and budget confirmed"),
                ("returned", "Came back after being disqualified"),
                ("referral", "Qualified referral"),
            ),
        ),
        Transition(
            "establish",
            "Establish relationship",
            frozenset({Status.LEAD, Status.PROSPECT}),
            Status.ACTIVE,
            "customers.establish_customer",
            reasons=(
                ("first_order", "First order placed"),
                ("contract_signed", "Contract signed"),
                ("migration", "Migrated from another system"),
            ),
        ),
        Transition(
            "disqualify",
            "Disqualify",
            frozenset({Status.LEAD, Status.PROSPECT}),
            Status.DISQUALIFIED,
            "customers.disqualify_customer",
            reasons=(
                ("no_need", "No need"),
                ("no_budget", "No budget"),
                ("unreachable", "Unreachable"),
                ("not_serviceable", "Address not serviceable"),
                ("chose_competitor", "Chose a competitor"),
                ("failed_verification", "Failed identity verification"),
            ),
            reason_required=True,
        ),
        Transition(
            "suspend",
            "Suspend",
            frozenset({Status.ACTIVE}),
            Status.SUSPENDED,
            "customers.suspend_customer",
            reasons=(
                ("non_payment", "Non-payment"),
                ("fraud_suspected", "Fraud suspected"),
                ("customer_request", "Customer request (e.g. travel)"),
                ("legal_hold", "Legal hold"),
            ),
            reason_required=True,
        ),
        Transition(
            "resume",
            "Resume",
            frozenset({Status.SUSPENDED}),
            Status.ACTIVE,
            "customers.resume_customer",
            reasons=(
                ("balance_settled", "Balance settled"),
                ("fraud_cleared", "Fraud suspicion cleared"),
                ("customer_request", "Customer request"),
            ),
        ),
        Transition(
            "terminate",
            "Terminate relationship",
            frozenset({Status.ACTIVE, Status.SUSPENDED}),
            Status.TERMINATED,
            "customers.terminate_customer",
            reasons=(
                ("voluntary_churn", "Voluntary churn"),
                ("competitor", "Moved to a competitor"),
                ("moved_away", "Moved out of the service area"),
                ("non_payment", "Non-payment"),
                ("fraud", "Fraud"),
                ("deceased", "Deceased"),
                ("business_closed", "Business closed"),
            ),
            reason_required=True,
        ),
        Transition(
            "reestablish",
            "Re-establish relationship",
            frozenset({Status.SUSPENDED, Status.TERMINATED}),
            Status.ACTIVE,
            "customers.reestablish_customer",
            reasons=(
                ("win_back", "Won back"),
                ("returned", "Customer returned"),
                ("terminated_in_error", "Terminated in error"),
                ("payment_plan", "Payment plan agreed for the open debt"),
                ("debt_settled", "Debt settled (payment not yet on the invoices)"),
            ),
        ),
    )
}

# Reasons for which a customer may leave with overdue debt: the debt goes to collections.
# Any other reason needs the overdue debt paid first; bills not yet due never stand in the way.
TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT = {"non_payment", "fraud", "deceased", "business_closed"}
# Reasons that say how overdue debt is dealt with: only with one of them may a customer who
# still owes overdue money come back, and the debt is carried over into the new relationship.
REESTABLISH_REASONS_ACCEPTING_OVERDUE_DEBT = {"payment_plan", "debt_settled"}
# The moves that look at what the customer owes, and the reasons each accepts overdue debt for.
_REASONS_ACCEPTING_OVERDUE_DEBT = {
    "terminate": TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT,
    "reestablish": REESTABLISH_REASONS_ACCEPTING_OVERDUE_DEBT,
}
# Resuming "because the balance is settled" states a fact the invoices can check.
DEBT_CHECKED_ACTIONS = (*_REASONS_ACCEPTING_OVERDUE_DEBT, "resume")


def reasons_accepting_overdue_debt(action: str) -> list[str]:
    """Labels of the reasons for which ``action`` may go ahead while debt is overdue."""
    codes = _REASONS_ACCEPTING_OVERDUE_DEBT.get(action, set())
    return [label for code, label in TRANSITIONS[action].reasons if code in codes]


def allowed_transitions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]


def _refusal(customer: Customer, transition: Transition) -> TransitionNotAllowed:
    allowed = [t.label.lower() for t in allowed_transitions(customer.status)]
    current = Status(customer.status).label.lower()
    allowed_text = ", ".join(allowed) if allowed else "nothing"
    return TransitionNotAllowed(
        f"Cannot {transition.label.lower()} customer {customer.number}: it is {current}. "
        f"Allowed from {current}: {allowed_text}.",
        code="transition_not_allowed",
    )


def customer_transition(
    *, customer: Customer, action: str, actor, reason: str = "", note: str = ""
) -> Customer:
    """Move the customer along ``action``; the single place every transition goes through."""
    try:
        transition = TRANSITIONS[action]
    except KeyError:
        raise ValidationError(f"Unknown lifecycle action '{action}'.") from None
    valid_reasons = {code for code, _ in transition.reasons}
    if reason and reason not in valid_reasons:
        raise ValidationError(
            {"reason": f"'{reason}' is not a reason to {transition.label.lower()}."}
        )
    if transition.reason_required and not reason:
        raise ValidationError({"reason": f"Give a reason to {transition.label.lower()}."})

    with transaction.atomic():
        # The row lock makes a concurrent transition wait and then see the new state, so
        # two agents pressing "suspend" and "terminate" at once cannot both succeed.
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.status not in transition.sources:
            raise _refusal(locked, transition)
        now = timezone.now()
        debt_data = {}
        if action in DEBT_CHECKED_ACTIONS:
            debt = customer_debt(customer=locked, today=timezone.localdate(now))
            if action == "terminate":
                _check_termination_allowed(locked, reason, debt)
                debt_data = {"final_bill": debt.as_data()}
                note = _with_line(note, final_bill_text(debt))
            elif action == "resume":
                _check_resume_allowed(locked, reason, debt)
            else:
                _check_reestablish_allowed(locked, reason, debt)
                debt_data = {"debt_carried_over": debt.as_data()}
                if debt.open_amount > 0:
                    note = _with_line(note, debt_carried_over_text(debt))

        changes = {
            "status": transition.target,
            "status_reason": reason,
            "status_changed_at": now,
            "last_activity_at": now,
            "stale_since": None,
        }
        if action == "establish":
            changes["valid_from"] = now
        elif action == "terminate":
            changes["valid_to"] = now
        elif action == "reestablish":
            changes["valid_to"] = None
        # Compare-and-set on the status as well: correct even where row locks are not available.
        updated = Customer.objects.filter(pk=locked.pk, status=locked.status).update(**changes)
        if not updated:
            locked.refresh_from_db()
            raise _refusal(locked, transition)
        _apply_to_subscriptions(locked, action, now)
        LifecycleEvent.objects.create(
            customer=locked,
            action=action,
            from_status=locked.status,
            to_status=transition.target,
            reason=reason,
            note=note,
            actor=actor if getattr(actor, "pk", None) else None,
            occurred_at=now,
        )
        action_log_record(
            action=f"customer.{action}",
            customer=locked,
            actor=actor,
            data={
                "from": locked.status,
                "to": transition.target,
                "reason": reason,
                "note": note,
                **debt_data,
            },
        )
    locked.refresh_from_db()
    return locked


def _with_line(note: str, line: str) -> str:
    return f"{note}\n{line}" if note else line


def _overdue_text(debt: Debt) -> str:
    invoices = "invoice" if debt.overdue_invoices == 1 else "invoices"
    return f"{money(debt.overdue, debt.currency)} overdue on {debt.overdue_invoices} {invoices}"


def final_bill_text(debt: Debt) -> str:
    """The final bill of a termination, as the lifecycle history shows it."""
    if debt.open_amount <= 0:
        return "Final bill: nothing owed."
    owed = f"Final bill: {money(debt.open_amount, debt.currency)} owed"
    if debt.overdue <= 0:
        return f"{owed}, not yet due."
    if debt.not_yet_due <= 0:
        return f"{owed}, all of it overdue."
    not_yet_due = money(debt.not_yet_due, debt.currency)
    return f"{owed} ({not_yet_due} not yet due, {_overdue_text(debt)})."


def debt_carried_over_text(debt: Debt) -> str:
    parts = [f"{money(debt.overdue, debt.currency)} overdue"] if debt.overdue > 0 else []
    if debt.not_yet_due > 0:
        parts.append(f"{money(debt.not_yet_due, debt.currency)} not yet due")
    return f"Debt carried over: {', '.join(parts)}."


def _check_termination_allowed(customer: Customer, reason: str, debt: Debt) -> None:
    """Overdue debt blocks an ordinary termination; bills not yet due go on the final bill."""
    if debt.overdue > 0 and reason not in TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT:
        raise ValidationError(
            f"Customer {customer.number} has {_overdue_text(debt)}. Settle the overdue "
            "amount first, or terminate for non-payment so the debt goes to collections.",
            code="overdue_debt",
        )


def _check_resume_allowed(customer: Customer, reason: str, debt: Debt) -> None:
    if reason == "balance_settled" and debt.overdue > 0:
        raise ValidationError(
            {
                "reason": f"The balance is not settled: customer {customer.number} has "
                f"{_overdue_text(debt)}. Record the payment first, or give another reason."
            },
            code="overdue_debt",
        )


def _check_reestablish_allowed(customer: Customer, reason: str, debt: Debt) -> None:
    """A customer does not come back past unpaid debt unless it is dealt with."""
    if debt.overdue > 0 and reason not in REESTABLISH_REASONS_ACCEPTING_OVERDUE_DEBT:
        accepted = " or ".join(
            f"'{label}'" for label in reasons_accepting_overdue_debt("reestablish")
        )
        raise ValidationError(
            f"Customer {customer.number} has {_overdue_text(debt)}. Re-establish once it is "
            f"paid, or give the reason {accepted} so the debt is carried over.",
            code="overdue_debt",
        )


def _apply_to_subscriptions(customer: Customer, action: str, now) -> None:
    """Products follow the relationship: suspended with it, resumed with it, ended with it."""
    subscriptions = Subscription.objects.filter(customer=customer)
    if action == "suspend":
        subscriptions.filter(status=Subscription.Status.ACTIVE).update(
            status=Subscription.Status.SUSPENDED
        )
    elif action in ("resume", "reestablish"):
        subscriptions.filter(status=Subscription.Status.SUSPENDED).update(
            status=Subscription.Status.ACTIVE
        )
    elif action == "terminate":
        today = timezone.localdate(now)
        # One that has not started yet ends on its start date: an end before the start is
        # refused by the subscription_ends_after_start constraint.
        subscriptions.exclude(status=Subscription.Status.TERMINATED).update(
            status=Subscription.Status.TERMINATED,
            end_date=Greatest(F("start_date"), Value(today, output_field=DateField())),
        )


def customer_qualify(*, customer: Customer, actor, reason: str = "", note: str = "") -> Customer:
    return customer_transition(
        customer=customer, action="qualify", actor=actor, reason=reason, note=note
    )


def customer_establish(*, customer: Customer, actor, reason: str = "", note: str = "") -> Customer:
    return customer_transition(
        customer=customer, action="establish", actor=actor, reason=reason, note=note
    )


def customer_disqualify(*, customer: Customer, actor, reason: str, note: str = "") -> Customer:
    return customer_transition(
        customer=customer, action="disqualify", actor=actor, reason=reason, note=note
    )


def customer_suspend(*, customer: Customer, actor, reason: str, note: str = "") -> Customer:
    return customer_transition(
        customer=customer, action="suspend", actor=actor, reason=reason, note=note
    )


def customer_resume(*, customer: Customer, actor, reason: str = "", note: str = "") -> Customer:
    return customer_transition(
        customer=customer, action="resume", actor=actor, reason=reason, note=note
    )


def customer_terminate(*, customer: Customer, actor, reason: str, note: str = "") -> Customer:
    return customer_transition(
        customer=customer, action="terminate", actor=actor, reason=reason, note=note
    )


def customer_reestablish(
    *, customer: Customer, actor, reason: str = "", note: str = ""
) -> Customer:
    return customer_transition(
        customer=customer, action="reestablish", actor=actor, reason=reason, note=note
    )


def leads_flag_stale(*, older_than_days: int, batch_size: int = 2000, now=None) -> int:
    """Flag leads with no activity for ``older_than_days`` as stale; returns how many.

    Works in batches with short transactions; a lead touched meanwhile is skipped because the
    update re-checks the condition, and one already flagged is never flagged twice.
    """
    if older_than_days < 1:
        raise ValidationError("older_than_days must be at least 1.")
    now = now or timezone.now()
    cutoff = now - timedelta(days=older_than_days)
    label = "job:flag_stale_leads"
    flagged = 0
    while True:
        with transaction.atomic():
            candidates = Customer.objects.filter(
                status=Status.LEAD, stale_since__isnull=True, last_activity_at__lt=cutoff
            )
            ids = list(
                candidates.order_by("last_activity_at").values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return flagged
            claimed = list(
                candidates.filter(pk__in=ids)
                .select_for_update(skip_locked=True)
                .values_list("pk", "last_activity_at")
            )
            Customer.objects.filter(pk__in=[pk for pk, _ in claimed]).update(stale_since=now)
            flagged_customers = Customer.objects.in_bulk([pk for pk, _ in claimed])
            action_logs_record(
                [
                    action_log_entry(
                        customer=flagged_customers[pk],
                        action="customer.flagged_stale",
                        actor=label,
                        at=now,
                        data={
                            "idle_days": (now - last_activity).days,
                            "threshold_days": older_than_days,
                        },
                    )
                    for pk, last_activity in claimed
                ]
            )
            flagged += len(claimed)
            if not claimed:
                return flagged


# Where two moves reach the same status, the ordinary one: a suspended customer becomes active
# again by being resumed, not re-established.
_PREFERRED_FOR_TARGET = ("resume",)


def transition_to(current: str, target: str) -> Transition:
    """The transition that takes a customer from ``current`` to ``target``, or a refusal.

    Lets a client state the status it wants (TMF PATCH of ``status``) instead of an action.
    """
    candidates = [t for t in TRANSITIONS.values() if t.target == target and current in t.sources]
    if not candidates:
        reachable = sorted({t.target for t in allowed_transitions(current)})
        raise TransitionNotAllowed(
            f"A {Status(current).label.lower()} customer cannot become {target}. "
            f"It can become: {', '.join(reachable) or 'nothing'}.",
            code="transition_not_allowed",
        )
    candidates.sort(key=lambda t: t.action not in _PREFERRED_FOR_TARGET)
    return candidates[0]
