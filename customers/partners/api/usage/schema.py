"""The OpenAPI description of TMF635 usage, as the responses and requests are."""

from drf_spectacular.utils import OpenApiParameter

from customers.partners.api import openapi
from customers.partners.api.openapi import REF, STRING
from customers.partners.api.tmf import COMPARISONS
from customers.partners.api.usage.representation import (
    ATTRIBUTES,
    CHARACTERISTIC_OF,
    STATUS,
    USAGE_TYPE,
)

OPS = tuple(op for op, _ in COMPARISONS)
DATE_TIME = {"type": "string", "format": "date-time"}
NAMES = list(CHARACTERISTIC_OF.values())
CHARACTERISTIC = {
    "type": "object",
    "required": ["@type", "name", "value"],
    "properties": {
        "@type": {
            "type": "string",
            "enum": ["FloatCharacteristic", "IntegerCharacteristic", "NumberCharacteristic"],
        },
        "name": {"type": "string", "enum": NAMES},
        "valueType": STRING,
        "value": {"type": "number", "minimum": 0},
    },
}
RELATED_PARTY = {
    "type": "object",
    "required": ["@type", "partyOrPartyRole"],
    "properties": {
        "@type": {"type": "string", "enum": ["RelatedPartyRefOrPartyRoleRef"]},
        "role": STRING,
        "partyOrPartyRole": {
            **REF,
            "description": "The customer: a PartyRoleRef, @referredType Customer, id its "
            "customer number.",
        },
    },
}
PRODUCT_OFFERING = {
    **REF,
    "description": "The product used, by its catalogue code (a ProductOfferingRef).",
}
EXTERNAL_IDENTIFIER = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "@type": {"type": "string", "enum": ["ExternalIdentifier"]},
        "id": {"type": "string", "maxLength": 64},
        "owner": STRING,
        "externalIdentifierType": STRING,
    },
}
USAGE = {
    "type": "object",
    "description": "TMF635 v5 Usage: one customer's use of one product in one month. With "
    "fields=, only the attributes asked for (and id, href and @type) are present.",
    "required": ["id", "href", "@type"],
    "properties": {
        "id": STRING,
        "href": STRING,
        "@type": {"type": "string", "enum": ["Usage"]},
        "usageType": {"type": "string", "enum": [USAGE_TYPE]},
        "usageDate": DATE_TIME,
        "description": STRING,
        "status": {"type": "string", "enum": [STATUS]},
        "productOffering": PRODUCT_OFFERING,
        "relatedParty": {"type": "array", "items": RELATED_PARTY},
        "usageCharacteristic": {"type": "array", "items": CHARACTERISTIC},
        "externalIdentifier": {"type": "array", "items": EXTERNAL_IDENTIFIER},
    },
}
USAGE_CREATE = {
    "type": "object",
    "required": ["usageDate", "productOffering", "relatedParty"],
    "additionalProperties": False,
    "description": "A month of one of your customers' usage of a product: usageDate is the "
    "month's first day at midnight UTC; a measure not given is 0. Sent again for the same "
    "customer, product and month (or externalIdentifier), it replaces the first.",
    "properties": {
        "@type": {"type": "string", "enum": ["Usage"]},
        "usageType": {"type": "string", "enum": [USAGE_TYPE]},
        "usageDate": DATE_TIME,
        "status": {"type": "string", "enum": [STATUS]},
        "productOffering": PRODUCT_OFFERING,
        "relatedParty": {"type": "array", "items": RELATED_PARTY, "minItems": 1, "maxItems": 1},
        "usageCharacteristic": {
            "type": "array",
            "items": CHARACTERISTIC,
            "maxItems": len(NAMES),
        },
        "externalIdentifier": {"type": "array", "items": EXTERNAL_IDENTIFIER, "maxItems": 1},
    },
}
FIELDS_PARAMETER = openapi.fields_parameter(ATTRIBUTES)
LIST_PARAMETERS = [
    FIELDS_PARAMETER,
    *openapi.PAGING_PARAMETERS,
    OpenApiParameter("relatedParty.id", str, description="The customer number."),
    OpenApiParameter("productOffering.id", str, description="The product code."),
    *[
        OpenApiParameter(f"usageDate.{op}", str, description=f"Month starting {words} (RFC 3339).")
        for op, words in COMPARISONS
    ],
]


def list_responses() -> dict:
    return openapi.list_responses(USAGE, "Monthly usage")


def create_responses() -> dict:
    return {**openapi.create_responses(USAGE), **openapi.errors(404)}


def item_responses() -> dict:
    return openapi.item_responses(USAGE, "The month of usage")
