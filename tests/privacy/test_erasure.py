"""Erasure by anonymisation: a customer with every kind of row is erased on a second person's
approval, and afterwards no table holds their name, e-mail, phone, national id or birth date;
billing totals and survey figures are what they were."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Sum, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from crm.sealed import EncryptedFieldMixin
from customers.identity.services.identity import (
    candidates_for_profile,
    duplicate_pair_record,
    party_profiles,
)
from customers.models import ActionLog, Customer, Invoice, Payment
from customers.partners.models import HubEvent
from customers.services import contact_medium_add
from customers.services.billing import invoice_record
from customers.services.contacts import ContactMediumInput
from customers.services.lifecycle import customer_terminate
from privacy import erasure, holds
from privacy.models import ErasureRequest
from satisfaction.models import DailyResult
from tests.factories import CustomerFactory
from work.models import Notification

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Wilhelmina", "Quattlebaum"
EMAIL = "wilhelmina.quattlebaum@example.org"
PHONE_DIGITS = "7911298765"
PHONE = f"+44{PHONE_DIGITS}"
NATIONAL_ID = "QQ123456C"
BIRTH = datetime.date(1931, 2, 17)
NEEDLES = (GIVEN, FAMILY, EMAIL, PHONE_DIGITS, NATIONAL_ID, BIRTH.isoformat())


@pytest.fixture
def person(make_customer_with_every_row, agent, manager):
    """Wilhelmina: a customer with a row of every kind, her relationship ended and paid up."""
    customer = make_customer_with_every_row(
        given_name=GIVEN,
        family_name=FAMILY,
        birth_date=BIRTH,
        national_id=NATIONAL_ID,
        email=EMAIL,
        phone=PHONE,
        reference="ERASE",
        amount=Decimal("42.50"),
        interaction_kind="complaint",
        interaction_summary=f"{GIVEN} {FAMILY} called from {PHONE} about her bill",
        comment=f"Ask for {GIVEN}, not the machine",
        task_title=f"Call {GIVEN} {FAMILY} back",
        note=f"{FAMILY} prefers mornings",
        sister_name="Hortense",
    )
    contact_medium_add(
        customer=customer,
        medium=ContactMediumInput(
            kind="postal", street=f"1 {FAMILY} Lane", city="Leeds", postcode="LS1 1AA"
        ),
        actor=agent,
    )
    assert Notification.objects.exists()  # the task's owner was told
    twin = CustomerFactory(
        given_name=GIVEN,
        family_name=FAMILY,
        birth_date=BIRTH,
        actor=agent,
    )
    profile = party_profiles([twin.party_id])[twin.party_id]
    (match,) = [m for m in candidates_for_profile(profile) if m.customer == customer]
    duplicate_pair_record(first=customer, second=twin, match=match.match, source="scan")
    # The twin shares her name by chance; it is someone else and stays as it is.
    twin.party.given_name = "Wilma"
    twin.party.birth_date = datetime.date(1931, 2, 18)
    twin.party.save()
    customer_terminate(customer=customer, actor=manager, reason="voluntary_churn")
    customer.refresh_from_db()
    return customer


def _erase(customer, agent, manager) -> ErasureRequest:
    request = erasure.erasure_request(customer=customer, reason="Letter of 3 Dec", actor=agent)
    return erasure.erasure_approve(request=request, actor=manager)


def _tables_holding(needle: str) -> list[str]:
    """Every table and column, ours and the libraries', that still holds ``needle``."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue  # a view over tables searched on their own
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedFieldMixin):
                # Stored encrypted: what it holds is what it decrypts to.
                values = model.objects.exclude(**{f"{model_field.name}__isnull": True})
                if any(
                    needle.lower() in str(value).lower()
                    for value in values.values_list(model_field.name, flat=True)
                ):
                    found.append(f"{model._meta.label}.{model_field.name}")
            elif isinstance(model_field, (models.CharField, models.TextField, models.JSONField)):
                rows = model.objects.annotate(_text=Cast(model_field.name, TextField()))
                if rows.filter(_text__icontains=needle).exists():
                    found.append(f"{model._meta.label}.{model_field.name}")
            elif (
                type(model_field) is models.DateField
                and needle == BIRTH.isoformat()
                and model.objects.filter(**{model_field.name: BIRTH}).exists()
            ):
                found.append(f"{model._meta.label}.{model_field.name}")
    return found


def _figures() -> dict:
    return {
        "invoiced": Invoice.objects.aggregate(total=Sum("amount"))["total"],
        "paid": Payment.objects.aggregate(total=Sum("amount"))["total"],
        "answers": DailyResult.objects.aggregate(total=Sum("responded"))["total"],
        "score_sum": DailyResult.objects.aggregate(total=Sum("score_sum"))["total"],
    }


