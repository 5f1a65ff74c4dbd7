"""Field history: every change to a customer's data, whatever wrote it, with who, when, the
field, before and after (PostgreSQL, where the triggers exist); on SQLite the page says that
nothing is recorded."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import roles
from customers.history.selectors import customer_history, history_for_panel
from customers.models import Customer, Party
from customers.services import customer_update
from customers.services.contacts import ContactMediumInput
from tests.customers.identity.test_imports import ZOE, customers_csv, run
from tests.customers.partners.api.conftest import ApiClient, partner_with_token
from tests.factories import CustomerFactory, UserFactory

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the history triggers exist on PostgreSQL only"
)
on_sqlite = pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's promise")


def _staff(role: str, username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def manager(db):
    return _staff(roles.MANAGER, "margaret")


@pytest.fixture
def agent(db):
    return _staff(roles.AGENT, "alice")


@pytest.fixture
def customer(agent):
    return CustomerFactory(
        actor=agent,
        given_name="Lena",
        family_name="Lead",
        contact_media=[ContactMediumInput(kind="email", value="lena@example.com")],
    )


def _lines(customer) -> list[tuple[str, str, str, str]]:
    """(who, field, before, after) of every change, newest first."""
    return [
        (entry.who, change.field, change.before, change.after)
        for entry in customer_history(customer=customer).rows
        for change in entry.changes
    ]


@on_postgres
def test_a_change_on_the_staff_page_is_recorded_with_who_field_before_and_after(
    client, agent, customer
):
    client.force_login(agent)
    url = reverse("customers:profile_edit", args=[customer.number])
    data = {"given_name": "Lena", "family_name": "Lead-Smith", "segment": "small_business"}
    assert client.post(url, data).status_code == 302

    newest = customer_history(customer=customer).rows[:2]
    assert {entry.who for entry in newest} == {"alice"}
    changes = {(c.field, c.before, c.after) for entry in newest for c in entry.changes}
    assert ("family name", "Lead", "Lead-Smith") in changes
    assert ("segment", "Residential", "Small business") in changes
    assert all(entry.at is not None for entry in newest)


@on_postgres
def test_a_partner_patch_through_the_api_is_recorded_under_the_partners_name(db):
    partner, token = partner_with_token("Alpha Mobile")
    customer = CustomerFactory(partner=partner, given_name="Anna", family_name="Alphason")

    response = ApiClient(token).patch(
        f"/customer/{customer.number}",
        {"engagedParty": {"@type": "Individual", "familyName": "Alphason-Smith"}},
    )

    assert response.status_code == 200, response.content
    assert _lines(customer)[0] == (
        "partner Alpha Mobile",
        "family name",
        "Alphason",
        "Alphason-Smith",
    )


@on_postgres
def test_a_csv_import_is_recorded_under_the_import_with_each_value_it_wrote(manager):
    job = run(customers_csv(ZOE), actor=manager)
    customer = Customer.objects.get(external_ref="CRM-1")

    lines = _lines(customer)

    assert job.rows_created == 1
    assert ("margaret", "family name", "—", "Müller") in lines
    assert ("margaret", "segment", "—", "Residential") in lines
    assert any(field == "value" and after.lower().startswith("zoe") for _, field, _, after in lines)


@on_postgres
def test_an_import_without_an_uploader_is_recorded_as_the_import_job(db):
    job = run(customers_csv(ZOE))
    customer = Customer.objects.get(external_ref="CRM-1")

    assert {who for who, *_ in _lines(customer)} == {f"import:{job.pk}"}


@on_postgres
def test_a_queryset_update_is_recorded_too_even_without_a_log_entry(customer):
    Customer.objects.filter(pk=customer.pk).update(segment=Customer.Segment.ENTERPRISE)
    Party.objects.filter(pk=customer.party_id).update(national_id="AB123456C")

    lines = _lines(customer)

    assert lines[0][1:] == ("national id", "—", "••••••56C")
    assert lines[1][1:] == ("segment", "Residential", "Enterprise")
    assert lines[0][0].startswith("not named")


@on_postgres
def test_a_bulk_service_path_names_its_actor(customer, manager):
    partner, _ = partner_with_token("Beta Telecom")
    from customers.services.customers import customer_partner_change

    customer_partner_change(customer=customer, partner=partner, actor=manager)

    assert _lines(customer)[0] == ("margaret", "partner", "—", "Beta Telecom")


@on_postgres
def test_bookkeeping_writes_record_nothing(customer):
    before = len(customer_history(customer=customer).rows)
    Customer.objects.filter(pk=customer.pk).update(
        stale_since=None, last_activity_at=timezone.now()
    )

    assert len(customer_history(customer=customer).rows) == before


@on_postgres
def test_the_full_history_pages_by_keyset_newest_first(customer, agent):
    for n in range(5):
        customer_update(customer=customer, actor=agent, lead_source=f"source {n}")

    first = customer_history(customer=customer, page_size=2)
    second = customer_history(customer=customer, page_size=2, after=first.next_cursor)
    back = customer_history(customer=customer, page_size=2, before=second.previous_cursor)

    assert [c.after for e in first.rows for c in e.changes] == ["source 4", "source 3"]
    assert [c.after for e in second.rows for c in e.changes] == ["source 2", "source 1"]
    assert [e.event_id for e in back.rows] == [e.event_id for e in first.rows]


@on_postgres
def test_erasure_deletes_every_history_row_of_the_customer_and_no_other(customer, agent):
    from customers.models import Customer
    from privacy.erasure import customers_anonymise

    other = CustomerFactory(actor=agent, given_name="Otto", family_name="Other")
    customer_update(customer=customer, actor=agent, family_name="Lead-Smith")

    report = customers_anonymise(Customer.objects.filter(pk=customer.pk))

    assert report["history.PartyChange"] > 0
    assert customer_history(customer=customer).rows == []
    assert customer_history(customer=other).rows != []


@on_sqlite
def test_on_sqlite_nothing_is_recorded_and_the_panel_says_so(client, manager, customer):
    customer_update(customer=customer, actor=manager, family_name="Lead-Smith")

    assert history_for_panel(customer)["recorded"] is False
    client.force_login(manager)
    body = client.get(customer.get_absolute_url()).content.decode()
    assert "recorded by the database on PostgreSQL only" in body


def test_the_panel_is_shown_to_managers_and_not_to_agents(client, manager, agent, customer):
    client.force_login(manager)
    assert 'id="field-history-h"' in client.get(customer.get_absolute_url()).content.decode()
    client.force_login(agent)
    assert 'id="field-history-h"' not in client.get(customer.get_absolute_url()).content.decode()
    url = reverse("history:customer", args=[customer.number])
    assert client.get(url).status_code == 403


@on_postgres
def test_the_panel_reads_the_history_in_a_fixed_number_of_queries(customer, manager):
    customer_update(customer=customer, actor=manager, account_manager=manager)
    with CaptureQueriesContext(connection) as few:
        history_for_panel(customer)
    for n in range(6):
        customer_update(customer=customer, actor=manager, lead_source=f"source {n}")
    with CaptureQueriesContext(connection) as many:
        panel = history_for_panel(customer)

    assert len(panel["entries"]) == 8
    assert len(many) == len(few) <= 2


@on_postgres
def test_national_ids_are_masked_and_personal_values_hidden_without_the_party_view(
    client, manager, customer
):
    from tests.customers.viewers import custom_group_member

    customer_update(customer=customer, actor=manager, national_id="XY987654Z")
    client.force_login(manager)
    body = client.get(reverse("history:customer", args=[customer.number])).content.decode()
    assert "••••••54Z" in body and "XY987654Z" not in body

    limited = custom_group_member("customers.view_customer", "history.view_field_history")
    client.force_login(limited)
    body = client.get(reverse("history:customer", args=[customer.number])).content.decode()
    assert "changed (hidden)" in body and "54Z" not in body
