"""The data-rights pages: a request recorded from the customer page, decided by another
manager, a legal hold set and lifted, and the retention page for administrators."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from customers import roles
from customers.models import Customer
from privacy.models import ErasureRequest, LegalHold, RetentionRule, RetentionRun
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(agent):
    return CustomerFactory(
        given_name="Edna", family_name="Ended", status=Customer.Status.DISQUALIFIED, actor=agent
    )


@pytest.fixture
def other_manager(db):
    user = UserFactory(username="olivia")
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    return user


@pytest.fixture
def administrator(db):
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


def test_an_agent_records_a_request_and_another_manager_approves_it(client, agent, manager, ended):
    client.force_login(agent)
    page = client.get(ended.get_absolute_url()).content.decode()
    assert reverse("privacy:erasure_request", args=[ended.number]) in page

    response = client.post(
        reverse("privacy:erasure_request", args=[ended.number]), {"reason": "Letter, 3 Dec"}
    )
    request = ErasureRequest.objects.get()
    assert response.url == reverse("privacy:erasure", args=[request.pk])
    assert "Approve and erase" not in client.get(response.url).content.decode()

    client.force_login(manager)
    client.post(response.url, {"decision": "approve"})

    request.refresh_from_db()
    ended.party.refresh_from_db()
    assert request.status == "erased"
    assert ended.party.display_name == f"Erased customer {ended.number}"
    assert "was <a" in client.get(ended.get_absolute_url()).content.decode()


def test_a_refusal_needs_a_reason_and_a_blocked_request_says_why(
    client, agent, manager, other_manager, ended
):
    active = CustomerFactory(status=Customer.Status.ACTIVE, actor=agent)
    client.force_login(agent)
    page = client.get(reverse("privacy:erasure_request", args=[active.number])).content.decode()
    assert "has not ended" in page
    refused = client.post(
        reverse("privacy:erasure_request", args=[active.number]), {"reason": "Letter"}
    )
    assert refused.status_code == 200 and not ErasureRequest.objects.exists()

    client.force_login(manager)
    client.post(reverse("privacy:erasure_request", args=[ended.number]), {"reason": "Phone"})
    request = ErasureRequest.objects.get()
    client.force_login(other_manager)
    page = client.post(reverse("privacy:erasure", args=[request.pk]), {"decision": "refuse"})
    assert "Say why" in page.content.decode()
    client.post(
        reverse("privacy:erasure", args=[request.pk]),
        {"decision": "refuse", "refusal": "Not the holder"},
    )
    request.refresh_from_db()
    assert (request.status, request.refusal) == ("refused", "Not the holder")


def test_a_legal_hold_is_set_and_lifted_by_a_manager_only(client, agent, manager, ended):
    url = reverse("privacy:legal_hold", args=[ended.number])
    client.force_login(agent)
    assert client.post(url, {"reason": "Dispute"}).status_code == 403

    client.force_login(manager)
    client.post(url, {"reason": "Dispute 44"})
    assert LegalHold.objects.get(customer=ended).reason == "Dispute 44"
    assert "Dispute 44" in client.get(ended.get_absolute_url()).content.decode()
    client.post(url, {"lift": "on"})
    assert not LegalHold.objects.exists()


def test_the_retention_page_is_for_administrators(client, manager, administrator):
    client.force_login(manager)
    assert client.get(reverse("privacy:retention")).status_code == 403

    client.force_login(administrator)
    page = client.get(reverse("privacy:retention")).content.decode()
    assert "Leads never converted" in page
    client.post(
        reverse("privacy:retention_rule", args=["interactions"]),
        {"interactions-days": "400", "interactions-enabled": "on"},
    )
    rule = RetentionRule.objects.get(kind="interactions")
    assert (rule.days, rule.enabled) == (400, True)
    client.post(
        reverse("privacy:retention_rule", args=["interactions"]), {"interactions-days": "3"}
    )
    assert RetentionRule.objects.get(kind="interactions").days == 400
    client.post(reverse("privacy:retention_run"), {"mode": "dry"})
    assert RetentionRun.objects.get().dry_run


def test_a_waiting_request_is_on_the_other_managers_home_page(
    client, agent, manager, other_manager, ended
):
    from home.selectors import my_work

    client.force_login(agent)
    client.post(reverse("privacy:erasure_request", args=[ended.number]), {"reason": "Letter"})

    blocks = {block.name: block for block in my_work(user=manager)}
    assert blocks["erasures"].count == 1
    assert blocks["erasures"].items[0].label == ended.number
    assert "erasures" not in {block.name for block in my_work(user=agent)}
