"""A create sent again with the same Idempotency-Key gets the first answer again and creates
nothing more; the key is the caller's own, checked, and kept for a day."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from customers.models import Customer
from customers.partners.models import IdempotentRequest
from customers.partners.services.idempotency import idempotency_keys_forget

from .conftest import API, individual

pytestmark = pytest.mark.django_db


def _create(api, body, key, client=None):
    return (client or api.client).post(
        f"{API}/customer",
        json.dumps(body),
        content_type="application/json",
        headers={**api.headers, "Idempotency-Key": key},
    )


def test_a_create_sent_again_with_its_key_gets_the_first_answer_and_one_customer(alpha_api):
    first = _create(alpha_api, individual("Ada", "Retry"), "8d4f-first")
    again = _create(alpha_api, individual("Ada", "Retry"), "8d4f-first")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Customer.objects.filter(party__family_name="Retry").count() == 1


def test_the_same_key_with_another_request_is_refused_and_creates_nothing(alpha_api, tmf):
    _create(alpha_api, individual("Ada", "Retry"), "reused")

    response = _create(alpha_api, individual("Bob", "Other"), "reused")

    assert response.status_code == 422
    tmf.validate(response.json(), "Error")
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Customer.objects.filter(party__family_name="Other").exists()


def test_keys_are_each_callers_own(alpha_api, beta_api):
    assert _create(alpha_api, individual("Ada", "Alpha"), "shared-key").status_code == 201
    assert _create(beta_api, individual("Ada", "Alpha"), "shared-key").status_code == 201

    assert Customer.objects.filter(party__family_name="Alpha").count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "two words"])
def test_a_key_that_is_not_visible_ascii_of_at_most_255_characters_is_a_400(alpha_api, key):
    response = _create(alpha_api, individual("Ada", "Keyed"), key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Customer.objects.filter(party__family_name="Keyed").exists()


def test_a_refused_create_keeps_no_answer_so_the_corrected_one_may_use_the_key(alpha_api):
    refused = _create(alpha_api, individual("Ada", "Fixed", status="terminated"), "fix-me")
    assert refused.status_code == 400

    corrected = _create(alpha_api, individual("Ada", "Fixed"), "fix-me")

    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected


def test_answers_are_forgotten_after_a_day(alpha_api):
    _create(alpha_api, individual("Ada", "Old"), "old-key")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    _create(alpha_api, individual("Ada", "New"), "new-key")

    assert idempotency_keys_forget() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new-key"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two sessions at once")
@pytest.mark.django_db(transaction=True)
def test_two_tries_of_one_key_at_the_same_moment_create_one_customer(alpha_api):
    barrier = threading.Barrier(2)
    answers = [None, None]

    def send(index):
        try:
            barrier.wait(timeout=10)
            answers[index] = _create(
                alpha_api, individual("Ada", "Twice"), "same-moment", client=Client()
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Customer.objects.filter(party__family_name="Twice").count() == 1
