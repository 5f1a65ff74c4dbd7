"""Saved views of the customer list: save the filters under a name, apply, share, delete."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from crm.savedviews.models import SavedView
from customers import roles
from tests.factories import CustomerFactory

LIST = reverse("customers:list")
SAVE = reverse("savedviews:save", args=["customers"])


@pytest.fixture
def saved(client, agent):
    CustomerFactory(actor=agent, family_name="Lead")
    client.force_login(agent)
    client.post(SAVE, {"name": "My leads", "query": "status=lead&sort=name&after=abc"})
    return SavedView.objects.get()


def test_a_saved_view_keeps_the_filters_and_sort_but_not_the_page(saved, agent):
    assert (saved.owner, saved.name, saved.query) == (agent, "My leads", "status=lead&sort=name")


def test_the_list_links_to_each_saved_view(client, saved):
    text = client.get(LIST).content.decode()
    assert '<a href="?status=lead&amp;sort=name">My leads</a>' in text


def test_saving_a_name_again_replaces_its_filters(client, saved):
    client.post(SAVE, {"name": "My leads", "query": "status=active"})
    assert list(SavedView.objects.values_list("query", flat=True)) == ["status=active"]


def test_a_view_shared_with_a_group_shows_to_its_members_only(
    client, agent, other_agent, manager, saved
):
    agents = Group.objects.get(name=roles.AGENT)
    client.post(SAVE, {"name": "Team leads", "query": "status=lead", "group": agents.pk})
    client.force_login(other_agent)
    text = client.get(LIST).content.decode()
    assert "Team leads</a>" in text and "My leads</a>" not in text
    client.force_login(manager)
    assert "Team leads</a>" not in client.get(LIST).content.decode()


def test_a_view_is_shared_only_with_a_group_of_the_owner(client, saved):
    managers = Group.objects.get(name=roles.MANAGER)
    response = client.post(SAVE, {"name": "Theirs", "query": "", "group": managers.pk}, follow=True)
    assert "Share a view only with a group you belong to." in response.content.decode()


def test_only_the_owner_deletes_a_view(client, other_agent, saved):
    delete = reverse("savedviews:delete", args=["customers", saved.pk])
    client.force_login(other_agent)
    assert client.post(delete).status_code == 404
    assert SavedView.objects.exists()


def test_the_owner_deletes_a_view(client, saved):
    client.post(reverse("savedviews:delete", args=["customers", saved.pk]))
    assert not SavedView.objects.exists()


def test_saving_a_view_needs_the_list_permission(client, saved):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="outsider"))
    assert client.post(SAVE, {"name": "x", "query": ""}).status_code == 403
