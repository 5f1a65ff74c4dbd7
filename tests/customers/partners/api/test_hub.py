"""The event hub: subscriptions, and signed TMF events delivered to a real local HTTP receiver."""

import hashlib
import hmac
import json
import queue
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from customers.partners.models import HubDelivery, HubEvent, HubSubscription
from customers.partners.services.hub import hub_delivery_replay, hub_subscribe
from customers.partners.tasks import hub_deliveries_sweep, hub_delivery_send
from tests.factories import CustomerFactory

from .conftest import ApiClient, individual, partner_with_token


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with the next status."""

    def __init__(self):
        self.received: queue.Queue = queue.Queue()
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.put((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/listener"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take(self, timeout: float = 10) -> tuple[dict, bytes]:
        return self.received.get(timeout=timeout)

    def events(self) -> list[dict]:
        found = []
        while not self.received.empty():
            found.append(json.loads(self.received.get_nowait()[1]))
        return found

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def _verified(headers: dict, body: bytes, secret: str) -> bool:
    """What a partner's receiver does: recompute the HMAC over "<timestamp>.<body>"."""
    parts = dict(item.split("=", 1) for item in headers["X-Crm-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(parts["t"])) < 300
    return fresh and hmac.compare_digest(expected.hexdigest(), parts["v1"])


def _subscribe(api: ApiClient, receiver: Receiver, **extra) -> tuple[str, str]:
    response = api.post("/hub", {"callback": receiver.url, **extra})
    assert response.status_code == 201, response.content
    return response.json()["id"], response.json().get("secret")


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
class TestDelivery:
    def test_subscribing_answers_201_with_a_signing_secret_shown_once(
        self, alpha_api, receiver, tmf
    ):
        response = alpha_api.post("/hub", {"callback": receiver.url, "@type": "Hub"})

        assert response.status_code == 201
        tmf.validate(response.json(), "Hub")
        assert response["Location"].endswith(f"/hub/{response.json()['id']}")
        assert len(response.json()["secret"]) >= 32
        assert response["Cache-Control"] == "no-store"
        again = alpha_api.get(f"/hub/{response.json()['id']}")
        assert again.status_code == 200 and "secret" not in again.json()
        tmf.validate(again.json(), "Hub")
        assert [hub["id"] for hub in alpha_api.get("/hub").json()] == [response.json()["id"]]

    def test_every_change_reaches_the_callback_signed_in_the_tmf_envelope(
        self, alpha_api, receiver, tmf, django_capture_on_commit_callbacks
    ):
        _, secret = _subscribe(alpha_api, receiver)

        with django_capture_on_commit_callbacks(execute=True):
            number = alpha_api.post("/customer", individual(status="active")).json()["id"]
        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.patch(
                f"/customer/{number}",
                {"engagedParty": {"@type": "Individual", "givenName": "Janet"}},
            )
        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.patch(
                f"/customer/{number}", {"status": "suspended", "statusReason": "non_payment"}
            )

        deliveries = [receiver.take() for _ in range(4)]
        for headers, body in deliveries:
            assert _verified(headers, body, secret)
        events = [json.loads(body) for _, body in deliveries]
        assert [e["eventType"] for e in events] == [
            "CustomerCreateEvent",
            "CustomerStateChangeEvent",
            "CustomerAttributeValueChangeEvent",
            "CustomerStateChangeEvent",
        ]
        for event in events:
            tmf.validate(event, event["@type"])
            assert event["event"]["customer"]["id"] == number
        assert events[-1]["event"]["customer"]["status"] == "suspended"
        assert events[2]["title"].endswith(": engagedParty, name")
        assert len({e["eventId"] for e in events}) == 4
        assert HubDelivery.objects.filter(status="delivered").count() == 4

    def test_a_deleted_customer_is_announced_with_its_last_state(
        self, alpha_api, receiver, tmf, django_capture_on_commit_callbacks
    ):
        number = alpha_api.post("/customer", individual()).json()["id"]
        _subscribe(alpha_api, receiver)

        with django_capture_on_commit_callbacks(execute=True):
            assert alpha_api.delete(f"/customer/{number}").status_code == 204

        event = json.loads(receiver.take()[1])
        tmf.validate(event, "CustomerDeleteEvent")
        assert event["event"]["customer"]["id"] == number

    def test_a_tampered_body_fails_the_signature_check(
        self, alpha_api, receiver, django_capture_on_commit_callbacks
    ):
        _, secret = _subscribe(alpha_api, receiver)
        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.post("/customer", individual())

        headers, body = receiver.take()

        assert _verified(headers, body, secret)
        assert not _verified(headers, body.replace(b"Jane", b"Joan"), secret)
        assert not _verified(headers, body, "some other secret")

    def test_a_failing_callback_is_retried_with_growing_pauses_then_dead(
        self, alpha_api, receiver, django_capture_on_commit_callbacks, settings
    ):
        settings.CRM_HUB_MAX_ATTEMPTS = 3
        receiver.statuses = [500, 503, 502]
        _subscribe(alpha_api, receiver)

        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.post("/customer", individual())
        delivery = HubDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
        first_pause = delivery.next_attempt_at - delivery.last_attempt_at
        assert timedelta(seconds=59) < first_pause <= timedelta(seconds=61)

        for attempt in (2, 3):
            HubDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            hub_delivery_send(delivery.pk)
            delivery.refresh_from_db()
            assert delivery.attempts == attempt
        assert delivery.status == "dead"
        assert "502" in delivery.last_error
        assert receiver.received.qsize() == 3

    def test_staff_replay_a_dead_delivery_and_it_arrives(
        self, alpha_api, receiver, django_capture_on_commit_callbacks, settings, manager
    ):
        settings.CRM_HUB_MAX_ATTEMPTS = 1
        receiver.statuses = [500]
        _subscribe(alpha_api, receiver)
        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.post("/customer", individual())
        delivery = HubDelivery.objects.get(status="dead")

        with django_capture_on_commit_callbacks(execute=True):
            hub_delivery_replay(delivery=delivery, actor=manager)

        delivery.refresh_from_db()
        assert delivery.status == "delivered" and delivery.attempts == 1
        assert receiver.received.qsize() == 2

    def test_an_event_waits_in_the_outbox_while_the_broker_is_down(
        self, alpha_api, receiver, django_capture_on_commit_callbacks
    ):
        _subscribe(alpha_api, receiver)
        # The change commits but its after-commit hand-off to the broker never happens.
        with django_capture_on_commit_callbacks(execute=False):
            alpha_api.post("/customer", individual())
        assert HubEvent.objects.count() == 1
        assert HubDelivery.objects.get().status == "pending"
        assert receiver.received.empty()

        assert hub_deliveries_sweep() == 1

        assert json.loads(receiver.take()[1])["eventType"] == "CustomerCreateEvent"
        assert HubDelivery.objects.get().status == "delivered"

    def test_a_refused_change_sends_no_event(
        self, alpha, alpha_api, receiver, django_capture_on_commit_callbacks
    ):
        customer = CustomerFactory(partner=alpha[0])
        _subscribe(alpha_api, receiver)

        with django_capture_on_commit_callbacks(execute=True):
            response = alpha_api.patch(
                f"/customer/{customer.number}",
                {
                    "engagedParty": {"@type": "Individual", "givenName": "Changed"},
                    "status": "terminated",
                    "statusReason": "fraud",
                },
            )

        assert response.status_code == 409
        assert not HubEvent.objects.exists()
        assert receiver.received.empty()

    def test_the_query_chooses_the_event_types(
        self, alpha_api, receiver, django_capture_on_commit_callbacks
    ):
        _subscribe(alpha_api, receiver, query="eventType=CustomerStateChangeEvent")

        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.post("/customer", individual(status="prospect"))

        assert [e["eventType"] for e in receiver.events()] == ["CustomerStateChangeEvent"]

    def test_an_unknown_event_type_in_the_query_is_a_400(self, alpha_api, receiver, tmf):
        response = alpha_api.post("/hub", {"callback": receiver.url, "query": "eventType=Gossip"})

        assert response.status_code == 400
        tmf.validate(response.json(), "Error")

    def test_a_partners_hub_hears_only_of_its_own_customers(
        self, alpha, alpha_api, beta, receiver, django_capture_on_commit_callbacks
    ):
        _subscribe(alpha_api, receiver)

        with django_capture_on_commit_callbacks(execute=True):
            CustomerFactory(partner=beta[0])
            CustomerFactory(partner=None)
            mine = CustomerFactory(partner=alpha[0])

        events = receiver.events()
        assert [e["event"]["customer"]["id"] for e in events] == [mine.number]

    def test_a_hub_registered_by_staff_hears_of_every_customer(
        self, alpha, beta, receiver, django_capture_on_commit_callbacks, manager
    ):
        hub_subscribe(partner=None, actor=manager, callback=receiver.url)

        with django_capture_on_commit_callbacks(execute=True):
            CustomerFactory(partner=alpha[0])
            CustomerFactory(partner=beta[0])

        assert len(receiver.events()) == 2

    def test_removing_a_hub_stops_its_deliveries(
        self, alpha_api, beta_api, receiver, django_capture_on_commit_callbacks
    ):
        hub_id, _ = _subscribe(alpha_api, receiver)
        assert beta_api.delete(f"/hub/{hub_id}").status_code == 404

        assert alpha_api.delete(f"/hub/{hub_id}").status_code == 204
        with django_capture_on_commit_callbacks(execute=True):
            alpha_api.post("/customer", individual())

        assert receiver.received.empty()
        assert alpha_api.get(f"/hub/{hub_id}").status_code == 404
        assert HubSubscription.objects.get(pk=hub_id).deleted_at is not None

    @pytest.mark.parametrize("callback", ["not a url", "ftp://example.org/x", ""])
    def test_a_callback_must_be_an_http_url(self, alpha_api, callback, tmf):
        response = alpha_api.post("/hub", {"callback": callback})

        assert response.status_code == 400
        tmf.validate(response.json(), "Error")

    @override_settings(CRM_HUB_ALLOW_PRIVATE_CALLBACKS=False)
    def test_callbacks_into_our_own_network_are_refused_in_production(self, alpha_api, tmf):
        for callback in ("http://127.0.0.1:8000/admin/", "http://10.0.0.5/", "http://localhost/"):
            response = alpha_api.post("/hub", {"callback": callback})
            assert response.status_code == 400, callback
            assert "public address" in response.json()["message"]


@pytest.mark.broker
def test_a_real_worker_delivers_the_event_through_the_broker(worker, receiver, tmf):
    _, token = partner_with_token("Broker Mobile")
    api = ApiClient(token)
    _, secret = _subscribe(api, receiver)

    number = api.post("/customer", individual()).json()["id"]

    headers, body = receiver.take(timeout=60)
    assert _verified(headers, body, secret)
    event = json.loads(body)
    tmf.validate(event, "CustomerCreateEvent")
    assert event["event"]["customer"]["id"] == number
    for _ in range(100):
        if HubDelivery.objects.filter(status="delivered").exists():
            break
        time.sleep(0.1)
    assert HubDelivery.objects.get().status == "delivered"


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
class TestWhoHears:
    def test_a_suspended_partner_hears_nothing_more(
        self, alpha, alpha_api, receiver, django_capture_on_commit_callbacks, manager
    ):
        from customers.partners.services.partners import partner_transition
        from customers.services import customer_update

        customer = CustomerFactory(partner=alpha[0])
        _subscribe(alpha_api, receiver)
        with django_capture_on_commit_callbacks(execute=False):
            customer_update(customer=customer, actor=manager, segment="enterprise")
        pending = HubDelivery.objects.get()
        partner_transition(partner=alpha[0], action="suspend", actor=manager, reason="unpaid")

        with django_capture_on_commit_callbacks(execute=True):
            customer_update(customer=customer, actor=manager, segment="residential")
        assert hub_delivery_send(pending.pk) == "cancelled"

        assert HubDelivery.objects.count() == 1
        assert receiver.received.empty()

    def test_a_callback_name_that_now_points_into_our_network_is_not_called(
        self, alpha, receiver, settings, django_capture_on_commit_callbacks
    ):
        # Registered while it looked public; by the time of sending it resolves to loopback.
        HubSubscription.objects.create(
            partner=alpha[0],
            callback=receiver.url.replace("127.0.0.1", "localhost"),
            secret="s" * 32,
        )
        settings.CRM_HUB_ALLOW_PRIVATE_CALLBACKS = False
        settings.CRM_HUB_ALLOWED_PORTS = frozenset({receiver.server.server_port})

        with django_capture_on_commit_callbacks(execute=True):
            CustomerFactory(partner=alpha[0])

        delivery = HubDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert "not public" in delivery.last_error
        assert receiver.received.empty()
