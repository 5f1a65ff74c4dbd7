"""My work: what waits for the signed-in person, a block per kind of work, each shown only to
those who may see and act on it. A block is a count and the first few items, with a link to
the full list filtered the same way; every list is read through its own app's selector, on the
index that serves that list's page."""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from crm.jobs.kinds import job_kinds
from crm.jobs.models import JobStatus
from customers.identity.models import DuplicateCandidate
from customers.identity.selectors import duplicate_queue
from customers.interaction_selectors import open_interactions
from customers.models import Customer, Interaction, Partner
from customers.partners.models import HubDelivery
from customers.services.audit import actor_label
from privacy.erasure import erasure_waiting_for
from risk.selectors import retention_work_list

from ..models import ValueAtRiskTally

SHOWN = 5
FAILED_RUNS_DAYS = 7
# Who watches the background machinery: work handed to Celery, jobs, deliveries (administrators).
OPERATIONS_PERMISSION = "crm.view_handoff"
# Where each kind of job lists its runs.
RUN_PAGES = {
    "risk.ScoringRun": ("Scoring run", "risk:overview"),
    "risk.RetrainRun": ("Challenger retrain", "risk:overview"),
    "identity.DuplicateScan": ("Duplicate scan", "identity:duplicate_scans"),
    "identity.ImportJob": ("Import", "identity:imports"),
    "privacy.RetentionRun": ("Retention run", "privacy:retention"),
    "exports.ExportJob": ("Export", None),
    "customers.BulkActionRun": ("Bulk action", None),
}


@dataclass
class WorkItem:
    label: str
    url: str
    note: str = ""
    overdue: bool = False


@dataclass
class WorkBlock:
    name: str  # names the block in the page (its id) and in tests
    title: str
    count: int
    more_url: str
    more_label: str
    empty: str
    items: list[WorkItem] = field(default_factory=list)


