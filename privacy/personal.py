"""Where personal data lives, and what erasure does to each table that holds it.

Every model of ours that is about a customer (a foreign key to a customer or a party, or a
``customer_id`` column) has one ``PersonalData`` rule here. The rule says which rows are about
the customer, and for each field that could hold something about a person (text, JSON, a date
that is not a timestamp) either what erasure writes over it or why it is kept. Rows may instead
be deleted whole.

``personal_data_uncovered()`` finds the models and fields no rule speaks for; a system check
refuses to start a project where one is missing, so a new model cannot be forgotten silently.
"""

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.urls import reverse

# The apps whose models are checked; Django's own and the libraries' are not about customers.
OUR_APPS = (
    "crm",
    "signin",
    "exports",
    "savedviews",
    "customers",
    "identity",
    "partners",
    "risk",
    "satisfaction",
    "work",
    "home",
    "history",
    "privacy",
    "messaging",
    "statements",
    "portal",
)
# Fields that could hold something about a person when they hold free values (no choices).
_PERSONAL_KINDS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.BinaryField,
    models.GenericIPAddressField,
)


@dataclass(frozen=True)
class PersonalData:
    """``about(people)`` is the Q of the model's rows about ``people`` (``People``). ``scrub``
    maps a field to the value erasure writes over it (or to a callable giving an expression);
    ``kept`` maps a field to why it is kept; ``delete``: the rows go altogether. ``files`` are
    the fields naming a stored file (in the default storage) written about the person: the
    file is deleted before its row or its name is."""

    model: str
    about: Callable[[Any], Q]
    scrub: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    delete: bool = False
    files: tuple[str, ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


@dataclass(frozen=True)
class People:
    """The customers a rule is applied to: their ids, their parties' ids, their numbers and
    the paths of their pages (notices link there)."""

    ids: list[int]
    party_ids: list[int]
    numbers: list[str]

    @property
    def urls(self) -> list[str]:
        return [reverse("customers:detail", args=[number]) for number in self.numbers]

    @classmethod
    def of(cls, customers: QuerySet) -> "People":
        rows = list(customers.values_list("pk", "party_id", "number"))
        return cls(
            ids=[row[0] for row in rows],
            party_ids=[row[1] for row in rows],
            numbers=[row[2] for row in rows],
        )


def any_of(lookup: str, values: Iterable[str]) -> Q:
    """Rows matching any of ``values`` by ``lookup`` (none when there are no values)."""
    return reduce(operator.or_, (Q(**{lookup: value}) for value in values), Q(pk__in=[]))


def erased_display_name():
    """ "Erased customer C00012": the party's name from now on, its customer's number in it."""
    from customers.models import Customer

    number = Customer.objects.filter(party_id=OuterRef("pk")).values("number")[:1]
    return Concat(Value("Erased customer "), Subquery(number))


ERASED = "Erased"
BILLING_RECORD = "a billing record the law requires to keep; the person is detached from it"
CODE = "a code of ours, not about the person"
EVENT_DATE = "when something happened, kept for the figures"

RULES: tuple[PersonalData, ...] = (
    PersonalData(
        "customers.Customer",
        about=lambda p: Q(pk__in=p.ids),
        scrub={"name": "", "description": "", "external_ref": None, "partner_reference": ""},
        kept={
            "number": "the tombstone: the number stays so that records still point somewhere",
            "status_reason": CODE,
            "lead_source": CODE,
            "currency": CODE,
            "valid_from": EVENT_DATE,
            "valid_to": EVENT_DATE,
        },
    ),
    PersonalData(
        "customers.Party",
        about=lambda p: Q(pk__in=p.party_ids),
        scrub={
            "title": "",
            "given_name": "",
            # A party has a name (party_has_a_name): a word that names no one.
            "family_name": ERASED,
            "birth_date": None,
            "national_id": "",
            "national_id_digest": "",
            "legal_name": ERASED,
            "trading_name": "",
            "registration_number": "",
            "display_name": erased_display_name,
            "name_key": "",
            "family_name_key": "",
            "sort_key": "",
        },
    ),
    PersonalData(
        "customers.ContactMedium", about=lambda p: Q(party_id__in=p.party_ids), delete=True
    ),
    PersonalData("identity.IdentityKey", about=lambda p: Q(party_id__in=p.party_ids), delete=True),
    PersonalData(
        "identity.DuplicateCandidate",
        about=lambda p: Q(customer_low_id__in=p.ids) | Q(customer_high_id__in=p.ids),
        delete=True,
    ),
    PersonalData(
        "customers.CommunicationPreferences", about=lambda p: Q(customer_id__in=p.ids), delete=True
    ),
    PersonalData(
        "customers.CustomerRelationship",
        about=lambda p: Q(from_customer_id__in=p.ids) | Q(to_customer_id__in=p.ids),
        delete=True,
    ),
    PersonalData(
        "customers.ActionLog",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"data": {}},
        kept={"action": "what was done, without the values", "actor_label": "the staff member"},
    ),
    PersonalData(
        "customers.LifecycleEvent",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"note": ""},
        kept={"action": CODE, "reason": CODE, "from_status": CODE, "to_status": CODE},
    ),
    PersonalData(
        "customers.CustomerAlias",
        about=lambda p: Q(customer_id__in=p.ids),
        kept={"number": "a former number of the tombstone"},
    ),
    PersonalData(
        "customers.Interaction", about=lambda p: Q(customer_id__in=p.ids), scrub={"summary": ""}
    ),
    PersonalData("customers.Consent", about=lambda p: Q(customer_id__in=p.ids)),
    PersonalData("customers.LatestScores", about=lambda p: Q(customer_id__in=p.ids)),
    PersonalData(
        "customers.Subscription",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"service_id": "", "external_ref": None},
        kept={"start_date": BILLING_RECORD, "end_date": BILLING_RECORD},
    ),
    PersonalData(
        "customers.Invoice",
        about=lambda p: Q(customer_id__in=p.ids),
        kept={
            "number": BILLING_RECORD,
            "period_start": BILLING_RECORD,
            "issued_on": BILLING_RECORD,
            "due_on": BILLING_RECORD,
            "paid_on": BILLING_RECORD,
        },
    ),
    PersonalData(
        "customers.Payment",
        about=lambda p: Q(customer_id__in=p.ids),
        kept={"received_on": BILLING_RECORD, "reference": BILLING_RECORD},
    ),
    # Usage habits are behaviour, not a bill: erasure deletes them.
    PersonalData("customers.UsageSummary", about=lambda p: Q(customer_id__in=p.ids), delete=True),
    PersonalData(
        "customers.BulkActionRefusal", about=lambda p: Q(customer_id__in=p.ids), delete=True
    ),
    PersonalData(
        "risk.CustomerScore",
        about=lambda p: Q(customer_id__in=p.ids),
        kept={
            "credit_rating": "a score, kept for the figures",
            "reasons": "generic reasons of a score, naming no one",
            "models_used": "model versions",
        },
    ),
    PersonalData(
        "risk.CreditApplication",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"external_ref": None},
        kept={
            "applied_on": EVENT_DATE,
            "characteristics": "declared facts without identifiers, which train the credit model",
        },
    ),
    PersonalData("risk.RescoreRequest", about=lambda p: Q(customer_id__in=p.ids), delete=True),
    # Working counts of one scoring run, which the run's scores already reflect.
    PersonalData("risk.SharedKeyCount", about=lambda p: Q(customer_id__in=p.ids), delete=True),
    PersonalData(
        "satisfaction.Invitation",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"address": ""},
        kept={
            "trigger_key": CODE,
            "touch_point": CODE,
            "language": CODE,
            "segment": CODE,
        },
    ),
    PersonalData(
        "satisfaction.Response",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"comment": "", "follow_up_answers": []},
        kept={
            "language": CODE,
            "touch_point": CODE,
            "segment": CODE,
        },
    ),
    PersonalData(
        "satisfaction.FollowUp",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"reason": "Survey follow-up of an erased customer", "note": ""},
        kept={"due_on": EVENT_DATE},
    ),
    PersonalData(
        "work.Task",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"title": "Task of an erased customer"},
        kept={"due_on": EVENT_DATE, "closed_on_page": "a page of ours"},
    ),
    PersonalData("work.Note", about=lambda p: Q(customer_id__in=p.ids), delete=True),
    PersonalData(
        "work.Notification",
        about=lambda p: Q(task__customer_id__in=p.ids) | any_of("link_url__startswith", p.urls),
        delete=True,
    ),
    PersonalData(
        "partners.HubEvent",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"payload": {"erased": True}},
        kept={"event_type": CODE},
    ),
    PersonalData(
        "partners.IdempotentRequest",
        # A partner's create answered with the customer's data, kept a day for a retry.
        about=lambda p: (
            any_of("location__contains", p.numbers) | any_of("body__icontains", p.numbers)
        ),
        delete=True,
    ),
    PersonalData("privacy.LegalHold", about=lambda p: Q(customer_id__in=p.ids), delete=True),
    PersonalData(
        "privacy.ErasureRequest",
        about=lambda p: Q(customer_id__in=p.ids),
        kept={
            "reason": "how the request came, the evidence that it was answered",
            "refusal": "why a request was refused",
            "report": "how many rows erasure changed, per table",
        },
    ),
    PersonalData(
        "privacy.AccessLogEntry",
        about=lambda p: Q(customer_id__in=p.ids),
        kept={"actor_label": "the staff member who looked"},
    ),
    PersonalData(
        "privacy.SubjectAccessExport",
        about=lambda p: Q(customer_id__in=p.ids),
        delete=True,
        files=("json_file", "html_file"),
    ),
    # The portal's one-time codes, and its sign-in log: who signed in from where.
    PersonalData("portal.SignInCode", about=lambda p: Q(customer_id__in=p.ids), delete=True),
    PersonalData(
        "portal.PortalSignIn",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"address_digest": "", "ip_address": None},
    ),
    # A sent or waiting lifecycle message: its text names the person.
    PersonalData(
        "messaging.OutboundMessage", about=lambda p: Q(customer_id__in=p.ids), delete=True
    ),
    # A statement is a billing record: its figures stay, the documents naming the person go.
    PersonalData(
        "statements.Statement",
        about=lambda p: Q(customer_id__in=p.ids),
        scrub={"html_file": "", "pdf_file": ""},
        files=("html_file", "pdf_file"),
        kept={
            "period": BILLING_RECORD,
            "period_start": BILLING_RECORD,
            "period_end": BILLING_RECORD,
            "language": CODE,
            "currency": CODE,
        },
    ),
    # Field history goes last: it also holds what the overwriting above just recorded.
    PersonalData("history.CustomerChange", about=lambda p: Q(id__in=p.ids), delete=True),
    PersonalData("history.PartyChange", about=lambda p: Q(id__in=p.party_ids), delete=True),
    PersonalData(
        "history.ContactMediumChange",
        # Every row of each contact medium that ever belonged to them, even those recorded
        # while it belonged to another party (the party's own rows are among them).
        about=lambda p: Q(id__in=_contact_media_of(p.party_ids)),
        delete=True,
    ),
    PersonalData("history.ConsentChange", about=lambda p: Q(customer__in=p.ids), delete=True),
    PersonalData("history.PreferencesChange", about=lambda p: Q(customer__in=p.ids), delete=True),
)


