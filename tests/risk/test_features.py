"""Features as of a day (``risk.features.features_as_of``) for customers built by hand.

Every customer here is made through the services, as the product would make it; dates that
no service can set (when the relationship began, when a product ended) are moved afterwards,
as other tests age a customer. Each test reads a known day and checks the values expected on it.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from customers.models import (
    CommunicationPreferences,
    Customer,
    CustomerRelationship,
    Interaction,
    Payment,
    Product,
    Subscription,
)
from customers.services import (
    customer_update,
    payment_record,
    preferences_update,
    relationship_add,
)
from customers.services.usage import usage_record
from risk.features import (
    COLUMNS,
    NO_CONTRACT_DAYS,
    PHRASES,
    _add_months,
    _days_to_next_contract_end,
    _months_between,
    features_as_of,
)
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvoiceFactory,
    ProductFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 15)
LONG_AGO = datetime.date(2024, 1, 1)


def _established(*, start_date=LONG_AGO, **customer):
    """An active customer holding one month-to-month product since ``start_date``."""
    customer = CustomerFactory(status=Customer.Status.ACTIVE, **customer)
    SubscriptionFactory(
        customer=customer,
        product=ProductFactory(code="BASE", list_price=Decimal("10.00")),
        start_date=start_date,
    )
    return customer


def _features(customer, as_of=AS_OF, **options):
    table = features_as_of(as_of, ids=[customer.pk], **options)
    assert table.customer_ids.tolist() == [customer.pk]
    return table.row(customer.pk)


def _end(subscription, end_date):
    """End one product on ``end_date``, as the billing import records an ended product."""
    Subscription.objects.filter(pk=subscription.pk).update(
        end_date=end_date, status=Subscription.Status.TERMINATED
    )


def _began(customer, day):
    """Move the start of the relationship back to ``day`` (it is set to now on creation)."""
    start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)
    Customer.objects.filter(pk=customer.pk).update(valid_from=start)


def _pay(invoice, received_on, reference):
    payment_record(
        customer=invoice.customer,
        invoice=invoice,
        amount=invoice.amount,
        received_on=received_on,
        method=Payment.Method.CARD,
        reference=reference,
        actor=None,
    )


def _invoice(customer, number, issued_on, *, due_days=14, amount="40.00"):
    return InvoiceFactory(
        customer=customer,
        number=number,
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=due_days),
        amount=Decimal(amount),
    )


def _at(day):
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC)


# --- The customer -----------------------------------------------------------------------------


def test_tenure_counts_the_whole_months_since_the_relationship_began():
    customer = _established()
    _began(customer, datetime.date(2023, 1, 20))

    # January 2023 to June 2025 is 29 months, but the 29th is only complete on 20 June.
    assert _features(customer)["tenure_months"] == 28
    assert _features(customer, datetime.date(2025, 6, 20))["tenure_months"] == 29


def test_a_customer_turns_65_and_senior_on_their_birthday():
    turning_65_tomorrow = _established(birth_date=datetime.date(1960, 6, 16))
    turning_65_today = _established(birth_date=datetime.date(1960, 6, 15))

    younger = _features(turning_65_tomorrow)
    older = _features(turning_65_today)

    assert (younger["age"], younger["age_known"], younger["senior"]) == (64, 1, 0)
    assert (older["age"], older["age_known"], older["senior"]) == (65, 1, 1)


def test_an_unknown_birth_date_gives_age_zero_and_age_not_known():
    row = _features(_established(birth_date=None))

    assert (row["age"], row["age_known"], row["senior"]) == (0, 0, 0)


def test_business_segments_are_flagged_and_residential_ones_are_not():
    business = _established(organisation=True)
    residential = _established()

    assert _features(business)["business"] == 1
    assert _features(residential)["business"] == 0


def test_the_payment_method_is_one_hot_encoded():
    customer = _established()
    customer_update(customer=customer, actor=None, payment_method=Customer.PaymentMethod.CARD)

    row = _features(customer)

    methods = ("direct_debit", "card", "bank_transfer", "cash")
    assert {m: row[f"pays_{m}"] for m in methods} == {
        "direct_debit": 0,
        "card": 1,
        "bank_transfer": 0,
        "cash": 0,
    }


def test_paper_statements_are_flagged_and_e_mailed_ones_are_not():
    on_paper = _established()
    preferences_update(
        customer=on_paper,
        actor=None,
        statement_format=CommunicationPreferences.StatementFormat.PAPER,
    )
    by_email = _established()

    assert _features(on_paper)["paper_statements"] == 1
    assert _features(by_email)["paper_statements"] == 0


# --- Products and contracts -------------------------------------------------------------------


def test_only_subscriptions_active_on_the_day_count_as_products_and_charges():
    customer = _established()  # 10.00 a month since 2024
    broadband = ProductFactory(
        code="BB-1", family=Product.Family.BROADBAND, margin_rate=Decimal("0.500")
    )
    ending_later = SubscriptionFactory(
        customer=customer,
        product=broadband,
        start_date=datetime.date(2025, 1, 1),
        monthly_charge=Decimal("30.00"),
    )
    _end(ending_later, datetime.date(2025, 6, 30))
    ended_before = SubscriptionFactory(
        customer=customer,
        product=broadband,
        start_date=datetime.date(2024, 2, 1),
        monthly_charge=Decimal("99.00"),
    )
    _end(ended_before, datetime.date(2025, 6, 1))
    SubscriptionFactory(  # starts after the day
        customer=customer,
        product=broadband,
        start_date=datetime.date(2025, 7, 1),
        monthly_charge=Decimal("55.00"),
    )

    row = _features(customer)

    assert row["active_products"] == 2
    assert row["monthly_charges"] == pytest.approx(40.00)
    # 10.00 at the factory's 35 % margin and 30.00 at 50 %.
    assert row["monthly_margin"] == pytest.approx(3.50 + 15.00)
    assert (row["family_mobile"], row["family_broadband"], row["family_tv"]) == (1, 1, 0)


def test_a_subscription_ending_on_the_day_is_no_longer_active():
    customer = _established()
    extra = SubscriptionFactory(
        customer=customer, product=ProductFactory(code="EXTRA"), start_date=LONG_AGO
    )
    _end(extra, AS_OF)

    assert _features(customer)["active_products"] == 1
    assert _features(customer, AS_OF - datetime.timedelta(days=1))["active_products"] == 2


def test_subscriptions_started_in_the_last_30_days_are_counted_as_recent():
    customer = _established()
    product = ProductFactory(code="NEW")
    SubscriptionFactory(customer=customer, product=product, start_date=datetime.date(2025, 6, 1))
    SubscriptionFactory(customer=customer, product=product, start_date=datetime.date(2025, 5, 1))

    row = _features(customer)

    assert (row["active_products"], row["subscriptions_30d"]) == (3, 1)


def test_a_customer_without_a_contract_is_month_to_month_with_no_contract_end():
    row = _features(_established())

    assert row["month_to_month"] == 1
    assert row["contract_months"] == 0
    assert row["contract_ends_in_days"] == NO_CONTRACT_DAYS


def test_a_12_month_contract_in_its_second_term_ends_at_the_next_renewal():
    customer = _established()  # also holds a month-to-month product
    SubscriptionFactory(
        customer=customer,
        product=ProductFactory(code="CONTRACT"),
        start_date=datetime.date(2024, 3, 1),
        contract_term_months=12,
    )

    row = _features(customer)

    # The first term ran out on 1 March 2025; the second one ends on 1 March 2026.
    assert row["contract_ends_in_days"] == (datetime.date(2026, 3, 1) - AS_OF).days == 259
    assert row["contract_months"] == 12
    assert row["month_to_month"] == 0


def test_the_nearest_contract_end_and_the_longest_term_are_kept():
    customer = _established()
    product = ProductFactory(code="CONTRACT")
    SubscriptionFactory(
        customer=customer,
        product=product,
        start_date=datetime.date(2025, 1, 10),
        contract_term_months=12,
    )
    SubscriptionFactory(
        customer=customer,
        product=product,
        start_date=datetime.date(2024, 8, 1),
        contract_term_months=24,
    )

    row = _features(customer)

    assert row["contract_ends_in_days"] == (datetime.date(2026, 1, 10) - AS_OF).days == 209
    assert row["contract_months"] == 24


# --- Invoices ---------------------------------------------------------------------------------


def test_an_invoice_paid_after_its_due_date_counts_as_late():
    customer = _established()
    on_time = _invoice(customer, "INV-ON-TIME", datetime.date(2025, 3, 1))  # due 15 March
    _pay(on_time, datetime.date(2025, 3, 10), "PAY-ON-TIME")
    late = _invoice(customer, "INV-LATE", datetime.date(2025, 4, 1))  # due 15 April
    _pay(late, datetime.date(2025, 4, 20), "PAY-LATE")

    row = _features(customer)

    assert (row["late_invoices_6m"], row["late_invoices_12m"]) == (1, 1)
    assert row["unpaid_balance"] == 0
    assert (row["invoices_12m"], row["billed_12m"]) == (2, pytest.approx(80.00))


def test_an_invoice_paid_after_the_cutoff_counts_as_unpaid_on_the_day():
    customer = _established()
    invoice = _invoice(customer, "INV-1", datetime.date(2025, 5, 1), amount="35.50")  # due 15 May
    _pay(invoice, datetime.date(2025, 6, 20), "PAY-1")

    row = _features(customer)

    assert row["late_invoices_6m"] == 1
    assert row["unpaid_balance"] == pytest.approx(35.50)


def test_an_invoice_not_yet_due_is_neither_late_nor_in_the_unpaid_balance():
    customer = _established()
    _invoice(customer, "INV-DUE-TODAY", datetime.date(2025, 6, 1))  # due 15 June: the day
    _invoice(customer, "INV-DUE-LATER", datetime.date(2025, 6, 10))  # due 24 June

    row = _features(customer)

    assert (row["late_invoices_6m"], row["unpaid_balance"], row["invoices_12m"]) == (0, 0, 2)


def test_invoices_issued_after_the_day_are_not_seen():
    customer = _established()
    _invoice(customer, "INV-FUTURE", datetime.date(2025, 6, 16))

    row = _features(customer)

    assert (row["invoices_12m"], row["billed_12m"]) == (0, 0)


def test_late_payments_over_six_months_ago_count_in_the_12_month_window_only():
    customer = _established()
    earlier = _invoice(customer, "INV-OLD", datetime.date(2024, 10, 1))  # due 15 October 2024
    _pay(earlier, datetime.date(2025, 1, 5), "PAY-OLD")
    recent = _invoice(customer, "INV-NEW", datetime.date(2025, 4, 1))  # due 15 April 2025
    _pay(recent, datetime.date(2025, 4, 20), "PAY-NEW")

    row = _features(customer)

    assert (row["late_invoices_6m"], row["late_invoices_12m"]) == (1, 2)


def test_an_invoice_unpaid_over_60_days_after_its_due_date_is_counted_as_such():
    customer = _established()
    _invoice(customer, "INV-OLD", datetime.date(2025, 3, 1), amount="20.00")  # due 15 March
    _invoice(customer, "INV-RECENT", datetime.date(2025, 5, 1), amount="25.00")  # due 15 May

    row = _features(customer)

    assert row["unpaid_60d"] == 1
    assert row["late_invoices_6m"] == 2
    assert row["unpaid_balance"] == pytest.approx(45.00)


# --- Contacts ---------------------------------------------------------------------------------


def test_complaints_are_counted_over_90_days_and_over_12_months():
    customer = _established()
    for days_before in (10, 89, 120, 364, 400):
        InteractionFactory(
            customer=customer,
            kind=Interaction.Kind.COMPLAINT,
            occurred_at=_at(AS_OF - datetime.timedelta(days=days_before)),
        )
    InteractionFactory(  # after the day: not yet known
        customer=customer,
        kind=Interaction.Kind.COMPLAINT,
        occurred_at=_at(AS_OF + datetime.timedelta(days=1)),
    )
    InteractionFactory(
        customer=customer,
        kind=Interaction.Kind.BILLING,
        occurred_at=_at(AS_OF - datetime.timedelta(days=5)),
    )

    row = _features(customer)

    assert (row["complaints_90d"], row["complaints_365d"]) == (2, 4)
    assert (row["interactions_90d"], row["billing_contacts_90d"]) == (3, 1)


# --- Relationships ----------------------------------------------------------------------------


def test_a_referral_counts_for_the_customer_who_referred_and_households_for_both():
    today = timezone.localdate()
    referrer, referred, housemate = _established(), _established(), _established()
    # "referred referred_by referrer" is stored from the referred customer to the referrer.
    relationship_add(
        from_customer=referred,
        to_customer=referrer,
        kind=CustomerRelationship.Kind.REFERRED_BY,
        actor=None,
    )
    relationship_add(
        from_customer=referrer,
        to_customer=housemate,
        kind=CustomerRelationship.Kind.HOUSEHOLD,
        actor=None,
    )

    table = features_as_of(today, ids=[referrer.pk, referred.pk, housemate.pk])

    assert table.row(referrer.pk)["referrals_made"] == 1
    assert table.row(referred.pk)["referrals_made"] == 0
    assert table.row(referrer.pk)["household_links"] == 1
    assert table.row(housemate.pk)["household_links"] == 1
    assert table.row(referred.pk)["household_links"] == 0


def test_relationships_are_read_for_a_range_of_ids_as_for_a_list():
    today = timezone.localdate()
    referrer, referred = _established(), _established()
    relationship_add(
        from_customer=referred,
        to_customer=referrer,
        kind=CustomerRelationship.Kind.REFERRED_BY,
        actor=None,
    )
    first, last = sorted((referrer.pk, referred.pk))

    table = features_as_of(today, first_id=first, last_id=last)

    assert table.customer_ids.tolist() == [first, last]
    assert table.row(referrer.pk)["referrals_made"] == 1
    assert table.row(referred.pk)["referrals_made"] == 0


def test_relationships_made_after_the_day_are_not_counted():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    referrer, referred = _established(), _established()
    relationship_add(
        from_customer=referred,
        to_customer=referrer,
        kind=CustomerRelationship.Kind.REFERRED_BY,
        actor=None,
    )

    assert _features(referrer, yesterday)["referrals_made"] == 0


# --- Who is included --------------------------------------------------------------------------


def test_a_lead_without_subscriptions_is_left_out_of_the_established_customers():
    lead = CustomerFactory()
    established = _established()
    ids = [lead.pk, established.pk]

    scored = features_as_of(AS_OF, ids=ids)
    everyone = features_as_of(AS_OF, ids=ids, established_only=False)

    assert scored.customer_ids.tolist() == [established.pk]
    assert everyone.customer_ids.tolist() == sorted(ids)
    row = everyone.row(lead.pk)
    assert row["active_products"] == 0
    assert row["month_to_month"] == 1
    assert row["contract_ends_in_days"] == NO_CONTRACT_DAYS


def test_a_former_customer_whose_products_all_ended_is_left_out():
    customer = _established()
    _end(customer.subscriptions.get(), datetime.date(2025, 5, 31))

    assert len(features_as_of(AS_OF, ids=[customer.pk])) == 0
    assert len(features_as_of(datetime.date(2025, 5, 30), ids=[customer.pk])) == 1


@override_settings(TIME_ZONE="Pacific/Auckland")
def test_tenure_counts_from_the_local_day_the_relationship_began():
    customer = _established()
    began = datetime.datetime(2025, 1, 20, 8, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    Customer.objects.filter(pk=customer.pk).update(valid_from=began)  # 19 January in UTC

    assert _features(customer, as_of=datetime.date(2025, 2, 19))["tenure_months"] == 0


def test_the_row_of_a_customer_left_out_of_the_table_is_refused():
    lead, established = CustomerFactory(), _established()
    table = features_as_of(AS_OF, ids=[lead.pk, established.pk])

    with pytest.raises(KeyError):
        table.row(lead.pk)


def test_a_contract_renewing_on_an_anniversary_moved_to_the_months_end_runs_a_full_term():
    customer = CustomerFactory(status=Customer.Status.ACTIVE)
    SubscriptionFactory(
        customer=customer,
        product=ProductFactory(code="LEAP", list_price=Decimal("10.00")),
        start_date=datetime.date(2024, 2, 29),
        contract_term_months=12,
    )

    row = _features(customer, as_of=datetime.date(2025, 2, 28))

    assert row["contract_ends_in_days"] == 365


def _next_contract_end_one_at_a_time(start, term, as_of) -> int:
    periods = _months_between(start, as_of) // term + 1
    end = _add_months(start, periods * term)
    while end <= as_of:
        periods += 1
        end = _add_months(start, periods * term)
    return (end - as_of).days


def test_the_days_to_each_next_contract_end_are_counted_for_a_whole_column_as_for_one_contract():
    rng = np.random.default_rng(11)
    first = datetime.date(2015, 1, 1).toordinal()
    starts = [datetime.date.fromordinal(first + int(n)) for n in rng.integers(0, 3650, 3000)]
    # Month ends and 29 February, where an anniversary moves to a shorter month's last day.
    starts += [datetime.date(2024, 2, 29), datetime.date(2023, 1, 31), datetime.date(2023, 8, 31)]
    terms = [int(t) for t in rng.choice([1, 3, 6, 12, 18, 24, 36], len(starts))]
    for as_of in (
        datetime.date(2025, 2, 28),
        datetime.date(2026, 12, 7),
        datetime.date(2028, 2, 29),
    ):
        days = _days_to_next_contract_end(
            np.array(starts, dtype="datetime64[D]"),
            np.array(terms, dtype=np.int64),
            np.datetime64(as_of, "D"),
        )

        expected = [
            _next_contract_end_one_at_a_time(start, term, as_of)
            for start, term in zip(starts, terms, strict=True)
            if start <= as_of
        ]
        assert days[[start <= as_of for start in starts]].tolist() == expected


# --- Usage and options ------------------------------------------------------------------------


def _usage(customer, month, **measures):
    """A month of usage of the customer's product, as mediation reports it."""
    return usage_record(
        customer=customer,
        product=Product.objects.get(code="BASE"),
        month=month,
        measures=measures,
    )


