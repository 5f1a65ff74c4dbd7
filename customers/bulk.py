"""Actions on many customers at once, through the same services as the single-row actions.

A bulk action is applied row by row with the service the customer page uses (each row locked,
checked, logged and announced as it would be there), so a row the service refuses is reported
with the service's own reason and the others go on. Each action has the permission of its
single-row form; whoever lacks it is refused the whole action.

A selection larger than ``BULK_INLINE_LIMIT`` runs as a job (``crm.jobs``): chunks of customer
ids, each applying the action to the selection's rows in its range and keeping the refusals.

Other apps add actions with ``bulk_action_register`` from their ``apps.ready``: the core does
not import the apps above it. Lists of customers other than the customer list (the retention
work list) let a bulk action start from their rows with ``bulk_list_register``: the list's name
and a function from its filters to the customers they show. The work app's "create tasks"
plugs in with ``BulkAction(name="create_tasks", label="Create a task",
permission="work.add_task", form=BulkTaskForm, apply_many=...)``: ``apply_many`` takes a
chunk's customers at once, for a service that writes a batch in one go.

An action that needs more than a manager or a reason names a ``form``: a Django form class the
confirmation page renders (its fields prefixed ``options-``) and validates before anything is
applied; its ``cleaned_data`` join the options ``apply``/``apply_many`` get. A background run
keeps the form's raw inputs and validates them again for each chunk.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import QueryDict

from crm.jobs.kinds import job_kind
from crm.jobs.services import job_plan, job_request
from customers import selectors
from customers.forms import CustomerFilterForm
from customers.models import BulkActionRefusal, BulkActionRun, Customer
from customers.services import customer_update
from customers.services.lifecycle import TRANSITIONS, customer_transition

# Selections up to this size are applied while the page waits; larger ones are a background
# job (crm.jobs) of chunks of this many customer ids.
BULK_INLINE_LIMIT = 200
BULK_CHUNK_IDS = 200
KIND = "customers-bulk"
# The names of a bulk action's own form fields start with this, away from the page's own.
BULK_FORM_PREFIX = "options"


@dataclass(frozen=True)
class BulkAction:
    """``apply(customer, actor, options)`` changes one customer or raises ValidationError;
    ``options`` are what the confirmation page asked for (a manager, a reason, the ``form``'s
    cleaned data)."""

    name: str
    label: str
    permission: str
    apply: Callable[[Customer, object, dict], None] | None = None
    # Statuses from which the action is legal; empty: any.
    sources: frozenset[str] = field(default_factory=frozenset)
    reasons: tuple[tuple[str, str], ...] = ()
    reason_required: bool = False
    asks_for_manager: bool = False
    # For a batch service: (customers, actor, options) -> one BulkOutcome per customer.
    apply_many: Callable[[list[Customer], object, dict], list["BulkOutcome"]] | None = None
    # The extra inputs the confirmation page asks for: a form class built as ``form(data,
    # prefix=BULK_FORM_PREFIX)``; its cleaned data are added to the options.
    form: type[forms.Form] | None = None
    # What happens to each customer, said on the confirmation page.
    summary: str = ""


_actions: dict[str, BulkAction] = {}


def bulk_action_register(action: BulkAction) -> BulkAction:
    _actions[action.name] = action
    return action


def bulk_actions_for(user) -> list[BulkAction]:
    """The actions ``user`` may take, in the order they were registered."""
    return [action for action in _actions.values() if user.has_perm(action.permission)]


def bulk_action(name: str) -> BulkAction:
    try:
        return _actions[name]
    except KeyError:
        raise ValidationError(f"Unknown bulk action '{name}'.") from None


def _assign_manager(customer: Customer, actor, options: dict) -> None:
    customer_update(customer=customer, actor=actor, account_manager=options["manager"])


def _transition(action: str):
    def apply(customer: Customer, actor, options: dict) -> None:
        customer_transition(
            customer=customer, actor=actor, action=action, reason=options.get("reason", "")
        )

    return apply


bulk_action_register(
    BulkAction(
        name="assign_manager",
        label="Assign account manager",
        permission="customers.change_customer",
        apply=_assign_manager,
        asks_for_manager=True,
    )
)
for _transition_def in TRANSITIONS.values():
    bulk_action_register(
        BulkAction(
            name=_transition_def.action,
            label=_transition_def.label,
            permission=_transition_def.permission,
            apply=_transition(_transition_def.action),
            sources=_transition_def.sources,
            reasons=_transition_def.reasons,
            reason_required=_transition_def.reason_required,
        )
    )


@dataclass(frozen=True)
class BulkList:
    """A list whose rows are customers, where a bulk action can start. ``customers(params,
    user)`` gives the customers the list's filters (a QueryDict) show ``user``, unordered, and
    raises ValidationError for broken filters and PermissionDenied for a user who may not read
    the list."""

    name: str
    title: str
    url_name: str
    customers: Callable[[QueryDict, object], QuerySet]


_lists: dict[str, BulkList] = {}
CUSTOMER_LIST = "customers"


def bulk_list_register(bulk_list: BulkList) -> BulkList:
    _lists[bulk_list.name] = bulk_list
    return bulk_list


def bulk_list(name: str) -> BulkList:
    try:
        return _lists[name or CUSTOMER_LIST]
    except KeyError:
        raise ValidationError(f"Unknown list '{name}'.") from None


def _customer_list_customers(params: QueryDict, user) -> QuerySet:
    form = CustomerFilterForm.for_user(params, user=user)
    if not form.is_valid():
        raise ValidationError("Fix the list's filters first.")
    return selectors.customer_list_queryset(
        **CustomerFilterForm.selector_filters(form.cleaned_data)
    )


bulk_list_register(
    BulkList(
        name=CUSTOMER_LIST,
        title="Customers",
        url_name="customers:list",
        customers=_customer_list_customers,
    )
)


@dataclass(frozen=True)
class BulkPreview:
    rows: int
    legal: int

    @property
    def refused(self) -> int:
        return self.rows - self.legal


def bulk_preview(*, action: BulkAction, customers: QuerySet) -> BulkPreview:
    """How many customers the action concerns and how many are in a state it is legal from:
    one grouped query, whatever the selection's size."""
    by_status = dict(
        customers.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    rows = sum(by_status.values())
    legal = rows if not action.sources else sum(by_status.get(s, 0) for s in action.sources)
    return BulkPreview(rows=rows, legal=legal)


@dataclass(frozen=True)
class BulkOutcome:
    customer: Customer
    done: bool
    message: str = ""


def bulk_options_clean(action: BulkAction, *, manager_id=None, reason: str = "") -> dict:
    options = {}
    if action.asks_for_manager:
        User = get_user_model()
        manager = User.objects.filter(pk=manager_id, is_active=True, is_staff=True).first()
        if manager is None:
            raise ValidationError("Choose the account manager.")
        options["manager"] = manager
    if action.reasons:
        if reason and reason not in dict(action.reasons):
            raise ValidationError(f"'{reason}' is not a reason to {action.label.lower()}.")
        if action.reason_required and not reason:
            raise ValidationError(f"Give a reason to {action.label.lower()}.")
        options["reason"] = reason
    return options


def bulk_action_form(action: BulkAction, data=None) -> forms.Form | None:
    """The action's own form, bound to ``data`` (the POST, or a run's saved inputs) if given."""
    if action.form is None:
        return None
    return action.form(data, prefix=BULK_FORM_PREFIX)


def bulk_form_options(form: forms.Form | None) -> dict:
    """The options the action's form adds; ValidationError while its inputs are wrong."""
    if form is None:
        return {}
    if not form.is_valid():
        raise ValidationError("Correct the fields below.")
    return dict(form.cleaned_data)


def bulk_form_inputs(form: forms.Form | None) -> dict:
    """The form's raw inputs, as a background run keeps them (JSON) to validate again."""
    if form is None:
        return {}
    return {field.html_name: field.data for field in form}


def bulk_selection(
    *, scope: str, query: str, customer_ids: list[int], user, list_name: str = CUSTOMER_LIST
) -> QuerySet:
    """The customers a bulk action concerns: every row the filters (``query``) of the list
    ``list_name`` show ``user``, or the ticked ones. Raises ValidationError for broken filters,
    an unknown list or no tick."""
    if scope == "all":
        return bulk_list(list_name).customers(QueryDict(query), user)
    if not customer_ids:
        raise ValidationError("Tick the customers to act on, or choose all filtered rows.")
    return Customer.objects.filter(pk__in=customer_ids).exclude(status=Customer.Status.MERGED)


def _apply_each(action: BulkAction, customers: QuerySet, actor, options: dict):
    rows = list(customers.select_related("party").order_by("number"))
    if action.apply_many:
        return action.apply_many(rows, actor, options)
    outcomes = []
    for customer in rows:
        try:
            action.apply(customer, actor, options)
        except ValidationError as error:
            outcomes.append(BulkOutcome(customer, done=False, message=" ".join(error.messages)))
        else:
            outcomes.append(BulkOutcome(customer, done=True))
    return outcomes


def customers_bulk_apply(
    *, action: BulkAction, customers: QuerySet, actor, options: dict
) -> list[BulkOutcome]:
    """Apply ``action`` to each customer through its service, while the caller waits; one
    outcome per customer, in customer-number order. Refused for a user without the action's
    permission, and for more than ``BULK_INLINE_LIMIT`` customers (customers_bulk_start)."""
    if not actor.has_perm(action.permission):
        raise PermissionDenied
    if customers.order_by()[: BULK_INLINE_LIMIT + 1].count() > BULK_INLINE_LIMIT:
        raise ValidationError(
            f"More than {BULK_INLINE_LIMIT} customers are applied in the background."
        )
    return _apply_each(action, customers, actor, options)


def _id_ranges(customers: QuerySet) -> tuple[list[tuple[int, int]], int]:
    """Ranges of BULK_CHUNK_IDS selected ids each, read from the index in one pass."""
    ranges, batch, total = [], [], 0
    for pk in customers.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000):
        batch.append(pk)
        total += 1
        if len(batch) == BULK_CHUNK_IDS:
            ranges.append((batch[0], batch[-1]))
            batch = []
    if batch:
        ranges.append((batch[0], batch[-1]))
    return ranges, total


