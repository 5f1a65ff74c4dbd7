"""What every TMF endpoint shares: the base view, ``fields=``, paging and query checks, the
answer to a list request and the query parameters that describe it.

Each API (TMF629 customers, TMF632 parties, TMF683 interactions) names its own attributes and
filters; the rules for reading a request are the same for all of them.
"""

import re
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.partners.api import openapi
from customers.partners.api.auth import PartnerRateThrottle, caller_of, partner_of
from customers.partners.api.errors import ApiError
from customers.partners.selectors import api_customer_count, customers_visible_to
from customers.partners.services.idempotency import (
    Answer,
    KeyReused,
    answered_once,
    idempotency_key_checked,
    request_fingerprint,
)

DEFAULT_LIMIT = 50
# No filter takes more; a longer query string is a mistake or an attack.
MAX_QUERY_STRING = 4096
MAX_LIMIT = 1000
PAGING = {"fields", "offset", "limit"}
OUR_ID = re.compile(r"[0-9]{1,18}")


class TmfView(APIView):
    """No text with a null character reaches the database (the parsers refuse one in a body,
    with lone surrogates), and each partner's requests are counted against its rate."""

    throttle_classes = [PartnerRateThrottle]

    def initial(self, request, *args, **kwargs):
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            raise ApiError(
                414, "uri_too_long", f"The query string is over {MAX_QUERY_STRING} characters."
            )
        super().initial(request, *args, **kwargs)
        if request.method == "PATCH" and not _has_body(request):
            raise ApiError(400, "invalid", "Send the changes as a JSON object (a merge patch).")
        texts = [*kwargs.values(), *request.query_params.keys()]
        texts += [v for values in request.query_params.lists() for v in values[1]]
        if any("\x00" in str(text) for text in texts):
            raise ApiError(400, "invalid_parameter", "Null characters are not allowed.")


def _has_body(request) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return not (length.isdigit() and int(length) == 0) or "chunked" in request.META.get(
        "HTTP_TRANSFER_ENCODING", ""
    )


def fields_asked(request, attributes: Iterable[str], always: Iterable[str]) -> set[str]:
    """The attributes ``fields=`` asks for (all when absent); an unknown one is a 400."""
    attributes = tuple(attributes)
    raw = request.query_params.get("fields")
    if raw is None or not raw.strip():
        return set(attributes)
    asked = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = asked - set(attributes) - set(always)
    if unknown:
        raise ApiError(
            400,
            "invalid_fields",
            f"Unknown attributes in fields: {', '.join(sorted(unknown))}. "
            f"Choose from {', '.join(attributes)}.",
        )
    return asked & set(attributes)


def whole_number(request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number.") from None
    if not minimum <= value <= maximum:
        raise ApiError(400, "invalid_parameter", f"{name} must be from {minimum} to {maximum}.")
    return value


def page_asked(request) -> tuple[int, int]:
    """``offset`` and ``limit`` of a list request."""
    offset = whole_number(request, "offset", 0, minimum=0, maximum=10_000_000)
    limit = whole_number(request, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    return offset, limit


def ids_on_page(matching, offset: int, limit: int) -> list[int]:
    """The ids of one page of ``matching``, read on its index alone: the rows themselves are then
    loaded with their relations for these ids only, so a deep offset never joins what it skips."""
    return list(matching.values_list("pk", flat=True)[offset : offset + limit])


def listed(rows: Iterable, render: Callable[[object], dict], *, total: int) -> Response:
    """A list's answer: each row rendered, and how many match and how many came back."""
    body = [render(row) for row in rows]
    return Response(body, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(body))})


def list_answered(
    request,
    *,
    fields_of: Callable[[object], set[str]],
    filters_of: Callable[[object], object],
    search: Callable[..., QuerySet],
    page_of: Callable[[list[int], set[str]], Iterable],
    render: Callable[[object, object, set[str]], dict],
) -> Response:
    """The answer to a list request: ``fields=``, the filters and the page read (and refused in
    that order), the partner's matching rows searched and counted, and one page of them loaded
    by ``page_of(ids, fields)`` (in the order it returns them) and rendered."""
    fields = fields_of(request)
    filters = filters_of(request)
    offset, limit = page_asked(request)
    partner = partner_of(request)
    matching = search(partner=partner, filters=filters)
    total = api_customer_count(partner=partner, filters=filters, customers=matching)
    page = page_of(ids_on_page(matching, offset, limit), fields)
    return listed(page, lambda row: render(request, row, fields), total=total)


