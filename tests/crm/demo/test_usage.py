"""Demo usage: monthly summaries of voice products with the shapes telecom usage has."""

from datetime import date

import numpy as np
import pytest
from django.db.models import Avg, Count, Max, Min

from crm.demo import demo_base_seed
from customers.models import Customer, Product, Subscription, UsageSummary

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo_base_seed(customers=1500, seed=11, as_of=date(2026, 1, 15))


def test_seeding_gives_voice_customers_twelve_complete_months_of_usage(seeded):
    months = UsageSummary.objects.aggregate(first=Min("month"), last=Max("month"))
    assert months == {"first": date(2025, 1, 1), "last": date(2025, 12, 1)}
    families = set(UsageSummary.objects.values_list("product__family", flat=True).distinct())
    assert families <= {"mobile", "fixed_voice", "bundle"}
    # Lines active before the month in progress; wholesale and IoT lines are not theirs to use.
    holders = (
        Subscription.objects.filter(
            product__family__in=("mobile", "fixed_voice"),
            status=Subscription.Status.ACTIVE,
            start_date__lt=date(2026, 1, 1),
        )
        .exclude(product__code__in=("WS-MVNO", "ENT-IOT"))
        .values("customer_id")
    )
    with_usage = UsageSummary.objects.filter(customer_id__in=holders).values("customer_id")
    assert with_usage.distinct().count() == holders.distinct().count()


def test_demo_usage_is_greater_by_day_than_in_the_evening_and_at_night(seeded):
    means = UsageSummary.objects.aggregate(
        day=Avg("voice_minutes_day"),
        evening=Avg("voice_minutes_evening"),
        night=Avg("voice_minutes_night"),
    )
    assert means["day"] > means["evening"] > means["night"] > 0


def test_service_calls_are_mostly_none_or_one_with_a_tail(seeded):
    calls = np.array(UsageSummary.objects.values_list("service_calls", flat=True))
    assert np.mean(calls <= 1) > 0.8
    assert calls.max() >= 4


def test_customers_about_to_leave_call_customer_service_more_often(seeded):
    leaving = Customer.objects.filter(status=Customer.Status.TERMINATED)
    before = UsageSummary.objects.filter(customer__in=leaving).aggregate(Avg("service_calls"))
    staying = UsageSummary.objects.exclude(customer__in=leaving).aggregate(Avg("service_calls"))
    assert before["service_calls__avg"] > staying["service_calls__avg"]


def test_a_minority_calls_abroad_mostly_those_with_an_international_plan(seeded):
    abroad = UsageSummary.objects.filter(voice_minutes_international__gt=0)
    share = abroad.values("customer_id").distinct().count() / (
        UsageSummary.objects.values("customer_id").distinct().count()
    )
    assert 0.02 < share < 0.4
    plan = Product.objects.get(option=Product.Option.INTERNATIONAL_CALLING)
    with_plan = Subscription.objects.filter(product=plan).values("customer_id")
    per_customer = (
        abroad.values("customer_id").annotate(n=Count("pk")).filter(customer_id__in=with_plan)
    )
    assert per_customer.exists()


def test_the_demo_catalogue_tells_its_options_apart():
    demo_base_seed(customers=10, seed=1)
    options = dict(Product.objects.values_list("code", "option"))
    assert options["ADD-INTL"] == Product.Option.INTERNATIONAL_CALLING
    assert options["ADD-VOICEMAIL"] == Product.Option.VOICEMAIL
    assert options["ADD-ROAM"] == Product.Option.ROAMING_PACK
    assert options["MOB-SIM10"] == Product.Option.NONE


def test_the_demo_catalogue_says_which_network_each_line_uses():
    demo_base_seed(customers=10, seed=1)
    access = dict(Product.objects.values_list("code", "access"))
    assert access["BB-FIBRE500"] == Product.Access.FIBRE
    assert access["FV-HOME"] == Product.Access.COPPER
    assert access["MOB-SIM10"] == Product.Access.NONE


def test_a_catalogue_seeded_before_access_networks_gets_them():
    demo_base_seed(customers=10, seed=1)
    Product.objects.update(access=Product.Access.NONE)
    demo_base_seed(customers=10, seed=2)
    assert Product.objects.get(code="BB-GIGA").access == Product.Access.FIBRE
