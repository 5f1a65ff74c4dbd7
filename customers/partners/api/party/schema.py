"""The OpenAPI description of TMF632 individuals and organisations, as they really are."""

from drf_spectacular.utils import OpenApiParameter

from customers.partners.api import openapi
from customers.partners.api.openapi import CONTACT_MEDIUM, STRING
from customers.partners.api.party.representation import (
    INDIVIDUAL_ATTRIBUTES,
    NATIONAL_ID,
    ORGANIZATION_ATTRIBUTES,
    REGISTRATION_NUMBER,
)


def _identification(kind: str, identification_type: str) -> dict:
    return {
        "type": "object",
        "required": ["identificationId"],
        "properties": {
            "@type": {"type": "string", "enum": [kind]},
            "identificationType": {"type": "string", "enum": [identification_type]},
            "identificationId": STRING,
        },
    }


_RELATED_PARTY = {
    "type": "object",
    "description": "The party's customer role (TMF629), when you may see that customer.",
    "properties": {
        "@type": STRING,
        "role": {"type": "string", "enum": ["customer"]},
        "partyOrPartyRole": openapi.REF,
    },
}
_COMMON = {
    "id": {"type": "string", "description": "The party's id."},
    "href": STRING,
    "@baseType": STRING,
    "contactMedium": {"type": "array", "items": CONTACT_MEDIUM},
    "relatedParty": {"type": "array", "items": _RELATED_PARTY},
}
INDIVIDUAL = {
    "type": "object",
    "description": "TMF632 v5 Individual. With fields=, only the attributes asked for (and id, "
    "href and @type) are present.",
    "required": ["id", "href", "@type"],
    "properties": {
        **_COMMON,
        "@type": {"type": "string", "enum": ["Individual"]},
        "name": {"type": "string", "description": "Given and family name."},
        "title": STRING,
        "givenName": STRING,
        "familyName": STRING,
        "birthDate": {"type": "string", "format": "date-time"},
        "individualIdentification": {
            "type": "array",
            "items": _identification("IndividualIdentification", NATIONAL_ID),
        },
    },
}
ORGANIZATION = {
    "type": "object",
    "description": "TMF632 v5 Organization. With fields=, only the attributes asked for (and "
    "id, href and @type) are present.",
    "required": ["id", "href", "@type"],
    "properties": {
        **_COMMON,
        "@type": {"type": "string", "enum": ["Organization"]},
        "name": {"type": "string", "description": "The legal name."},
        "tradingName": STRING,
        "organizationIdentification": {
            "type": "array",
            "items": _identification("OrganizationIdentification", REGISTRATION_NUMBER),
        },
    },
}
_INPUT_COMMON = {
    "contactMedium": {"type": "array", "items": CONTACT_MEDIUM, "maxItems": 20},
}
INDIVIDUAL_CREATE = {
    "type": "object",
    "required": ["givenName", "familyName"],
    "additionalProperties": False,
    "properties": {
        **_INPUT_COMMON,
        "@type": {"type": "string", "enum": ["Individual"]},
        "title": STRING,
        "givenName": STRING,
        "familyName": STRING,
        "name": {"type": "string", "description": "If given, 'givenName familyName'."},
        "birthDate": {
            "type": "string",
            "description": "A date-time (its day is kept) or a date.",
        },
        "individualIdentification": {
            "type": "array",
            "maxItems": 1,
            "items": _identification("IndividualIdentification", NATIONAL_ID),
        },
    },
}
INDIVIDUAL_PATCH = {**INDIVIDUAL_CREATE, "required": []}
ORGANIZATION_CREATE = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        **_INPUT_COMMON,
        "@type": {"type": "string", "enum": ["Organization"]},
        "name": {"type": "string", "description": "The legal name."},
        "tradingName": STRING,
        "organizationIdentification": {
            "type": "array",
            "maxItems": 1,
            "items": _identification("OrganizationIdentification", REGISTRATION_NUMBER),
        },
    },
}
ORGANIZATION_PATCH = {**ORGANIZATION_CREATE, "required": []}

_FILTERS = {
    "individual": {
        "givenName": "Exact given name (case-insensitive).",
        "familyName": "Family name (case- and accent-insensitive).",
        "name": "Start of the name.",
        "contactMedium.emailAddress": "An e-mail address of the person.",
        "contactMedium.phoneNumber": "A phone number of the person (any format).",
        "individualIdentification.identificationId": "The national id.",
    },
    "organization": {
        "name": "Start of the legal or display name.",
        "contactMedium.emailAddress": "An e-mail address of the organisation.",
        "contactMedium.phoneNumber": "A phone number of the organisation (any format).",
    },
}


def list_parameters(resource: str) -> list[OpenApiParameter]:
    attributes = INDIVIDUAL_ATTRIBUTES if resource == "individual" else ORGANIZATION_ATTRIBUTES
    return [
        openapi.fields_parameter(attributes),
        *openapi.PAGING_PARAMETERS,
        *(
            OpenApiParameter(name, str, description=text)
            for name, text in _FILTERS[resource].items()
        ),
    ]


def fields_parameter(resource: str) -> OpenApiParameter:
    attributes = INDIVIDUAL_ATTRIBUTES if resource == "individual" else ORGANIZATION_ATTRIBUTES
    return openapi.fields_parameter(attributes)


FILTERS = {resource: set(names) for resource, names in _FILTERS.items()}
