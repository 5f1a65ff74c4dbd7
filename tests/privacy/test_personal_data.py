"""Every model about a customer has an erasure rule that speaks for each field that could hold
something about a person; a new one without is caught at start-up."""

import pytest
from django.apps import apps
from django.db import models

from privacy.checks import personal_data_check
from privacy.personal import personal_data_uncovered, personal_fields


def test_every_model_about_a_customer_is_covered():
    assert personal_data_uncovered() == []


def test_the_system_check_passes_today():
    assert personal_data_check() == []


@pytest.fixture
def loyalty_card():
    """A model added to the customer core with a personal field and no rule, removed after."""

    class LoyaltyCard(models.Model):
        customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE)
        name_on_card = models.CharField(max_length=100)
        points = models.IntegerField(default=0)

        class Meta:
            app_label = "customers"

        def __str__(self):
            return self.name_on_card

    yield LoyaltyCard
    del apps.all_models["customers"]["loyaltycard"]
    apps.clear_cache()


def test_a_new_model_with_a_personal_field_and_no_rule_is_caught(loyalty_card):
    problems = personal_data_uncovered()

    assert problems == ["customers.LoyaltyCard is about a customer but has no erasure rule"]
    assert [error.id for error in personal_data_check()] == ["privacy.E001"]


def test_a_new_field_on_a_covered_model_is_caught(monkeypatch):
    from privacy import personal

    party = next(rule for rule in personal.RULES if rule.model == "customers.Party")
    trimmed = personal.PersonalData(
        party.model,
        about=party.about,
        scrub={k: v for k, v in party.scrub.items() if k != "national_id"},
        kept=party.kept,
    )
    monkeypatch.setattr(
        personal, "RULES", tuple(trimmed if r is party else r for r in personal.RULES)
    )

    assert personal_data_uncovered() == [
        "customers.Party.national_id may hold personal data: scrub it or say why it is kept"
    ]


def test_numbers_links_and_timestamps_are_not_personal_fields():
    from customers.models import Invoice

    assert personal_fields(Invoice) == ["number", "period_start", "issued_on", "due_on", "paid_on"]
