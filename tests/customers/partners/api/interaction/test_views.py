"""TMF683 partyInteraction: every operation, every answer checked against the spec."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import ActionLog, Interaction
from tests.customers.partners.api.conftest import tmf_error

from .conftest import recorded, touch_point

pytestmark = pytest.mark.django_db
Outcome = Interaction.Outcome


def _valid_list(response, tmf683) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    for item in body:
        tmf683.validate(item, "PartyInteraction")
    return body


class TestCreate:
    def test_a_partner_records_a_touch_point_with_its_customer(
        self, alpha_api, alpha_customer, tmf683
    ):
        response = alpha_api.post("/partyInteraction", touch_point(alpha_customer.number))

        assert response.status_code == 201, response.content
        body = response.json()
        tmf683.validate(body, "PartyInteraction")
        interaction = Interaction.objects.get(pk=body["id"])
        assert (interaction.customer, interaction.kind, interaction.channel) == (
            alpha_customer,
            "inquiry",
            "phone",
        )
        assert interaction.outcome == Outcome.RESOLVED and interaction.closed_at is not None
        assert interaction.staff is None and interaction.owner is None
        assert response["Location"] == body["href"]
        assert body["status"] == "completed"
        assert body["relatedParty"][0]["partyOrPartyRole"]["id"] == alpha_customer.number
        assert body["relatedChannel"][0]["channel"]["id"] == "phone"

    def test_the_action_log_names_the_partner_as_actor(self, alpha, alpha_api, alpha_customer):
        body = alpha_api.post("/partyInteraction", touch_point(alpha_customer.number)).json()

        entry = ActionLog.objects.get(action="interaction.recorded")
        assert entry.partner == alpha[0] and entry.actor is None
        assert entry.actor_label == "partner Alpha Mobile"
        assert entry.data["id"] == int(body["id"])

    def test_an_opened_interaction_waits_unassigned_with_its_start_date(
        self, alpha_api, alpha_customer, tmf683
    ):
        started = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
        response = alpha_api.post(
            "/partyInteraction",
            touch_point(
                alpha_customer.number,
                status="opened",
                interactionDate={"startDateTime": started.isoformat()},
            ),
        )

        assert response.status_code == 201, response.content
        tmf683.validate(response.json(), "PartyInteraction")
        interaction = Interaction.objects.get()
        assert interaction.outcome == Outcome.OPEN and interaction.closed_at is None
        assert interaction.occurred_at == started
        assert response.json()["interactionDate"] == {
            "startDateTime": started.isoformat().replace("+00:00", "Z")
        }

    def test_a_completed_interaction_keeps_the_end_it_was_sent_with(
        self, alpha_api, alpha_customer
    ):
        start = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
        end = start + timedelta(minutes=12)
        body = touch_point(
            alpha_customer.number,
            interactionDate={"startDateTime": start.isoformat(), "endDateTime": end.isoformat()},
        )

        response = alpha_api.post("/partyInteraction", body)

        assert response.status_code == 201, response.content
        assert Interaction.objects.get().closed_at == end

    def test_an_open_interaction_with_an_end_is_refused(self, alpha_api, alpha_customer, tmf683):
        now = timezone.now()
        body = touch_point(
            alpha_customer.number,
            status="inProgress",
            interactionDate={"startDateTime": now.isoformat(), "endDateTime": now.isoformat()},
        )

        error = tmf_error(alpha_api.post("/partyInteraction", body), 400, tmf683)

        assert "endDateTime" in error["message"]
        assert not Interaction.objects.exists()

    def test_an_unknown_reason_is_refused_listing_the_reasons(
        self, alpha_api, alpha_customer, tmf683
    ):
        response = alpha_api.post(
            "/partyInteraction", touch_point(alpha_customer.number, reason="gossip")
        )

        error = tmf_error(response, 400, tmf683)
        assert "reason" in error["message"] and "complaint" in error["message"]

    def test_a_channel_may_be_named_instead_of_given_by_id(self, alpha_api, alpha_customer):
        body = touch_point(alpha_customer.number)
        body["relatedChannel"][0]["channel"] = {"@type": "ChannelRef", "name": "Email"}

        response = alpha_api.post("/partyInteraction", body)

        assert response.status_code == 201, response.content
        assert Interaction.objects.get().channel == "email"

    def test_without_a_customer_the_interaction_is_refused(self, alpha_api, alpha_customer, tmf683):
        body = touch_point(alpha_customer.number)
        del body["relatedParty"]

        error = tmf_error(alpha_api.post("/partyInteraction", body), 400, tmf683)
        assert "relatedParty" in error["message"]

    def test_a_party_instead_of_the_customer_role_is_refused(
        self, alpha_api, alpha_customer, tmf683
    ):
        body = touch_point(alpha_customer.number)
        body["relatedParty"][0]["partyOrPartyRole"] = {
            "@type": "PartyRef",
            "id": str(alpha_customer.party_id),
            "@referredType": "Individual",
        }

        error = tmf_error(alpha_api.post("/partyInteraction", body), 400, tmf683)
        assert "PartyRoleRef" in error["message"]

    def test_an_interaction_in_the_future_is_refused_naming_the_tmf_attribute(
        self, alpha_api, alpha_customer, tmf683
    ):
        later = timezone.now() + timedelta(days=1)
        body = touch_point(
            alpha_customer.number, interactionDate={"startDateTime": later.isoformat()}
        )

        error = tmf_error(alpha_api.post("/partyInteraction", body), 400, tmf683)
        assert error["message"].startswith("interactionDate.startDateTime:")

    def test_sent_again_with_its_idempotency_key_it_is_recorded_once(
        self, alpha_api, alpha_customer
    ):
        alpha_api.headers["Idempotency-Key"] = "0b8f6a8e-4f7e-4c59-9f43-9e0c1a2b3c4d"
        first = alpha_api.post("/partyInteraction", touch_point(alpha_customer.number))
        again = alpha_api.post("/partyInteraction", touch_point(alpha_customer.number))

        assert (first.status_code, again.status_code) == (201, 201)
        assert again["Idempotent-Replayed"] == "true"
        assert Interaction.objects.count() == 1

    def test_a_read_only_token_cannot_record(self, alpha_customer, tmf683):
        from tests.customers.partners.api.conftest import (
            INTERACTION_API,
            READ_ONLY_SCOPES,
            ApiClient,
            partner_with_token,
        )

        _partner, token = partner_with_token("Reader", scopes=READ_ONLY_SCOPES)
        api = ApiClient(token, root=INTERACTION_API)

        tmf_error(api.post("/partyInteraction", touch_point(alpha_customer.number)), 403, tmf683)


class TestRead:
    def test_retrieve_answers_the_interaction(self, alpha_api, alpha_customer, tmf683):
        interaction = recorded(alpha_customer)

        response = alpha_api.get(f"/partyInteraction/{interaction.pk}")

        assert response.status_code == 200
        body = response.json()
        tmf683.validate(body, "PartyInteraction")
        assert body["status"] == "opened" and body["reason"] == "billing"
        assert body["description"] == "Called about the bill"
        assert "endDateTime" not in body["interactionDate"]

    def test_fields_limits_the_attributes(self, alpha_api, alpha_customer, tmf683):
        interaction = recorded(alpha_customer)

        body = alpha_api.get(f"/partyInteraction/{interaction.pk}", fields="status,reason").json()

        tmf683.validate(body, "PartyInteraction")
        assert set(body) == {"id", "href", "@type", "status", "reason"}

    def test_an_unknown_field_is_a_400(self, alpha_api, alpha_customer, tmf683):
        interaction = recorded(alpha_customer)
        response = alpha_api.get(f"/partyInteraction/{interaction.pk}", fields="mood")

        assert "mood" in tmf_error(response, 400, tmf683)["message"]

    def test_an_id_that_is_not_ours_is_a_404(self, alpha_api, tmf683):
        tmf_error(alpha_api.get("/partyInteraction/abc"), 404, tmf683)
        tmf_error(alpha_api.get("/partyInteraction/999999"), 404, tmf683)

    def test_the_list_pages_newest_first_with_counts(self, alpha_api, alpha_customer, tmf683):
        now = timezone.now()
        made = [
            recorded(alpha_customer, occurred_at=now - timedelta(hours=hours), summary=f"n{hours}")
            for hours in (3, 1, 2)
        ]

        response = alpha_api.get("/partyInteraction", offset=1, limit=1)

        body = _valid_list(response, tmf683)
        assert response["X-Total-Count"] == "3" and response["X-Result-Count"] == "1"
        assert [item["id"] for item in body] == [str(made[2].pk)]

    def test_the_list_filters_by_customer_status_direction_channel_reason_and_date(
        self, alpha_api, alpha, tmf683
    ):
        from tests.factories import CustomerFactory

        first = CustomerFactory(partner=alpha[0], family_name="First")
        second = CustomerFactory(partner=alpha[0], family_name="Second")
        now = timezone.now()
        complaint = recorded(
            first, kind="complaint", channel="email", occurred_at=now - timedelta(days=2)
        )
        outbound = recorded(first, direction="outbound", outcome=Outcome.RESOLVED)
        escalated = recorded(second, outcome=Outcome.ESCALATED, channel="chat")

        def ids(**params):
            return [
                item["id"]
                for item in _valid_list(alpha_api.get("/partyInteraction", **params), tmf683)
            ]

        assert ids(**{"relatedParty.id": first.number.lower()}) == [
            str(outbound.pk),
            str(complaint.pk),
        ]
        assert ids(status="inProgress") == [str(escalated.pk)]
        assert ids(status="opened,completed") == [str(outbound.pk), str(complaint.pk)]
        assert ids(direction="outbound") == [str(outbound.pk)]
        assert ids(reason="complaint") == [str(complaint.pk)]
        assert ids(relatedChannel="chat") == [str(escalated.pk)]
        assert ids(**{"relatedChannel.channel.id": "email"}) == [str(complaint.pk)]
        since = (now - timedelta(days=1)).isoformat()
        assert str(complaint.pk) not in ids(**{"interactionDate.startDateTime.gte": since})
        assert ids(**{"interactionDate.startDateTime.lt": since}) == [str(complaint.pk)]

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "closed"},
            {"reason": "gossip"},
            {"relatedChannel": "pigeon"},
            {"direction": "sideways"},
            {"interactionDate.startDateTime.gt": "yesterday"},
            {"customer": "C1"},
        ],
    )
    def test_a_wrong_filter_is_a_400_naming_what_to_use(self, alpha_api, tmf683, params):
        tmf_error(alpha_api.get("/partyInteraction", **params), 400, tmf683)

    def test_the_list_takes_a_fixed_number_of_queries_whatever_its_length(
        self, alpha_api, alpha, django_assert_max_num_queries
    ):
        from tests.factories import CustomerFactory

        for index in range(12):
            recorded(CustomerFactory(partner=alpha[0], family_name=f"Many{index}"))

        # Authentication, the count, the page's ids and its rows with their customers.
        with django_assert_max_num_queries(6):
            response = alpha_api.get("/partyInteraction", limit=50)
        assert len(response.json()) == 12


class TestPatch:
    def test_an_open_interaction_is_corrected_and_logged(self, alpha_api, alpha_customer, tmf683):
        interaction = recorded(alpha_customer)

        response = alpha_api.patch(
            f"/partyInteraction/{interaction.pk}",
            {"description": "Disputes the roaming charge", "reason": "complaint"},
        )

        assert response.status_code == 200, response.content
        tmf683.validate(response.json(), "PartyInteraction")
        interaction.refresh_from_db()
        assert (interaction.summary, interaction.kind) == (
            "Disputes the roaming charge",
            "complaint",
        )
        entry = ActionLog.objects.get(action="interaction.changed")
        assert entry.data["changed"] == ["kind", "summary"]

    def test_in_progress_then_completed_resolves_it_once_with_the_note(
        self, alpha_api, alpha_customer, tmf683
    ):
        interaction = recorded(alpha_customer)

        moving = alpha_api.patch(f"/partyInteraction/{interaction.pk}", {"status": "inProgress"})
        done = alpha_api.patch(
            f"/partyInteraction/{interaction.pk}",
            {"status": "completed", "note": [{"@type": "Note", "text": "Refund granted"}]},
        )

        assert moving.json()["status"] == "inProgress" and done.json()["status"] == "completed"
        tmf683.validate(done.json(), "PartyInteraction")
        interaction.refresh_from_db()
        assert interaction.outcome == Outcome.RESOLVED and interaction.closed_at is not None
        resolved = ActionLog.objects.get(action="interaction.resolved")
        assert resolved.data["note"] == "Refund granted"

    def test_an_escalated_one_stays_escalated_when_sent_its_own_status(
        self, alpha_api, alpha_customer
    ):
        interaction = recorded(alpha_customer, outcome=Outcome.ESCALATED)

        response = alpha_api.patch(f"/partyInteraction/{interaction.pk}", {"status": "inProgress"})

        assert response.status_code == 200
        interaction.refresh_from_db()
        assert interaction.outcome == Outcome.ESCALATED
        assert not ActionLog.objects.filter(action="interaction.changed").exists()

    def test_a_completed_interaction_is_kept_as_the_record(self, alpha_api, alpha_customer, tmf683):
        interaction = recorded(alpha_customer, outcome=Outcome.RESOLVED)

        response = alpha_api.patch(
            f"/partyInteraction/{interaction.pk}", {"description": "Rewritten history"}
        )

        assert "closed" in tmf_error(response, 409, tmf683)["message"]
        interaction.refresh_from_db()
        assert interaction.summary == "Called about the bill"

    def test_sending_a_completed_interaction_what_it_is_changes_nothing(
        self, alpha_api, alpha_customer, tmf683
    ):
        interaction = recorded(alpha_customer, outcome=Outcome.RESOLVED)

        response = alpha_api.patch(
            f"/partyInteraction/{interaction.pk}",
            {"status": "completed", "description": "Called about the bill"},
        )

        assert response.status_code == 200
        tmf683.validate(response.json(), "PartyInteraction")

    @pytest.mark.parametrize(
        "body, attribute",
        [
            ({"direction": "outbound"}, "direction"),
            ({"interactionDate": {"startDateTime": "2026-01-01T00:00:00Z"}}, "interactionDate"),
            ({"id": "5"}, "id"),
            ({"creationDate": "2026-01-01T00:00:00Z"}, "creationDate"),
            ({"attachment": []}, "attachment"),
            ({"note": [{"text": "no"}]}, "note"),
            ({"description": None}, "description"),
        ],
    )
    def test_what_cannot_be_changed_is_refused_by_name(
        self, alpha_api, alpha_customer, tmf683, body, attribute
    ):
        interaction = recorded(alpha_customer)

        response = alpha_api.patch(f"/partyInteraction/{interaction.pk}", body)

        assert attribute in tmf_error(response, 400, tmf683)["message"]

    def test_an_interaction_stays_with_its_customer(self, alpha_api, alpha, alpha_customer, tmf683):
        from tests.factories import CustomerFactory

        other = CustomerFactory(partner=alpha[0], family_name="Other")
        interaction = recorded(alpha_customer)
        body = touch_point(other.number)

        response = alpha_api.patch(
            f"/partyInteraction/{interaction.pk}", {"relatedParty": body["relatedParty"]}
        )

        tmf_error(response, 400, tmf683)
        interaction.refresh_from_db()
        assert interaction.customer == alpha_customer


class TestDelete:
    def test_deleting_an_interaction_is_refused_as_a_405(self, alpha_api, alpha_customer, tmf683):
        interaction = recorded(alpha_customer)

        error = tmf_error(alpha_api.delete(f"/partyInteraction/{interaction.pk}"), 405, tmf683)

        assert error["code"] == "not_deletable"
        assert Interaction.objects.filter(pk=interaction.pk).exists()


class TestStaff:
    def test_staff_read_every_partners_interactions_with_their_role(
        self, client, agent, alpha_customer, beta_customer, tmf683
    ):
        mine, theirs = recorded(alpha_customer), recorded(beta_customer)
        client.force_login(agent)

        response = client.get("/tmf-api/partyInteraction/v5/partyInteraction")

        ids = {item["id"] for item in _valid_list(response, tmf683)}
        assert ids == {str(mine.pk), str(theirs.pk)}

    def test_staff_are_told_why_an_interaction_is_not_deleted(
        self, client, agent, alpha_customer, tmf683
    ):
        interaction = recorded(alpha_customer)
        client.force_login(agent)

        response = client.delete(f"/tmf-api/partyInteraction/v5/partyInteraction/{interaction.pk}")

        assert tmf_error(response, 405, tmf683)["code"] == "not_deletable"
        assert Interaction.objects.filter(pk=interaction.pk).exists()

    def test_staff_without_the_interaction_permission_are_refused(
        self, client, alpha_customer, tmf683
    ):
        from tests.factories import UserFactory

        client.force_login(UserFactory(username="nobody", is_staff=True))

        response = client.get("/tmf-api/partyInteraction/v5/partyInteraction")

        tmf_error(response, 403, tmf683)


def test_the_openapi_document_describes_the_interaction_api(client):
    document = client.get("/tmf-api/partyInteraction/v5/openapi.json").json()

    assert document["info"]["title"] == "Party Interaction (TMF683 v5)"
    assert {
        "/tmf-api/partyInteraction/v5/partyInteraction",
        "/tmf-api/partyInteraction/v5/hub",
    } <= set(document["paths"])
