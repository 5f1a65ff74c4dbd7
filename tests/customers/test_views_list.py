import pytest
from django.urls import reverse

from customers.models import ContactMedium, Customer
from customers.selectors import customer_list
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory, PartnerFactory

LIST = reverse("customers:list")


def _with_contacts(agent, family_name, *, email="", mobile="", **kwargs):
    media = []
    if email:
        media.append(
            ContactMediumInput(kind=ContactMedium.Kind.EMAIL, value=email, is_preferred=True)
        )
    if mobile:
        media.append(
            ContactMediumInput(kind=ContactMedium.Kind.MOBILE, value=mobile, is_preferred=True)
        )
    return CustomerFactory(actor=agent, family_name=family_name, contact_media=media, **kwargs)


@pytest.fixture
def base(agent, manager):
    partner = PartnerFactory(name="Blue MVNO")
    return {
        "mueller": _with_contacts(
            agent,
            "Müller",
            given_name="Zoë",
            email="Zoe.Mueller@Example.com",
            mobile="+44 7911 123456",
        ),
        "smith": _with_contacts(
            agent,
            "Smith",
            email="jo@smith.example",
            status=Customer.Status.ACTIVE,
            segment=Customer.Segment.SMALL_BUSINESS,
            partner=partner,
        ),
        "smithers": _with_contacts(
            agent, "Smithers", status=Customer.Status.SUSPENDED, account_manager=manager
        ),
        "partner": partner,
    }


def _numbers(response):
    return [row.number for row in response.context["page"].rows]


def test_list_shows_newest_customers_first(client, agent, base):
    client.force_login(agent)
    response = client.get(LIST)
    assert response.status_code == 200
    assert _numbers(response) == [
        base["smithers"].number,
        base["smith"].number,
        base["mueller"].number,
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe.mueller@example.com", ["mueller"]),
        ("ZOE.MUELLER@", ["mueller"]),
        ("07911 123456", ["mueller"]),
        ("+447911123456", ["mueller"]),
        ("muller", ["mueller"]),
        ("Zoë Mü", ["mueller"]),
        ("smith", ["smithers", "smith"]),
        ("smithe", ["smithers"]),
        ("nobody", []),
    ],
)
def test_search_finds_customers_by_email_phone_and_name(client, agent, base, query, expected):
    client.force_login(agent)
    response = client.get(LIST, {"q": query})
    assert _numbers(response) == [base[key].number for key in expected]


def test_search_finds_a_customer_by_number(client, agent, base):
    client.force_login(agent)
    number = base["smith"].number
    assert _numbers(client.get(LIST, {"q": number.lower()})) == [number]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "active"}, ["smith"]),
        ({"segment": "small_business"}, ["smith"]),
        ({"status": "lead"}, ["mueller"]),
    ],
)
def test_filters_narrow_the_list(client, agent, base, filters, expected):
    client.force_login(agent)
    assert _numbers(client.get(LIST, filters)) == [base[key].number for key in expected]


def test_partner_and_account_manager_filters(client, agent, manager, base):
    client.force_login(agent)
    assert _numbers(client.get(LIST, {"partner": base["partner"].pk})) == [base["smith"].number]
    assert _numbers(client.get(LIST, {"manager": manager.pk})) == [base["smithers"].number]


def test_sorting_by_name(client, agent, base):
    client.force_login(agent)
    response = client.get(LIST, {"sort": "name"})
    names = [row.party.family_name for row in response.context["page"].rows]
    assert names == ["Müller", "Smith", "Smithers"]


def test_an_invalid_filter_is_reported_not_a_crash(client, agent, base):
    client.force_login(agent)
    response = client.get(LIST, {"status": "sleeping"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Select a valid choice" in response.content.decode()


def test_a_broken_page_link_is_reported(client, agent, base):
    client.force_login(agent)
    response = client.get(LIST, {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert "page link is broken" in response.content.decode()


def test_keyset_pages_walk_forward_and_back_without_gaps(agent):
    created = [CustomerFactory(actor=agent, family_name=f"Page{i:02d}") for i in range(7)]
    newest_first = [c.number for c in reversed(created)]

    first = customer_list(page_size=3)
    second = customer_list(page_size=3, after=first.next_cursor)
    third = customer_list(page_size=3, after=second.next_cursor)
    walked = [c.number for page in (first, second, third) for c in page.rows]
    assert walked == newest_first
    assert first.previous_cursor is None
    assert third.next_cursor is None

    back = customer_list(page_size=3, before=third.previous_cursor)
    assert [c.number for c in back.rows] == [c.number for c in second.rows]


def test_name_sorted_pages_follow_the_name_order(agent):
    for name in ["Delta", "alpha", "Charlie", "bravo", "Echo"]:
        CustomerFactory(actor=agent, family_name=name, given_name="")
    first = customer_list(sort="name", page_size=2)
    rest = customer_list(sort="name", page_size=10, after=first.next_cursor)
    names = [c.party.family_name for c in first.rows + rest.rows]
    assert names == ["alpha", "bravo", "Charlie", "Delta", "Echo"]


def test_the_list_runs_the_same_number_of_queries_for_few_and_many_rows(
    client, agent, django_assert_max_num_queries
):
    CustomerFactory(actor=agent, family_name="Only", status=Customer.Status.ACTIVE)
    client.force_login(agent)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for i in range(20):
        _with_contacts(
            agent, f"Many{i}", email=f"many{i}@example.com", status=Customer.Status.ACTIVE
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].rows) == 21


def test_the_list_needs_a_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
