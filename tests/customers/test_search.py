"""The global search: what a term is read as, what each kind finds, who sees which group, the
results page and the header's suggestions."""

import pytest
from django.db import connection
from django.urls import reverse

from customers.models import ContactMedium, Customer, CustomerAlias
from customers.search import TermKind, global_search, term_kind
from customers.services import ContactMediumInput
from tests.customers.viewers import custom_group_member
from tests.factories import CustomerFactory, InvoiceFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's (pg_trgm)"
)


@pytest.fixture
def boss(db):
    return UserFactory(is_superuser=True)


@pytest.fixture
def zoe(db):
    return CustomerFactory(
        given_name="Zoë",
        family_name="O'Brien",
        contact_media=[
            ContactMediumInput(kind=ContactMedium.Kind.EMAIL, value="Zoe.OBrien@Example.com"),
            ContactMediumInput(kind=ContactMedium.Kind.MOBILE, value="+44 7400 123456"),
        ],
    )


def customer_labels(results) -> list[str]:
    return [hit.label for hit in results.customers]


@pytest.mark.parametrize(
    "term, kind",
    [
        ("", TermKind.NOTHING),
        ("a", TermKind.NOTHING),
        ("zoe@example.com", TermKind.EMAIL),
        ("C00000018", TermKind.CUSTOMER_NUMBER),
        ("c0000", TermKind.CUSTOMER_NUMBER),
        ("07400 123456", TermKind.PHONE),
        ("+44 7700 900123", TermKind.PHONE),
        ("INV-202401-0000123", TermKind.REFERENCE),
        ("12345", TermKind.REFERENCE),
        ("Zoë O'Brien", TermKind.NAME),
        ("Ferrari-Bianchi 3", TermKind.NAME),
    ],
)
def test_the_term_is_read_as_what_it_most_likely_is(term, kind):
    assert term_kind(term) == kind


def test_a_customer_is_found_by_number(boss, zoe):
    results = global_search(term=zoe.number.lower(), user=boss)

    assert [hit.url for hit in results.customers] == [zoe.get_absolute_url()]


def test_the_first_digits_of_a_number_find_the_customers_numbered_so(boss, zoe):
    results = global_search(term=zoe.number[:6], user=boss)

    assert zoe.get_absolute_url() in [hit.url for hit in results.customers]


def test_a_merged_customers_old_number_finds_the_survivor(boss):
    merged = CustomerFactory(status=Customer.Status.MERGED, family_name="Gone")
    survivor = merged.merged_into
    assert CustomerAlias.objects.filter(number=merged.number, customer=survivor).exists()

    results = global_search(term=merged.number, user=boss)

    assert [hit.url for hit in results.customers] == [survivor.get_absolute_url()]


def test_merged_away_customers_are_not_found_by_name(boss):
    merged = CustomerFactory(status=Customer.Status.MERGED, family_name="Gonebye")

    results = global_search(term="Gonebye", user=boss)

    assert merged.number not in [hit.detail.split(" ")[0] for hit in results.customers]
    assert [hit.label for hit in results.customers] == [merged.merged_into.party.display_name]


def test_a_customer_is_found_by_email_whatever_its_case(boss, zoe):
    results = global_search(term="  ZOE.OBRIEN@example.COM ", user=boss)

    assert customer_labels(results) == ["Zoë O'Brien"]
    assert results.read_as == "zoe.obrien@example.com"


@pytest.mark.parametrize("typed", ["07400 123456", "+44 (0)7400-123-456", "0044 7400 123456"])
def test_a_customer_is_found_by_phone_in_any_format(boss, zoe, typed):
    results = global_search(term=typed, user=boss)

    assert customer_labels(results) == ["Zoë O'Brien"]
    assert results.read_as == "+447400123456"


def test_a_customer_is_found_by_the_reference_of_the_system_it_came_from(boss):
    CustomerFactory(given_name="Ext", family_name="Ernal", external_ref="LEGACY-4711")

    assert customer_labels(global_search(term="LEGACY-4711", user=boss)) == ["Ext Ernal"]


def test_a_customer_is_found_by_a_partners_own_reference(boss):
    partner = PartnerFactory(name="Northwind Mobile")
    CustomerFactory(
        given_name="Par", family_name="Tner", partner=partner, partner_reference="NW-42"
    )

    assert customer_labels(global_search(term="NW-42", user=boss)) == ["Par Tner"]


def test_an_invoice_is_found_by_number_and_leads_to_its_customer(boss, zoe):
    InvoiceFactory(customer=zoe, number="INV-202401-0000123")

    results = global_search(term="inv-202401-0000123", user=boss)

    assert [(hit.label, hit.url) for hit in results.invoices] == [
        ("INV-202401-0000123", f"{zoe.get_absolute_url()}#billing-h")
    ]


def test_partners_are_found_by_any_part_of_their_name(boss):
    northwind = PartnerFactory(name="Northwind Mobile")
    PartnerFactory(name="Alpine Connect")

    results = global_search(term="wind", user=boss)

    assert [(hit.label, hit.url) for hit in results.partners] == [
        ("Northwind Mobile", reverse("partners:detail", kwargs={"partner_id": northwind.pk}))
    ]


