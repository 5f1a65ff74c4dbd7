"""The OpenAPI description of TMF629 customers, as the responses and requests really are."""

from drf_spectacular.utils import OpenApiParameter

from customers.models import Customer
from customers.partners.api import openapi
from customers.partners.api.customer.representation import ATTRIBUTES
from customers.partners.api.openapi import (
    CONTACT_MEDIUM,
    REF,
    STRING,
    TIME_PERIOD,
)

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
        "name": {
            "type": "string",
            "description": "The customer role's own name; the party's name when it has none.",
        },
        "description": STRING,
        "role": {"type": "string", "enum": ["Customer"]},
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
_PARTY_REF_INPUT = {
    "type": "object",
    "required": ["@type", "id"],
    "additionalProperties": False,
    "description": "A party registered before through TMF632 Party Management (the standard "
    "form): its id, as /tmf-api/partyManagement/v5/individual or /organization gave it.",
    "properties": {
        "@type": {"type": "string", "enum": ["PartyRef"]},
        "id": {"type": "string", "maxLength": 20},
        "href": STRING,
        "name": STRING,
        "@referredType": {"type": "string", "enum": ["Individual", "Organization"]},
    },
}
_SETTABLE = {
    "@type": {"type": "string", "enum": ["Customer"]},
    "name": {
        "type": "string",
        "maxLength": 220,
        "description": "The customer role's own name. Required with a PartyRef; with an "
        "inline party it defaults to the party's name.",
    },
    "description": {"type": "string", "maxLength": 2000},
    "role": {"type": "string", "enum": ["Customer", "customer"]},
    "engagedParty": {"anyOf": [_PARTY_REF_INPUT, _ENGAGED_PARTY_INPUT]},
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
    "required": ["@type", "engagedParty"],
    "additionalProperties": False,
    "description": "A new customer: Customer_FVO with engagedParty as a PartyRef to a party "
    "registered through TMF632 (then name is required), or, as an extension, the party itself "
    "(Individual or Organization) created with its customer. A new customer starts as lead "
    "(the default), prospect or active.",
    "properties": _SETTABLE,
}
CUSTOMER_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "description": "JSON merge patch: what is sent replaces what is there (contactMedium as a "
    "whole; keep a medium by sending its id). A status moves the customer through its lifecycle.",
    "properties": _SETTABLE,
}
FIELDS_PARAMETER = openapi.fields_parameter(ATTRIBUTES)
LIST_PARAMETERS = [
    FIELDS_PARAMETER,
    *openapi.PAGING_PARAMETERS,
    OpenApiParameter(
        "status", str, description="One status or several, comma-separated: e.g. active,suspended."
    ),
    OpenApiParameter("name", str, description="Name starts with (case and accents ignored)."),
    OpenApiParameter("segment", str, enum=Customer.Segment.values),
    OpenApiParameter("contactMedium.emailAddress", str, description="Exact e-mail address."),
    OpenApiParameter("contactMedium.phoneNumber", str, description="Phone number, any format."),
    OpenApiParameter("externalReference", str, description="Your own id for the customer."),
]


def list_responses() -> dict:
    return openapi.list_responses(CUSTOMER, "Customers")


def create_responses() -> dict:
    return openapi.create_responses(CUSTOMER)


def item_responses() -> dict:
    return openapi.item_responses(CUSTOMER, "The customer")


def patch_responses() -> dict:
    return openapi.patch_responses(CUSTOMER)


delete_responses = openapi.delete_responses