def test_usage_features_average_the_last_three_complete_months():
    customer = _established()
    # AS_OF is 15 June: March, April and May are the last three complete months.
    _usage(customer, datetime.date(2025, 3, 1), voice_minutes_day="100", service_calls=1)
    _usage(customer, datetime.date(2025, 4, 1), voice_minutes_day="200", data_mb="1024")
    _usage(
        customer,
        datetime.date(2025, 5, 1),
        voice_minutes_day="300",
        voice_calls_international=6,
        data_mb="2048",
        service_calls=4,
    )
    _usage(customer, datetime.date(2025, 2, 1), voice_minutes_day="9000", service_calls=9)
    features = _features(customer)
    assert features["usage_months"] == 3
    assert features["usage_minutes_day"] == pytest.approx(200)
    assert features["usage_calls_international"] == pytest.approx(2)
    assert features["usage_data_gb"] == pytest.approx(1)
    assert features["service_calls_1m"] == 4
    assert features["service_calls_3m"] == 5
    # May's 300 minutes against an average of 200: half as many again.
    assert features["usage_minutes_trend"] == pytest.approx(0.5)


def test_usage_of_a_month_not_ended_by_the_day_is_ignored():
    customer = _established()
    _usage(customer, datetime.date(2025, 5, 1), voice_minutes_night="60", service_calls=1)
    _usage(customer, datetime.date(2025, 6, 1), voice_minutes_night="6000", service_calls=7)
    features = _features(customer, as_of=datetime.date(2025, 6, 30))
    assert features["usage_minutes_night"] == pytest.approx(60)
    assert features["service_calls_1m"] == 1
    assert _features(customer, as_of=datetime.date(2025, 7, 1))["service_calls_1m"] == 7


