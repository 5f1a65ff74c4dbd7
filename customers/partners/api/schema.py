"""The OpenAPI description of the partner API, as the responses and requests really are.

Written as JSON Schema (the TMF629 v5 shapes, narrowed to what we send and accept) so that the
generated document can be checked against the running API (schemathesis in CI).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from customers.models import Customer
from customers.partners.api.representation import ATTRIBUTES

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
MONEY = {
    "type": "object",
    "description": "An amount (lifetimeValue) in the customer's currency.",
    "required": ["unit", "value"],
    "properties": {
        "unit": {"type": "string", "description": "ISO 4217 currency code, e.g. EUR."},
        "value": {"type": "number"},
    },
}
CHARACTERISTIC = {
    "type": "object",
    "required": ["@type", "name", "value"],
    "properties": {
        "@type": STRING,
        "id": STRING,
        "name": STRING,
        "valueType": STRING,
        "value": {
            "oneOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                MONEY,
            ]
        },
    },
}
CUSTOMER = {
    "type": "object",
    "description": "TMF629 v5 Customer. With fields=, only the attributes asked for (and id, "
    "href and @type) are present.",
    "required": ["id", "href", "@type"],
    "properties": {
        "id": {"type": "string", "description": "The customer number."},
        "href": STRING,
        "@type": {"type": "string", "enum": ["Customer"]},
        "@baseType": STRING,
        "name": STRING,
        "status": {"type": "string", "enum": Customer.Status.values},
        "statusReason": STRING,
        "validFor": TIME_PERIOD,
        "engagedParty": REF,
        "contactMedium": {"type": "array", "items": CONTACT_MEDIUM},
        "characteristic": {"type": "array", "items": CHARACTERISTIC},
        "creditProfile": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["@type"],
                "properties": {
                    "@type": STRING,
                    "id": STRING,
                    "creditScore": {"type": "integer"},
                    "creditRiskRating": {"type": "integer", "minimum": 1, "maximum": 5},
                    "creditProfileDate": {"type": "string", "format": "date-time"},
                    "validFor": TIME_PERIOD,
                },
            },
        },
        "account": {"type": "array", "items": REF},
        "agreement": {"type": "array", "items": REF},
        "paymentMethod": {"type": "array", "items": REF},
        "relatedParty": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["@type"],
                "properties": {"@type": STRING, "role": STRING, "partyOrPartyRole": REF},
            },
        },
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
_ENGAGED_PARTY_INPUT = {
    "type": "object",
    "required": ["@type"],
    "additionalProperties": False,
    "properties": {
        "@type": {"type": "string", "enum": ["Individual", "Organization"]},
        "title": STRING,
        "givenName": STRING,
        "familyName": STRING,
        "birthDate": {"type": "string", "format": "date", "nullable": True},
        "nationalId": STRING,
        "name": {"type": "string", "description": "An organisation's legal name."},
        "tradingName": STRING,
        "registrationNumber": STRING,
    },
}
_SETTABLE = {
    "@type": {"type": "string", "enum": ["Customer"]},
    "name": STRING,
    "engagedParty": _ENGAGED_PARTY_INPUT,
    "contactMedium": {"type": "array", "items": CONTACT_MEDIUM, "maxItems": 20},
    "characteristic": {
        "type": "array",
        "maxItems": 20,
        "description": "segment, language, externalReference (your own id) and currency "
        "(ISO 4217, set at creation only) can be set.",
        "items": {
            "type": "object",
            "required": ["name", "value"],
            "properties": {
                "@type": STRING,
                "name": {
                    "type": "string",
                    "enum": ["segment", "language", "externalReference", "currency"],
                },
                "value": STRING,
                "valueType": STRING,
            },
        },
    },
    "paymentMethod": {
        "type": "array",
        "maxItems": 1,
        "items": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "enum": Customer.PaymentMethod.values}},
        },
    },
    "status": {"type": "string", "enum": Customer.Status.values},
    "statusReason": STRING,
}
CUSTOMER_CREATE = {
    "type": "object",
    "required": ["engagedParty"],
    "additionalProperties": False,
    "description": "A new customer and its party. A new customer starts as lead (the default), "
    "prospect or active.",
    "properties": _SETTABLE,
}
CUSTOMER_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "description": "JSON merge patch: what is sent replaces what is there (contactMedium as a "
    "whole; keep a medium by sending its id). A status moves the customer through its lifecycle.",
    "properties": _SETTABLE,
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

FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    str,
    description=f"Comma-separated attributes to return: {', '.join(ATTRIBUTES)}.",
)
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
LIST_PARAMETERS = [
    FIELDS_PARAMETER,
    OpenApiParameter("offset", int, description="Rows to skip (default 0)."),
    OpenApiParameter("limit", int, description="Rows to return, 1 to 1000 (default 50)."),
    OpenApiParameter(
        "status", str, description="One status or several, comma-separated: e.g. active,suspended."
    ),
    OpenApiParameter("name", str, description="Name starts with (case and accents ignored)."),
    OpenApiParameter("segment", str, enum=Customer.Segment.values),
    OpenApiParameter("contactMedium.emailAddress", str, description="Exact e-mail address."),
    OpenApiParameter("contactMedium.phoneNumber", str, description="Phone number, any format."),
    OpenApiParameter("externalReference", str, description="Your own id for the customer."),
    OpenApiParameter(
        "X-Total-Count", int, OpenApiParameter.HEADER, response=[200], description="Rows matching."
    ),
    OpenApiParameter(
        "X-Result-Count", int, OpenApiParameter.HEADER, response=[200], description="Rows returned."
    ),
]


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ERROR, description="TMF Error") for code in codes}


_COMMON = (400, 401, 403, 429, 500)


def list_responses() -> dict:
    return {
        200: OpenApiResponse({"type": "array", "items": CUSTOMER}, description="Customers"),
        **_errors(*_COMMON),
    }


def create_responses() -> dict:
    return {
        201: OpenApiResponse(CUSTOMER, description="Created"),
        **_errors(*_COMMON, 409, 413, 415, 422),
    }


def item_responses() -> dict:
    return {200: OpenApiResponse(CUSTOMER, description="The customer"), **_errors(*_COMMON, 404)}


def patch_responses() -> dict:
    return {
        200: OpenApiResponse(CUSTOMER, description="Changed"),
        **_errors(*_COMMON, 404, 409, 413, 415),
    }


def delete_responses() -> dict:
    return {204: OpenApiResponse(description="Deleted"), **_errors(*_COMMON, 404, 409)}


def hub_create_responses() -> dict:
    return {201: OpenApiResponse(HUB, description="Subscribed"), **_errors(*_COMMON, 413, 415)}


def hub_list_responses() -> dict:
    return {200: OpenApiResponse({"type": "array", "items": HUB}), **_errors(*_COMMON)}


def hub_rotate_responses() -> dict:
    return {
        200: OpenApiResponse(HUB, description="Rotated"),
        **_errors(*_COMMON, 404, 413, 415),
    }


def hub_item_responses() -> dict:
    return {200: OpenApiResponse(HUB, description="The hub"), **_errors(*_COMMON, 404)}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "customers.partners.api.auth.BearerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner API token (crm_…), issued by staff on the partner's page.",
        }
