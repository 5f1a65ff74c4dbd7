"""The partner list: keyset pages under its filters, sortable name and application columns, a
count, exports of exactly what it shows (never a token or a secret) and saved views, all for
whoever may read partners only."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.savedviews.models import SavedView
from customers.models import ActionLog, Partner
from customers.partners import selectors
from customers.partners.exports import EXPORTED
from customers.partners.models import ApiToken
from customers.partners.services.partners import token_issue
from tests.factories import CustomerFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("partners:list")
EXPORT = reverse("exports:start", args=["partners"])
SAVE = reverse("savedviews:save", args=["partners"])
Status = Partner.Status


def _partner(name, *, days_ago, **fields):
    partner = PartnerFactory(name=name, **fields)
    Partner.objects.filter(pk=partner.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return partner


@pytest.fixture
def partners(agent):
    """Three partners, applied in the order Blue, Amber, Cyan; Amber is still applying."""
    blue = _partner("Blue MVNO", days_ago=3, contact_email="ops@blue.example")
    amber = _partner("Amber Resale", days_ago=2, status=Status.APPLIED)
    cyan = _partner("Cyan Wholesale", days_ago=1)
    CustomerFactory(actor=agent, partner=blue)
    return {"blue": blue, "amber": amber, "cyan": cyan}


def _names(response) -> list[str]:
    return [partner.name for partner in response.context["page"].rows]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_partner_list_shows_the_newest_application_first(client, agent, partners):
    client.force_login(agent)
    response = client.get(LIST)
    assert _names(response) == ["Cyan Wholesale", "Amber Resale", "Blue MVNO"]
    headers = response.context["sort_headers"]
    assert (headers["applied"].aria_sort, headers["name"].aria_sort) == ("descending", "none")


def test_following_the_applied_header_sorts_the_oldest_application_first(client, agent, partners):
    client.force_login(agent)
    header = client.get(LIST).context["sort_headers"]["applied"]
    assert header.query == "sort=oldest"

    response = client.get(f"{LIST}?{header.query}")

    assert _names(response) == ["Blue MVNO", "Amber Resale", "Cyan Wholesale"]
    assert response.context["sort_headers"]["applied"].aria_sort == "ascending"


def test_following_the_name_header_sorts_by_name_and_keeps_the_filters(client, agent, partners):
    client.force_login(agent)
    header = client.get(LIST, {"status": "approved"}).context["sort_headers"]["name"]
    assert header.query == "status=approved&sort=name"

    response = client.get(f"{LIST}?{header.query}")

    assert _names(response) == ["Blue MVNO", "Cyan Wholesale"]
    assert 'aria-sort="ascending"><a href="?status=approved&amp;sort=name"' in (
        response.content.decode()
    )


def test_the_partner_list_says_how_many_partners_the_filters_select(client, agent, partners):
    client.force_login(agent)
    assert '<p class="list-count" id="partner-count">3 partners</p>' in (
        client.get(LIST).content.decode()
    )
    assert '<p class="list-count" id="partner-count">1 partner</p>' in (
        client.get(LIST, {"q": "amber"}).content.decode()
    )


def test_each_page_of_partners_follows_the_last_and_counts_them_all(agent, partners):
    first = selectors.partner_list(sort="name", page_size=2)
    second = selectors.partner_list(sort="name", page_size=2, after=first.next_cursor)
    back = selectors.partner_list(sort="name", page_size=2, before=second.previous_cursor)

    assert [p.name for p in first.rows] == ["Amber Resale", "Blue MVNO"]
    assert [p.name for p in second.rows] == ["Cyan Wholesale"]
    assert [p.name for p in back.rows] == ["Amber Resale", "Blue MVNO"]
    assert (second.count.rows, second.count.exact) == (3, True)
    assert [p.customer_count for p in first.rows] == [0, 1]


def test_the_newest_first_pages_meet_without_a_gap_or_a_repeat(agent):
    for n in range(5):
        _partner(f"Partner {n}", days_ago=n // 2)  # two by two on the same day
    first = selectors.partner_list(page_size=3)
    second = selectors.partner_list(page_size=3, after=first.next_cursor)

    names = [p.name for p in first.rows + second.rows]
    assert sorted(names) == [f"Partner {n}" for n in range(5)]
    assert second.next_cursor is None


def test_a_tampered_page_link_shows_an_error_and_no_rows(client, agent, partners):
    client.force_login(agent)
    # One value, as a cursor of the name sort has; the newest sort's cursor has two.
    response = client.get(LIST, {"after": "WzFd"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "That page link belongs to another sort order." in response.content.decode()

    broken = client.get(LIST, {"sort": "newest", "after": "%%%"})
    assert broken.status_code == 200
    assert "That page link is broken" in broken.content.decode()


def test_a_csv_export_holds_exactly_the_filtered_partners_in_the_list_order(
    client, agent, partners
):
    client.force_login(agent)
    response = client.post(EXPORT, {"query": "status=approved&sort=name", "format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="partners-')
    rows = _csv_rows(response)
    assert rows[0] == [
        "Name",
        "Status",
        "Registration",
        "Contact",
        "Contact e-mail",
        "Customers",
        "Applied",
        "Status since",
    ]
    assert [row[:2] + row[4:6] for row in rows[1:]] == [
        ["Blue MVNO", "Approved", "ops@blue.example", "1"],
        ["Cyan Wholesale", "Approved", "", "0"],
    ]


def test_an_export_never_holds_a_partners_token(client, agent, manager, partners):
    issued = token_issue(
        partner=partners["blue"], name="Billing", scopes=[ApiToken.Scope.READ], actor=manager
    )
    client.force_login(agent)

    response = client.post(EXPORT, {"query": "", "format": "csv"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert issued.secret not in text
    assert issued.token.prefix not in text


def test_an_export_is_recorded_with_its_filters(client, agent, partners):
    client.force_login(agent)
    b"".join(client.post(EXPORT, {"query": "q=blue", "format": "xlsx"}).streaming_content)

    entry = ActionLog.objects.get(action=EXPORTED)
    assert entry.actor == agent
    assert entry.data == {"format": "xlsx", "rows": 1, "filters": "q=blue"}


def test_a_saved_view_keeps_the_filters_and_sort_and_applies_them(client, agent, partners):
    client.force_login(agent)
    response = client.post(SAVE, {"name": "Applying", "query": "status=applied&sort=name"})

    view = SavedView.objects.get()
    assert (view.owner, view.list_name, view.query) == (
        agent,
        "partners",
        "status=applied&sort=name",
    )
    assert '<a href="?status=applied&amp;sort=name">Applying</a>' in (
        client.get(LIST).content.decode()
    )
    assert _names(client.get(response["Location"])) == ["Amber Resale"]


def test_whoever_may_not_read_partners_gets_no_list_export_or_saved_view(client, partners):
    client.force_login(UserFactory(username="outsider"))
    assert client.get(LIST).status_code == 403
    assert client.post(EXPORT, {"query": "", "format": "csv"}).status_code == 403
    assert client.post(SAVE, {"name": "Mine", "query": ""}).status_code == 403
    assert not SavedView.objects.exists()