def _contact_media_of(party_ids: list[int]) -> list[int]:
    """The ids of the contact media these parties ever held, read first: as a subquery ORed
    with the party's own rows it made PostgreSQL test every row of the table against it (over
    three minutes a chunk on a million customers)."""
    changes = apps.get_model("history", "ContactMediumChange")
    return list(changes.objects.filter(party__in=party_ids).values_list("id", flat=True).distinct())


def rules_by_model() -> dict[str, PersonalData]:
    return {rule.model_class._meta.label: rule for rule in RULES}


_PEOPLE = {"customers.Customer", "customers.Party"}
# Columns that hold a customer's or a party's id without being a relation (history keeps them
# as plain numbers so that a merge leaves what was alone).
_OWNER_COLUMNS = {"customer", "customer_id", "party", "party_id"}


def _is_about_a_customer(model: type[models.Model]) -> bool:
    tracked = getattr(model, "pgh_tracked_model", None)  # a field-history event model
    if tracked is not None and tracked._meta.label in _PEOPLE:
        return True
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model._meta.label in _PEOPLE:
            return True
        if model_field.name in _OWNER_COLUMNS:
            return True
    return False


def personal_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` that could hold something about a person: free text, JSON,
    binary, addresses, and dates that are not timestamps (a birth date is a DateField)."""
    names = []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.is_relation or model_field.choices:
            continue
        is_date = isinstance(model_field, models.DateField) and not isinstance(
            model_field, models.DateTimeField
        )
        if isinstance(model_field, _PERSONAL_KINDS) or is_date:
            names.append(model_field.name)
    return names


def personal_data_uncovered(candidates: Iterable[type[models.Model]] | None = None) -> list[str]:
    """What no rule speaks for: a model about a customer without a rule, or a field of one
    that could hold personal data and is neither scrubbed nor kept for a stated reason."""
    if candidates is None:
        candidates = [
            model
            for model in apps.get_models()
            if model._meta.app_label in OUR_APPS and not model._meta.abstract
        ]
    rules = rules_by_model()
    problems = []
    for model in candidates:
        label = model._meta.label
        rule = rules.get(label)
        if rule is None:
            if _is_about_a_customer(model):
                problems.append(f"{label} is about a customer but has no erasure rule")
            continue
        if rule.delete:
            continue
        spoken_for = set(rule.scrub) | set(rule.kept)
        problems += [
            f"{label}.{name} may hold personal data: scrub it or say why it is kept"
            for name in personal_fields(model)
            if name not in spoken_for
        ]
    return problems
