"""The customer's pages: what they show, only ever the signed-in customer's, one query a list."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Interaction
from customers.services import payment_record
from portal import selectors
from tests.factories import InteractionFactory, InvoiceFactory, ProductFactory, SubscriptionFactory
from tests.portal.conftest import OTTO_EMAIL


def _invoices(customer, count: int, *, first_number: int = 0) -> list:
    today = timezone.localdate()
    return [
        InvoiceFactory(
            customer=customer,
            number=f"INV-{customer.pk}-{first_number + n:04d}",
            issued_on=today - datetime.timedelta(days=30 * n),
        )
        for n in range(count)
    ]


def test_every_page_asks_a_visitor_to_sign_in_first(client, db):
    for path in ("/my/", "/my/products/", "/my/invoices/", "/my/payments/", "/my/interactions/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/my/sign-in/", path


def test_the_overview_shows_who_the_customer_is_and_how_to_reach_them(signed_in, ada):
    html = signed_in().get("/my/").content.decode()
    for expected in (ada.party.display_name, ada.number, "Active", "ada@example.com", "verified"):
        assert expected in html
    assert "Preferred channel" in html


def test_the_products_page_lists_the_customers_subscriptions(signed_in, ada, otto):
    SubscriptionFactory(customer=ada, product=ProductFactory(name="Fibre 500"), service_id="L-1")
    SubscriptionFactory(customer=otto, product=ProductFactory(name="Otto's plan"))
    html = signed_in().get("/my/products/").content.decode()
    assert "Fibre 500" in html and "L-1" in html
    assert "Otto" not in html


def test_invoices_are_listed_newest_first_twenty_a_page(signed_in, ada):
    invoices = _invoices(ada, selectors.PAGE_SIZE + 3)
    client = signed_in()
    first = client.get("/my/invoices/")
    rows = first.context["page"].rows
    assert [row.number for row in rows] == [inv.number for inv in invoices[: selectors.PAGE_SIZE]]
    older = client.get(f"/my/invoices/?after={first.context['page'].next_cursor}")
    assert [row.number for row in older.context["page"].rows] == [
        inv.number for inv in invoices[selectors.PAGE_SIZE :]
    ]


def test_a_broken_page_link_shows_the_first_page_and_says_so(signed_in, ada):
    _invoices(ada, 2)
    response = signed_in().get("/my/invoices/?after=not-a-cursor")
    assert response.status_code == 200
    assert "That page link does not work" in response.content.decode()


def test_an_invoice_shows_its_payments(signed_in, ada):
    [invoice] = _invoices(ada, 1)
    payment_record(
        customer=ada,
        invoice=invoice,
        amount=Decimal("15.00"),
        received_on=timezone.localdate(),
        method="card",
        reference="PAY-ADA-1",
        actor=None,
    )
    client = signed_in()
    html = client.get(f"/my/invoices/{invoice.pk}/").content.decode()
    assert "PAY-ADA-1" in html and "€15.00" in html and "€25.00" in html
    assert "PAY-ADA-1" in client.get("/my/payments/").content.decode()


def test_another_customers_invoice_is_not_found(signed_in, ada, otto):
    [ottos] = _invoices(otto, 1)
    response = signed_in().get(f"/my/invoices/{ottos.pk}/")
    assert response.status_code == 404
    assert ottos.number not in response.content.decode()


def test_another_customers_interaction_is_not_found(signed_in, ada, otto):
    ottos = InteractionFactory(customer=otto, outcome=Interaction.Outcome.OPEN)
    assert signed_in().get(f"/my/interactions/{ottos.pk}/").status_code == 404


def test_each_customer_sees_only_their_own_lists(signed_in, ada, otto):
    _invoices(ada, 1)
    [ottos] = _invoices(otto, 1, first_number=50)
    InteractionFactory(customer=otto, kind=Interaction.Kind.COMPLAINT)
    client = signed_in(OTTO_EMAIL)
    assert [row.number for row in client.get("/my/invoices/").context["page"].rows] == [
        ottos.number
    ]
    interactions = client.get("/my/interactions/")
    assert len(interactions.context["closed_interactions"]) == 1
    assert not interactions.context["open_interactions"]


def test_open_interactions_and_recently_closed_ones_are_shown_apart(signed_in, ada):
    waiting = InteractionFactory(
        customer=ada, kind=Interaction.Kind.COMPLAINT, outcome=Interaction.Outcome.OPEN
    )
    done = InteractionFactory(customer=ada, kind=Interaction.Kind.BILLING)
    client = signed_in()
    response = client.get("/my/interactions/")
    assert response.context["open_interactions"] == [waiting]
    assert response.context["closed_interactions"] == [done]
    html = client.get(f"/my/interactions/{waiting.pk}/").content.decode()
    assert "Complaint" in html and "<dd>Open</dd>" in html and "Closed" not in html


@pytest.mark.parametrize(
    "path", ["/my/", "/my/products/", "/my/invoices/", "/my/payments/", "/my/interactions/"]
)
def test_a_page_costs_the_same_queries_for_one_row_and_for_many(signed_in, ada, path):
    client = signed_in()

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    _invoices(ada, 1)
    SubscriptionFactory(customer=ada)
    InteractionFactory(customer=ada)
    few = queries()
    for invoice in _invoices(ada, 5, first_number=10):
        payment_record(
            customer=ada,
            invoice=invoice,
            amount=Decimal("1.00"),
            received_on=timezone.localdate(),
            method="card",
            reference=f"PAY-{invoice.number}",
            actor=None,
        )
    for _ in range(5):
        SubscriptionFactory(customer=ada, product=ProductFactory())
        InteractionFactory(customer=ada, outcome=Interaction.Outcome.OPEN)
    assert queries() == few


def test_pages_speak_the_customers_language(signed_in, customer_like):
    customer_like(email="elena@example.com", language="es")
    html = signed_in("elena@example.com").get("/my/invoices/").content.decode()
    assert '<html lang="es">' in html
    assert "Facturas" in html and "Cerrar sesión" in html


def test_pages_have_no_inline_script_or_style_and_a_skip_link(signed_in, ada):
    client = signed_in()
    for path in ("/my/", "/my/products/", "/my/invoices/", "/my/payments/", "/my/interactions/"):
        response = client.get(path)
        html = response.content.decode()
        assert "<script" not in html and " style=" not in html and "<style" not in html, path
        assert 'href="#main"' in html and 'id="main"' in html, path
        assert response["Cache-Control"] == "no-store", path


def test_an_address_under_my_that_leads_nowhere_is_a_public_not_found_page(client, db):
    response = client.get("/my/nowhere/", headers={"accept-language": "de"})
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