def test_an_erased_customer_is_found_nowhere_and_the_figures_stay(person, agent, manager):
    before = _figures()
    # Before: each of them is there to be found (the search would find them).
    assert all(_tables_holding(needle) for needle in NEEDLES)

    request = _erase(person, agent, manager)

    assert request.status == ErasureRequest.Status.ERASED
    person.refresh_from_db()
    assert person.party.display_name == f"Erased customer {person.number}"
    for needle in NEEDLES:
        still = [where for where in _tables_holding(needle) if not _held_by_others(where, needle)]
        assert still == [], f"{needle!r} is still in {still}"
    assert _figures() == before


def _held_by_others(where: str, needle: str) -> bool:
    """The sister and the twin are other people; their own rows may hold the family name (and
    the twin's history her first name and birth date)."""
    if needle not in (FAMILY, GIVEN, BIRTH.isoformat()):
        return False
    label, column = where.rsplit(".", 1)
    model = apps.get_model(label)
    rows = model.objects.annotate(_text=Cast(column, TextField())).filter(_text__icontains=needle)
    erased = Customer.objects.get(party__display_name__startswith="Erased customer")
    if label == "customers.Party":
        return not rows.filter(pk=erased.party_id).exists()
    if label in ("identity.IdentityKey", "customers.ContactMedium"):
        return not rows.filter(party_id=erased.party_id).exists()
    if label == "history.PartyChange":  # the field history keeps each party's id as a number
        return not rows.filter(id=erased.party_id).exists()
    if label == "history.CustomerChange":
        return not rows.filter(id=erased.pk).exists()
    if any(f.name == "customer" for f in model._meta.concrete_fields):
        return not rows.filter(customer_id=erased.pk).exists()
    return False


def test_partners_hear_of_the_erasure_and_past_events_lose_the_person(person, agent, manager):
    _erase(person, agent, manager)

    event = HubEvent.objects.filter(customer_id=person.pk).latest("pk")
    assert event.event_type == "CustomerAttributeValueChangeEvent"
    assert FAMILY not in str(event.payload)
    assert ActionLog.objects.filter(customer=person, action="customer.erased").exists()


def test_the_same_person_may_not_ask_and_approve(person, agent, manager):
    request = erasure.erasure_request(customer=person, reason="By phone", actor=manager)

    with pytest.raises(ValidationError, match="Someone other than"):
        erasure.erasure_approve(request=request, actor=manager)
    with pytest.raises(PermissionDenied):
        erasure.erasure_approve(request=request, actor=agent)


def test_approvers_are_told_and_the_requester_hears_the_outcome(person, agent, manager):
    request = erasure.erasure_request(customer=person, reason="By phone", actor=agent)

    notice = Notification.objects.get(recipient=manager, kind="approval")
    assert notice.link_url == reverse("privacy:erasure", args=[request.pk])
    erasure.erasure_approve(request=request, actor=manager)
    assert Notification.objects.filter(recipient=agent, kind="approval").exists()


def test_an_active_customer_with_debt_or_a_hold_is_not_erased(agent, manager):
    active = CustomerFactory(status=Customer.Status.ACTIVE, actor=agent)
    today = timezone.localdate()
    invoice_record(  # the final bill, not yet due
        customer=active,
        number="INV-OWED",
        period_start=today.replace(day=1),
        issued_on=today,
        due_on=today + datetime.timedelta(days=14),
        amount=Decimal("10.00"),
        actor=agent,
    )
    customer_terminate(customer=active, actor=manager, reason="voluntary_churn")
    holds.legal_hold_set(customer=active, reason="Court order 77", actor=manager)

    blockers = erasure.erasure_blockers(active)

    assert any("owed" in blocker for blocker in blockers)
    assert any("Court order 77" in blocker for blocker in blockers)
    with pytest.raises(ValidationError):
        erasure.erasure_request(customer=active, reason="Letter", actor=agent)

    lead = CustomerFactory(actor=agent)
    assert any("has not ended" in blocker for blocker in erasure.erasure_blockers(lead))


def test_a_refused_request_erases_nothing(person, agent, manager):
    request = erasure.erasure_request(customer=person, reason="By phone", actor=agent)

    erasure.erasure_refuse(request=request, refusal="Not the account holder", actor=manager)

    person.party.refresh_from_db()
    assert person.party.family_name == FAMILY
    assert ErasureRequest.objects.get().status == ErasureRequest.Status.REFUSED


def test_a_second_request_waits_for_the_first(person, agent):
    erasure.erasure_request(customer=person, reason="By phone", actor=agent)

    with pytest.raises(ValidationError, match="already waiting"):
        erasure.erasure_request(customer=person, reason="By letter", actor=agent)
