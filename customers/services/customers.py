from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.sealed import lookup_digest
from customers import identity_rules
from customers.models import ActionLog, CommunicationPreferences, Customer, Party
from customers.normalization import name_key, national_id_normalise, normalize_currency
from customers.services.audit import action_log_record, customer_lock_for_edit, touch
from customers.services.contacts import (
    ContactMediumInput,
    contact_medium_add,
    contact_medium_fields,
)
from customers.services.numbers import customer_numbers_allocate


@dataclass(frozen=True, kw_only=True)
class PartyInput:
    kind: str = Party.Kind.INDIVIDUAL
    title: str = ""
    given_name: str = ""
    family_name: str = ""
    birth_date: date | None = None
    national_id: str = ""
    legal_name: str = ""
    trading_name: str = ""
    registration_number: str = ""
    contact_media: list[ContactMediumInput] = field(default_factory=list)


PARTY_FIELDS = (
    "kind",
    "title",
    "given_name",
    "family_name",
    "birth_date",
    "national_id",
    "legal_name",
    "trading_name",
    "registration_number",
)


def party_names(party: Party) -> None:
    """Derive the display name and search keys from the name fields."""
    party.given_name = party.given_name.strip()
    party.family_name = party.family_name.strip()
    party.legal_name = party.legal_name.strip()
    party.trading_name = party.trading_name.strip()
    party.national_id = national_id_normalise(party.national_id)
    party.national_id_digest = lookup_digest(party.national_id)
    party.registration_number = party.registration_number.strip().upper()
    if party.kind == Party.Kind.INDIVIDUAL:
        # Not everyone has a family name (mononyms are common in some countries); everyone
        # has some name.
        if not party.family_name and not party.given_name:
            raise ValidationError(
                {"family_name": "A person needs a name: a family name, a given name or both."}
            )
        party.display_name = " ".join(p for p in (party.given_name, party.family_name) if p)
        party.family_name_key = name_key(party.family_name)
        party.sort_key = name_key(f"{party.family_name} {party.given_name}")
    elif party.kind == Party.Kind.ORGANIZATION:
        if not party.legal_name:
            raise ValidationError({"legal_name": "An organisation needs its legal name."})
        party.display_name = party.legal_name
        if party.trading_name and party.trading_name != party.legal_name:
            party.display_name = f"{party.legal_name} ({party.trading_name})"
        party.family_name_key = name_key(party.trading_name)
        party.sort_key = name_key(party.legal_name)
    else:
        raise ValidationError({"kind": f"Unknown party kind '{party.kind}'."})
    if party.birth_date and party.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": "The birth date cannot be in the future."})
    party.name_key = name_key(party.display_name)


def billing_currency(code: str) -> str:
    """The currency a new customer is billed in (ISO 4217): ``code``, or the product's default
    when blank. ValidationError names what is wrong with it."""
    return normalize_currency(code or settings.CRM_CURRENCY)


def party_input_from(party: Party) -> PartyInput:
    """What an existing party holds, as the input the identity rules judge."""
    media = [
        ContactMediumInput(
            kind=medium.kind,
            value=medium.value,
            label=medium.label,
            street=medium.street,
            city=medium.city,
            postcode=medium.postcode,
            country=medium.country,
            is_preferred=medium.is_preferred,
            is_verified=medium.is_verified,
            valid_from=medium.valid_from,
            valid_to=medium.valid_to,
        )
        for medium in party.contact_media.all()
    ]
    return PartyInput(**{name: getattr(party, name) for name in PARTY_FIELDS}, contact_media=media)


def _party_without_role(party: Party) -> Party:
    """The party, locked, when it plays no customer role yet; two creates for one party wait
    for each other here, and the second is refused."""
    locked = Party.objects.select_for_update().get(pk=party.pk)
    number = Customer.objects.filter(party=locked).values_list("number", flat=True).first()
    if number:
        raise ValidationError(
            f"engagedParty: this party is already customer {number}.", code="party_taken"
        )
    return locked


def party_from_input(party: PartyInput) -> Party:
    """An unsaved party with its display name and search keys; ValidationError if unnamed."""
    record = Party(**{name: getattr(party, name) for name in PARTY_FIELDS})
    party_names(record)
    return record