def customers_bulk_start(
    *,
    action: BulkAction,
    actor,
    options: dict,
    scope: str,
    query: str,
    customer_ids: list[int],
    form_inputs: dict | None = None,
    list_name: str = CUSTOMER_LIST,
) -> BulkActionRun:
    """Run ``action`` over the selection in the background; raises ValidationError while
    another bulk action is running. ``form_inputs`` are the action form's raw inputs
    (bulk_form_inputs), validated again for each chunk."""
    if not actor.has_perm(action.permission):
        raise PermissionDenied
    customers = bulk_selection(
        scope=scope, query=query, customer_ids=customer_ids, user=actor, list_name=list_name
    )
    ranges, total = _id_ranges(customers)
    kept = {"manager": options["manager"].pk} if "manager" in options else {}
    if "reason" in options:
        kept["reason"] = options["reason"]
    if action.form is not None:
        kept["form"] = form_inputs or {}
    kind = job_kind(KIND)
    run = job_plan(
        kind,
        ranges=ranges,
        owner=actor,
        action=action.name,
        list_name=bulk_list(list_name).name,
        options=kept,
        query=query if scope == "all" else "",
        customer_ids=customer_ids if scope != "all" else [],
        rows_expected=total,
    )
    job_request(kind, run)
    return run


def bulk_chunk_work(run: BulkActionRun, chunk) -> dict[str, int]:
    """Apply the run's action to the selected customers of the chunk's id range, as the run's
    owner; keep each refusal with its reason."""
    action = bulk_action(run.action)
    owner = run.owner
    if not owner.has_perm(action.permission):
        raise PermissionDenied(f"{owner.get_username()} may no longer {action.label.lower()}.")
    options = bulk_options_clean(
        action, manager_id=run.options.get("manager"), reason=run.options.get("reason", "")
    ) | bulk_form_options(bulk_action_form(action, run.options.get("form", {})))
    customers = bulk_selection(
        scope="all" if run.query or not run.customer_ids else "selected",
        query=run.query,
        customer_ids=run.customer_ids,
        user=owner,
        list_name=run.list_name,
    ).filter(pk__gte=chunk.first_id, pk__lte=chunk.last_id)
    outcomes = _apply_each(action, customers, owner, options)
    refused = [
        BulkActionRefusal(run=run, customer=outcome.customer, message=outcome.message)
        for outcome in outcomes
        if not outcome.done
    ]
    BulkActionRefusal.objects.bulk_create(refused, ignore_conflicts=True)
    return {"rows_done": len(outcomes) - len(refused), "rows_refused": len(refused)}


def bulk_run_for_owner(*, run_id: int, user) -> BulkActionRun:
    """The bulk run ``user`` started; anyone else's is DoesNotExist."""
    return BulkActionRun.objects.get(pk=run_id, owner=user)
