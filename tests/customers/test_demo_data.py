"""The demo data reads as a real installation's would."""

from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import Customer

pytestmark = pytest.mark.django_db


def test_demo_lead_sources_are_written_as_people_type_them():
    call_command("seed_demo", customers=200, seed=5, stdout=StringIO())

    sources = set(Customer.objects.values_list("lead_source", flat=True))

    assert "Comparison site" in sources
    assert not any("_" in source for source in sources)
