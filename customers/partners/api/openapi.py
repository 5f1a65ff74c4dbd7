"""What the OpenAPI documents of the three partner APIs share, and the views that serve them.

Written as JSON Schema (the TMF v5 shapes, narrowed to what we send and accept) so that each
generated document can be checked against the running API (schemathesis in CI).
"""

from django.urls import include, path
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiFilterExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
    OpenApiViewExtension,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
TIME_PERIOD = {
    "type": "object",
    "properties": {
        "startDateTime": {"type": "string", "format": "date-time"},
        "endDateTime": {"type": "string", "format": "date-time"},
    },
}
REF = {
    "type": "object",
    "required": ["id", "@type"],
    "properties": {
        "id": STRING,
        "href": STRING,
        "name": STRING,
        "@type": STRING,
        "@referredType": STRING,
    },
}
CONTACT_MEDIUM = {
    "type": "object",
    "required": ["@type"],
    "properties": {
        "@type": {
            "type": "string",
            "enum": [
                "EmailContactMedium",
                "PhoneContactMedium",
                "GeographicAddressContactMedium",
                "SocialContactMedium",
            ],
        },
        "id": STRING,
        "preferred": BOOLEAN,
        "contactType": STRING,
        "validFor": TIME_PERIOD,
        "emailAddress": STRING,
        "phoneNumber": STRING,
        "street1": STRING,
        "street2": STRING,
        "city": STRING,
        "postCode": STRING,
        "stateOrProvince": STRING,
        "country": STRING,
        "socialNetworkId": STRING,
    },
}
ERROR = {
    "type": "object",
    "required": ["@type", "code", "reason"],
    "properties": {
        "@type": {"type": "string", "enum": ["Error"]},
        "code": STRING,
        "reason": STRING,
        "message": STRING,
        "status": STRING,
    },
}
HUB = {
    "type": "object",
    "required": ["id", "@type", "callback"],
    "properties": {
        "id": STRING,
        "href": STRING,
        "@type": STRING,
        "callback": STRING,
        "query": STRING,
        "secret": {
            "type": "string",
            "description": "Only in the answer to a create or a rotation without a secret: the "
            "key that signs deliveries (X-Crm-Signature). Shown once.",
        },
        "previousSecretValidUntil": {
            "type": "string",
            "format": "date-time",
            "description": "Only in the answer to a rotation: until then deliveries carry a "
            "second v1 signature, made with the previous secret.",
        },
    },
}
HUB_CREATE = {
    "type": "object",
    "required": ["callback"],
    "additionalProperties": False,
    "properties": {
        "@type": {"type": "string", "enum": ["Hub"]},
        "callback": {"type": "string", "format": "uri"},
        "query": {"type": "string", "description": "e.g. eventType=CustomerStateChangeEvent"},
        "secret": {"type": "string", "minLength": 16, "maxLength": 128},
    },
}
HUB_SECRET_ROTATE = {
    "type": "object",
    "additionalProperties": False,
    "description": "Your own new secret, or nothing: then we choose one and answer with it once.",
    "properties": {"secret": {"type": "string", "minLength": 16, "maxLength": 128}},
}

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=(
        "Your own key for this create (a UUID): sent again with the same request, it gets the "
        "first answer again (with Idempotent-Replayed: true) instead of creating twice. Keys "
        "are kept 24 hours; the same key with a different request is a 422."
    ),
)


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ERROR, description="TMF Error") for code in codes}


COMMON_ERRORS = (400, 401, 403, 414, 429, 500)


def fields_parameter(attributes) -> OpenApiParameter:
    return OpenApiParameter(
        "fields",
        str,
        description=f"Comma-separated attributes to return: {', '.join(attributes)}.",
    )


