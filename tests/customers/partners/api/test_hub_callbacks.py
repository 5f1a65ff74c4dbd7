"""Where a hub may send events: public addresses on the allowed ports, with a query the hub
understands; anything else is a 400 naming what is wrong, when registering and when sending."""

import ipaddress

import pytest
from django.test import override_settings

from customers.partners.models import HubDelivery, HubSubscription
from customers.partners.services.callbacks import is_public_address
from tests.factories import CustomerFactory

from .conftest import tmf_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

PRODUCTION = {"CRM_HUB_ALLOW_PRIVATE_CALLBACKS": False, "CRM_HUB_REQUIRE_HTTPS": True}
# A public address (example.com's), written as a literal so that nothing is looked up.
PUBLIC = "93.184.215.14"

SPECIAL_USE = [
    "127.0.0.1",
    "10.1.2.3",
    "100.64.0.1",
    "169.254.169.254",
    "192.0.0.9",
    "192.0.2.1",
    "192.88.99.1",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "0.0.0.0",
    "::1",
    "::",
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:93.184.215.14",  # mapped, even of a public address: the registry's own entry
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:db8::1",
    "3fff::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",  # site-local
    "ff02::1",  # multicast
    "ff0e::1",  # global-scope multicast
    "100::1",
    "5f00::1",
]


@pytest.mark.parametrize("address", SPECIAL_USE)
def test_special_use_addresses_are_not_public(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_ordinary_internet_addresses_are_public(address):
    assert is_public_address(ipaddress.ip_address(address))


@override_settings(**PRODUCTION)
@pytest.mark.parametrize(
    "host",
    [
        "[::127.0.0.1]",
        "[64:ff9b::a9fe:a9fe]",
        "[2002:7f00:1::1]",
        "[fec0::1]",
        "[ff02::1]",
        "224.0.0.1",
        "[::ffff:10.0.0.1]",
        "169.254.169.254",
    ],
)
def test_a_callback_to_a_special_use_address_is_a_400(alpha_api, host, tmf):
    error = tmf_error(alpha_api.post("/hub", {"callback": f"https://{host}/events"}), 400, tmf)

    assert "public address" in error["message"]
    assert not HubSubscription.objects.exists()


@override_settings(**PRODUCTION)
def test_a_callback_to_a_public_address_on_port_443_is_accepted(alpha_api):
    for callback in (f"https://{PUBLIC}/events", f"https://{PUBLIC}:443/events"):
        assert alpha_api.post("/hub", {"callback": callback}).status_code == 201, callback


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("port", [22, 25, 80, 6379, 8443, 65535])
def test_a_callback_on_another_port_is_a_400_naming_the_allowed_one(alpha_api, port, tmf):
    callback = f"https://{PUBLIC}:{port}/events"

    error = tmf_error(alpha_api.post("/hub", {"callback": callback}), 400, tmf)

    assert "port 443" in error["message"]


@override_settings(CRM_HUB_ALLOW_PRIVATE_CALLBACKS=False, CRM_HUB_REQUIRE_HTTPS=False)
def test_port_80_is_allowed_only_where_https_is_not_required(alpha_api, tmf):
    assert alpha_api.post("/hub", {"callback": f"http://{PUBLIC}/events"}).status_code == 201
    with override_settings(CRM_HUB_REQUIRE_HTTPS=True):
        tmf_error(alpha_api.post("/hub", {"callback": f"https://{PUBLIC}:80/e"}), 400, tmf)


@override_settings(CRM_HUB_ALLOWED_PORTS=frozenset({8443}), **PRODUCTION)
def test_the_allowed_ports_can_be_configured(alpha_api, tmf):
    assert alpha_api.post("/hub", {"callback": f"https://{PUBLIC}:8443/e"}).status_code == 201

    error = tmf_error(alpha_api.post("/hub", {"callback": f"https://{PUBLIC}/e"}), 400, tmf)

    assert "port 8443" in error["message"]


def test_in_development_private_callbacks_on_any_port_are_allowed(alpha_api, settings):
    assert settings.CRM_HUB_ALLOW_PRIVATE_CALLBACKS

    response = alpha_api.post("/hub", {"callback": "http://127.0.0.1:8001/events"})

    assert response.status_code == 201


@override_settings(CRM_HUB_ALLOWED_PORTS=frozenset({443}))
def test_a_delivery_to_a_port_no_longer_allowed_is_not_sent(
    alpha, django_capture_on_commit_callbacks
):
    # Registered in development; the operator has since closed every port but 443.
    HubSubscription.objects.create(
        partner=alpha[0], callback="http://127.0.0.1:9/events", secret="s" * 32
    )

    with django_capture_on_commit_callbacks(execute=True):
        CustomerFactory(partner=alpha[0])

    delivery = HubDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "port 9 is not allowed" in delivery.last_error


@pytest.mark.parametrize("query", ["eventTyp=CustomerCreateEvent", "status=active", "x", "a=b&c=d"])
def test_an_unknown_query_key_is_a_400_naming_it_and_the_allowed_ones(alpha_api, query, tmf):
    body = {"callback": "https://partner.example/events", "query": query}

    error = tmf_error(alpha_api.post("/hub", body), 400, tmf)

    unknown = query.split("&")[0].partition("=")[0]
    assert unknown in error["message"] and "eventType" in error["message"]
    assert not HubSubscription.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["", "eventType=CustomerCreateEvent", " eventType = CustomerCreateEvent,CustomerDeleteEvent&"],
)
def test_a_query_on_event_types_is_accepted(alpha_api, query):
    body = {"callback": "https://partner.example/events", "query": query}

    assert alpha_api.post("/hub", body).status_code == 201
