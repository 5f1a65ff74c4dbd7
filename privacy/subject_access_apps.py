"""What a subject-access export holds from the apps around the customer core: scores, surveys,
work, partner events, data rights, and the field history of the core's own tables."""

from django.apps import apps
from django.db.models import Q

from customers.history.models import (
    CONSENT_FIELDS,
    CONTACT_MEDIUM_FIELDS,
    CUSTOMER_FIELDS,
    PARTY_FIELDS,
    PREFERENCES_FIELDS,
)

from .subject_access_sections import Section, own, owned, tracked


def _model_versions() -> dict:
    risk_model = apps.get_model("risk.RiskModel")
    return {
        "versions": {
            pk: f"{kind} v{version}"
            for pk, kind, version in risk_model.objects.values_list("pk", "kind", "version")
        }
    }


def _score(row: dict, context: dict) -> dict:
    versions = context["versions"]
    used = row.pop("models_used") or {}
    return row | {"model_versions": {kind: versions.get(pk, pk) for kind, pk in used.items()}}


SCORE_COLUMNS = (
    "id",
    "scored_at",
    "churn_risk",
    "credit_score",
    "credit_rating",
    "fraud_risk",
    "influence",
    "lifetime_value",
    "network_reach",
    "reasons",
    "models_used",
)


APP_SECTIONS: tuple[Section, ...] = (
    owned(
        key="scores",
        title="Score history, with reasons and model versions",
        model="risk.CustomerScore",
        columns=SCORE_COLUMNS,
        prepare=_model_versions,
        shape=_score,
        # Which nightly run wrote the scores: our bookkeeping, the date is in scored_at.
        left_out=("run",),
    ),
    owned(
        key="credit_applications",
        title="Credit applications",
        model="risk.CreditApplication",
        columns=("id", "applied_on", "characteristics", "external_ref"),
    ),
    owned(
        key="survey_invitations",
        title="Survey invitations",
        model="satisfaction.Invitation",
        columns=(
            "id",
            "touch_point",
            "channel",
            "address",
            "language",
            "segment",
            "status",
            "created_at",
            "sent_at",
            "reminded_at",
            "expires_at",
            "closed_at",
        ),
        joined={"survey": "survey__name"},
        # The wording version and the code of what triggered it are ours.
        left_out=("survey_version", "trigger_key"),
    ),
    owned(
        key="survey_answers",
        title="Survey answers",
        model="satisfaction.Response",
        columns=(
            "id",
            "invitation",
            "kind",
            "score",
            "sentiment",
            "comment",
            "follow_up_answers",
            "language",
            "channel",
            "touch_point",
            "segment",
            "responded_at",
        ),
        joined={"survey": "survey__name"},
        left_out=("survey_version",),
    ),
    owned(
        key="survey_follow_ups",
        title="Follow-ups of survey answers",
        model="satisfaction.FollowUp",
        columns=(
            "id",
            "response",
            "task",
            "reason",
            "due_on",
            "status",
            "outcome",
            "note",
            "created_at",
            "closed_at",
        ),
        joined={"assigned_to": "assigned_to__username", "closed_by": "closed_by__username"},
    ),
    owned(
        key="portal_sign_ins",
        title="Sign-ins to the customer portal",
        model="portal.PortalSignIn",
        columns=("id", "outcome", "at", "ip_address"),
        # A keyed hash of the address typed in, which says nothing without our key.
        left_out=("address_digest",),
    ),
    owned(
        key="lifecycle_messages",
        title="Messages sent about the relationship",
        model="messaging.OutboundMessage",
        columns=(
            "id",
            "event",
            "channel",
            "address",
            "language",
            "subject",
            "body",
            "status",
            "created_at",
            "due_at",
            "sent_at",
            "interaction",
            "attachment_filename",
        ),
        # How the sending went, for us: claims, tries and the mail server's last answer; where
        # the attached statement is stored (the statement is a section of its own).
        left_out=("claimed_at", "attempts", "last_error", "attachment_name", "attachment_type"),
    ),
    owned(
        key="statements",
        title="Statements",
        model="statements.Statement",
        columns=(
            "id",
            "period",
            "period_start",
            "period_end",
            "frequency",
            "format",
            "itemised",
            "language",
            "currency",
            "opening_balance",
            "invoiced",
            "paid",
            "closing_balance",
            "invoice_count",
            "payment_count",
            "generated_at",
            "delivered_at",
        ),
        # The documents hold these same figures; the run is our bookkeeping.
        left_out=("html_file", "pdf_file", "run"),
    ),
    owned(
        key="tasks",
        title="Tasks",
        model="work.Task",
        columns=(
            "id",
            "title",
            "kind",
            "priority",
            "state",
            "due_on",
            "created_at",
            "updated_at",
            "closed_at",
        ),
        joined={
            "owner": "owner__username",
            "created_by": "created_by__username",
            "closed_by": "closed_by__username",
        },
        # A page of ours where the task is closed.
        left_out=("closed_on_page",),
    ),
    owned(
        key="notes",
        title="Notes",
        model="work.Note",
        columns=("id", "text", "pinned", "created_at"),
        joined={"author": "author__username"},
    ),
    Section(
        key="hub_events",
        title="Events sent to partners",
        model="partners.HubEvent",
        about=own,
        columns=("id", "event_id", "api", "event_type", "payload", "occurred_at"),
        joined={"partner": "partner__name"},
        left_out=("customer_id",),
    ),
    owned(
        key="access_log",
        title="Who looked at this data",
        model="privacy.AccessLogEntry",
        columns=("id", "what", "actor_label", "at"),
        left_out=("actor",),
    ),
    owned(
        key="erasure_requests",
        title="Requests to be forgotten",
        model="privacy.ErasureRequest",
        columns=(
            "id",
            "status",
            "reason",
            "requested_at",
            "decided_at",
            "refusal",
            "report",
        ),
        joined={"requested_by": "requested_by__username", "decided_by": "decided_by__username"},
    ),
    owned(
        key="legal_hold",
        title="Legal hold",
        model="privacy.LegalHold",
        single=True,
        columns=("reason", "set_at"),
        joined={"set_by": "set_by__username"},
        left_out=("id",),
    ),
    owned(
        key="subject_access_exports",
        title="Earlier copies of this data",
        model="privacy.SubjectAccessExport",
        columns=("id", "requested_at", "status", "finished_at"),
        joined={"requested_by": "requested_by__username"},
        # Names of our files, and why writing one failed.
        left_out=("json_file", "html_file", "error"),
    ),
)


