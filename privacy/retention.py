"""Retention periods: how long each kind of data is kept, applied by a run of the chunked-job
mechanism (``crm.jobs``) over customer id ranges, nightly and on demand.

A dry run counts what each enabled rule would do, for the report an administrator reads before
enabling a rule or starting a run that applies them. Everything is set-based per chunk: a
statement per rule, whatever the chunk holds. Customers under a legal hold are passed by; a
terminated customer who still owes is kept (the billing records must stay until settled).
Erased people keep their customer number as a tombstone, and an erasure record says which rule
erased them; partners hear of it through their hub like any erasure.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.events import CustomerEvent
from customers.models import ActionLog, Customer, Interaction, Invoice
from customers.services.audit import action_log_entry, action_logs_record
from satisfaction.models import Response

from .erasure import ERASED_ACTION, customers_anonymise
from .models import ErasureRequest, LegalHold, RetentionChunk, RetentionRule, RetentionRun

KIND = "privacy-retention"
CHUNK_CUSTOMERS = 20_000
START_PERMISSION = "privacy.add_retentionrun"
ACTOR = "job:retention"
Kind = RetentionRule.Kind
# Until an administrator says otherwise: the periods a European telco commonly keeps.
DEFAULT_DAYS = {
    Kind.UNCONVERTED_LEADS: 730,
    Kind.TERMINATED_CUSTOMERS: 7 * 365,
    Kind.INTERACTIONS: 3 * 365,
    Kind.SURVEY_COMMENTS: 2 * 365,
    Kind.ACTION_LOG: 7 * 365,
}
# The run's counter of each rule.
COUNTERS = {
    Kind.UNCONVERTED_LEADS: "leads_erased",
    Kind.TERMINATED_CUSTOMERS: "terminated_erased",
    Kind.INTERACTIONS: "interactions_scrubbed",
    Kind.SURVEY_COMMENTS: "comments_scrubbed",
    Kind.ACTION_LOG: "log_entries_deleted",
}
# The audit trail of erasures and holds is the evidence that they were done: never deleted.
EVIDENCE_ACTIONS = (ERASED_ACTION, "erasure.requested", "erasure.refused", "legal_hold.set")
NEVER_CONVERTED = (Customer.Status.LEAD, Customer.Status.PROSPECT, Customer.Status.DISQUALIFIED)


def retention_rules() -> list[RetentionRule]:
    """Every kind's rule, made with its default period (disabled) the first time it is read."""
    existing = {rule.kind: rule for rule in RetentionRule.objects.all()}
    missing = [
        RetentionRule(kind=kind, days=DEFAULT_DAYS[kind], enabled=False)
        for kind in Kind.values
        if kind not in existing
    ]
    if missing:
        RetentionRule.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {rule.kind: rule for rule in RetentionRule.objects.all()}
    return [existing[kind] for kind in Kind.values]


def retention_rules_enabled() -> bool:
    return RetentionRule.objects.filter(enabled=True).exists()


def retention_rule_update(*, kind: str, days: int, enabled: bool, actor) -> RetentionRule:
    if not actor.has_perm("privacy.change_retentionrule"):
        raise PermissionDenied
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose a kind of data."})
    if days < 30:
        raise ValidationError({"days": "Keep data at least 30 days."})
    retention_rules()
    RetentionRule.objects.filter(kind=kind).update(
        days=days, enabled=enabled, updated_at=timezone.now()
    )
    return RetentionRule.objects.get(kind=kind)


