from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from customers import identity_rules
from customers.models import ContactMedium, Customer
from customers.normalization import (
    normalize_country,
    normalize_email,
    normalize_phone,
    normalize_url,
    postal_one_line,
)
from customers.services.audit import action_log_record, customer_lock_for_edit, touch


@dataclass(frozen=True, kw_only=True)
class ContactMediumInput:
    kind: str
    value: str = ""
    label: str = ""
    street: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    is_preferred: bool = False
    is_verified: bool = False
    valid_from: date | None = None
    valid_to: date | None = None


def contact_medium_fields(medium: ContactMediumInput) -> dict:
    """Validate and normalise one contact medium; errors name the field that is wrong."""
    Kind = ContactMedium.Kind
    fields = {
        "kind": medium.kind,
        "label": medium.label.strip(),
        "is_preferred": medium.is_preferred,
        "is_verified": medium.is_verified,
        "valid_from": medium.valid_from,
        "valid_to": medium.valid_to,
        "street": "",
        "city": "",
        "postcode": "",
        "country": "",
    }
    # The country of an address, and the country a national phone number is read in.
    try:
        country = normalize_country(medium.country)
    except ValidationError as error:
        raise ValidationError({"country": error.messages}) from error
    try:
        if medium.kind == Kind.EMAIL:
            fields["value"] = normalize_email(medium.value)
        elif medium.kind in (Kind.PHONE, Kind.MOBILE):
            fields["value"] = normalize_phone(medium.value, region=country or None)
        elif medium.kind == Kind.WEB:
            fields["value"] = normalize_url(medium.value)
        elif medium.kind == Kind.SOCIAL:
            fields["value"] = medium.value.strip()
            if not fields["value"]:
                raise ValidationError("Enter the social media handle or address.")
        elif medium.kind == Kind.POSTAL:
            # The postcode alone locates an address in most countries; the street never can.
            missing = {}
            if not medium.street.strip():
                missing["street"] = "A postal address needs this."
            if not medium.city.strip() and not medium.postcode.strip():
                missing["city"] = "A postal address needs a city or a postcode."
            if missing:
                raise ValidationError(missing)
            fields.update(
                street=medium.street.strip(),
                city=medium.city.strip(),
                postcode=medium.postcode.strip().upper(),
                country=country,
                value=postal_one_line(
                    street=medium.street,
                    postcode=medium.postcode,
                    city=medium.city,
                    country=country,
                ),
            )
        else:
            raise ValidationError({"kind": f"Unknown contact medium kind '{medium.kind}'."})
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({"value": error.messages}) from error
    if medium.valid_from and medium.valid_to and medium.valid_to < medium.valid_from:
        raise ValidationError({"valid_to": "Valid to must not be before valid from."})
    return fields


def _save(contact: ContactMedium) -> None:
    if contact.is_preferred:
        # Only one preferred medium per kind: the new one takes over.
        ContactMedium.objects.filter(
            party_id=contact.party_id, kind=contact.kind, is_preferred=True
        ).exclude(pk=contact.pk).update(is_preferred=False)
    duplicate = ContactMedium.objects.filter(
        party_id=contact.party_id, kind=contact.kind, value=contact.value
    ).exclude(pk=contact.pk)
    if duplicate.exists():
        raise ValidationError({"value": f"{contact.value} is already recorded for this customer."})
    contact.save()


@transaction.atomic
def contact_medium_add(
    *, customer: Customer, medium: ContactMediumInput, actor, log: bool = True
) -> ContactMedium:
    """Add a contact medium; one that makes the customer certainly another one (a contact
    another customer has verified, with a matching name …) is refused with DuplicateFound.

    ``log=False`` is for ``customer_create``, which judges the identity and logs the whole."""
    customer_lock_for_edit(customer)
    contact = ContactMedium(party_id=customer.party_id, **contact_medium_fields(medium))
    if not log:
        _save(contact)
        return contact
    with identity_rules.identity_change(customer=customer, actor=actor):
        _save(contact)
    touch(customer)
    action_log_record(
        action="contact_medium.added",
        customer=customer,
        actor=actor,
        data={"kind": contact.kind, "value": contact.value},
    )
    return contact


@transaction.atomic
def contact_medium_update(
    *, contact: ContactMedium, medium: ContactMediumInput, actor
) -> ContactMedium:
    """Change a contact medium, judged by the duplicate rules as ``contact_medium_add`` is."""
    customer = Customer.objects.get(party_id=contact.party_id)
    customer_lock_for_edit(customer)
    contact = ContactMedium.objects.select_for_update().get(pk=contact.pk)
    before = {"kind": contact.kind, "value": contact.value, "is_preferred": contact.is_preferred}
    for name, value in contact_medium_fields(medium).items():
        setattr(contact, name, value)
    with identity_rules.identity_change(customer=customer, actor=actor):
        _save(contact)
    touch(customer)
    action_log_record(
        action="contact_medium.changed",
        customer=customer,
        actor=actor,
        data={
            "before": before,
            "after": {
                "kind": contact.kind,
                "value": contact.value,
                "is_preferred": contact.is_preferred,
            },
        },
    )
    return contact


@transaction.atomic
def contact_medium_remove(*, contact: ContactMedium, actor) -> None:
    customer = Customer.objects.get(party_id=contact.party_id)
    customer_lock_for_edit(customer)
    data = {"kind": contact.kind, "value": contact.value}
    contact.delete()
    identity_rules.identity_keys_forget(party_ids=[customer.party_id])
    touch(customer)
    action_log_record(action="contact_medium.removed", customer=customer, actor=actor, data=data)
