"""Reads of the customer domain, shaped for the pages and APIs that show them.

The customer list is keyset-paginated: a page is "the next 50 after this row" in the chosen
order, which costs the same on page 1 and page 20,000, and it never counts the whole base.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from crm.counting import CountedPage, page_counted
from crm.formatting import money
from crm.keyset import cursor_of, keyset_page
from customers import labels
from customers.models import (
    ActionLog,
    ContactMedium,
    Customer,
    CustomerAlias,
    CustomerRelationship,
    Interaction,
    Invoice,
    LifecycleEvent,
    Product,
    Subscription,
)
from customers.normalization import looks_like_phone, name_key, normalize_phone
from customers.services.debt import Debt, debt_from_totals, debt_totals
from customers.services.lifecycle import allowed_transitions
from customers.services.numbers import is_well_formed_customer_number

PAGE_SIZE = 50

# Each sort names the columns of its keyset; every one ends in a unique column, and each has an
# index that serves it. The score sorts list scored customers only.
SORTS = {
    "newest": ("-id",),
    "oldest": ("id",),
    "name": ("party__sort_key", "party_id"),
    "churn": ("-latest_scores__churn_risk", "-id"),
    "value": ("-latest_scores__lifetime_value", "-id"),
    "value_at_risk": ("-latest_scores__value_at_risk", "-id"),
    "fraud": ("-latest_scores__fraud_risk", "-id"),
}
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "name": "Name (A to Z)",
    "churn": "Highest churn risk",
    "value": "Highest lifetime value",
    "value_at_risk": "Most value at risk",
    "fraud": "Highest fraud risk",
}
SCORE_SORTS = {"churn", "value", "value_at_risk", "fraud"}
_NUMBER_PREFIX = re.compile(r"^C\d{3,8}$", re.IGNORECASE)


@dataclass(frozen=True)
class CustomerPage(CountedPage):
    sort: str = "newest"


def customer_search(queryset: QuerySet, q: str) -> QuerySet:
    """Narrow by what the agent typed: an e-mail, a phone number, a customer number or a name."""
    q = q.strip()
    if not q:
        return queryset
    if "@" in q:
        contacts = ContactMedium.objects.filter(
            kind=ContactMedium.Kind.EMAIL, value__startswith=q.lower()
        )
        return queryset.filter(party_id__in=contacts.values("party_id"))
    if is_well_formed_customer_number(q):
        aliased = CustomerAlias.objects.filter(number=q.upper()).values("customer_id")
        return queryset.filter(Q(number=q.upper()) | Q(pk__in=aliased))
    if _NUMBER_PREFIX.match(q):
        return queryset.filter(number__startswith=q.upper())
    if looks_like_phone(q):
        try:
            e164 = normalize_phone(q)
        except ValidationError:
            return queryset.none()
        contacts = ContactMedium.objects.filter(
            kind__in=[ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE], value=e164
        )
        return queryset.filter(party_id__in=contacts.values("party_id"))
    key = name_key(q)
    if not key:
        return queryset.none()
    return queryset.filter(
        Q(party__name_key__startswith=key)
        | Q(party__sort_key__startswith=key)
        | Q(party__family_name_key__startswith=key)
    )


def customer_list_cursor(customer: Customer, *, sort: str = "newest") -> str:
    """The cursor of the page that starts right after ``customer``."""
    return cursor_of(customer, SORTS[sort])


def customer_list_queryset(
    *,
    q: str = "",
    status: str = "",
    segment: str = "",
    partner_id: int | None = None,
    account_manager_id: int | None = None,
    value_segment: str = "",
    credit_rating: str = "",
    churn_at_least: float | None = None,
    sort: str = "newest",
) -> QuerySet:
    """The customers the list's filters select, in no order (the page, the count and the
    export each order or count them their own way)."""
    if sort not in SORTS:
        raise ValidationError(f"Unknown sort '{sort}'.")
    queryset = Customer.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    else:
        # Merged-away customers are only aliases of their survivor; list them on request.
        queryset = queryset.exclude(status=Customer.Status.MERGED)
    if segment:
        queryset = queryset.filter(segment=segment)
    if partner_id:
        queryset = queryset.filter(partner_id=partner_id)
    if account_manager_id:
        queryset = queryset.filter(account_manager_id=account_manager_id)
    if value_segment:
        queryset = queryset.filter(latest_scores__value_segment=value_segment)
    if credit_rating:
        queryset = queryset.filter(latest_scores__credit_rating=credit_rating)
    if churn_at_least is not None:
        queryset = queryset.filter(latest_scores__churn_risk__gte=churn_at_least)
    if sort in SCORE_SORTS:
        queryset = queryset.filter(latest_scores__isnull=False)
    return customer_search(queryset, q)


def customer_list_related(queryset: QuerySet) -> QuerySet:
    """What a list row shows beside the customer, fetched with the page (never per row)."""
    preferred_contacts = ContactMedium.objects.filter(
        kind__in=[ContactMedium.Kind.EMAIL, ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE],
        is_preferred=True,
    ).only("party_id", "kind", "value")
    return queryset.select_related(
        "party", "partner", "account_manager", "latest_scores"
    ).prefetch_related(
        Prefetch("party__contact_media", queryset=preferred_contacts, to_attr="preferred")
    )


def customer_list_rows_complete(rows: list[Customer]) -> None:
    """Give each row of a page what the list shows of it: preferred contacts, since when."""
    for row in rows:
        by_kind = {c.kind: c.value for c in row.party.preferred}
        row.preferred_email = by_kind.get(ContactMedium.Kind.EMAIL, "")
        row.preferred_phone = by_kind.get(ContactMedium.Kind.MOBILE) or by_kind.get(
            ContactMedium.Kind.PHONE, ""
        )
        row.since = customer_since(row)


def customer_list(
    *,
    sort: str = "newest",
    after: str = "",
    before: str = "",
    page_size: int = PAGE_SIZE,
    counted: bool = False,
    **filters,
) -> CustomerPage:
    queryset = customer_list_queryset(sort=sort, **filters)
    page = keyset_page(
        customer_list_related(queryset),
        order=SORTS[sort],
        after=after,
        before=before,
        page_size=page_size,
    )
    customer_list_rows_complete(page.rows)
    count = page_counted(queryset, page) if counted else None
    return CustomerPage(
        rows=page.rows,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        sort=sort,
        count=count,
    )


def customer_get(*, number: str) -> Customer:
    """The customer with this number, or the one it was merged into; raises DoesNotExist.

    The number of a merged-away customer keeps working everywhere: it resolves to the survivor.
    """
    number = number.strip().upper()
    customers = Customer.objects.select_related(
        "party", "partner", "account_manager", "preferences", "merged_into"
    )
    customer = customers.filter(number=number).first()
    if customer is None:
        alias = CustomerAlias.objects.filter(number=number).values_list("customer_id", flat=True)
        customer = customers.filter(pk__in=alias).first()
    if customer is None:
        raise Customer.DoesNotExist(f"No customer {number}.")
    while customer.merged_into_id is not None:
        customer = customers.get(pk=customer.merged_into_id)
    return customer


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    kind: str  # "interaction" or "action"
    title: str
    detail: str
    actor: str
    # An open interaction: who owns it, and its id for the Resolve and Reassign links.
    open_interaction: int | None = None
    owner: str = ""


_ACTION_TITLES = {
    "customer.created": "Customer created",
    "customer.imported": "Customer imported",
    "customer.updated": "Profile changed",
    "customer.partner_changed": "Partner changed",
    "customer.merged": "Duplicate merged in",
    "customer.merged_away": "Merged into another customer",
    "customer.not_duplicate": "Not a duplicate",
    "customer.flagged_stale": "Lead flagged as stale",
    "contact_medium.added": "Contact added",
    "contact_medium.changed": "Contact changed",
    "contact_medium.removed": "Contact removed",
    "consent.granted": "Consent granted",
    "consent.withdrawn": "Consent withdrawn",
    "preferences.changed": "Preferences changed",
    "relationship.added": "Relationship added",
    "relationship.removed": "Relationship removed",
    "subscription.added": "Product added",
    "subscription.changed": "Product changed",
    "subscription.ended": "Product ended",
    "interaction.resolved": "Interaction resolved",
    "interaction.assigned": "Interaction given to a colleague",
    "follow_up.assigned": "Survey follow-up given to a colleague",
    "invoice.recorded": "Invoice recorded",
    "payment.recorded": "Payment recorded",
    "payment.missed": "Payment missed",
    "survey.answered": "Survey answered",
    "survey.bounced": "Survey invitation bounced",
}


@dataclass(frozen=True)
class _Names:
    """What logged data refers to by code or id, by name: read once for a whole timeline."""

    products: dict[str, str]  # product code -> catalogue name

    @classmethod
    def of(cls, entries: list[ActionLog]) -> "_Names":
        codes = {
            (e.data or {}).get("product") for e in entries if e.action.startswith("subscription.")
        }
        codes.discard(None)
        return cls(
            products=dict(
                Product.objects.filter(code__in=codes).values_list("code", "name") if codes else ()
            ),
        )


_NO_NAMES = _Names(products={})


def _describe(
    entry: ActionLog, *, currency: str | None = None, names: _Names = _NO_NAMES
) -> tuple[str, str]:
    """The title and detail of a logged change, in labels (never the stored codes or ids) and
    with amounts in the customer's ``currency``."""
    data = entry.data or {}
    if entry.action.startswith("customer.") and "to" in data:
        action = entry.action.split(".", 1)[1]
        before = labels.status_label(data["from"]) if data.get("from") else "New"
        title = (
            f"{labels.lifecycle_action_label(action)}: {before} → {labels.status_label(data['to'])}"
        )
        reason = labels.reason_label(data.get("reason", ""), action=action)
        detail = " · ".join(p for p in (reason, data.get("note", "")) if p)
        return title, detail
    title = _ACTION_TITLES.get(entry.action) or labels.humanized(entry.action.replace(".", " "))
    if entry.action.startswith("contact_medium."):
        return title, labels.contact_change_text(data)
    if entry.action.startswith("consent."):
        return title, labels.consent_label(
            purpose=data.get("purpose", ""),
            channel=data.get("channel", ""),
            source=data.get("source", ""),
        )
    if entry.action in ("customer.updated", "preferences.changed"):
        return title, labels.field_changes_text(data)
    if entry.action == "customer.created":
        segment = labels.value_label("segment", data.get("segment", ""))
        return title, " · ".join(p for p in (data.get("number"), data.get("name"), segment) if p)
    if entry.action == "customer.flagged_stale":
        return title, (
            f"No activity for {data.get('idle_days')} days "
            f"(leads are flagged after {data.get('threshold_days')})"
        )
    if entry.action == "survey.answered":
        sentiment = str(data.get("sentiment", "")).lower()
        return title, f"{data.get('survey', '')}: {data.get('score', '')} ({sentiment})"
    if entry.action == "interaction.recorded":
        return "", ""
    if entry.action == "interaction.resolved":
        outcome = (
            Interaction.Outcome(data["outcome"]).label
            if data.get("outcome") in (Interaction.Outcome.values)
            else labels.humanized(data.get("outcome", ""))
        )
        return title, " · ".join(p for p in (outcome, data.get("note", "")) if p)
    if entry.action in ("interaction.assigned", "follow_up.assigned"):
        return title, f"{data.get('from') or 'nobody'} → {data.get('to') or 'nobody'}"
    if entry.action.startswith("subscription."):
        return title, _describe_product(entry, data, currency=currency, names=names)
    if entry.action == "invoice.recorded":
        return title, labels.invoice_recorded_text(data, currency=currency)
    if entry.action == "payment.recorded":
        return title, labels.payment_recorded_text(data, currency=currency)
    if entry.action == "payment.missed":
        return title, _describe_missed_payment(data)
    if entry.action.startswith("relationship."):
        return title, labels.relationship_text(data)
    if entry.action == "customer.merged":
        return title, labels.merged_in_text(data)
    if entry.action == "customer.merged_away":
        return title, f"Merged into {data.get('survivor', 'another customer')}"
    if entry.action == "customer.not_duplicate":
        return title, labels.not_duplicate_text(data)
    if entry.action == "customer.imported":
        return title, labels.imported_text(data, file_name=data.get("file", ""))
    if entry.action == "customer.partner_changed":
        return title, labels.partner_changed_text(data)
    if entry.action == "survey.bounced":
        return title, labels.survey_bounced_text(data)
    return title, labels.plain_data_text(data, currency=currency)