PAGING_PARAMETERS = [
    OpenApiParameter("offset", int, description="Rows to skip (default 0)."),
    OpenApiParameter("limit", int, description="Rows to return, 1 to 1000 (default 50)."),
    OpenApiParameter(
        "X-Total-Count", int, OpenApiParameter.HEADER, response=[200], description="Rows matching."
    ),
    OpenApiParameter(
        "X-Result-Count", int, OpenApiParameter.HEADER, response=[200], description="Rows returned."
    ),
]


def list_responses(item: dict, description: str) -> dict:
    return {
        200: OpenApiResponse({"type": "array", "items": item}, description=description),
        **errors(*COMMON_ERRORS),
    }


def create_responses(item: dict) -> dict:
    return {
        201: OpenApiResponse(item, description="Created"),
        **errors(*COMMON_ERRORS, 409, 413, 415, 422),
    }


def item_responses(item: dict, description: str) -> dict:
    return {200: OpenApiResponse(item, description=description), **errors(*COMMON_ERRORS, 404)}


def patch_responses(item: dict) -> dict:
    return {
        200: OpenApiResponse(item, description="Changed"),
        **errors(*COMMON_ERRORS, 404, 409, 413, 415),
    }


def delete_responses() -> dict:
    return {204: OpenApiResponse(description="Deleted"), **errors(*COMMON_ERRORS, 404, 409)}


def hub_create_responses() -> dict:
    return {201: OpenApiResponse(HUB, description="Subscribed"), **errors(*COMMON_ERRORS, 413, 415)}


def hub_list_responses() -> dict:
    return {200: OpenApiResponse({"type": "array", "items": HUB}), **errors(*COMMON_ERRORS)}


def hub_rotate_responses() -> dict:
    return {
        200: OpenApiResponse(HUB, description="Rotated"),
        **errors(*COMMON_ERRORS, 404, 413, 415),
    }


def hub_item_responses() -> dict:
    return {200: OpenApiResponse(HUB, description="The hub"), **errors(*COMMON_ERRORS, 404)}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "customers.partners.api.auth.BearerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner API token (crm_…), issued by staff on the partner's page.",
        }


# Each API's document: its URL patterns and its settings, for the deployment check below.
DOCUMENTS: list[tuple[list, dict]] = []


def document_urls(
    *, root: str, patterns: list, prefix: str, title: str, version: str, description: str
):
    """The API's own OpenAPI document (``openapi.json``) and its Swagger UI (``docs/``).

    Each API describes only its own paths, under its own root. The description is public: a
    partner reads it before it has a token. The split Swagger view serves its start-up script as
    a file, so the page runs under our CSP. URL names start with ``prefix``.
    """
    settings = {
        "TITLE": title,
        "VERSION": version,
        "DESCRIPTION": description,
        "SCHEMA_PATH_PREFIX": root.rstrip("/"),
    }
    mounted = [path(root.lstrip("/"), include(patterns))]
    DOCUMENTS.append((mounted, settings))
    open_to_all = {"authentication_classes": [], "permission_classes": [AllowAny]}
    return [
        path(
            "openapi.json",
            SpectacularJSONAPIView.as_view(
                urlconf=mounted, custom_settings=settings, **open_to_all
            ),
            name=f"{prefix}schema",
        ),
        path(
            "docs/",
            SpectacularSwaggerSplitView.as_view(url_name=f"api:{prefix}schema", **open_to_all),
            name=f"{prefix}docs",
        ),
    ]


def extension_targets_resolve() -> None:
    """Import the target class of every registered drf-spectacular extension now.

    drf-spectacular does it on first use, unguarded: two threads of a worker asking for a
    document at once can fail there (one reads the name the other has just set to None) and
    answer 500. Done once when the URLs load, before any request is served."""
    bases = (
        OpenApiAuthenticationExtension,
        OpenApiFilterExtension,
        OpenApiSerializerExtension,
        OpenApiSerializerFieldExtension,
        OpenApiViewExtension,
    )
    for base in bases:
        for extension in base._registry:
            if isinstance(extension.target_class, str):
                extension._load_class()