SEVERAL = "One value or several, comma-separated."
COMPARISONS = (("gt", "after"), ("gte", "at or after"), ("lt", "before"), ("lte", "at or before"))


def list_parameters(
    fields: OpenApiParameter,
    *,
    customer: str,
    statuses: Iterable[str],
    filters: Iterable[OpenApiParameter],
    moment: str,
    moment_words: str,
) -> list[OpenApiParameter]:
    """The OpenAPI query parameters of a list of one customer's records: ``fields=``, paging,
    the customer (``customer``) by number, ``status``, the list's own ``filters``, and the four
    comparisons of its date ``moment`` (``moment_words`` "after" reads as the description)."""
    return [
        fields,
        *openapi.PAGING_PARAMETERS,
        OpenApiParameter(customer, str, description="The customer number."),
        OpenApiParameter("status", str, description=f"{SEVERAL} {', '.join(statuses)}."),
        *filters,
        *[
            OpenApiParameter(
                f"{moment}.{op}", str, description=f"{moment_words} {words} (RFC 3339)."
            )
            for op, words in COMPARISONS
        ],
    ]


def unknown_parameters_refused(request, filters: Iterable[str]) -> None:
    """A query parameter that is neither a filter nor paging is a 400 naming the filters: a
    misspelt filter must not silently return everything."""
    filters = set(filters)
    unknown = set(request.query_params) - filters - PAGING
    if unknown:
        raise ApiError(
            400,
            "invalid_parameter",
            f"Unknown query parameters: {', '.join(sorted(unknown))}. "
            f"Filter with {', '.join(sorted(filters))}.",
        )


def our_id(raw: str) -> int | None:
    """A row id as we hand them out, or None for anything else."""
    return int(raw) if OUR_ID.fullmatch(raw) else None


def unique_row(rows: QuerySet):
    """The row of ``rows`` filtered on a unique key, or None. Not ``first()``: its ORDER BY has
    the ORM match the order against every selected column, the larger part of compiling a
    query that joins several tables, to sort one row."""
    return next(iter(rows[:1]), None)


def found_by_id(rows: QuerySet, raw_id: str, name: str):
    """The row of ``rows`` (those the caller may see) with our id ``raw_id``; any other, and
    another partner's row, is a 404 naming it as ``name``."""
    pk = our_id(raw_id)
    found = unique_row(rows.filter(pk=pk)) if pk is not None else None
    if found is None:
        raise ApiError(404, "not_found", f"No {name} {raw_id}.")
    return found


def customer_visible(request, number: str):
    """One of the caller's customers, by number; another partner's is as unknown as none."""
    customer = unique_row(customers_visible_to(partner=partner_of(request)).filter(number=number))
    if customer is None:
        raise ApiError(404, "not_found", f"No customer {number}.")
    return customer


def base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def created_once(request, create: Callable[[], Answer]) -> Response:
    """The answer to a create: ``create``'s, or, for a request sent again with the same
    ``Idempotency-Key``, the first one's (with ``Idempotent-Replayed: true``)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        answer = create()
    else:
        try:
            answer = answered_once(
                caller=caller_of(request),
                key=idempotency_key_checked(key),
                operation=f"POST {request.get_full_path()}"[:300],
                fingerprint=request_fingerprint(request.data),
                work=create,
            )
        except ValidationError as error:
            raise ApiError(400, "invalid_idempotency_key", " ".join(error.messages)) from None
        except KeyReused as error:
            raise ApiError(422, "idempotency_key_reused", str(error)) from None
    headers = {"Location": answer.location}
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(answer.body, status=answer.status_code, headers=headers)


def contact_medium_id(item: dict) -> int | None:
    """The id of a contact medium a body keeps (None for a new one); one not ours is a 400."""
    raw = item.get("id")
    if raw is None:
        return None
    medium_id = our_id(raw)
    if medium_id is None:
        raise ApiError(400, "invalid", f"contactMedium.id: '{raw}' is not one of ours.")
    return medium_id