def test_a_customer_without_usage_has_zero_usage_features():
    features = _features(_established())
    assert features["usage_months"] == 0
    assert features["usage_minutes_day"] == 0
    assert features["usage_minutes_trend"] == 0


def test_usage_stopping_in_the_last_month_is_a_trend_of_minus_one():
    customer = _established()
    _usage(customer, datetime.date(2025, 3, 1), voice_minutes_evening="80")
    _usage(customer, datetime.date(2025, 5, 1), sms_count=3)
    assert _features(customer)["usage_minutes_trend"] == pytest.approx(-1)


def test_options_of_active_products_are_counted():
    customer = _established()
    international = ProductFactory(
        code="ADD-INTL", family=Product.Family.ADD_ON, option=Product.Option.INTERNATIONAL_CALLING
    )
    voicemail = ProductFactory(
        code="ADD-VM", family=Product.Family.ADD_ON, option=Product.Option.VOICEMAIL
    )
    SubscriptionFactory(customer=customer, product=international, start_date=LONG_AGO)
    ended = SubscriptionFactory(customer=customer, product=voicemail, start_date=LONG_AGO)
    _end(ended, datetime.date(2025, 1, 1))
    features = _features(customer)
    assert features["option_international_calling"] == 1
    assert features["option_voicemail"] == 0


def test_lines_are_counted_by_the_network_they_are_delivered_over():
    customer = _established()
    fibre = ProductFactory(code="BB-FTTH", family=Product.Family.BROADBAND, access="fibre")
    copper = ProductFactory(code="BB-ADSL", family=Product.Family.BROADBAND, access="copper")
    SubscriptionFactory(customer=customer, product=fibre, start_date=LONG_AGO)
    ended = SubscriptionFactory(customer=customer, product=copper, start_date=LONG_AGO)
    _end(ended, datetime.date(2025, 1, 1))
    features = _features(customer)
    assert features["access_fibre"] == 1
    assert features["access_copper"] == 0


def test_every_usage_option_and_access_feature_has_a_phrase():
    for name in COLUMNS:
        if name.startswith(("usage_", "option_", "access_", "service_calls_")):
            assert PHRASES[name](2.0)


def test_an_access_reason_reads_as_a_sentence():
    assert PHRASES["access_copper"](1.0) == "connected over copper (DSL)"
    assert PHRASES["access_fibre"](2.0) == "connected over fibre (2 lines)"
