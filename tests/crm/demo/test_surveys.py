"""The demo surveys: a year of answers from consenting customers only, tallied."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from customers.models import Consent
from satisfaction.models import DailyResult, FollowUp, Invitation, Response

pytestmark = pytest.mark.django_db


def test_seed_surveys_invites_only_customers_who_consented_and_tallies_the_answers():
    call_command("seed_demo", customers=300, seed=3, stdout=StringIO())
    out = StringIO()

    call_command("seed_surveys", stdout=out)

    assert "responses" in out.getvalue()
    assert Response.objects.count() > 0
    consenting = set(
        Consent.objects.filter(purpose="surveys", channel="email", granted=True).values_list(
            "customer_id", flat=True
        )
    )
    assert set(Invitation.objects.values_list("customer_id", flat=True)) <= consenting
    totals = DailyResult.objects.aggregate(invited=Sum("invited"), responded=Sum("responded"))
    assert totals == {"invited": Invitation.objects.count(), "responded": Response.objects.count()}
    assert FollowUp.objects.count() == Response.objects.filter(sentiment="negative").count()


def test_seed_surveys_if_empty_leaves_existing_answers_alone():
    call_command("seed_demo", customers=200, seed=4, stdout=StringIO())
    call_command("seed_surveys", stdout=StringIO())
    before = Response.objects.count()
    out = StringIO()

    call_command("seed_surveys", "--if-empty", stdout=out)

    assert "nothing seeded" in out.getvalue()
    assert Response.objects.count() == before