def test_the_beginning_of_a_name_finds_the_customer_on_every_database(boss, zoe):
    CustomerFactory(given_name="Zora", family_name="Quinn")

    assert customer_labels(global_search(term="obri", user=boss)) == ["Zoë O'Brien"]
    assert customer_labels(global_search(term="zoe o", user=boss)) == ["Zoë O'Brien"]


@on_postgresql
def test_a_mistyped_name_finds_the_customer(boss):
    CustomerFactory(given_name="Thomas", family_name="Hughes")
    CustomerFactory(given_name="Laura", family_name="Martin")

    assert customer_labels(global_search(term="Thomas Hugehs", user=boss)) == ["Thomas Hughes"]
    assert customer_labels(global_search(term="laura martni", user=boss)) == ["Laura Martin"]


@on_postgresql
def test_the_name_typed_in_its_order_comes_before_the_same_words_swapped(boss):
    CustomerFactory(given_name="Hugo", family_name="Thomas")
    CustomerFactory(given_name="Thomas", family_name="Hughes")

    found = customer_labels(global_search(term="thomas hugehs", user=boss))

    assert found[0] == "Thomas Hughes"


@on_postgresql
def test_the_migration_made_the_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%' ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]

    assert names == ["partner_name_trgm_idx", "party_name_key_trgm_idx"]


def test_each_group_is_one_bounded_query(boss, zoe, django_assert_max_num_queries):
    for n in range(8):
        CustomerFactory(given_name="Zoe", family_name=f"Obrist{n}")
    PartnerFactory(name="Zoe Obrist Telecom")

    # Name prefix, the mistyped names (two on PostgreSQL: the names, then their customers),
    # the partners; and the similarity threshold's SET on PostgreSQL.
    with django_assert_max_num_queries(5):
        results = global_search(term="zoe ob", user=boss, limit=5)

    assert len(results.customers) == 5
    assert [hit.label for hit in results.partners] == ["Zoe Obrist Telecom"]


def test_staff_who_may_not_see_customers_find_neither_customers_nor_invoices(zoe):
    InvoiceFactory(customer=zoe, number="INV-777")
    PartnerFactory(name="Zoe Partners")
    partner_viewer = custom_group_member("customers.view_partner")

    assert global_search(term="INV-777", user=partner_viewer).invoices == []
    results = global_search(term="zoe", user=partner_viewer)
    assert results.customers == []
    assert [hit.label for hit in results.partners] == ["Zoe Partners"]


def test_staff_who_may_not_see_partners_find_no_partners(zoe):
    PartnerFactory(name="Zoe Partners")
    customer_viewer = custom_group_member("customers.view_customer")

    results = global_search(term="zoe", user=customer_viewer)

    assert results.partners == []
    assert customer_labels(results) == ["Zoë O'Brien"]


# The pages


def test_the_results_page_lists_each_group_as_links(client, boss, zoe):
    InvoiceFactory(customer=zoe, number="INV-5")
    client.force_login(boss)

    response = client.get(reverse("search:results"), {"q": zoe.number})

    assert response.status_code == 200
    assert f'href="{zoe.get_absolute_url()}"' in response.text
    assert "Searched as a customer number" in response.text


def test_the_results_page_says_when_nothing_is_found(client, boss):
    client.force_login(boss)

    response = client.get(reverse("search:results"), {"q": "Nobody Ever"})

    assert "Nothing found for “Nobody Ever”." in response.text


def test_the_results_page_escapes_the_term(client, boss):
    client.force_login(boss)

    response = client.get(reverse("search:results"), {"q": "<script>alert(1)</script>"})

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_suggestions_are_grouped_json(client, boss, zoe):
    PartnerFactory(name="Zoe Telecom")
    client.force_login(boss)

    response = client.get(reverse("search:suggestions"), {"q": "zoe"})

    assert response.status_code == 200
    body = response.json()
    assert [group["label"] for group in body["groups"]] == ["Customers", "Partners"]
    assert body["groups"][0]["hits"][0] == {
        "label": "Zoë O'Brien",
        "detail": f"{zoe.number} · Lead",
        "url": zoe.get_absolute_url(),
    }
    assert body["all_url"] == reverse("search:results") + "?q=zoe"


def test_a_term_too_short_suggests_nothing(client, boss):
    client.force_login(boss)

    body = client.get(reverse("search:suggestions"), {"q": "z"}).json()

    assert body["groups"] == []


@pytest.mark.parametrize("name", ["search:results", "search:suggestions"])
def test_search_asks_to_sign_in(client, name):
    response = client.get(reverse(name), {"q": "zoe"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["search:results", "search:suggestions"])
def test_search_is_refused_to_staff_who_may_see_neither_customers_nor_partners(client, name):
    client.force_login(custom_group_member("customers.change_interaction"))

    assert client.get(reverse(name), {"q": "zoe"}).status_code == 403


def test_the_header_offers_the_search_box_to_those_who_may_search(client, zoe):
    client.force_login(custom_group_member("customers.view_customer"))

    response = client.get(zoe.get_absolute_url())

    assert response.status_code == 200
    assert 'role="combobox"' in response.text
    assert f'data-suggestions-url="{reverse("search:suggestions")}"' in response.text


def test_the_header_has_no_search_box_for_those_who_may_not_search(client):
    client.force_login(custom_group_member("customers.view_interaction"))

    response = client.get(reverse("customers:open_interactions"))

    assert response.status_code == 200
    assert 'role="combobox"' not in response.text
