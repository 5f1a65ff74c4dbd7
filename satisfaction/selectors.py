"""Reads for pages: a customer's survey history, the follow-up work list."""

from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from customers.models import Customer
from customers.roles import staff_with_permission
from work.services import TASK_OWNER_PERMISSION

from .models import FOLLOW_UP_PERMISSION, FollowUp, Invitation, Response
from .results import TOUCH_POINTS

HISTORY_SHOWN = 10


def today():
    return timezone.localdate()


def customer_surveys(customer: Customer) -> dict:
    """The answers panel on the customer page: answers and recent invitations."""
    responses = list(
        Response.objects.filter(customer=customer)
        .select_related("survey")
        .order_by("-responded_at", "-id")[:HISTORY_SHOWN]
    )
    touch_points = dict(TOUCH_POINTS)
    for response in responses:
        response.touch_point_name = touch_points.get(response.touch_point, response.touch_point)
    return {
        "responses": responses,
        "invitations": list(
            Invitation.objects.filter(customer=customer)
            .select_related("survey")
            .order_by("-created_at", "-id")[:HISTORY_SHOWN]
        ),
    }


def customer_follow_ups(customer: Customer) -> dict:
    """The follow-ups panel on the customer page: the open follow-ups of low answers."""
    return {
        "follow_ups": list(
            FollowUp.objects.filter(customer=customer, status=FollowUp.Status.OPEN)
            .select_related("assigned_to", "response__survey")
            .order_by("due_on", "id")
        ),
        "today": timezone.localdate(),
    }


def follow_up_list(
    *,
    assigned_to_id: int | None = None,
    unassigned_only: bool = False,
    overdue_only: bool = False,
    status: str = "open",
) -> list[FollowUp]:
    follow_ups = FollowUp.objects.filter(status=status)
    if assigned_to_id:
        follow_ups = follow_ups.filter(assigned_to_id=assigned_to_id)
    elif unassigned_only:
        follow_ups = follow_ups.filter(assigned_to__isnull=True)
    if overdue_only:
        follow_ups = follow_ups.filter(due_on__lt=timezone.localdate())
    ordering = ("due_on", "id") if status == FollowUp.Status.OPEN else ("-closed_at", "-id")
    return list(
        follow_ups.select_related(
            "customer__party", "assigned_to", "response__survey", "closed_by"
        ).order_by(*ordering)[:200]
    )


def follow_up_assignees():
    """The staff a follow-up may be given to, by user name: it is a task too, so they work
    both."""
    return staff_with_permission(FOLLOW_UP_PERMISSION).filter(
        pk__in=staff_with_permission(TASK_OWNER_PERMISSION).values("pk")
    )


def answers_by_customer(scope: Q, as_of: date) -> list[dict]:
    """Per customer in ``scope`` (a Q on ``customer_id``): survey answers in the 365 days up to
    ``as_of``, and the negative and positive ones among them; one grouped query. The churn model
    reads these as features."""
    year_ago = as_of - timedelta(days=365)
    return list(
        Response.objects.filter(
            scope, responded_at__date__lte=as_of, responded_at__date__gt=year_ago
        )
        .values("customer_id")
        .annotate(
            survey_answers_365d=Count("pk"),
            negative_answers_365d=Count("pk", filter=Q(sentiment="negative")),
            positive_answers_365d=Count("pk", filter=Q(sentiment="positive")),
        )
    )