def _describe_product(entry: ActionLog, data: dict, *, currency, names: _Names) -> str:
    product = names.products.get(data.get("product"), data.get("product", ""))
    if entry.action == "subscription.added":
        logged_on = timezone.localdate(entry.created_at).isoformat() if entry.created_at else ""
        return labels.product_added_text(
            data, product=product, currency=currency, logged_on=logged_on
        )
    if entry.action == "subscription.changed":
        return labels.product_changed_text(data, product=product, currency=currency)
    if entry.action == "subscription.ended":
        return labels.product_ended_text(data, product=product)
    return labels.plain_data_text(data, currency=currency)


def _describe_missed_payment(data: dict) -> str:
    currency = data.get("currency")
    invoices = ", ".join(str(number) for number in data.get("invoices") or [])
    detail = f"{invoices}: {money(data.get('amount'), currency)} unpaid after the due date"
    if data.get("total_overdue") not in (None, data.get("amount")):
        detail += f"; {money(data['total_overdue'], currency)} overdue in all"
    return detail


# The logged changes a permission is needed to read, by the prefix of their action: a viewer
# who may not see contact media does not read how they changed on the timeline either.
_ACTION_PERMISSIONS = {
    "customer.updated": "customers.view_party",
    "contact_medium.": "customers.view_contactmedium",
    "consent.": "customers.view_consent",
    "preferences.": "customers.view_communicationpreferences",
    "relationship.": "customers.view_customerrelationship",
    "subscription.": "customers.view_subscription",
    "invoice.": "customers.view_invoice",
    "payment.": "customers.view_payment",
    "interaction.": "customers.view_interaction",
    "survey.": "satisfaction.view_response",
    "follow_up.": "satisfaction.view_followup",
}


