"""Every API failure as a TMF ``Error`` body: never an HTML page, never a stack trace.

Outside the API the public pages get theirs (crm.public_errors), staff pages Django's own.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from crm import public_errors
from customers.identity_rules import DuplicateFound
from customers.services.audit import CustomerMerged
from customers.services.lifecycle import TransitionNotAllowed

logger = logging.getLogger("customers.partners.api")

API_PREFIX = "/tmf-api/"


class ApiError(exceptions.APIException):
    """An error with our own TMF code, e.g. ``ApiError(409, "duplicate", "…")``."""

    def __init__(self, status_code: int, code: str, message: str, reason: str | None = None):
        self.status_code = status_code
        self.code = code
        self.reason = reason
        super().__init__(detail=message, code=code)


REASONS = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    414: "URI too long",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal error",
}


def error_body(status_code: int, code: str, message: str, reason: str | None = None) -> dict:
    return {
        "@type": "Error",
        "code": code,
        "reason": reason or REASONS.get(status_code, "Error"),
        "message": encodable(message),
        "status": str(status_code),
    }


def encodable(text: str) -> str:
    """``text`` as every encoder takes it: a message may echo what a caller sent, and a lone
    UTF-16 surrogate in it (which JSON lets through) would make the answer itself fail."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def api_body_limit() -> int:
    """The largest body the API reads: CRM_API_MAX_BODY_BYTES, or Django's own limit where
    that is lower (Django refuses a larger body before the API sees it)."""
    limits = (settings.CRM_API_MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return min(limit for limit in limits if limit is not None)


def payload_too_large() -> ApiError:
    return ApiError(413, "payload_too_large", f"The body is larger than {api_body_limit()} bytes.")


def _flatten(detail, path: str = "") -> list[str]:
    """DRF's nested error details as readable lines: 'engagedParty.givenName: Not a string.'"""
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            lines += _flatten(value, f"{path}.{name}" if path and name else (name or path))
        return lines
    if isinstance(detail, list):
        lines = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                lines += _flatten(value, f"{path}[{index}]")
            else:
                lines += _flatten(value, path)
        return lines
    return [f"{path}: {detail}" if path else str(detail)]


# Our model fields by the TMF attribute a partner sent them as.
TMF_NAMES = {
    "given_name": "engagedParty.givenName",
    "family_name": "engagedParty.familyName",
    "legal_name": "engagedParty.name",
    "trading_name": "engagedParty.tradingName",
    "birth_date": "engagedParty.birthDate",
    "national_id": "engagedParty.nationalId",
    "registration_number": "engagedParty.registrationNumber",
    "title": "engagedParty.title",
    "kind": "contactMedium.@type",
    "value": "contactMedium",
    "street": "contactMedium.street1",
    "city": "contactMedium.city",
    "postcode": "contactMedium.postCode",
    "country": "contactMedium.country",
    "valid_to": "contactMedium.validFor",
    "reason": "statusReason",
    "status": "status",
    "segment": "characteristic.segment",
    "language": "characteristic.language",
    "payment_method": "paymentMethod",
    "external_ref": "characteristic.externalReference",
    "partner_reference": "characteristic.externalReference",
    "currency": "characteristic.currency",
}


def validation_message(error: DjangoValidationError, names: dict = TMF_NAMES) -> str:
    """A service's refusal as one sentence, each field named as the API names it."""
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{names.get(field, field)}: {' '.join(messages)}"
            if field != "__all__"
            else " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


# Refusals because of what already exists, rather than of what was sent.
CONFLICT_CODES = {"not_deletable", "duplicate_reference", "party_taken"}


def tmf_exception_handler(exc, context):
    """DRF's exception handler, answering in TMF errors; unexpected failures become a 500."""
    if isinstance(exc, RequestDataTooBig):
        exc = payload_too_large()
    if isinstance(exc, ApiError):
        body = error_body(exc.status_code, exc.code, str(exc.detail), exc.reason)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        # A state that forbids the change is a conflict; anything else is bad input.
        conflict = isinstance(exc, (DuplicateFound, TransitionNotAllowed, CustomerMerged))
        code = getattr(exc, "code", None) or ("conflict" if conflict else "invalid")
        status_code = 409 if conflict or code in CONFLICT_CODES else 400
        return Response(error_body(status_code, code, validation_message(exc)), status=status_code)
    if isinstance(exc, IntegrityError):
        # Two requests raced for the same unique value; the loser changed nothing.
        message = "The change clashed with another one made at the same moment; send it again."
        return Response(error_body(409, "conflict", message), status=409)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait) + 1)
        code = exc.get_codes()
        if isinstance(exc, exceptions.ValidationError):
            code = "invalid"
            message = " ".join(_flatten(exc.detail))
        else:
            code = code if isinstance(code, str) else "error"
            message = str(exc.detail)
        return Response(
            error_body(exc.status_code, code, message), exc.status_code, headers=headers
        )
    logger.exception("Unexpected error in %s", context.get("view").__class__.__name__)
    return Response(
        error_body(500, "internal_error", "The request failed on our side; it has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_response(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(status_code, code, message), status=status_code)


def bad_request(request, exception=None):
    if is_api_request(request) and isinstance(exception, RequestDataTooBig):
        error = payload_too_large()
        return api_error_response(error.status_code, error.code, str(error.detail))
    if is_api_request(request):
        return api_error_response(400, "bad_request", str(exception) or "The request is malformed.")
    return public_errors.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api_request(request):
        return api_error_response(403, "forbidden", "Your credentials do not allow this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api_request(request):
        return api_error_response(404, "not_found", f"Nothing at {request.path}.")
    return public_errors.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return api_error_response(500, "internal_error", "The request failed on our side.")
    return public_errors.server_error(request)