@transaction.atomic
def customer_create(
    *,
    party: PartyInput | None = None,
    actor,
    engaged_party: Party | None = None,
    name: str = "",
    description: str = "",
    segment: str = Customer.Segment.RESIDENTIAL,
    lead_source: str = "",
    account_manager=None,
    partner=None,
    language: str = "en",
    check_duplicates: bool = True,
    confirmed_distinct: Iterable[int] = (),
    duplicate_source: str = "create",
    external_ref: str | None = None,
    queue_probable_duplicates: bool = False,
    partner_reference: str = "",
    currency: str = "",
) -> Customer:
    """Create a party and its customer role as a new lead, with its contact media, billed in
    ``currency`` (ISO 4217; the product's default when blank). With ``engaged_party`` the party
    exists already (registered through TMF632) and takes the customer role; ``name`` is the
    role's own name, when it has one.

    The identity is checked first: a customer who certainly exists already is refused, and
    probable matches must be confirmed as different people (``confirmed_distinct``: their
    customer ids), which is recorded so the pair is never proposed again. With
    ``queue_probable_duplicates`` (callers that cannot ask a person, such as the partner API)
    probable matches do not block: the customer is created and each pair goes to the review
    queue; a certain match is still refused.
    """
    try:
        currency = billing_currency(currency)
    except ValidationError as error:
        raise ValidationError({"currency": error.messages}) from None
    if engaged_party is not None:
        engaged_party = _party_without_role(engaged_party)
        party = party_input_from(engaged_party)
    # A wrong contact medium is said at once, not after the duplicate check.
    for medium in party.contact_media:
        contact_medium_fields(medium)
    set_aside, queued = [], []
    if check_duplicates:
        try:
            set_aside = identity_rules.duplicates_check(
                party, confirmed_distinct=confirmed_distinct
            )
        except identity_rules.DuplicateFound as found:
            if found.exact or not queue_probable_duplicates:
                raise
            # Only pairs staff could merge: customers of different partners never are.
            partner_id = getattr(partner, "pk", None)
            queued = [m for m in found.matches if m.customer.partner_id == partner_id]
    now = timezone.now()
    if engaged_party is None:
        new_party = party_from_input(party)
        new_party.full_clean(exclude=["name_key", "display_name", "sort_key"])
        new_party.save()
    else:
        new_party = engaged_party
    customer = Customer(
        number=customer_numbers_allocate(1)[0],
        party=new_party,
        name=name,
        description=description,
        status=Customer.Status.LEAD,
        status_changed_at=now,
        segment=segment,
        lead_source=lead_source,
        account_manager=account_manager,
        partner=partner,
        valid_from=now,
        last_activity_at=now,
        external_ref=external_ref or None,
        partner_reference=partner_reference,
        currency=currency,
    )
    partner_reference_check(partner=partner, reference=partner_reference)
    try:
        customer.full_clean(exclude=["party", "number"])
    except ValidationError:
        # A concurrent create may have taken the reference since the check: that is a
        # conflict (409 on the API), not a bad request.
        partner_reference_check(partner=partner, reference=partner_reference)
        raise
    customer.save()
    CommunicationPreferences.objects.create(customer=customer, language=language)
    if engaged_party is None:
        for medium in party.contact_media:
            contact_medium_add(customer=customer, medium=medium, actor=actor, log=False)
    customer.lifecycle_events.create(
        action="create", to_status=customer.status, actor=_user(actor), occurred_at=now
    )
    identity_rules.identity_keys_refresh(party_ids=[new_party.pk])
    for status, candidates in (("not_duplicate", set_aside), ("open", queued)):
        for candidate in candidates:
            identity_rules.duplicate_pair_record(
                first=customer,
                second=candidate.customer,
                match=candidate.match,
                source=duplicate_source,
                status=status,
                actor=actor,
            )
    data = customer_created_data(customer, contact_media=party.contact_media)
    if engaged_party is not None:
        data["party_existed"] = True  # the party is not new: no party is created here
    action_log_record(action="customer.created", customer=customer, actor=actor, data=data)
    return customer


def customer_created_data(customer: Customer, *, contact_media: list[ContactMediumInput]) -> dict:
    """What ``customer.created`` tells the audit and other apps about a new customer."""
    return {
        "number": customer.number,
        "name": customer.party.display_name,
        "segment": customer.segment,
        "currency": customer.currency,
        "contact_media": [
            {name: _plain(value) for name, value in asdict(m).items()} for m in contact_media
        ],
    }


def partner_reference_check(*, partner, reference: str, customer: Customer | None = None) -> None:
    """A partner's reference names one of its customers only: refuse it for another one."""
    if not reference or partner is None:
        return
    taken = Customer.objects.filter(partner=partner, partner_reference=reference)
    if customer is not None:
        taken = taken.exclude(pk=customer.pk)
    number = taken.values_list("number", flat=True).first()
    if number:
        raise ValidationError(
            f"Reference {reference} is already customer {number}.", code="duplicate_reference"
        )


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


