"""Who may use the staff UI: active users marked as staff, who verified their second factor
where one is needed. Everyone else is sent to the login page (or the second factor) or refused
with the reason, on every staff page; the login page refuses them too. The public pages, the
partner API and Django admin stay as they were."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from crm.staff import NOT_STAFF
from customers import roles
from customers.roles import roles_sync
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

STAFF_PAGES = [
    "/",
    reverse("customers:list"),
    reverse("customers:detail", args=["C00000018"]),
    reverse("customers:open_interactions"),
    reverse("identity:duplicates"),
    reverse("identity:imports"),
    reverse("partners:list"),
    reverse("partners:deliveries"),
    reverse("risk:overview"),
    reverse("risk:retention"),
    reverse("satisfaction:results"),
    reverse("satisfaction:follow_ups"),
    reverse("jobs:progress", args=["scoring", 1]),
]


@pytest.fixture
def staff_member(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.AGENT))
    return user


def _not_staff_in(role: str):
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=role))
    type(user).objects.filter(pk=user.pk).update(is_staff=False)  # as before the upgrade
    user.refresh_from_db()
    return user


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_user_who_is_not_staff_is_refused_every_staff_page_with_the_reason(client, url):
    client.force_login(UserFactory(is_staff=False, is_superuser=True))

    response = client.get(url)

    assert response.status_code == 403
    assert NOT_STAFF in response.content.decode()


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_manager_who_owes_a_second_factor_is_sent_to_set_it_up_from_every_staff_page(
    client, settings, url
):
    settings.CRM_REQUIRE_SECOND_FACTOR = True
    manager = UserFactory()
    manager.groups.add(Group.objects.get(name=roles.MANAGER))
    client.force_login(manager)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('second_factor_enrol')}?next={url}"


def test_a_custom_group_member_marked_as_staff_uses_the_staff_pages(client):
    group = Group.objects.create(name="customer look-up")
    group.permissions.add(Permission.objects.get(codename="view_customer"))
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    client.force_login(user)

    assert client.get(reverse("customers:list")).status_code == 200


def test_joining_a_custom_group_does_not_make_a_user_staff():
    user = UserFactory(is_staff=False)

    user.groups.add(Group.objects.create(name="customer look-up"))

    user.refresh_from_db()
    assert not user.is_staff


@pytest.mark.parametrize("role", list(roles.ROLE_PERMISSIONS))
def test_joining_a_role_makes_a_user_staff(role):
    joined_as_user, joined_as_group = UserFactory(is_staff=False), UserFactory(is_staff=False)
    group = Group.objects.get(name=role)

    joined_as_user.groups.add(group)
    group.user_set.add(joined_as_group)

    joined_as_user.refresh_from_db()
    joined_as_group.refresh_from_db()
    assert joined_as_user.is_staff and joined_as_group.is_staff


def test_an_upgrade_marks_the_members_of_every_role_as_staff(client):
    agent = _not_staff_in(roles.AGENT)
    client.force_login(agent)
    assert client.get(reverse("customers:list")).status_code == 403

    roles_sync()

    agent.refresh_from_db()
    assert agent.is_staff
    assert client.get(reverse("customers:list")).status_code == 200


def test_the_login_page_refuses_a_user_who_is_not_staff_and_says_why(client):
    user = UserFactory(is_staff=False)

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert NOT_STAFF in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_lets_staff_in(client, staff_member):
    response = client.post(
        reverse("login"), {"username": staff_member.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")


def test_a_deactivated_staff_member_is_refused_at_the_login_page(client, staff_member):
    staff_member.is_active = False
    staff_member.save()

    response = client.post(
        reverse("login"), {"username": staff_member.username, "password": PASSWORD}
    )

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


@pytest.mark.parametrize("logged_in_as_non_staff", [False, True])
def test_the_public_pages_stay_open(client, logged_in_as_non_staff):
    if logged_in_as_non_staff:
        client.force_login(UserFactory(is_staff=False))

    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("partner_apply")).status_code == 200
    # A survey link that leads nowhere is explained on the survey's own page.
    survey = client.get(reverse("survey:answer", args=["not-a-token"]))
    assert survey.status_code == 404 and NOT_STAFF not in survey.content.decode()
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("admin:login")).status_code == 200


def test_the_partner_api_answers_people_who_are_not_staff_in_its_own_way(client):
    CustomerFactory()
    client.force_login(UserFactory(is_staff=False))

    response = client.get(reverse("api:customer-list"))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
