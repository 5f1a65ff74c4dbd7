"""TMF635 v5 endpoints: parse the request, call one service or selector, render the resource."""

from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from customers.models import Product, UsageSummary
from customers.partners.api import openapi
from customers.partners.api.auth import CustomerApiPermission, partner_of
from customers.partners.api.errors import ApiError
from customers.partners.api.parsers import LimitedJSONParser
from customers.partners.api.tmf import (
    TmfView,
    base_url,
    created_once,
    customer_visible,
    fields_asked,
    found_by_id,
    list_answered,
    unknown_parameters_refused,
)
from customers.partners.api.usage import schema
from customers.partners.api.usage.inputs import (
    UsageInputSerializer,
    customer_number_of,
    external_ref_of,
    measures_of,
)
from customers.partners.api.usage.representation import (
    ALWAYS,
    ATTRIBUTES,
    CHARACTERISTIC_OF,
    usage_representation,
    usages_with_relations,
)
from customers.partners.api.usage.selectors import (
    ApiUsageFilters,
    api_usage_search,
    usages_visible_to,
)
from customers.partners.services.idempotency import Answer
from customers.services.usage import usage_record

MOMENT = "usageDate"
FILTERS = {"relatedParty.id", "productOffering.id", *(f"{MOMENT}.{op}" for op in schema.OPS)}


class UsageApiPermission(CustomerApiPermission):
    """Partners by their token's customer scopes (usage is part of the customer's record);
    staff by their role's usage permissions."""

    STAFF_PERMISSIONS = {
        "GET": "customers.view_usagesummary",
        "HEAD": "customers.view_usagesummary",
        "OPTIONS": "customers.view_usagesummary",
        "POST": "customers.add_usagesummary",
        # Never allowed (405); whoever may record usage is told why.
        "PATCH": "customers.add_usagesummary",
        "DELETE": "customers.add_usagesummary",
    }


def _fields(request) -> set[str]:
    return fields_asked(request, ATTRIBUTES, ALWAYS)


def _moment(request, name: str) -> datetime | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))  # a "+" left unescaped reads as a space
    except ValueError:
        moment = None
    if moment is None:
        raise ApiError(
            400, "invalid_parameter", f"{name} must be a date and time such as 2026-01-01T00:00Z."
        )
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _month_bounds(request) -> dict[str, date]:
    """The comparisons of usageDate (a month's first midnight, UTC) as the first and the last
    month they let through."""
    lowest, highest = [], []
    for op in schema.OPS:
        moment = _moment(request, f"{MOMENT}.{op}")
        if moment is None:
            continue
        day = moment.date()
        at_midnight = moment.timetz().replace(tzinfo=None) == time.min
        if op == "gt" or (op == "gte" and not at_midnight):
            lowest.append(day + timedelta(days=1))
        elif op == "gte":
            lowest.append(day)
        elif op == "lt" and at_midnight:
            highest.append(day - timedelta(days=1))
        else:
            highest.append(day)
    bounds = {}
    if lowest:
        bounds["month_from"] = max(lowest)
    if highest:
        bounds["month_until"] = min(highest)
    return bounds


def _filters(request) -> ApiUsageFilters:
    unknown_parameters_refused(request, FILTERS)
    params = request.query_params
    return ApiUsageFilters(
        customer_number=params.get("relatedParty.id", "").strip().upper()[:20],
        product_code=params.get("productOffering.id", "").strip()[:30],
        **_month_bounds(request),
    )


def _render(request, summary: UsageSummary, fields=ATTRIBUTES) -> dict:
    return usage_representation(summary, base_url=base_url(request), fields=fields)


def _tmf_names(error: DjangoValidationError) -> ApiError:
    """A service's refusal with the names the client sent."""
    names = {"month": MOMENT, "customer": "relatedParty", "product": "productOffering"}
    names |= {field: f"usageCharacteristic {camel}" for field, camel in CHARACTERISTIC_OF.items()}
    names["external_ref"] = "externalIdentifier"
    if hasattr(error, "error_dict"):
        message = " ".join(
            f"{names.get(field, field)}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
    else:
        message = " ".join(error.messages)
    return ApiError(400, "invalid", message)


class UsageCollection(TmfView):
    permission_classes = [UsageApiPermission]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="listUsage",
        summary="List or find the monthly usage of your customers",
        parameters=schema.LIST_PARAMETERS,
        responses=schema.list_responses(),
        tags=["usage"],
    )
    def get(self, request):
        return list_answered(
            request,
            fields_of=_fields,
            filters_of=_filters,
            search=api_usage_search,
            page_of=lambda ids, fields: usages_with_relations(
                UsageSummary.objects.filter(pk__in=ids), fields
            ).order_by("-month", "-id"),
            render=_render,
        )

    @extend_schema(
        operation_id="createUsage",
        summary="Record a month of one of your customers' usage of a product",
        parameters=[openapi.IDEMPOTENCY_KEY_PARAMETER],
        request={"application/json": schema.USAGE_CREATE},
        responses=schema.create_responses(),
        tags=["usage"],
    )
    def post(self, request):
        return created_once(request, lambda: self._create(request))

    def _create(self, request) -> Answer:
        serializer = UsageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = customer_visible(request, customer_number_of(data))
        code = data["productOffering"]["id"].strip()
        product = Product.objects.filter(code=code).first()
        if product is None:
            raise ApiError(400, "invalid", f"productOffering: no product offering {code!r}.")
        moment = data[MOMENT].astimezone(UTC)
        if moment.timetz().replace(tzinfo=None) != time.min:
            raise ApiError(
                400, "invalid", f"{MOMENT}: a month starts at midnight UTC of its first day."
            )
        try:
            summary = usage_record(
                customer=customer,
                product=product,
                month=moment.date(),
                measures=measures_of(data),
                external_ref=external_ref_of(data),
            )
        except DjangoValidationError as error:
            raise _tmf_names(error) from None
        found = usages_with_relations(UsageSummary.objects.filter(pk=summary.pk)).get()
        body = _render(request, found)
        return Answer(status.HTTP_201_CREATED, body, location=body["href"])


class UsageItem(TmfView):
    permission_classes = [UsageApiPermission]

    @extend_schema(
        operation_id="retrieveUsage",
        summary="Retrieve a month of usage",
        parameters=[schema.FIELDS_PARAMETER],
        responses=schema.item_responses(),
        tags=["usage"],
    )
    def get(self, request, usage_id: str):
        fields = _fields(request)
        usages = usages_with_relations(usages_visible_to(partner=partner_of(request)), fields)
        return Response(_render(request, found_by_id(usages, usage_id, "usage"), fields))
