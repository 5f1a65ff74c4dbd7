"""The identity pages ask for the permission of what they show and of what each action changes:
looking at the duplicate queue, dismissing a pair, merging, scanning, and importing are each
their own permission."""

import pytest
from django.urls import reverse

from customers.identity.models import DuplicateCandidate, DuplicateScan, ImportJob
from tests.customers.viewers import custom_group_member

from .test_views_duplicates import _pair, zoe  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

LOOKS_AT_PAIRS = "identity.view_duplicatecandidate"


def test_who_may_look_at_pairs_sees_them_without_the_buttons_to_decide(client, agent, zoe):  # noqa: F811
    _, pair = _pair(agent, zoe)
    client.force_login(custom_group_member("customers.view_customer", LOOKS_AT_PAIRS))

    queue = client.get(reverse("identity:duplicates"))
    review = client.get(reverse("identity:duplicate_review", args=[pair.pk]))

    assert queue.status_code == review.status_code == 200
    assert list(queue.context["candidates"]) == [pair]
    page = review.content.decode()
    assert 'value="merge"' not in page and 'value="distinct"' not in page


@pytest.mark.parametrize(
    ("decision", "permission"),
    [("distinct", "identity.change_duplicatecandidate"), ("merge", "customers.merge_customer")],
)
def test_each_decision_on_a_pair_needs_its_own_permission(client, agent, zoe, decision, permission):  # noqa: F811
    _, pair = _pair(agent, zoe)
    review = reverse("identity:duplicate_review", args=[pair.pk])
    posted = {"decision": decision, "survivor": str(zoe.pk)}

    client.force_login(custom_group_member("customers.view_customer", LOOKS_AT_PAIRS))
    assert client.post(review, posted).status_code == 403

    client.force_login(custom_group_member("customers.view_customer", LOOKS_AT_PAIRS, permission))
    assert client.post(review, posted).status_code in (200, 302)  # a merge asks to confirm
    if decision == "distinct":
        pair.refresh_from_db()
        assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE


def test_scans_are_listed_with_one_permission_and_started_with_another(client):
    client.force_login(custom_group_member("identity.view_duplicatescan"))
    page = client.get(reverse("identity:duplicate_scans"))
    assert page.status_code == 200 and "Scan the whole base" not in page.content.decode()
    assert client.post(reverse("identity:duplicate_scans")).status_code == 403
    assert not DuplicateScan.objects.exists()


def test_imports_are_listed_with_one_permission_and_uploaded_with_another(client):
    client.force_login(custom_group_member("identity.view_importjob"))
    page = client.get(reverse("identity:imports"))
    assert page.status_code == 200 and "Import a CSV file" not in page.content.decode()
    assert client.post(reverse("identity:imports"), {"kind": "customers"}).status_code == 403
    assert not ImportJob.objects.exists()
