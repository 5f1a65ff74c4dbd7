"""The survey history on the customer page names touch points, not their codes."""

import pytest

from customers.selectors import customer_timeline
from satisfaction import services
from satisfaction.selectors import customer_surveys

pytestmark = pytest.mark.django_db


def test_the_customer_panel_names_the_touch_point_of_each_answer(
    invite, nps_survey, consenting_customer
):
    invitation = invite(nps_survey, consenting_customer, touch_point="complaint")
    services.response_submit(invitation=invitation, score=9)

    [response] = customer_surveys(consenting_customer)["responses"]

    assert response.touch_point == "complaint"
    assert response.touch_point_name == "Complaint"


def test_the_customer_page_shows_the_touch_point_label(client, manager, invitation):
    services.response_submit(invitation=invitation, score=9)
    client.force_login(manager)

    page = client.get(invitation.customer.get_absolute_url()).content.decode()

    assert '<td data-label="Touch point">Technical support</td>' in page
    assert ">support</td>" not in page


def test_the_timeline_tells_an_answer_in_words(invitation):
    services.response_submit(invitation=invitation, score=9)

    entries = customer_timeline(customer=invitation.customer)

    [answered] = [e for e in entries if e.title == "Survey answered"]
    assert answered.detail == "Support NPS: 9 (positive)"


def test_the_timeline_tells_a_bounced_invitation_by_its_survey_and_channel(invitation, manager):
    services.invitation_bounced(invitation=invitation, actor=manager)

    entries = customer_timeline(customer=invitation.customer)

    [bounced] = [e for e in entries if e.title == "Survey invitation bounced"]
    assert bounced.detail == "The invitation to Support NPS by E-mail could not be delivered"
