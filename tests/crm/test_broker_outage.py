"""A broker outage delays work and loses none.

With the broker on a closed port, a partner's create, a staff member's interaction, a suspension,
the resolution that triggers a survey, an import upload, "Run now" and a duplicate scan all
answer as usual, without a server error, and their changes are saved. Once the broker is back,
the sweep sends what waited, and a real worker does every piece of that work exactly once: the
hub hears each event once, each customer is rescored, the survey is sent once, and the import,
the scoring run and the scan each finish. How long each request takes with the broker away is
measured by ``bench/bench_outage.py``, not here.
"""

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from crm.celery import broker_pointed_at
from crm.handoff import handoffs_sweep
from crm.models import Handoff
from customers import roles
from customers.identity.models import DuplicateScan, ImportJob
from customers.models import Customer, Interaction
from customers.partners.services.hub import hub_subscribe
from customers.partners.services.partners import FULL_SCOPES, token_issue
from customers.services import ContactMediumInput, consent_record
from risk.models import RescoreRequest, ScoringRun
from satisfaction.models import Invitation
from satisfaction.services import survey_create
from tests.crm.test_handoff import CLOSED_PORT
from tests.customers.test_write_path import _wait_for
from tests.factories import CustomerFactory, PartnerFactory, UserFactory

CUSTOMERS_API = "/tmf-api/customerManagement/v5/customer"


@pytest.mark.broker
@override_settings(RISK_RESCORE_DELAY_SECONDS=0)
def test_a_broker_outage_delays_every_kind_of_work_and_loses_none(
    transactional_db, receiver, tasks_finished, request
):
    partner = PartnerFactory(name="Northwind")
    token = token_issue(partner=partner, name="sync", scopes=FULL_SCOPES, actor="test").secret
    hub_subscribe(partner=partner, actor="test", callback=receiver.url)
    survey_create(
        name="After support",
        kind="csat",
        trigger="touch_point",
        interaction_kinds=["complaint"],
        actor="test",
    )
    administrator = UserFactory(username="ada-admin")
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    customer = CustomerFactory(
        status=Customer.Status.ACTIVE,
        partner=partner,
        family_name="Held",
        contact_media=[ContactMediumInput(kind="email", value="held@example.com")],
    )
    consent_record(
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=True,
        source="web",
        actor=administrator,
    )
    staff = Client()
    staff.force_login(administrator)
    answers = {}

    with broker_pointed_at(CLOSED_PORT):
        answers["partner create"] = Client().post(
            CUSTOMERS_API,
            json.dumps(
                {
                    "@type": "Customer",
                    "engagedParty": {
                        "@type": "Individual",
                        "givenName": "Ada",
                        "familyName": "Outage",
                    },
                }
            ),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        answers["interaction"] = staff.post(
            reverse("customers:interaction_create", args=[customer.number]),
            {
                "channel": "phone",
                "direction": "inbound",
                "kind": "complaint",
                "summary": "No signal",
                "outcome": "open",
            },
        )
        interaction = Interaction.objects.get(customer=customer)
        answers["resolve"] = staff.post(
            reverse("customers:interaction_resolve", args=[customer.number, interaction.pk]),
            {"outcome": "resolved", "note": "Mast repaired"},
        )
        answers["suspend"] = staff.post(
            reverse("customers:lifecycle_action", args=[customer.number, "suspend"]),
            {"reason": "customer_request"},
        )
        answers["import"] = staff.post(
            reverse("identity:imports"),
            {
                "kind": "customers",
                "on_duplicate": "refuse",
                "file": SimpleUploadedFile(
                    "people.csv", b"external_ref,family_name\nX-1,Imported\n", "text/csv"
                ),
            },
        )
        answers["run now"] = staff.post(reverse("risk:run_start"), {"newest_run": 0})
        answers["scan"] = staff.post(reverse("identity:duplicate_scans"))

        statuses = {door: response.status_code for door, response in answers.items()}
        assert all(status < 500 for status in statuses.values()), statuses
        assert statuses["partner create"] == 201
        customer.refresh_from_db()
        assert customer.status == Customer.Status.SUSPENDED
        waiting = Counter(Handoff.objects.values_list("task", flat=True))
        assert waiting["customers.partners.tasks.hub_delivery_send"] == 2  # created, suspended
        assert waiting["satisfaction.tasks.survey_trigger"] == 1
        # Each customer concerned has one rescore asked for, whatever the events on them.
        to_rescore = {(pk,) for pk in RescoreRequest.objects.values_list("customer_id", flat=True)}
        assert (customer.pk,) in to_rescore
        assert waiting["crm.jobs.tasks.job_dispatch"] == 3  # the import, the run, the scan

    # The broker is back: a worker starts and the sweep sends everything that waited.
    worker = request.getfixturevalue("worker")
    assert worker is not None
    assert handoffs_sweep(older_than=timedelta(0)) == sum(waiting.values())
    assert not Handoff.objects.exists()

    def all_done():
        return (
            not ImportJob.objects.filter(status__in=["queued", "running"]).exists()
            and not ScoringRun.objects.filter(status__in=["queued", "running"]).exists()
            and not DuplicateScan.objects.filter(status__in=["queued", "running"]).exists()
            and Invitation.objects.filter(status="sent").exists()
            and not RescoreRequest.objects.exists()
            and receiver.received.qsize() >= waiting["customers.partners.tasks.hub_delivery_send"]
            # A task's rows are written before the worker reports the task finished.
            and any(name.endswith(".invitation_send") for name, _, _ in tasks_finished)
        )

    _wait_for(all_done)
    assert all_done(), (list(Handoff.objects.all()), tasks_finished)
    events = receiver.events()
    event_ids = Counter(event["eventId"] for event in events)
    assert event_ids and set(event_ids.values()) == {1}, event_ids
    assert ImportJob.objects.get().status == "done"
    assert ScoringRun.objects.get().status == "done"
    assert DuplicateScan.objects.get().status == "done"
    invitation = Invitation.objects.get()
    assert invitation.customer == customer and invitation.status == "sent"
    sends = [args for name, args, _ in tasks_finished if name.endswith(".invitation_send")]
    assert sends == [(invitation.pk,)]
    assert [message.to for message in mail.outbox] == [["held@example.com"]]
    assert not Handoff.objects.exists()
