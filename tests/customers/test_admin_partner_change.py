"""Changing a customer's partner in the admin goes through ``customer_partner_change``: checked
under the customer's lock, logged, and refused on the form in words, whatever the race."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from customers.models import Customer
from customers.services.customers import customer_partner_change
from tests.factories import CustomerFactory, PartnerFactory, UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def _change_url(customer):
    return reverse("admin:customers_customer_change", args=[customer.pk])


def _admin_post_data(client, customer, **changes):
    """What the admin's change page posts for ``customer`` as it stands, with ``changes``."""
    page = client.get(_change_url(customer))
    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    # The read-only inlines still post their management forms and row ids.
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
        for row in inline.formset.forms:
            for field in row:
                if field.value() is not None:
                    data[field.html_name] = field.value()
    return {**data, **changes}


@pytest.mark.django_db
def test_the_admin_moves_a_customer_to_another_partner_and_logs_both(client, superuser):
    first, second = PartnerFactory(name="Blue MVNO"), PartnerFactory(name="Green MVNO")
    customer = CustomerFactory(partner=first, partner_reference="REF-1")
    client.force_login(superuser)

    response = client.post(
        _change_url(customer), _admin_post_data(client, customer, partner=second.pk)
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.partner == second
    entry = customer.action_log.get(action="customer.partner_changed")
    assert entry.actor == superuser
    assert entry.data == {"partner": "Green MVNO", "previous": "Blue MVNO"}


@pytest.mark.django_db
def test_the_admin_refuses_a_new_partner_for_a_merged_customer_on_the_form(client, superuser):
    partner = PartnerFactory()
    merged = CustomerFactory(status=Customer.Status.MERGED)
    client.force_login(superuser)
    data = _admin_post_data(client, merged, partner=partner.pk)

    response = client.post(_change_url(merged), data)

    assert response.status_code == 200
    assert "was merged into" in str(response.context["adminform"].form.non_field_errors())
    merged.refresh_from_db()
    assert merged.partner is None
    assert not merged.action_log.filter(action="customer.partner_changed").exists()


@pytest.mark.django_db
def test_customer_partner_change_refuses_a_reference_the_partner_already_has(superuser):
    first, second = PartnerFactory(), PartnerFactory()
    moving = CustomerFactory(partner=first, partner_reference="REF-1")
    holder = CustomerFactory(partner=second, partner_reference="REF-1")

    with pytest.raises(Exception) as refused:
        customer_partner_change(customer=moving, partner=second, actor=superuser)

    assert refused.value.message_dict == {
        "partner": [f"Reference REF-1 is already customer {holder.number}."]
    }
    moving.refresh_from_db()
    assert moving.partner == first


def _wait_until_another_session_waits_for_a_lock():
    # pg_locks, not pg_stat_activity: the latter is a snapshot taken once per transaction.
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the admin's save never waited for the other transaction")


@pytest.mark.django_db(transaction=True)
def test_a_reference_clash_committed_during_the_admin_save_reads_on_the_form(client, superuser):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks that wait: PostgreSQL")
    first, second = PartnerFactory(), PartnerFactory()
    moving = CustomerFactory(partner=first, partner_reference="REF-1")
    holder = CustomerFactory(partner=second, partner_reference="REF-2")
    client.force_login(superuser)
    data = _admin_post_data(client, moving, partner=second.pk)
    responses = []

    def save_in_admin():
        try:
            responses.append(client.post(_change_url(moving), data))
        finally:
            connection.close()

    # Another transaction gives the reference to a customer of the new partner; the admin's
    # checks cannot see it yet, its write waits on the unique index until the other commits.
    with transaction.atomic():
        Customer.objects.filter(pk=holder.pk).update(partner_reference="REF-1")
        admin_save = threading.Thread(target=save_in_admin)
        admin_save.start()
        _wait_until_another_session_waits_for_a_lock()
    admin_save.join(timeout=30)

    [response] = responses
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["partner"] == [f"Reference REF-1 is already customer {holder.number}."]
    moving.refresh_from_db()
    assert moving.partner == first
