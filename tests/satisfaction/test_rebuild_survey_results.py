"""Rebuilding the survey results recounts the daily tallies from the answers."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from satisfaction.models import DailyResult, Response

pytestmark = pytest.mark.django_db


def test_rebuild_survey_results_recounts_the_tallies():
    call_command("seed_demo", customers=200, seed=5, stdout=StringIO())
    call_command("seed_surveys", stdout=StringIO())
    DailyResult.objects.update(responded=0)
    out = StringIO()

    call_command("rebuild_survey_results", stdout=out)

    assert "daily tallies recounted" in out.getvalue()
    assert DailyResult.objects.aggregate(n=Sum("responded"))["n"] == Response.objects.count()
