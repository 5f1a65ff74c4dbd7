"""The survey answers and the follow-ups they opened show on the customer page, each as its own
panel behind its own permissions: every role sees both, a custom group allowed only to view
customers sees neither."""

import pytest

from customers import roles
from satisfaction import services
from tests.customers.viewers import custom_group_member, role_member

pytestmark = pytest.mark.django_db

ANSWERS = 'id="surveys-h"'
FOLLOW_UPS = 'id="survey-follow-ups-h"'
COMMENT = "Took three calls"


@pytest.fixture
def answered(invitation):
    """A low answer, which opened a follow-up."""
    services.response_submit(invitation=invitation, score=4, comment=COMMENT)
    return invitation.customer


def _page(client, user, customer) -> str:
    client.force_login(user)
    response = client.get(customer.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "may_work_follow_ups"),
    [
        (roles.AGENT, True),
        (roles.MANAGER, True),
        (roles.RISK_ANALYST, False),
        (roles.ADMINISTRATOR, True),
    ],
)
def test_every_role_sees_the_answers_and_the_follow_ups(
    client, answered, role, may_work_follow_ups
):
    page = _page(client, role_member(role), answered)

    assert ANSWERS in page and COMMENT in page
    assert FOLLOW_UPS in page
    assert ("Record outcome" in page) is may_work_follow_ups


def test_a_group_allowed_only_to_view_customers_sees_no_survey(client, answered):
    page = _page(client, custom_group_member("customers.view_customer"), answered)

    assert ANSWERS not in page and FOLLOW_UPS not in page
    assert COMMENT not in page


def test_the_answers_and_the_follow_ups_each_need_their_own_permission(client, answered):
    answers_only = custom_group_member(
        "customers.view_customer", "satisfaction.view_response", "satisfaction.view_invitation"
    )

    page = _page(client, answers_only, answered)

    assert ANSWERS in page and COMMENT in page
    assert FOLLOW_UPS not in page


def test_the_answers_panel_needs_the_invitations_it_tells_of(client, answered):
    page = _page(
        client,
        custom_group_member("customers.view_customer", "satisfaction.view_response"),
        answered,
    )

    assert ANSWERS not in page


def test_the_follow_ups_panel_is_left_out_while_none_is_open(client, invitation, agent):
    services.response_submit(invitation=invitation, score=10, comment="Great")

    page = _page(client, agent, invitation.customer)

    assert ANSWERS in page and FOLLOW_UPS not in page
