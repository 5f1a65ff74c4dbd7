"""What a signed-in customer changes or asks for on their own: contact details (a new address
proven by a code first), preferences, consents, an inquiry or a complaint, their data.

Each write is one call of the service staff use for the same change, with the portal as its
actor (PORTAL_ACTOR), so the rules are the same and the action log says where it came from.
Every object named by an id is looked up within the customer's own rows (Http404 else).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from customers.identity_rules import DuplicateFound
from customers.models import Consent, ContactMedium, Customer, Interaction
from customers.roles import may_be_given
from customers.services import ContactMediumInput, contact_medium_add, contact_medium_update
from customers.services.interactions import OWNER_PERMISSION, interaction_record
from customers.services.preferences import consent_record, preferences_update
from portal.services import PortalAddress, contact_code_send, contact_code_verify
from privacy.erasure import erasure_request_by_subject
from privacy.models import ErasureRequest, SubjectAccessExport
from privacy.subject_access import subject_access_download, subject_access_request

# The actor of every change a customer makes on the portal: a label, not a staff user, so
# services store no user for it and the action log shows "portal".
PORTAL_ACTOR = "portal"
# The kinds of contact a customer changes here: the ones a code can be sent to.
CHANGEABLE_KINDS = (ContactMedium.Kind.EMAIL, ContactMedium.Kind.MOBILE)
RAISABLE_KINDS = (Interaction.Kind.INQUIRY, Interaction.Kind.COMPLAINT)
SUMMARY_MAX = 2000


class ContactChangeRefused(ValueError):
    """The change cannot be made; ``reason`` is the key of the words that say why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PendingContact:
    """A new address waiting for its code: what is kept in the portal session meanwhile."""

    kind: str
    value: str
    contact_id: int | None = None  # the contact medium it replaces; None adds one

    @property
    def address(self) -> PortalAddress:
        return PortalAddress(kind=self.kind, value=self.value)

    def as_session(self) -> dict:
        return {"kind": self.kind, "value": self.value, "contact_id": self.contact_id}

    @classmethod
    def from_session(cls, data) -> "PendingContact | None":
        if not isinstance(data, dict) or data.get("kind") not in CHANGEABLE_KINDS:
            return None
        return cls(kind=data["kind"], value=data["value"], contact_id=data.get("contact_id"))


def customer_contact(customer: Customer, contact_id: int) -> ContactMedium:
    """One of the customer's e-mail addresses or mobile numbers (Http404 for any other)."""
    return get_object_or_404(
        ContactMedium, pk=contact_id, party_id=customer.party_id, kind__in=CHANGEABLE_KINDS
    )


def contact_change_start(
    *, customer: Customer, address: PortalAddress, contact: ContactMedium | None = None
) -> PendingContact:
    """Send a code to the new ``address`` (replacing ``contact``, else added); the change is
    made once the code comes back (``contact_change_confirm``). ContactChangeRefused, or the
    code's CodeThrottled/CodeNotSent."""
    if contact is not None and contact.kind != address.kind:
        raise ContactChangeRefused("contact_kind_differs")
    if customer.party.contact_media.filter(kind=address.kind, value=address.value).exists():
        raise ContactChangeRefused("contact_already_yours")
    contact_code_send(customer=customer, address=address)
    return PendingContact(
        kind=address.kind, value=address.value, contact_id=contact.pk if contact else None
    )


def contact_change_confirm(
    *, customer: Customer, pending: PendingContact, code: str
) -> ContactMedium:
    """Use the code sent to the new address, then add or change the contact, verified.
    CodeRefused for a wrong or dead code; ContactChangeRefused when the rules refuse it (an
    address another customer has verified makes this one a duplicate)."""
    contact_code_verify(customer=customer, address=pending.address, code=code)
    try:
        if pending.contact_id is None:
            return contact_medium_add(
                customer=customer,
                medium=ContactMediumInput(kind=pending.kind, value=pending.value, is_verified=True),
                actor=PORTAL_ACTOR,
            )
        contact = ContactMedium.objects.filter(
            pk=pending.contact_id, party_id=customer.party_id, kind=pending.kind
        ).first()
        if contact is None:
            raise ContactChangeRefused("contact_gone")
        return contact_medium_update(
            contact=contact,
            medium=ContactMediumInput(
                kind=contact.kind,
                value=pending.value,
                label=contact.label,
                is_preferred=contact.is_preferred,
                is_verified=True,
                valid_from=contact.valid_from,
                valid_to=contact.valid_to,
            ),
            actor=PORTAL_ACTOR,
        )
    except DuplicateFound:
        raise ContactChangeRefused("contact_duplicate") from None
    except ValidationError:
        # The same address already on record (added meanwhile), or a merged customer.
        raise ContactChangeRefused("contact_refused") from None


def preferences_change(*, customer: Customer, **changes):
    """The customer's communication and reporting needs; ValidationError names the field."""
    return preferences_update(customer=customer, actor=PORTAL_ACTOR, **changes)


def consent_change(*, customer: Customer, channel: str, purpose: str, granted: bool) -> Consent:
    """Grant or withdraw one consent; the action log keeps the answer as evidence."""
    return consent_record(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=Consent.Source.WEB,
        actor=PORTAL_ACTOR,
    )


def _owner_for(customer: Customer):
    """The account manager, when they may work on interactions; else None (it waits,
    unassigned, on the staff's open list)."""
    manager = customer.account_manager
    return manager if manager is not None and may_be_given(manager, OWNER_PERMISSION) else None


def inquiry_raise(*, customer: Customer, kind: str, summary: str) -> Interaction:
    """An inquiry or a complaint: an open inbound web interaction on the staff timeline."""
    if kind not in RAISABLE_KINDS:
        raise ValidationError({"kind": "A question or a complaint."})
    summary = summary.strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise ValidationError({"summary": "Say what it is about."})
    return interaction_record(
        customer=customer,
        channel=Interaction.Channel.WEB,
        direction=Interaction.Direction.INBOUND,
        kind=kind,
        summary=summary,
        actor=PORTAL_ACTOR,
        outcome=Interaction.Outcome.OPEN,
        owner=_owner_for(customer),
    )


def data_export_request(*, customer: Customer) -> SubjectAccessExport:
    """Everything held about the customer, written in the background (one at a time)."""
    return subject_access_request(customer=customer, actor=PORTAL_ACTOR)


def data_export_file(*, customer: Customer, export_id: int, kind: str):
    """(path, export) of one of the customer's own export files, the download logged;
    SubjectAccessFileGone when it is not (or no longer) there, Http404 for another's."""
    export = get_object_or_404(
        SubjectAccessExport.objects.select_related("customer"), pk=export_id, customer=customer
    )
    return subject_access_download(export=export, kind=kind, actor=PORTAL_ACTOR), export


def erasure_ask(*, customer: Customer, reason: str) -> ErasureRequest:
    """The customer's request to be forgotten, recorded by the data-rights service as theirs;
    a manager approves it once the relationship has ended and nothing is owed."""
    return erasure_request_by_subject(customer=customer, reason=reason)