def _with_query(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _age(moment) -> str:
    days = (timezone.now() - moment).days
    return "today" if days < 1 else f"{days} day{'s' if days != 1 else ''} ago"


def _open_interactions(user) -> WorkBlock:
    page = open_interactions(show="mine", user_id=user.pk, page_size=SHOWN)
    return WorkBlock(
        name="interactions",
        title="My open interactions",
        count=_count_mine_open(user),
        more_url=_with_query("customers:open_interactions", show="mine"),
        more_label="All my open interactions",
        empty="No open interaction is waiting for you.",
        items=[
            WorkItem(
                label=f"{row.get_kind_display()} · {row.customer.party.display_name}",
                url=row.customer.get_absolute_url(),
                note=f"{row.customer.number}, {_age(row.occurred_at)}",
            )
            for row in page.rows
        ],
    )


def _count_mine_open(user) -> int:
    # Served by interaction_open_owner_idx, like the list it counts.
    return Interaction.objects.filter(closed_at__isnull=True, owner_id=user.pk).count()


def _stale_leads(user) -> WorkBlock:
    # Served by customer_manager_idx: one manager's customers, newest first.
    leads = Customer.objects.filter(
        account_manager_id=user.pk, status=Customer.Status.LEAD, stale_since__isnull=False
    )
    rows = leads.select_related("party").order_by("-id")[:SHOWN]
    return WorkBlock(
        name="stale-leads",
        title="My stale leads",
        count=leads.count(),
        # The customer list has no stale filter: it shows all my leads, the stale ones marked.
        more_url=_with_query("customers:list", status=Customer.Status.LEAD, manager=user.pk),
        more_label="All my leads",
        empty="None of your leads has gone stale.",
        items=[
            WorkItem(
                label=row.party.display_name,
                url=row.get_absolute_url(),
                note=f"{row.number}, stale since {row.stale_since:%d %b %Y}",
            )
            for row in rows
        ],
    )


def _duplicates() -> WorkBlock:
    # Served by duplicate_queue_idx (status, -score).
    count = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count()
    return WorkBlock(
        name="duplicates",
        title="Duplicate pairs to review",
        count=count,
        more_url=reverse("identity:duplicates"),
        more_label="The review queue",
        empty="No pair is waiting for review.",
        items=[
            WorkItem(
                label=(
                    f"{pair.customer_low.party.display_name} ~ "
                    f"{pair.customer_high.party.display_name}"
                ),
                url=reverse("identity:duplicate_review", args=[pair.pk]),
                note=f"{pair.customer_low.number} and {pair.customer_high.number}, "
                f"score {pair.score:.2f}",
            )
            for pair in duplicate_queue(limit=SHOWN)
        ],
    )


def _retention(user) -> WorkBlock:
    page = retention_work_list(account_manager_id=user.pk, page_size=SHOWN)
    # Counting a book of tens of thousands live costs more than the page: the nightly tally
    # keeps each manager's count (served by home_value_at_risk_manager_idx).
    count = (
        ValueAtRiskTally.objects.filter(account_manager_id=user.pk).aggregate(
            customers=Sum("customers")
        )["customers"]
        or 0
    )
    return WorkBlock(
        name="retention",
        title="Retention targets in my book",
        count=count,
        more_url=_with_query("risk:retention", manager=user.pk),
        more_label="My retention list",
        empty="None of your active customers has been scored yet.",
        items=[
            WorkItem(
                label=row.customer.party.display_name,
                url=row.customer.get_absolute_url(),
                note=f"{row.customer.number}, {row.value_at_risk:,.0f} at risk, "
                f"churn risk {row.churn_risk:.0%}",
            )
            for row in page.rows
        ],
    )


def _partner_applications() -> WorkBlock:
    waiting = Partner.objects.filter(
        status__in=[Partner.Status.APPLIED, Partner.Status.VALIDATED]
    ).order_by("created_at", "id")
    return WorkBlock(
        name="partners",
        title="Partner applications waiting",
        count=waiting.count(),
        more_url=_with_query("partners:list", status=Partner.Status.APPLIED),
        more_label="Applications",
        empty="No partner application is waiting.",
        items=[
            WorkItem(
                label=partner.name,
                url=reverse("partners:detail", args=[partner.pk]),
                note=f"{partner.get_status_display()}, {_age(partner.created_at)}",
            )
            for partner in waiting[:SHOWN]
        ],
    )


def _failed_background_work() -> WorkBlock:
    since = timezone.now() - timedelta(days=FAILED_RUNS_DAYS)
    failed = Q(status=JobStatus.FAILED) | Q(chunks_failed__gt=0)
    items, count = [], 0
    # Kinds may share their run model (every list's exports are ExportJobs): each model once.
    for kind in {kind.run_model: kind for kind in job_kinds()}.values():
        label, page = RUN_PAGES.get(kind.run_model, (kind.name, None))
        # A run table holds a row a night at most: read straight, newest first.
        runs = kind.runs.objects.filter(failed, requested_at__gte=since).order_by("-requested_at")
        count += runs.count()
        items += [
            WorkItem(
                label=f"{label} {run.pk}",
                url=reverse(page) if page else "",
                note=f"{run.get_status_display()}, {run.chunks_failed} chunk"
                f"{'s' if run.chunks_failed != 1 else ''} failed, {_age(run.requested_at)}",
            )
            for run in runs[:SHOWN]
        ]
    dead = HubDelivery.objects.filter(status=HubDelivery.Status.DEAD).count()
    if dead:
        items.append(
            WorkItem(
                label=f"{dead:,} hub deliver{'ies' if dead != 1 else 'y'} failed for good",
                url=_with_query("partners:deliveries", status=HubDelivery.Status.DEAD),
                note="partners' callbacks that never answered",
            )
        )
    return WorkBlock(
        name="failures",
        title=f"Failed background work (last {FAILED_RUNS_DAYS} days)",
        count=count + dead,
        more_url=_with_query("partners:deliveries", status=HubDelivery.Status.DEAD),
        more_label="The delivery log",
        empty="Every scoring run, import and scan of the week went through.",
        items=items[: SHOWN + 1],
    )


def _erasures_waiting(user) -> WorkBlock:
    waiting = erasure_waiting_for(user)
    return WorkBlock(
        name="erasures",
        title="Erasures waiting for your approval",
        count=len(waiting),
        more_url=reverse("privacy:erasures"),
        more_label="All erasure requests",
        empty="No one waits to be forgotten.",
        items=[
            WorkItem(
                label=erasure.customer.number,
                url=reverse("privacy:erasure", args=[erasure.pk]),
                note=f"asked by {actor_label(erasure.requested_by)}, {_age(erasure.requested_at)}",
            )
            for erasure in waiting[:SHOWN]
        ],
    )


def my_work(*, user) -> list[WorkBlock]:
    """The blocks of work this person may see, in the order the page shows them."""
    can = user.has_perm
    blocks = []
    if can("customers.change_interaction"):
        blocks.append(_open_interactions(user))
    if can("customers.qualify_customer"):
        blocks.append(_stale_leads(user))
    if can("customers.view_latestscores") and can("customers.view_customer"):
        blocks.append(_retention(user))
    if can("identity.view_duplicatecandidate"):
        blocks.append(_duplicates())
    if can("customers.approve_partner"):
        blocks.append(_partner_applications())
    if can("privacy.approve_erasurerequest"):
        blocks.append(_erasures_waiting(user))
    if can(OPERATIONS_PERMISSION):
        blocks.append(_failed_background_work())
    return blocks