CUSTOMER_EDITABLE_FIELDS = (
    "name",
    "description",
    "segment",
    "payment_method",
    "account_manager",
    "lead_source",
)


@transaction.atomic
def customer_update(*, customer: Customer, actor, **changes) -> Customer:
    """Change party and customer fields; records the old and new value of each change.

    A change of identity data is judged by the duplicate rules: one that makes the customer
    certainly another one is refused (DuplicateFound), a probable match is queued for review.
    """
    unknown = set(changes) - set(PARTY_FIELDS) - set(CUSTOMER_EDITABLE_FIELDS) - {"kind"}
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    customer_lock_for_edit(customer)
    customer = Customer.objects.select_related("party").get(pk=customer.pk)
    party = customer.party
    diff = {}
    for name, value in changes.items():
        target = party if name in PARTY_FIELDS else customer
        old = getattr(target, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(target, name, value)
    if not diff:
        return customer
    with identity_rules.identity_change(customer=customer, actor=actor):
        party_names(party)
        party.full_clean(exclude=["name_key", "display_name", "sort_key"])
        party.save()
        customer.full_clean(exclude=["party", "number"])
        customer.save()
    touch(customer)
    action_log_record(action="customer.updated", customer=customer, actor=actor, data=diff)
    return customer


@transaction.atomic
def customer_partner_change(*, customer: Customer, partner, actor) -> Customer:
    """Hand the customer to ``partner`` (or to none), keeping its reference unique there.

    The reference is checked again under the customer's lock; a clash that another transaction
    commits after that check still trips the database's unique constraint, which reads the same.
    Errors name the field ``partner``: the reference came with the customer, the move clashes.
    """
    customer_lock_for_edit(customer)
    current = Customer.objects.select_related("partner").get(pk=customer.pk)
    if current.partner_id == (partner.pk if partner else None):
        return current
    reference = current.partner_reference
    try:
        partner_reference_check(partner=partner, reference=reference, customer=current)
        try:
            with transaction.atomic():
                Customer.objects.filter(pk=current.pk).update(partner=partner)
        except IntegrityError:
            partner_reference_check(partner=partner, reference=reference, customer=current)
            raise ValidationError(
                f"Reference {reference} is already another customer's.", code="duplicate_reference"
            ) from None
    except ValidationError as error:
        raise ValidationError({"partner": error.messages}) from None
    action_log_record(
        action="customer.partner_changed",
        customer=current,
        actor=actor,
        data={
            "partner": str(partner) if partner else None,
            "previous": str(current.partner) if current.partner else None,
        },
    )
    current.partner = partner
    return current


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# A customer that never became one (a lead or prospect entered in error, a disqualified lead)
# may be deleted; anyone who held products or was billed is terminated instead, so that the
# history the law and the accounts need stays.
DELETABLE_STATUSES = {Customer.Status.LEAD, Customer.Status.PROSPECT, Customer.Status.DISQUALIFIED}


class CustomerNotDeletable(ValidationError):
    """The customer has a history that must be kept: end the relationship instead."""


@transaction.atomic
def customer_delete(*, customer: Customer, actor) -> None:
    """Delete a customer that never held products, with its party and everything it owns.

    The audit entry outlives the customer (it is detached from it before the delete), and
    ``customer_event`` is sent while the customer still exists, so listeners can describe it.
    """
    customer_lock_for_edit(customer)
    customer = Customer.objects.select_related("party").get(pk=customer.pk)
    if customer.status not in DELETABLE_STATUSES:
        raise CustomerNotDeletable(
            f"Customer {customer.number} is {customer.get_status_display().lower()}: a customer "
            "who has been active is terminated, not deleted, so its history is kept.",
            code="not_deletable",
        )
    held = [
        label
        for label, related in (
            ("products", customer.subscriptions),
            ("invoices", customer.invoices),
            ("payments", customer.payments),
        )
        if related.exists()
    ]
    if held:
        raise CustomerNotDeletable(
            f"Customer {customer.number} has {' and '.join(held)} on record; terminate it instead.",
            code="not_deletable",
        )
    if customer.merged_customers.exists():
        raise CustomerNotDeletable(
            f"Other customers were merged into {customer.number}; it cannot be deleted.",
            code="not_deletable",
        )
    action_log_record(
        action="customer.deleted",
        customer=customer,
        actor=actor,
        data={"number": customer.number, "name": customer.party.display_name},
    )
    # The audit trail outlives the customer: its entries are detached, not deleted with it.
    ActionLog.objects.filter(customer=customer).update(customer=None)
    party = customer.party
    customer.delete()
    party.delete()