def customer_timeline(*, customer: Customer, viewer=None, limit: int = 60) -> list[TimelineEntry]:
    """Interactions and logged changes, newest first, in two queries; with a ``viewer``, only
    what they may see (what they may not is not read)."""
    may = viewer.has_perm if viewer is not None else (lambda permission: True)
    interactions = (
        Interaction.objects.filter(customer=customer)
        .select_related("staff", "owner")
        .order_by("-occurred_at", "-id")[:limit]
        if may("customers.view_interaction")
        else Interaction.objects.none()
    )
    actions = ActionLog.objects.none()
    if may("customers.view_actionlog"):
        actions = ActionLog.objects.filter(customer=customer).exclude(action="interaction.recorded")
        for prefix, permission in _ACTION_PERMISSIONS.items():
            if not may(permission):
                actions = actions.exclude(action__startswith=prefix)
        actions = actions.order_by("-created_at", "-id")[:limit]
    entries = [
        TimelineEntry(
            at=i.occurred_at,
            kind="interaction",
            title=(
                f"{i.get_kind_display()} · {i.get_channel_display()}"
                f" ({i.get_direction_display().lower()})"
            ),
            detail=f"{i.summary} — {i.get_outcome_display()}",
            actor=i.staff.get_username() if i.staff else "",
            open_interaction=i.pk if i.closed_at is None else None,
            owner=i.owner.get_username() if i.owner else "",
        )
        for i in interactions
    ]
    actions = list(actions)
    names = _Names.of(actions)
    for entry in actions:
        title, detail = _describe(entry, currency=customer.currency, names=names)
        entries.append(
            TimelineEntry(
                at=entry.created_at,
                kind="action",
                title=title,
                detail=detail,
                actor=entry.actor_label,
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class BillingSummary:
    debt: Debt  # open amount, split into overdue and not yet due
    today: object  # the day ``debt`` was split on
    billed_last_12_months: object
    late_payments_last_12_months: int
    recent_invoices: list[Invoice]
    monthly_charges: object

    @property
    def open_balance(self):
        return self.debt.open_amount

    @property
    def unpaid_overdue(self) -> int:
        return self.debt.overdue_invoices


def customer_billing_summary(*, customer: Customer) -> BillingSummary:
    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    invoices = Invoice.objects.filter(customer=customer)
    totals = invoices.aggregate(
        billed_12m=Sum("amount", filter=Q(issued_on__gte=year_ago)),
        late_12m=Count(
            "id",
            filter=Q(issued_on__gte=year_ago, paid_on__isnull=False, paid_on__gt=F("due_on")),
        ),
        **debt_totals(today=today),
    )
    charges = Subscription.objects.filter(
        customer=customer, status=Subscription.Status.ACTIVE
    ).aggregate(total=Sum("monthly_charge"))
    return BillingSummary(
        debt=debt_from_totals(totals, currency=customer.currency),
        today=today,
        billed_last_12_months=totals["billed_12m"] or 0,
        late_payments_last_12_months=totals["late_12m"],
        recent_invoices=list(invoices.order_by("-issued_on", "-id")[:6]),
        monthly_charges=charges["total"] or 0,
    )


def customer_relationships(*, customer: Customer) -> list[dict]:
    links = []
    outgoing = CustomerRelationship.objects.filter(from_customer=customer).select_related(
        "to_customer__party"
    )
    incoming = CustomerRelationship.objects.filter(to_customer=customer).select_related(
        "from_customer__party"
    )
    inverse = {
        CustomerRelationship.Kind.REFERRED_BY: "Referred",
        CustomerRelationship.Kind.HOUSEHOLD: "Same household as",
        CustomerRelationship.Kind.ORGANISATION_CONTACT: "Has contact person",
    }
    for link in outgoing:
        links.append({"label": link.get_kind_display(), "other": link.to_customer})
    for link in incoming:
        links.append({"label": inverse[link.kind], "other": link.from_customer})
    return links


@dataclass(frozen=True)
class Since:
    """Since when the customer page counts the customer: 'Customer since' only once a
    relationship was established; a lead or prospect is counted from its creation."""

    label: str
    at: object
    until: object = None


# The statuses of a customer whose relationship was established (and may have ended since).
ESTABLISHED = (Customer.Status.ACTIVE, Customer.Status.SUSPENDED, Customer.Status.TERMINATED)


def customer_since(customer: Customer) -> Since:
    return since_of(
        status=customer.status,
        valid_from=customer.valid_from,
        valid_to=customer.valid_to,
        created_at=customer.created_at,
    )


def since_of(*, status: str, valid_from, valid_to, created_at) -> Since:
    """customer_since from the columns alone (an export reads rows as values, not models)."""
    if status in ESTABLISHED:
        return Since("Customer since", valid_from, valid_to)
    if status == Customer.Status.LEAD:
        return Since("Lead since", created_at)
    return Since("Created", created_at)


def customer_lifecycle_events(*, customer: Customer, limit: int = 20) -> list[LifecycleEvent]:
    """The status history, newest first, each event with the labels of its codes."""
    events = list(LifecycleEvent.objects.filter(customer=customer).select_related("actor")[:limit])
    for event in events:
        event.action_label = labels.lifecycle_action_label(event.action)
        event.from_label = labels.status_label(event.from_status) if event.from_status else ""
        event.to_label = labels.status_label(event.to_status)
        event.reason_label = labels.reason_label(event.reason, action=event.action)
    return events


# The parts of the customer page and the permission needed to see each: a part the viewer may
# not see is neither read nor shown. The party's details (birth date, national id, registration)
# come with the customer but are shown only with their own permission; the name and the
# customer's own facts need none beyond seeing the customer.
CUSTOMER_360_PARTS = {
    "party_details": "customers.view_party",
    "contact_media": "customers.view_contactmedium",
    "consents": "customers.view_consent",
    "preferences": "customers.view_communicationpreferences",
    "lifecycle_events": "customers.view_lifecycleevent",
    "subscriptions": "customers.view_subscription",
    "billing": "customers.view_invoice",
    "relationships": "customers.view_customerrelationship",
}
# The timeline shows interactions, logged changes or both.
_TIMELINE_PERMISSIONS = ("customers.view_interaction", "customers.view_actionlog")


def customer_360(*, customer: Customer, viewer) -> dict:
    """Everything the customer page shows ``viewer``, each part in one query. ``shown`` names
    the parts they may see; the others are left out, unread."""
    shown = {part for part, permission in CUSTOMER_360_PARTS.items() if viewer.has_perm(permission)}
    if any(viewer.has_perm(permission) for permission in _TIMELINE_PERMISSIONS):
        shown.add("timeline")
    parts = {
        "contact_media": lambda: list(customer.party.contact_media.all()),
        "consents": lambda: list(customer.consents.select_related("recorded_by")),
        "preferences": lambda: getattr(customer, "preferences", None),
        "lifecycle_events": lambda: customer_lifecycle_events(customer=customer),
        "subscriptions": lambda: list(
            Subscription.objects.filter(customer=customer).select_related("product")[:50]
        ),
        "billing": lambda: customer_billing_summary(customer=customer),
        "relationships": lambda: customer_relationships(customer=customer),
        "timeline": lambda: customer_timeline(customer=customer, viewer=viewer),
    }
    seen = {part: read() for part, read in parts.items() if part in shown}
    return {
        "shown": shown,
        "since": customer_since(customer),
        "status_reason_label": labels.reason_label(customer.status_reason, status=customer.status),
        "language_label": labels.language_label(getattr(seen.get("preferences"), "language", "")),
        "allowed_transitions": [
            transition
            for transition in allowed_transitions(customer.status)
            if viewer.has_perm(transition.permission)
        ],
        **seen,
    }
