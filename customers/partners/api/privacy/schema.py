"""The OpenAPI description of TMF644 party privacy agreements, as the responses and requests
are."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from customers.models import Consent
from customers.partners.api import openapi
from customers.partners.api.openapi import REF, STRING
from customers.partners.api.privacy.representation import (
    AGREEMENT_TYPE,
    ATTRIBUTES,
    CHANNEL_CHARACTERISTIC,
    STATUSES,
)
from customers.partners.api.tmf import SEVERAL, list_parameters

DATE_TIME = {"type": "string", "format": "date-time"}
PURPOSES = Consent.Purpose.values
CHANNELS = Consent.Channel.values
_STATUS = {
    "type": "string",
    "enum": list(STATUSES),
    "description": "approved: the customer agrees; rejected: refused or withdrawn.",
}
CUSTOMER_REF = {
    **REF,
    "description": "The customer: a PartyRoleRef, @referredType Customer, id its customer number.",
}
CHANNEL = {
    "type": "object",
    "required": ["value"],
    "properties": {
        "@type": {"type": "string", "enum": ["StringCharacteristic"]},
        "id": STRING,
        "name": {"type": "string", "enum": [CHANNEL_CHARACTERISTIC]},
        "valueType": STRING,
        "value": {"type": "string", "enum": CHANNELS},
    },
}
CHARACTERISTIC = {
    "type": "object",
    "required": ["privacyUsagePurpose", "characterisitc"],
    "properties": {
        "@type": {"type": "string", "enum": ["PartyPrivacyProfileCharacteristic"]},
        "privacyUsagePurpose": {"type": "string", "enum": PURPOSES},
        "characterisitc": {
            **CHANNEL,
            "description": "The channel the answer is for (the spec's spelling).",
        },
    },
}
AUTHORIZATION = {
    "type": "object",
    "required": ["@type", "date", "state", "signatureRepresentation"],
    "properties": {
        "@type": {"type": "string", "enum": ["AgreementAuthorization"]},
        "date": {**DATE_TIME, "description": "When the current answer was given."},
        "state": {"type": "string", "enum": list(STATUSES)},
        "signatureRepresentation": {
            "type": "string",
            "enum": Consent.Source.values,
            "description": "Through which source the answer reached us.",
        },
    },
}
PARTY_PRIVACY_AGREEMENT = {
    "type": "object",
    "description": "TMF644 v5 PartyPrivacyAgreement: one customer's current answer for one "
    "channel and one purpose. With fields=, only the attributes asked for (and id, href and "
    "@type) are present.",
    "required": ["id", "href", "@type"],
    "properties": {
        "id": STRING,
        "href": STRING,
        "@type": {"type": "string", "enum": ["PartyPrivacyAgreement"]},
        "name": STRING,
        "agreementType": {"type": "string", "enum": [AGREEMENT_TYPE]},
        "status": _STATUS,
        "engagedParty": {"type": "array", "items": CUSTOMER_REF},
        "agreementAuthorization": {"type": "array", "items": AUTHORIZATION},
        "partyPrivacyProfileCharacteristic": {"type": "array", "items": CHARACTERISTIC},
    },
}
_CHECKED = {
    "@type": {"type": "string", "enum": ["PartyPrivacyAgreement"]},
    "name": {
        "type": "string",
        "maxLength": 200,
        "description": "Taken and not kept: the name is made from the purpose and channel.",
    },
    "agreementType": {"type": "string", "enum": [AGREEMENT_TYPE]},
}
PARTY_PRIVACY_AGREEMENT_CREATE = {
    "type": "object",
    "required": ["status", "engagedParty", "partyPrivacyProfileCharacteristic"],
    "additionalProperties": False,
    "description": "The first answer of one of your customers for one channel and purpose. An "
    "answer already on record is a 409: change it with PATCH.",
    "properties": {
        **_CHECKED,
        "status": _STATUS,
        "engagedParty": {"type": "array", "items": CUSTOMER_REF, "minItems": 1, "maxItems": 1},
        "partyPrivacyProfileCharacteristic": {
            "type": "array",
            "items": CHARACTERISTIC,
            "minItems": 1,
            "maxItems": 1,
        },
    },
}
PARTY_PRIVACY_AGREEMENT_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "description": "JSON merge patch: status approved grants, rejected withdraws. Every patch "
    "with a status records the answer again, dated now; the previous answers stay on record.",
    "properties": {**_CHECKED, "status": _STATUS},
}
FIELDS_PARAMETER = openapi.fields_parameter(ATTRIBUTES)
LIST_PARAMETERS = list_parameters(
    FIELDS_PARAMETER,
    customer="engagedParty.id",
    statuses=STATUSES,
    filters=[
        OpenApiParameter(
            "partyPrivacyProfileCharacteristic.privacyUsagePurpose",
            str,
            description=f"{SEVERAL} {', '.join(PURPOSES)}.",
        ),
        OpenApiParameter(
            "partyPrivacyProfileCharacteristic.characterisitc.value",
            str,
            description=f"The channel. {SEVERAL} {', '.join(CHANNELS)}.",
        ),
    ],
    moment="agreementAuthorization.date",
    moment_words="Answer given",
)


def list_responses() -> dict:
    return openapi.list_responses(PARTY_PRIVACY_AGREEMENT, "Party privacy agreements")


def create_responses() -> dict:
    return {**openapi.create_responses(PARTY_PRIVACY_AGREEMENT), **openapi.errors(404)}


def item_responses() -> dict:
    return openapi.item_responses(PARTY_PRIVACY_AGREEMENT, "The party privacy agreement")


def patch_responses() -> dict:
    return openapi.patch_responses(PARTY_PRIVACY_AGREEMENT)


def delete_responses() -> dict:
    return {
        **openapi.errors(*openapi.COMMON_ERRORS, 404),
        405: OpenApiResponse(
            openapi.ERROR,
            description="Never allowed: answers are kept as evidence; withdraw with status "
            "rejected.",
        ),
    }
