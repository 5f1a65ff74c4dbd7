from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from customers import roles
from customers.identity.models import DuplicateCandidate
from customers.identity.services.duplicate_scans import duplicate_scan_start
from customers.models import ContactMedium, Customer, CustomerAlias
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory, InteractionFactory, UserFactory

NEW_LEAD = reverse("customers:lead_create")
LEAD = {
    "kind": "individual",
    "given_name": "Zoë",
    "family_name": "Müller",
    "segment": "residential",
    "language": "en",
    "email": "zoe@example.com",
    "birth_date": "1985-03-14",
}


@pytest.fixture
def zoe(agent):
    return CustomerFactory(
        actor=agent,
        given_name="Zoe",
        family_name="Muller",
        birth_date=date(1985, 3, 14),
        status=Customer.Status.ACTIVE,
        contact_media=[ContactMediumInput(kind=ContactMedium.Kind.EMAIL, value="zoe@example.com")],
    )


@pytest.fixture
def merger(db):
    user = UserFactory(username="mona")
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    return user


def test_a_probable_duplicate_is_shown_before_the_lead_is_saved(client, agent, zoe):
    client.force_login(agent)
    response = client.post(NEW_LEAD, LEAD)
    assert response.status_code == 200
    duplicates = response.context["duplicates"]
    assert [m.customer for m in duplicates.matches] == [zoe]
    assert not duplicates.exact
    body = response.content.decode()
    assert f"Open {zoe.number}" in body
    assert "None of these: create a new lead" in body
    assert Customer.objects.count() == 1


def test_confirming_a_different_person_creates_the_lead_and_remembers_it(client, agent, zoe):
    client.force_login(agent)
    response = client.post(NEW_LEAD, {**LEAD, "confirmed_distinct": str(zoe.pk)})
    assert response.status_code == 302
    created = Customer.objects.exclude(pk=zoe.pk).get()
    pair = DuplicateCandidate.objects.get()
    assert {pair.customer_low, pair.customer_high} == {zoe, created}
    assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert pair.decided_by == agent


def test_an_exact_duplicate_is_refused_with_a_link_to_the_existing_customer(client, agent, zoe):
    ContactMedium.objects.filter(party=zoe.party).update(is_verified=True)
    client.force_login(agent)
    response = client.post(NEW_LEAD, {**LEAD, "confirmed_distinct": str(zoe.pk)})
    assert response.status_code == 200
    assert response.context["duplicates"].exact
    body = response.content.decode()
    assert "This customer already exists" in body
    assert zoe.get_absolute_url() in body
    assert "None of these" not in body
    assert Customer.objects.count() == 1


def test_an_agent_may_not_open_the_duplicate_queue(client, agent):
    client.force_login(agent)
    assert client.get(reverse("identity:duplicates")).status_code == 403


def _pair(agent, zoe):
    twin = CustomerFactory(
        actor=agent, given_name="Zoe", family_name="Muller", birth_date=date(1985, 3, 14)
    )
    from customers.identity.services.identity import (
        candidates_for_profile,
        duplicate_pair_record,
        party_profiles,
    )

    profile = party_profiles([twin.party_id])[twin.party_id]
    (match,) = [m for m in candidates_for_profile(profile) if m.customer == zoe]
    return twin, duplicate_pair_record(first=zoe, second=twin, match=match.match, source="scan")


def test_the_queue_lists_open_pairs_and_the_review_merges_them(client, agent, merger, zoe):
    twin, pair = _pair(agent, zoe)
    client.force_login(merger)
    queue = client.get(reverse("identity:duplicates"))
    assert list(queue.context["candidates"]) == [pair]

    review = reverse("identity:duplicate_review", args=[pair.pk])
    assert client.get(review).status_code == 200
    asked = client.post(review, {"decision": "merge", "survivor": str(zoe.pk)})
    assert asked.status_code == 200  # the confirmation, not the merge
    response = client.post(
        review, {"decision": "merge", "survivor": str(zoe.pk), "confirmed": "on"}
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == zoe
    assert CustomerAlias.objects.get(number=twin.number).customer == zoe

    # The old number still works and leads to the survivor.
    old_page = client.get(reverse("customers:detail", args=[twin.number]))
    assert old_page.status_code == 302
    assert old_page["Location"] == zoe.get_absolute_url()


def test_not_a_duplicate_is_recorded_from_the_review(client, agent, merger, zoe):
    _, pair = _pair(agent, zoe)
    client.force_login(merger)
    review = reverse("identity:duplicate_review", args=[pair.pk])
    assert client.post(review, {"decision": "distinct"}).status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert client.get(reverse("identity:duplicates")).context["candidates"] == []


def test_a_scan_is_started_from_the_ui_and_reports_progress(
    client, agent, merger, zoe, django_capture_on_commit_callbacks, tasks_in_process
):
    CustomerFactory(
        actor=agent, given_name="Zoe", family_name="Muller", birth_date=date(1985, 3, 14)
    )
    client.force_login(merger)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("identity:duplicate_scans"), follow=True)
    assert "Duplicate scan started." in response.content.decode()
    scan = response.context["scans"][0]
    progress = client.get(reverse("jobs:progress", args=["duplicate_scan", scan.pk])).json()
    # Without a broker the scan ran in-process, so it is already complete.
    assert progress["status"] == "done"
    assert progress["percent"] == 100
    assert progress["pairs_found"] == 1


