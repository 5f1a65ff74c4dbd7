"""The OpenAPI description of TMF683 party interactions, as the responses and requests are."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from customers.models import Interaction
from customers.partners.api import openapi
from customers.partners.api.interaction.representation import ATTRIBUTES, OUTCOME_OF_STATUS
from customers.partners.api.openapi import REF, STRING, TIME_PERIOD
from customers.partners.api.tmf import SEVERAL, list_parameters

DATE_TIME = {"type": "string", "format": "date-time"}
STATUSES = ["opened", "inProgress", "completed"]
RELATED_CHANNEL = {
    "type": "object",
    "required": ["@type", "channel"],
    "properties": {
        "@type": {"type": "string", "enum": ["RelatedChannel"]},
        "role": STRING,
        "channel": {
            **REF,
            "description": "The channel by id (or name): " + ", ".join(Interaction.Channel.values),
        },
    },
}
RELATED_PARTY = {
    "type": "object",
    "required": ["@type", "partyOrPartyRole"],
    "properties": {
        "@type": {"type": "string", "enum": ["RelatedPartyOrPartyRole"]},
        "role": STRING,
        "partyOrPartyRole": {
            **REF,
            "description": "The customer: a PartyRoleRef, @referredType Customer, id its "
            "customer number.",
        },
    },
}
PARTY_INTERACTION = {
    "type": "object",
    "description": "TMF683 v5 PartyInteraction. With fields=, only the attributes asked for (and "
    "id, href and @type) are present.",
    "required": ["id", "href", "@type"],
    "properties": {
        "id": STRING,
        "href": STRING,
        "@type": {"type": "string", "enum": ["PartyInteraction"]},
        "direction": {"type": "string", "enum": Interaction.Direction.values},
        "reason": {"type": "string", "enum": Interaction.Kind.values},
        "description": STRING,
        "status": {"type": "string", "enum": STATUSES},
        "statusChangeDate": DATE_TIME,
        "creationDate": DATE_TIME,
        "interactionDate": TIME_PERIOD,
        "relatedChannel": {"type": "array", "items": RELATED_CHANNEL},
        "relatedParty": {"type": "array", "items": RELATED_PARTY},
    },
}
_SETTABLE = {
    "@type": {"type": "string", "enum": ["PartyInteraction"]},
    "reason": {"type": "string", "enum": Interaction.Kind.values},
    "description": {"type": "string", "maxLength": 4000},
    "status": {"type": "string", "enum": list(OUTCOME_OF_STATUS)},
    "relatedChannel": {"type": "array", "items": RELATED_CHANNEL, "minItems": 1, "maxItems": 1},
    "relatedParty": {"type": "array", "items": RELATED_PARTY, "minItems": 1, "maxItems": 1},
}
PARTY_INTERACTION_CREATE = {
    "type": "object",
    "required": ["direction", "reason", "relatedChannel", "relatedParty"],
    "additionalProperties": False,
    "description": "A touch point with one of your customers. status defaults to completed.",
    "properties": {
        **_SETTABLE,
        "direction": {"type": "string", "enum": Interaction.Direction.values},
        "interactionDate": TIME_PERIOD,
    },
}
PARTY_INTERACTION_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "description": "JSON merge patch of an interaction that is not completed yet: its "
    "description, reason, channel or status. status completed closes it for good; a note "
    "then goes with the resolution.",
    "properties": {
        **_SETTABLE,
        "note": {
            "type": "array",
            "maxItems": 1,
            "items": {"type": "object", "required": ["text"], "properties": {"text": STRING}},
        },
    },
}
FIELDS_PARAMETER = openapi.fields_parameter(ATTRIBUTES)
LIST_PARAMETERS = list_parameters(
    FIELDS_PARAMETER,
    customer="relatedParty.id",
    statuses=STATUSES,
    filters=[
        OpenApiParameter("direction", str, enum=Interaction.Direction.values),
        OpenApiParameter(
            "reason", str, description=f"{SEVERAL} {', '.join(Interaction.Kind.values)}."
        ),
        OpenApiParameter(
            "relatedChannel",
            str,
            description=f"{SEVERAL} {', '.join(Interaction.Channel.values)} "
            "(also as relatedChannel.channel.id or relatedChannel.channel.name).",
        ),
    ],
    moment="interactionDate.startDateTime",
    moment_words="Started",
)


def list_responses() -> dict:
    return openapi.list_responses(PARTY_INTERACTION, "Party interactions")


def create_responses() -> dict:
    return {**openapi.create_responses(PARTY_INTERACTION), **openapi.errors(404)}


def item_responses() -> dict:
    return openapi.item_responses(PARTY_INTERACTION, "The party interaction")


def patch_responses() -> dict:
    return openapi.patch_responses(PARTY_INTERACTION)


def delete_responses() -> dict:
    return {
        **openapi.errors(*openapi.COMMON_ERRORS, 404),
        405: OpenApiResponse(
            openapi.ERROR, description="Never allowed: interactions are kept as the record."
        ),
    }