def retention_run_request(*, dry_run: bool, actor=None) -> RetentionRun:
    """Plan a run over the whole base in id-range chunks, carried out by workers after commit;
    one run at a time."""
    if actor is not None and not actor.has_perm(START_PERMISSION):
        raise PermissionDenied
    kind = job_kind(KIND)
    bounds = Customer.objects.aggregate(first=Min("pk"), last=Max("pk"))
    run = jobs.job_plan(
        kind,
        ranges=jobs.id_ranges(bounds["first"] or 0, bounds["last"] or 0, CHUNK_CUSTOMERS),
        dry_run=dry_run,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    jobs.job_request(kind, run)
    return run


@dataclass(frozen=True)
class Cutoffs:
    """The moment before which each enabled rule applies (None: the rule is off)."""

    by_kind: dict[str, object]

    @classmethod
    def now(cls) -> "Cutoffs":
        now = timezone.now()
        return cls(
            {
                rule.kind: now - timedelta(days=rule.days)
                for rule in retention_rules()
                if rule.enabled
            }
        )

    def get(self, kind: str):
        return self.by_kind.get(kind)


def _not_held(customers: QuerySet) -> QuerySet:
    return customers.exclude(Exists(LegalHold.objects.filter(customer_id=OuterRef("pk")))).exclude(
        Exists(
            ErasureRequest.objects.filter(
                customer_id=OuterRef("pk"), status=ErasureRequest.Status.ERASED
            )
        )
    )


def _unconverted_leads(in_range: QuerySet, before) -> QuerySet:
    """Leads and prospects never converted (and the disqualified, who never were), with no
    activity since ``before``."""
    return _not_held(
        in_range.filter(status__in=NEVER_CONVERTED).filter(
            Q(last_activity_at__lt=before) | Q(last_activity_at__isnull=True, created_at__lt=before)
        )
    )


def _long_terminated(in_range: QuerySet, before) -> QuerySet:
    """Terminated before ``before``, owing nothing."""
    owing = Invoice.objects.filter(customer_id=OuterRef("pk"), paid_amount__lt=F("amount"))
    return _not_held(
        in_range.filter(status=Customer.Status.TERMINATED, valid_to__lt=before)
    ).exclude(Exists(owing))


def _held_ids(first_id: int, last_id: int) -> QuerySet:
    return LegalHold.objects.filter(customer_id__gte=first_id, customer_id__lte=last_id).values(
        "customer_id"
    )


def retention_chunk_work(run: RetentionRun, chunk: RetentionChunk) -> dict[str, int]:
    """Apply (or, in a dry run, count) every enabled rule to one range of customers."""
    cutoffs = Cutoffs.now()
    first, last = chunk.first_id, chunk.last_id
    in_range = Customer.objects.filter(pk__range=(first, last), merged_into__isnull=True)
    counts = dict.fromkeys(COUNTERS.values(), 0)
    for kind, select in (
        (Kind.UNCONVERTED_LEADS, _unconverted_leads),
        (Kind.TERMINATED_CUSTOMERS, _long_terminated),
    ):
        before = cutoffs.get(kind)
        if before is not None:
            counts[COUNTERS[kind]] = _erase(select(in_range, before), kind, dry_run=run.dry_run)
    before = cutoffs.get(Kind.INTERACTIONS)
    if before is not None:
        texts = (
            Interaction.objects.filter(
                customer_id__gte=first, customer_id__lte=last, occurred_at__lt=before
            )
            .exclude(summary="")
            .exclude(customer_id__in=_held_ids(first, last))
        )
        counts["interactions_scrubbed"] = _apply(texts, run.dry_run, summary="")
    before = cutoffs.get(Kind.SURVEY_COMMENTS)
    if before is not None:
        comments = (
            Response.objects.filter(
                customer_id__gte=first, customer_id__lte=last, responded_at__lt=before
            )
            .exclude(comment="")
            .exclude(customer_id__in=_held_ids(first, last))
        )
        counts["comments_scrubbed"] = _apply(comments, run.dry_run, comment="")
    before = cutoffs.get(Kind.ACTION_LOG)
    if before is not None:
        entries = (
            ActionLog.objects.filter(
                customer_id__gte=first, customer_id__lte=last, created_at__lt=before
            )
            .exclude(action__in=EVIDENCE_ACTIONS)
            .exclude(customer_id__in=_held_ids(first, last))
        )
        counts["log_entries_deleted"] = _delete(entries, run.dry_run)
    return counts


def _apply(rows: QuerySet, dry_run: bool, **scrub) -> int:
    return rows.count() if dry_run else rows.update(**scrub)


def _delete(rows: QuerySet, dry_run: bool) -> int:
    return rows.count() if dry_run else rows.delete()[0]


def _erase(customers: QuerySet, kind: str, *, dry_run: bool) -> int:
    """Anonymise ``customers`` set-based, record who erased them and why, and announce it."""
    if dry_run:
        return customers.count()
    locked = list(customers.select_for_update().order_by("pk"))
    if not locked:
        return 0
    chosen = Customer.objects.filter(pk__in=[customer.pk for customer in locked])
    customers_anonymise(chosen)
    now = timezone.now()
    reason = f"Retention: {Kind(kind).label}"
    ErasureRequest.objects.bulk_create(
        [
            ErasureRequest(
                customer=customer,
                status=ErasureRequest.Status.ERASED,
                reason=reason,
                requested_at=now,
                decided_at=now,
            )
            for customer in locked
        ]
    )
    erased = list(chosen.select_related("party"))
    action_logs_record(
        [
            action_log_entry(
                action=ERASED_ACTION, customer=customer, actor=ACTOR, data={"rule": kind}, at=now
            )
            for customer in erased
        ],
        events=[
            CustomerEvent(customer=customer, action=ERASED_ACTION, data={"rule": kind})
            for customer in erased
        ],
    )
    return len(locked)


def retention_run_complete(run: RetentionRun) -> None:
    """The action log entries of no customer (system work) follow the same period."""
    before = Cutoffs.now().get(Kind.ACTION_LOG)
    if before is None:
        return
    entries = ActionLog.objects.filter(customer__isnull=True, created_at__lt=before).exclude(
        action__in=EVIDENCE_ACTIONS
    )
    run.log_entries_deleted += _delete(entries, run.dry_run)


def retention_runs(limit: int = 10) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("requested_by").order_by("-pk")[:limit])