def test_a_second_scan_is_refused_while_one_runs(client, merger, zoe):
    duplicate_scan_start(actor=merger)
    client.force_login(merger)
    response = client.post(reverse("identity:duplicate_scans"), follow=True)
    assert "already running" in response.content.decode()


def test_merging_asks_for_confirmation_first_and_changes_nothing_until_then(
    client, agent, merger, zoe
):
    twin, pair = _pair(agent, zoe)
    client.force_login(merger)
    review = reverse("identity:duplicate_review", args=[pair.pk])

    response = client.post(review, {"decision": "merge", "survivor": str(zoe.pk)})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Merge {twin.number} into {zoe.number}?" in page
    assert "This cannot be undone." in page
    assert f"The number {twin.number} keeps working and leads to {zoe.number}." in page
    assert '<input type="hidden" name="confirmed" value="on">' in page
    assert 'name="decision" value="merge"' in page
    twin.refresh_from_db()
    pair.refresh_from_db()
    assert twin.merged_into is None
    assert pair.status == DuplicateCandidate.Status.OPEN
    assert not CustomerAlias.objects.exists()


@pytest.fixture
def differing_pair(agent, zoe):
    """Zoe's twin, born another day and paying by direct debit; Zoe pays by card."""
    twin, pair = _pair(agent, zoe)
    Customer.objects.filter(pk=zoe.pk).update(payment_method=Customer.PaymentMethod.CARD)
    Customer.objects.filter(pk=twin.pk).update(payment_method=Customer.PaymentMethod.DIRECT_DEBIT)
    type(twin.party).objects.filter(pk=twin.party_id).update(birth_date=date(1973, 8, 5))
    return twin, pair


def test_the_review_shows_field_labels_and_values_as_the_other_pages_do(
    client, merger, zoe, differing_pair
):
    _, pair = differing_pair
    client.force_login(merger)

    response = client.get(reverse("identity:duplicate_review", args=[pair.pk]))

    page = response.content.decode()
    table = page[page.index('id="merge-conflicts"') : page.index("</table>")]
    assert '<th scope="row">Birth date</th><td>1985-03-14</td><td>1973-08-05</td>' in table
    assert '<th scope="row">Payment method</th><td>Credit card</td><td>Direct debit</td>' in table
    for raw in ("birth_date", "payment_method", "direct_debit", "Aug. 5, 1973"):
        assert raw not in table, raw
    choices = dict(response.context["form"].fields["take_from_merged"].choices)
    assert choices == {"birth_date": "Birth date", "payment_method": "Payment method"}


def test_the_confirmation_shows_what_is_kept_and_what_is_dropped(
    client, merger, zoe, differing_pair
):
    twin, pair = differing_pair
    client.force_login(merger)

    response = client.post(
        reverse("identity:duplicate_review", args=[pair.pk]),
        {"decision": "merge", "survivor": str(zoe.pk), "take_from_merged": ["payment_method"]},
    )

    outcome = {row["label"]: row for row in response.context["outcome"]}
    assert (outcome["Birth date"]["result"], outcome["Birth date"]["dropped"]) == (
        "1985-03-14",
        "1973-08-05",
    )
    assert (outcome["Payment method"]["result"], outcome["Payment method"]["taken"]) == (
        "Direct debit",
        True,
    )
    page = response.content.decode()
    assert f'Direct debit <span class="muted">(from {twin.number})</span>' in page
    assert '<input type="hidden" name="take_from_merged" value="payment_method">' in page


def test_a_confirmed_merge_takes_the_chosen_values(client, merger, zoe, differing_pair):
    twin, pair = differing_pair
    client.force_login(merger)

    response = client.post(
        reverse("identity:duplicate_review", args=[pair.pk]),
        {
            "decision": "merge",
            "survivor": str(zoe.pk),
            "take_from_merged": ["payment_method"],
            "confirmed": "on",
        },
    )

    assert response.status_code == 302
    zoe.refresh_from_db()
    twin.refresh_from_db()
    assert twin.merged_into == zoe
    assert zoe.payment_method == Customer.PaymentMethod.DIRECT_DEBIT
    assert zoe.party.birth_date == date(1985, 3, 14)


def test_changing_the_choices_goes_back_to_the_review_with_them_kept(
    client, merger, zoe, differing_pair
):
    twin, pair = differing_pair
    client.force_login(merger)

    response = client.post(
        reverse("identity:duplicate_review", args=[pair.pk]),
        {
            "decision": "review",
            "survivor": str(twin.pk),
            "take_from_merged": ["birth_date"],
            "confirmed": "on",
        },
    )

    assert response.templates[0].name == "identity/duplicates/review.html"
    assert response.context["form"]["survivor"].value() == str(twin.pk)
    assert response.context["form"]["take_from_merged"].value() == ["birth_date"]
    twin.refresh_from_db()
    assert twin.merged_into is None


def test_the_review_counts_each_sides_history_in_words(client, agent, merger, zoe):
    _twin, pair = _pair(agent, zoe)
    InteractionFactory(customer=zoe, actor=agent)
    client.force_login(merger)

    page = client.get(reverse("identity:duplicate_review", args=[pair.pk])).content.decode()

    assert "1 interaction, 0 products, 0 invoices" in page
    assert "0 interactions, 0 products, 0 invoices" in page