def _field_history(key: str, title: str, model: str, about, fields, **joined) -> Section:
    """The earlier values of a table's tracked ``fields`` (customers.history): one row per
    insert, change or delete, written by a database trigger."""
    return Section(
        key=key,
        title=title,
        model=model,
        about=about,
        columns=("pgh_id", "pgh_created_at", "pgh_label", *tracked(fields, leaving=(*joined,))),
        renamed={"pgh_id": "id", "pgh_created_at": "at", "pgh_label": "change"},
        joined=joined,
        # The row the change is of is the customer's own (``id``, a plain number that survives a
        # merge); the transaction and its context (who changed it) are in the audit trail's
        # entry of the same change.
        left_out=("id", "pgh_txid", "pgh_context", "customer", "party"),
    )


FIELD_HISTORY_SECTIONS: tuple[Section, ...] = (
    _field_history(
        "customer_changes",
        "Earlier values: customer",
        "history.CustomerChange",
        lambda c: Q(id=c.pk),
        CUSTOMER_FIELDS,
        account_manager="account_manager__username",
        partner="partner__name",
    ),
    _field_history(
        "party_changes",
        "Earlier values: person or organisation",
        "history.PartyChange",
        lambda c: Q(id=c.party_id),
        PARTY_FIELDS,
    ),
    _field_history(
        "contact_media_changes",
        "Earlier values: contact details",
        "history.ContactMediumChange",
        # By the party: a removed contact medium's own row is gone.
        lambda c: Q(party=c.party_id),
        CONTACT_MEDIUM_FIELDS,
    ),
    _field_history(
        "consent_changes",
        "Earlier values: consents",
        "history.ConsentChange",
        lambda c: Q(customer=c.pk),
        CONSENT_FIELDS,
    ),
    _field_history(
        "preferences_changes",
        "Earlier values: communication preferences",
        "history.PreferencesChange",
        lambda c: Q(customer=c.pk),
        PREFERENCES_FIELDS,
    ),
)


# Kept about a customer elsewhere, and why it is not in the export.
NOT_EXPORTED = {
    "identity.IdentityKey": "search keys derived from the names and contact details exported",
    "identity.DuplicateCandidate": "a staff work item pairing two records, no data of its own",
    "risk.RescoreRequest": "a queue entry asking for a rescore, removed once scored",
    "risk.SharedKeyCount": "counts of a scoring run, reflected in the fraud score exported",
    "customers.BulkActionRefusal": "why a staff bulk action skipped the customer, short-lived",
    "work.Notification": "a notice to a staff member, about their work",
    "partners.IdempotentRequest": "a partner's repeated request kept a day, already in the export",
    "portal.SignInCode": "a one-time sign-in code, kept only as a keyed hash for minutes",
}
