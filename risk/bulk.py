"""The retention work list as a place bulk actions start from (customers.bulk): assign an
account manager, create a task or move the lifecycle of the customers it shows."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from customers.bulk import BulkList
from customers.models import Customer

from . import selectors
from .exports import PERMISSIONS, RETENTION
from .forms import RetentionFilterForm


def retention_customers(params, user) -> QuerySet:
    """The customers the retention list's filters (``params``) show: only to those who may
    read the list, since its filters are on scores."""
    if not user.has_perms(PERMISSIONS):
        raise PermissionDenied
    filters = RetentionFilterForm.selector_filters(RetentionFilterForm.cleaned_or_error(params))
    return Customer.objects.filter(
        pk__in=selectors.retention_queryset(**filters).values("customer_id")
    )


RETENTION_BULK_LIST = BulkList(
    name=RETENTION,
    title="Retention work list",
    url_name="risk:retention",
    customers=retention_customers,
)
