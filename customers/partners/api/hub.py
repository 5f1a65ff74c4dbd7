"""The event hub of each API: ``/hub`` to subscribe, ``/hub/{id}`` to read and remove, and a
secret rotation. One set of views serves all three APIs; ``api`` says whose events a hub hears.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from customers.partners.api import openapi
from customers.partners.api.auth import HubApiPermission, actor_of, partner_of
from customers.partners.api.errors import ApiError
from customers.partners.api.parsers import LimitedJSONParser
from customers.partners.api.tmf import TmfView, base_url, our_id
from customers.partners.models import HubSubscription
from customers.partners.services.hub import (
    NewHub,
    hub_secret_rotate,
    hub_subscribe,
    hub_unsubscribe,
)


def api_root(api: str) -> str:
    return f"/tmf-api/{api}/v5"


def _hub_body(request, hub: HubSubscription, secret: str | None = None) -> dict:
    body = {
        "id": str(hub.pk),
        "href": f"{base_url(request)}{api_root(hub.api)}/hub/{hub.pk}",
        "@type": "Hub",
        "callback": hub.callback,
        "query": hub.query,
    }
    if secret is not None:
        body["secret"] = secret
    return body


def _hub_input(data, *, allowed: set[str]) -> None:
    """Refuse attributes a hub call does not take, and text that is not text or too long."""
    if not isinstance(data, dict):
        raise ApiError(400, "invalid", "Expected a JSON object.")
    unknown = set(data) - allowed
    if unknown:
        raise ApiError(400, "invalid", f"Unknown attributes: {', '.join(sorted(unknown))}.")
    for name, longest in (("callback", 500), ("query", 500), ("secret", 128)):
        if name in data and not isinstance(data[name], str):
            raise ApiError(400, "invalid", f"{name} must be a string.")
        if len(data.get(name) or "") > longest:
            raise ApiError(400, "invalid", f"{name} is longer than {longest} characters.")


def _with_new_secret(request, new: NewHub, status_code: int, **headers) -> Response:
    """The hub, and the secret we chose for it: the only copy, kept by no cache."""
    body = _hub_body(request, new.hub, new.secret if new.secret_generated else None)
    if new.hub.previous_secret_expires_at:
        body["previousSecretValidUntil"] = new.hub.previous_secret_expires_at.isoformat().replace(
            "+00:00", "Z"
        )
    if "secret" in body:
        headers["Cache-Control"] = "no-store"
    return Response(body, status=status_code, headers=headers)


class HubView(TmfView):
    """A hub endpoint of one API (set with ``as_view(api=...)``)."""

    api = HubSubscription.Api.CUSTOMER
    permission_classes = [HubApiPermission]

    def hubs(self, request):
        hubs = HubSubscription.objects.filter(deleted_at=None, api=self.api)
        partner = partner_of(request)
        return hubs.filter(partner=partner) if partner else hubs.filter(partner=None)

    def hub(self, request, hub_id: str) -> HubSubscription:
        """One of the caller's live hubs of this API; another's is as unknown as none."""
        pk = our_id(hub_id)
        hub = self.hubs(request).filter(pk=pk).first() if pk is not None else None
        if hub is None:
            raise ApiError(404, "not_found", f"No hub {hub_id}.")
        return hub


class HubCollection(HubView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="createHub",
        summary="Subscribe to events",
        request={"application/json": openapi.HUB_CREATE},
        responses=openapi.hub_create_responses(),
        tags=["events subscription"],
    )
    def post(self, request):
        data = request.data
        _hub_input(
            data,
            allowed={"callback", "query", "secret", "@type", "@baseType", "@schemaLocation"},
        )
        if not data.get("callback"):
            raise ApiError(400, "invalid", "callback: give the URL to send events to.")
        if data.get("@type", "Hub") != "Hub":
            raise ApiError(400, "invalid", "@type must be Hub.")
        new = hub_subscribe(
            partner=partner_of(request),
            actor=actor_of(request),
            callback=data["callback"],
            query=data.get("query", ""),
            secret=data.get("secret"),
            api=self.api,
        )
        response = _with_new_secret(request, new, status.HTTP_201_CREATED)
        response["Location"] = response.data["href"]
        return response

    @extend_schema(
        operation_id="listHub",
        summary="List your event subscriptions",
        responses=openapi.hub_list_responses(),
        tags=["events subscription"],
    )
    def get(self, request):
        hubs = list(self.hubs(request).order_by("-id")[:1000])
        return Response([_hub_body(request, hub) for hub in hubs])


class HubItem(HubView):
    @extend_schema(
        operation_id="retrieveHub",
        summary="Retrieve an event subscription",
        responses=openapi.hub_item_responses(),
        tags=["events subscription"],
    )
    def get(self, request, hub_id: str):
        return Response(_hub_body(request, self.hub(request, hub_id)))

    @extend_schema(
        operation_id="hubDelete",
        summary="Remove an event subscription",
        responses=openapi.delete_responses(),
        tags=["events subscription"],
    )
    def delete(self, request, hub_id: str):
        hub_unsubscribe(hub=self.hub(request, hub_id), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HubSecretRotation(HubView):
    """A new signing secret; the old one keeps signing beside it for the overlap."""

    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="rotateHubSecret",
        summary="Rotate the secret that signs an event subscription's deliveries",
        request={"application/json": openapi.HUB_SECRET_ROTATE},
        responses=openapi.hub_rotate_responses(),
        tags=["events subscription"],
    )
    def post(self, request, hub_id: str):
        hub = self.hub(request, hub_id)
        _hub_input(request.data, allowed={"secret"})
        new = hub_secret_rotate(hub=hub, actor=actor_of(request), secret=request.data.get("secret"))
        return _with_new_secret(request, new, status.HTTP_200_OK)


def hub_urls(api: str, prefix: str = "") -> list:
    """The hub's URL patterns for one API; names start with ``prefix``."""
    return [
        path("hub", HubCollection.as_view(api=api), name=f"{prefix}hub-list"),
        path("hub/<str:hub_id>", HubItem.as_view(api=api), name=f"{prefix}hub-detail"),
        path(
            "hub/<str:hub_id>/rotateSecret",
            HubSecretRotation.as_view(api=api),
            name=f"{prefix}hub-secret-rotate",
        ),
    ]
