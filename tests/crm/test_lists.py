"""Every list page reads its filters and shows what went wrong the same way: a filter that does
not validate shows on its field and no rows are shown; a broken page link says so and leads back
to the first page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from crm.keyset import cursor_encode
from crm.lists import FIX_THE_FILTERS
from customers import roles
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = [
    ("customers:list", roles.AGENT, {"status": "nonsense"}),
    ("customers:open_interactions", roles.AGENT, {"kind": "nonsense"}),
    ("risk:retention", roles.MANAGER, {"value_segment": "nonsense"}),
    ("partners:deliveries", roles.ADMINISTRATOR, {"status": "nonsense"}),
]


@pytest.fixture
def as_role(client):
    def sign_in(role):
        user = UserFactory(username=f"someone-{role}".lower().replace(" ", "-"))
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        return client

    return sign_in


@pytest.mark.parametrize(("name", "role", "bad_filter"), LISTS)
def test_a_filter_that_does_not_validate_shows_on_its_field_and_no_rows(
    as_role, name, role, bad_filter
):
    CustomerFactory(family_name="Shouldnotshow")

    response = as_role(role).get(reverse(name), bad_filter)

    page = response.content.decode()
    assert response.status_code == 200
    assert FIX_THE_FILTERS in page
    assert "Select a valid choice" in page
    assert response.context["page"] is None
    assert "Shouldnotshow" not in page


@pytest.mark.parametrize(("name", "role", "bad_filter"), LISTS)
def test_a_broken_page_link_says_so_and_leads_back_to_the_first_page(
    as_role, name, role, bad_filter
):
    response = as_role(role).get(reverse(name), {"after": cursor_encode(["x", "y", "z", "w"])})

    page = response.content.decode()
    assert response.status_code == 200
    assert "belongs to another sort order" in page
    assert 'href="?">First page</a>' in page
