"""Subject access: a manager writes a copy of everything held about a customer from the
customer page; the JSON holds every kind of data under stable names, the HTML document is
escaped, each download needs its permission and is logged, a failure is shown as such, and the
number of queries does not grow with the rows."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.identity.services.merge import customers_merge
from customers.models import ActionLog
from customers.services import consent_record, interaction_record
from customers.services.billing import invoice_record, payment_record
from customers.services.lifecycle import customer_terminate
from privacy import erasure, holds
from privacy.access import access_record
from privacy.models import AccessLogEntry, SubjectAccessExport
from privacy.personal import rules_by_model
from privacy.subject_access import SECTIONS, subject_access_expire, subject_access_write
from privacy.subject_access_apps import NOT_EXPORTED
from risk.models import RiskModel
from risk.services import customer_rescore
from satisfaction import services as satisfaction_services
from tests.factories import CustomerFactory, UserFactory
from work import services as work_services

# The copy is written by a task: here, in the test's own process even where a broker is set.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def person(make_customer_with_every_row, agent, manager):
    """Greta Grünewald: a customer with rows of every kind, made through the services."""
    customer = make_customer_with_every_row(
        given_name="Greta",
        family_name="Grünewald",
        birth_date=datetime.date(1970, 5, 17),
        national_id="QQ123456C",
        email="greta@example.org",
        phone="+447911298765",
        reference="SAR",
        amount=Decimal("29.90"),
        interaction_kind="billing",
        interaction_summary="Asked why the bill went up",
        comment="Too expensive",
        task_title="Call Greta back",
        note="Prefers mornings",
        sister_name="Hanna",
    )
    duplicate = CustomerFactory(
        given_name="Greta", family_name="Gruenewald", partner=customer.partner, actor=agent
    )
    customers_merge(survivor=customer, merged=duplicate, actor=manager)
    access_record(customer_id=customer.pk, actor=agent, what=AccessLogEntry.What.PAGE)
    customer = customer_terminate(customer=customer, actor=manager, reason="voluntary_churn")
    asked = erasure.erasure_request(customer=customer, reason="Letter of 3 December", actor=agent)
    erasure.erasure_refuse(request=asked, refusal="A claim is pending", actor=manager)
    holds.legal_hold_set(customer=customer, reason="Billing dispute 2026/7", actor=manager)
    customer.refresh_from_db()
    return customer


def _export(client, user, customer, django_capture_on_commit_callbacks) -> SubjectAccessExport:
    """Ask for a copy from the customer page, as ``user``; the task runs once it commits."""
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:subject_access_start", args=[customer.number]))
    export = SubjectAccessExport.objects.get(customer=customer, pk=response.url.split("/")[-2])
    assert response.url == reverse("privacy:subject_access", args=[export.pk])
    return export


def _document(export: SubjectAccessExport, kind: str):
    content = (Path(settings.MEDIA_ROOT) / getattr(export, f"{kind}_file")).read_text()
    return json.loads(content) if kind == "json" else content


@pytest.fixture
def written(client, manager, person, django_capture_on_commit_callbacks):
    export = _export(client, manager, person, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "done", export.error
    return export


def test_the_copy_holds_every_kind_of_data_field_by_field(written, person, manager, agent):
    data = _document(written, "json")

    assert data["customer_number"] == person.number
    assert data["exported_at"].startswith(str(timezone.localdate().year))
    assert [key for key in data if key not in ("customer_number", "exported_at")] == [
        section.key for section in SECTIONS
    ]
    assert data["customer"]["number"] == person.number
    assert data["customer"]["status"] == "terminated"
    assert data["customer"]["partner"] == "Northwind"
    assert data["customer"]["account_manager"] == "margaret"
    assert data["party"]["given_name"] == "Greta"
    assert data["party"]["family_name"] == "Grünewald"
    assert data["party"]["birth_date"] == "1970-05-17"
    assert data["party"]["national_id"] == "QQ123456C"
    assert "name_key" not in data["party"]
    assert [n["number"] for n in data["former_numbers"]] == [
        number for number in person.aliases.values_list("number", flat=True)
    ]
    assert {(c["kind"], c["value"]) for c in data["contact_media"]} == {
        ("email", "greta@example.org"),
        ("mobile", "+447911298765"),
    }
    sms = [c for c in data["consents"] if c["channel"] == "sms"]
    assert [(c["purpose"], c["granted"], c["source"], c["recorded_by"]) for c in sms] == [
        ("marketing", False, "call_centre", "alice")
    ]
    sms_history = [c for c in data["consent_history"] if c["channel"] == "sms"]
    assert [(c["granted"], c["previous"], c["source"], c["recorded_by"]) for c in sms_history] == [
        (True, None, "store", "alice"),
        (False, True, "call_centre", "alice"),
    ]
    assert data["communication_preferences"]["contact_on_weekends"] is True
    assert data["communication_preferences"]["language"] == "en"
    statuses = [event["to_status"] for event in data["lifecycle_events"]]
    assert statuses[0] == "lead" and statuses[-1] == "terminated" and "active" in statuses
    (relationship,) = data["relationships"]
    assert relationship["kind"] == "household"
    assert relationship["from_customer"] == person.number
    (interaction,) = [i for i in data["interactions"] if i["kind"] == "billing"]
    assert (interaction["kind"], interaction["summary"], interaction["staff"]) == (
        "billing",
        "Asked why the bill went up",
        "alice",
    )
    (subscription,) = data["subscriptions"]
    assert subscription["product"] == "Mobile Max"
    assert subscription["product_code"] == "MOB-SAR"
    assert subscription["monthly_charge"] == "29.90"
    assert subscription["start_date"] == "2026-01-01"
    (invoice,) = data["invoices"]
    assert (invoice["number"], invoice["amount"], invoice["paid_on"]) == (
        "INV-SAR-1",
        "29.90",
        "2026-02-10",
    )
    (payment,) = data["payments"]
    assert (payment["invoice"], payment["amount"], payment["method"]) == (
        "INV-SAR-1",
        "29.90",
        "card",
    )
    latest = person.latest_scores
    assert data["latest_scores"]["credit_score"] == latest.credit_score
    assert data["latest_scores"]["lifetime_value"] == str(latest.lifetime_value)
    (score,) = data["scores"]
    versions = {f"{m.kind} v{m.version}" for m in RiskModel.objects.filter(is_active=True)}
    assert set(score["model_versions"].values()) == versions
    assert set(score["reasons"]) == {"churn", "credit", "fraud", "influence", "value"}
    assert "models_used" not in score
    (application,) = data["credit_applications"]
    assert application["characteristics"] == {"months_employed": 40}
    (invitation,) = data["survey_invitations"]
    assert (invitation["survey"], invitation["address"], invitation["status"]) == (
        "Support NPS",
        "greta@example.org",
        "responded",
    )
    (answer,) = data["survey_answers"]
    assert (answer["invitation"], answer["score"], answer["comment"]) == (
        invitation["id"],
        2,
        "Too expensive",
    )
    (follow_up,) = data["survey_follow_ups"]
    assert follow_up["response"] == answer["id"]
    assert follow_up["assigned_to"] == "margaret"
    assert {t["title"] for t in data["tasks"]} >= {"Call Greta back"}
    assert follow_up["task"] in {t["id"] for t in data["tasks"]}
    (note,) = data["notes"]
    assert (note["text"], note["author"]) == ("Prefers mornings", "alice")
    actions = [entry["action"] for entry in data["audit_log"]]
    assert {"consent.granted", "consent.withdrawn", "note.added", "customer.merged"} <= set(actions)
    assert "subject_access.requested" in actions
    assert data["hub_events"] and all(e["partner"] == "Northwind" for e in data["hub_events"])
    assert data["hub_events"][0]["event_id"].count("-") == 4
    (access,) = data["access_log"]
    assert (access["what"], access["actor_label"]) == ("page", "alice")
    (erasure_request,) = data["erasure_requests"]
    assert (erasure_request["status"], erasure_request["requested_by"]) == ("refused", "alice")
    assert erasure_request["refusal"] == "A claim is pending"
    assert data["legal_hold"]["reason"] == "Billing dispute 2026/7"
    assert data["legal_hold"]["set_by"] == "margaret"
    if connection.vendor == "postgresql":  # the field history is written by triggers there
        assert "Greta" in {change["given_name"] for change in data["party_changes"]}
        assert "greta@example.org" in {change["value"] for change in data["contact_media_changes"]}
    (itself,) = data["subject_access_exports"]
    assert (itself["id"], itself["status"], itself["requested_by"]) == (
        written.pk,
        "queued",
        "margaret",
    )


def test_dates_are_iso_and_amounts_exact_strings(written):
    data = _document(written, "json")

    interaction = data["interactions"][0]
    assert datetime.datetime.fromisoformat(interaction["occurred_at"]).tzinfo is not None
    assert data["invoices"][0]["due_on"] == "2026-02-14"
    assert isinstance(data["payments"][0]["amount"], str)


def test_the_document_has_a_heading_per_section_the_number_and_the_date(written, person):
    document = _document(written, "html")

    assert f"Data held about customer {person.number}" in document
    assert f"Written on {timezone.localdate():%Y-%m-%d}" in document
    for section in SECTIONS:
        assert f'<h2 id="{section.key}">' in document
    assert "Too expensive" in document
    # Codes read as what they mean.
    assert "Call centre" in document


def test_the_document_escapes_hostile_names(
    client, manager, agent, django_capture_on_commit_callbacks
):
    hostile = CustomerFactory(
        given_name='<script>alert("x")</script>', family_name="O'Brien & <b>Sons</b>", actor=agent
    )
    work_services.note_add(customer=hostile, text='<img src=x onerror="alert(1)">', actor=agent)

    export = _export(client, manager, hostile, django_capture_on_commit_callbacks)
    document = _document(SubjectAccessExport.objects.get(pk=export.pk), "html")

    assert "<script>alert" not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in document
    assert "<img src=x" not in document
    assert "&lt;b&gt;Sons&lt;/b&gt;" in document


def test_every_field_of_every_exported_model_is_exported_or_left_out_on_purpose():
    said = {}
    for section in SECTIONS:
        spoken = said.setdefault(section.model, set())
        spoken |= {*section.columns, *section.joined, *section.left_out}
    unspoken = {
        f"{label}.{model_field.name}"
        for label, spoken in said.items()
        for model_field in apps.get_model(label)._meta.concrete_fields
        if model_field.name not in spoken
    }

    assert unspoken == set()


def test_every_table_erasure_knows_about_is_in_the_copy_or_named_as_not():
    exported = {apps.get_model(section.model)._meta.label for section in SECTIONS}

    assert set(rules_by_model()) - exported - set(NOT_EXPORTED) == set()


def test_downloading_writes_an_access_entry_and_an_audit_entry(client, written, person, manager):
    client.force_login(manager)
    AccessLogEntry.objects.all().delete()

    response = client.get(reverse("privacy:subject_access_download", args=[written.pk, "html"]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{person.number}-data-" in response["Content-Disposition"]
    assert b"Data held about customer" in b"".join(response.streaming_content)
    entry = AccessLogEntry.objects.get()
    assert (entry.customer, entry.actor, entry.what) == (person, manager, "subject_access")
    audit = ActionLog.objects.filter(customer=person, action="subject_access.downloaded").get()
    assert audit.actor == manager
    assert audit.data == {"export": written.pk, "file": "html"}


def test_downloading_needs_the_permission(client, written, agent):
    viewer = UserFactory(username="vera")
    viewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="privacy", codename="view_subjectaccessexport"
        )
    )
    for user in (agent, viewer):
        client.force_login(user)
        response = client.get(reverse("privacy:subject_access_download", args=[written.pk, "json"]))
        assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(what="subject_access").exists()


def test_the_export_page_links_both_files_and_says_when_they_go(client, written, manager):
    client.force_login(manager)

    response = client.get(reverse("privacy:subject_access", args=[written.pk]))

    assert reverse("privacy:subject_access_download", args=[written.pk, "json"]) in response.text
    assert reverse("privacy:subject_access_download", args=[written.pk, "html"]) in response.text
    assert "The files are deleted on" in response.text


def test_the_customer_page_lists_the_copies_and_offers_a_new_one(client, written, person, manager):
    client.force_login(manager)

    response = client.get(person.get_absolute_url())

    assert reverse("privacy:subject_access_start", args=[person.number]) in response.text
    assert reverse("privacy:subject_access", args=[written.pk]) in response.text


def test_agents_see_no_copies_and_may_not_ask_for_one(client, agent, person):
    client.force_login(agent)

    page = client.get(person.get_absolute_url())
    start = client.post(reverse("privacy:subject_access_start", args=[person.number]))

    assert "Copy of their data" not in page.text
    assert start.status_code == 403


def test_a_second_click_finds_the_copy_being_written(client, manager, person):
    client.force_login(manager)
    url = reverse("privacy:subject_access_start", args=[person.number])

    first, second = client.post(url), client.post(url)

    assert first.url == second.url
    export = SubjectAccessExport.objects.get()
    assert export.status == "queued"
    status = client.get(reverse("privacy:subject_access_status", args=[export.pk])).json()
    assert status == {"status": "queued", "status_label": "Being written", "percent": 0}


def test_a_failing_export_shows_failed_not_a_server_error(
    client, manager, person, settings, tmp_path, django_capture_on_commit_callbacks
):
    # The media folder is a file: no folder can be made in it.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.write_text("not a folder")

    export = _export(client, manager, person, django_capture_on_commit_callbacks)
    page = client.get(reverse("privacy:subject_access", args=[export.pk]))

    export.refresh_from_db()
    assert export.status == "failed"
    assert export.error
    assert page.status_code == 200
    assert "Writing the copy failed" in page.text


def test_the_files_are_deleted_after_the_export_keep_days(client, written, manager, settings):
    paths = [Path(settings.MEDIA_ROOT) / name for name in (written.json_file, written.html_file)]
    assert all(path.exists() for path in paths)

    kept = subject_access_expire(now=timezone.now() + datetime.timedelta(days=1))
    deleted = subject_access_expire(
        now=timezone.now() + datetime.timedelta(days=settings.CRM_EXPORT_KEEP_DAYS, hours=1)
    )

    assert (kept, deleted) == (0, 2)
    assert not any(path.exists() for path in paths)
    client.force_login(manager)
    page = client.get(reverse("privacy:subject_access", args=[written.pk]))
    assert "The files were deleted" in page.text
    gone = client.get(reverse("privacy:subject_access_download", args=[written.pk, "json"]))
    assert gone.status_code == 404


def _more_of_everything(customer, agent, manager, invite, nps_survey, settings):
    """A second row of each list kind the customer has."""
    settings.SATISFACTION_FATIGUE_DAYS = 0
    consent_record(
        customer=customer,
        channel="email",
        purpose="marketing",
        granted=True,
        source="web",
        actor=agent,
    )
    interaction_record(
        customer=customer,
        channel="email",
        direction="outbound",
        kind="sales",
        summary="Offered a bundle",
        actor=agent,
    )
    invoice = invoice_record(
        customer=customer,
        number="INV-SAR-2",
        period_start=datetime.date(2026, 2, 1),
        issued_on=datetime.date(2026, 2, 28),
        due_on=datetime.date(2026, 3, 14),
        amount=Decimal("29.90"),
        actor=agent,
    )
    payment_record(
        customer=customer,
        amount=Decimal("29.90"),
        received_on=datetime.date(2026, 3, 10),
        method="card",
        reference="PAY-SAR-2",
        actor=agent,
        invoice=invoice,
    )
    customer_rescore(customer=customer)
    satisfaction_services.response_submit(
        invitation=invite(nps_survey, customer, key="interaction:2"), score=1, comment="Still"
    )
    work_services.note_add(customer=customer, text="Call after 10", actor=agent)
    access_record(customer_id=customer.pk, actor=manager, what=AccessLogEntry.What.PAGE)


def test_the_queries_do_not_grow_with_the_rows(
    person, agent, manager, invite, nps_survey, settings, django_assert_max_num_queries
):
    def write() -> int:
        export = SubjectAccessExport.objects.create(customer=person, requested_at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            assert subject_access_write(export_id=export.pk).status == "done"
        return len(queries)

    few = write()
    _more_of_everything(person, agent, manager, invite, nps_survey, settings)

    export = SubjectAccessExport.objects.create(customer=person, requested_at=timezone.now())
    with django_assert_max_num_queries(few):
        subject_access_write(export_id=export.pk)
    # One query per section, and a few for the export itself.
    assert few <= len(SECTIONS) + 6
