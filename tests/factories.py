"""Factories for the customer domain.

Customers, subscriptions, invoices and interactions are made through the services, never by
writing rows directly: numbers, name keys, history and the action log are then always what the
product itself would have produced, and a factory cannot build a state the product cannot reach.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from customers.identity.services.merge import customers_merge
from customers.models import Customer, Interaction, Invoice, Partner, Party, Product, Subscription
from customers.services import (
    PartyInput,
    customer_create,
    customer_disqualify,
    customer_establish,
    customer_qualify,
    customer_suspend,
    customer_terminate,
    interaction_record,
    invoice_record,
    subscription_add,
)
from customers.services.customers import party_names

Status = Customer.Status


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@crm.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} Telecom")
    status = Partner.Status.APPROVED


class PartyFactory(DjangoModelFactory):
    """A party on its own, its display name and keys derived by the service's own rules."""

    class Meta:
        model = Party

    class Params:
        organisation = factory.Trait(
            kind=Party.Kind.ORGANIZATION,
            given_name="",
            family_name="",
            legal_name=factory.Faker("company"),
        )

    kind = Party.Kind.INDIVIDUAL
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    legal_name = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        party = model_class(*args, **kwargs)
        party_names(party)
        party.save()
        return party


class PartyInputFactory(factory.Factory):
    class Meta:
        model = PartyInput

    class Params:
        organisation = factory.Trait(
            kind=Party.Kind.ORGANIZATION,
            given_name="",
            family_name="",
            legal_name=factory.Faker("company"),
        )

    kind = Party.Kind.INDIVIDUAL
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    legal_name = ""
    contact_media = factory.LazyFunction(list)


# The lifecycle steps that lead from a new lead to each status, with a legal reason each.
_PATH_TO_STATUS = {
    Status.LEAD: [],
    Status.PROSPECT: [(customer_qualify, "need_confirmed")],
    Status.ACTIVE: [(customer_establish, "first_order")],
    Status.SUSPENDED: [(customer_establish, "first_order"), (customer_suspend, "customer_request")],
    Status.TERMINATED: [
        (customer_establish, "first_order"),
        (customer_terminate, "voluntary_churn"),
    ],
    Status.DISQUALIFIED: [(customer_disqualify, "no_need")],
}


class CustomerFactory(factory.Factory):
    """``CustomerFactory(status="suspended")`` runs create, establish and suspend.

    Party fields (``given_name``, ``family_name``, ``legal_name``, ``contact_media`` …) go into
    the ``PartyInput``; ``segment``, ``lead_source``, ``partner``, ``account_manager`` and
    ``language`` into ``customer_create``; ``actor`` acts on every step.
    """

    class Meta:
        model = Customer

    class Params:
        organisation = factory.Trait(
            kind=Party.Kind.ORGANIZATION,
            given_name="",
            family_name="",
            legal_name=factory.Faker("company"),
            segment=Customer.Segment.SMALL_BUSINESS,
        )

    kind = Party.Kind.INDIVIDUAL
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    legal_name = ""
    segment = Customer.Segment.RESIDENTIAL
    status = Status.LEAD
    actor = None

    _PARTY_KEYS = frozenset(PartyInput.__dataclass_fields__)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError(
            "A customer only exists once customer_create has numbered it; use create()."
        )

    @classmethod
    def _create(cls, model_class, *args, status, actor, **kwargs):
        party = PartyInput(**{k: v for k, v in kwargs.items() if k in cls._PARTY_KEYS})
        options = {k: v for k, v in kwargs.items() if k not in cls._PARTY_KEYS}
        # Random names may collide; tests of the duplicate check ask for it explicitly.
        options.setdefault("check_duplicates", False)
        customer = customer_create(party=party, actor=actor, **options)
        if status == Status.MERGED:
            # Merged away into a survivor of its own, as a review of a duplicate would do.
            survivor = cls(family_name=f"{party.family_name or party.legal_name} Survivor")
            customers_merge(survivor=survivor, merged=customer, actor=actor)
            customer.refresh_from_db()
            return customer
        for step, reason in _PATH_TO_STATUS[Status(status)]:
            customer = step(customer=customer, actor=actor, reason=reason)
        return customer


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MOB-{n:03d}")
    name = factory.LazyAttribute(lambda product: f"Mobile plan {product.code}")
    family = Product.Family.MOBILE
    list_price = Decimal("25.00")
    margin_rate = Decimal("0.350")


class SubscriptionFactory(factory.Factory):
    class Meta:
        model = Subscription

    customer = factory.SubFactory(CustomerFactory, status=Status.ACTIVE)
    product = factory.SubFactory(ProductFactory)
    start_date = factory.LazyFunction(timezone.localdate)
    actor = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return subscription_add(**kwargs)


class InvoiceFactory(factory.Factory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory, status=Status.ACTIVE)
    number = factory.Sequence(lambda n: f"INV-{n:06d}")
    issued_on = factory.LazyFunction(timezone.localdate)
    period_start = factory.LazyAttribute(lambda inv: inv.issued_on.replace(day=1))
    due_on = factory.LazyAttribute(lambda inv: inv.issued_on + datetime.timedelta(days=14))
    amount = Decimal("40.00")
    actor = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return invoice_record(**kwargs)


class InteractionFactory(factory.Factory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    channel = Interaction.Channel.PHONE
    direction = Interaction.Direction.INBOUND
    kind = Interaction.Kind.INQUIRY
    summary = factory.Faker("sentence")
    outcome = Interaction.Outcome.RESOLVED
    actor = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return interaction_record(**kwargs)
