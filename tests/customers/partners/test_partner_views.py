from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import ActionLog, Partner
from customers.partners.models import ApiToken, HubDelivery, HubEvent, HubSubscription
from customers.partners.selectors import DELIVERY_PAGE_SIZE
from customers.partners.services.partners import token_authenticate, token_issue, token_revoke
from customers.partners.views import SECRET_SESSION_KEY, SECRET_WAITS
from tests.factories import CustomerFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Partner.Status
LIST = reverse("partners:list")
NEW = reverse("partners:create")
DELIVERIES = reverse("partners:deliveries")
# Nothing listens on the discard port: a replayed delivery fails fast and is recorded.
DEAD_CALLBACK = "http://127.0.0.1:9/"

APPLICATION = {
    "name": "Blue MVNO",
    "registration_number": "gb 123",
    "contact_name": "Dana Ops",
    "contact_email": "ops@blue.example",
    "website": "https://blue.example",
    "notes": "Met at the wholesale fair.",
    "rate_limit_per_minute": "300",
}


def _detail(partner):
    return reverse("partners:detail", args=[partner.pk])


def _action(partner, action):
    return reverse("partners:action", args=[partner.pk, action])


def _token(partner, actor, *, name="billing sync", scopes=(ApiToken.Scope.READ,)):
    return token_issue(partner=partner, name=name, scopes=list(scopes), actor=actor)


def _hub(partner, *, callback=DEAD_CALLBACK, **fields):
    return HubSubscription.objects.create(
        partner=partner, callback=callback, secret="s" * 32, **fields
    )


def _delivery(hub, *, customer_id=1, event_type="CustomerStateChangeEvent", **fields):
    event = HubEvent.objects.create(
        event_type=event_type,
        customer_id=customer_id,
        partner=hub.partner,
        payload={"eventType": event_type, "event": {"customer": {"id": str(customer_id)}}},
    )
    return HubDelivery.objects.create(event=event, subscription=hub, **fields)


def _dead(hub, **fields):
    return _delivery(
        hub,
        status=HubDelivery.Status.DEAD,
        attempts=8,
        response_status=503,
        last_error="HTTP 503 Service Unavailable",
        **fields,
    )


# --- Reading ------------------------------------------------------------------------------------


def test_the_partner_list_shows_each_partner_with_its_customer_count(client, agent):
    blue = PartnerFactory(name="Blue MVNO")
    PartnerFactory(name="Green Resale")
    CustomerFactory(actor=agent, partner=blue)
    CustomerFactory(actor=agent, partner=blue)
    client.force_login(agent)

    response = client.get(LIST)

    assert response.status_code == 200
    counts = {p.name: p.customer_count for p in response.context["page"].rows}
    assert counts == {"Blue MVNO": 2, "Green Resale": 0}
    assert "Partners</a>" in response.content.decode()


def test_the_partner_list_filters_by_status_and_searches_by_name(client, agent):
    PartnerFactory(name="Blue MVNO")
    PartnerFactory(name="Blue Wholesale", status=Status.APPLIED)
    PartnerFactory(name="Green Resale", status=Status.APPLIED)
    client.force_login(agent)

    def names(**query):
        return [p.name for p in client.get(LIST, query).context["page"].rows]

    assert names(q="blue", sort="name") == ["Blue MVNO", "Blue Wholesale"]
    assert names(status="applied", sort="name") == ["Blue Wholesale", "Green Resale"]
    assert names(q="blue", status="applied") == ["Blue Wholesale"]


def test_the_partner_list_shows_the_newest_application_first(client, agent):
    older = PartnerFactory(name="Older")
    Partner.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    PartnerFactory(name="Newer")
    client.force_login(agent)

    rows = client.get(LIST).context["page"].rows

    assert [p.name for p in rows] == ["Newer", "Older"]


def test_the_partner_list_runs_a_bounded_number_of_queries(
    client, agent, django_assert_max_num_queries
):
    for n in range(25):
        CustomerFactory(actor=agent, partner=PartnerFactory(name=f"Partner {n:02}"))
    client.force_login(agent)

    # The page's own reads, its saved views and the groups they may be shared with, and the
    # header's unread notifications count; none of them grows with the rows.
    with django_assert_max_num_queries(9):
        response = client.get(LIST)

    assert len(response.context["page"].rows) == 25


def test_an_agent_can_read_a_partners_page(client, agent):
    partner = PartnerFactory(name="Blue MVNO", contact_email="ops@blue.example")
    _token(partner, agent)
    _hub(partner, query="eventType=CustomerCreateEvent")
    client.force_login(agent)

    response = client.get(_detail(partner))

    text = response.content.decode()
    assert response.status_code == 200
    assert "ops@blue.example" in text
    assert f"crm_{partner.tokens.get().prefix}_…" in text
    assert "CustomerCreateEvent" in text  # the events its hub asks for
    assert "partner.token_issued" in text
    # Reading is all an agent may do: no lifecycle buttons, no token actions.
    assert response.context["actions"] == []
    assert "Rotate" not in text


def test_an_unknown_partner_is_a_404(client, agent):
    client.force_login(agent)

    assert client.get(reverse("partners:detail", args=[999_999])).status_code == 404


def test_the_partners_page_shows_its_recent_activity_newest_first(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    client.post(_action(partner, "suspend"), {"reason": "unpaid fees"})
    client.post(_action(partner, "reinstate"))

    activity = client.get(_detail(partner)).context["activity"]

    assert [a.action for a in activity] == ["partner.reinstate", "partner.suspend"]


# --- Permissions --------------------------------------------------------------------------------


def _pages_an_agent_may_not_open(partner, token, delivery):
    return [
        NEW,
        reverse("partners:edit", args=[partner.pk]),
        _action(partner, "validate"),
        _action(partner, "terminate"),
        reverse("partners:token_issue", args=[partner.pk]),
        reverse("partners:token_secret", args=[partner.pk, token.pk]),
        reverse("partners:token_rotate", args=[partner.pk, token.pk]),
        reverse("partners:token_revoke", args=[partner.pk, token.pk]),
        DELIVERIES,
        reverse("partners:delivery_detail", args=[delivery.pk]),
    ]


def test_an_agent_gets_403_on_create_approve_token_and_delivery_pages(client, agent, manager):
    partner = PartnerFactory(status=Status.APPLIED)
    token = _token(partner, manager).token
    delivery = _dead(_hub(partner))
    client.force_login(agent)

    for url in _pages_an_agent_may_not_open(partner, token, delivery):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reason": "x", "name": "x"}).status_code == 403, url
    replay = reverse("partners:delivery_replay", args=[delivery.pk])
    assert client.post(replay).status_code == 403
    partner.refresh_from_db()
    assert partner.status == Status.APPLIED
    assert partner.tokens.count() == 1


def test_an_analyst_reads_partners_but_changes_nothing(client, analyst):
    partner = PartnerFactory()
    client.force_login(analyst)

    assert client.get(LIST).status_code == 200
    assert client.get(_detail(partner)).status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.get(_action(partner, "suspend")).status_code == 403


def test_staff_without_a_role_cannot_see_partners(client):
    client.force_login(UserFactory())

    assert client.get(LIST).status_code == 403


def test_the_partner_pages_need_a_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- On-boarding --------------------------------------------------------------------------------


def test_a_manager_records_an_application(client, manager):
    client.force_login(manager)

    response = client.post(NEW, APPLICATION)

    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(partner)
    assert partner.status == Status.APPLIED
    assert partner.registration_number == "GB 123"
    assert partner.rate_limit_per_minute == 300
    assert ActionLog.objects.get(partner=partner).action == "partner.applied"


def test_a_duplicate_partner_name_is_shown_on_the_form(client, manager):
    PartnerFactory(name="Blue MVNO")
    client.force_login(manager)

    response = client.post(NEW, APPLICATION)

    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["name"])
    assert Partner.objects.count() == 1


def test_a_bad_email_keeps_what_was_typed(client, manager):
    client.force_login(manager)

    response = client.post(NEW, {**APPLICATION, "contact_email": "not-an-address"})

    assert response.status_code == 200
    assert "contact_email" in response.context["form"].errors
    assert 'value="Blue MVNO"' in response.content.decode()
    assert not Partner.objects.exists()


def test_a_manager_edits_a_partners_details(client, manager):
    partner = PartnerFactory(name="Blue MVNO", rate_limit_per_minute=600)
    client.force_login(manager)
    edit = reverse("partners:edit", args=[partner.pk])

    assert client.get(edit).context["form"].initial["name"] == "Blue MVNO"
    response = client.post(edit, {**APPLICATION, "rate_limit_per_minute": "120"})

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.rate_limit_per_minute == 120
    assert partner.contact_name == "Dana Ops"
    entry = ActionLog.objects.get(partner=partner, action="partner.updated")
    assert entry.data["rate_limit_per_minute"] == [600, 120]


def test_a_manager_can_validate_an_applied_partner(client, manager):
    partner = PartnerFactory(status=Status.APPLIED)
    client.force_login(manager)

    assert client.get(_detail(partner)).context["actions"] == ["validate", "terminate"]
    response = client.post(_action(partner, "validate"))

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.status == Status.VALIDATED


def test_a_manager_can_approve_a_validated_partner(client, manager):
    partner = PartnerFactory(status=Status.VALIDATED, name="Blue MVNO")
    client.force_login(manager)

    page = client.get(_action(partner, "approve"))
    response = client.post(_action(partner, "approve"), follow=True)

    assert page.status_code == 200
    assert "Approve partner" in page.content.decode()
    partner.refresh_from_db()
    assert partner.status == Status.APPROVED
    assert "Blue MVNO is now approved." in response.content.decode()
    entry = ActionLog.objects.get(action="partner.approve")
    assert (entry.partner, entry.actor) == (partner, manager)


def test_suspending_a_partner_needs_a_reason(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)

    refused = client.post(_action(partner, "suspend"), {"reason": ""})
    partner.refresh_from_db()
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert partner.status == Status.APPROVED

    done = client.post(_action(partner, "suspend"), {"reason": "Unpaid wholesale invoices"})
    partner.refresh_from_db()
    assert done.status_code == 302
    assert partner.status == Status.SUSPENDED
    assert partner.status_reason == "Unpaid wholesale invoices"


def test_a_manager_terminates_a_partner_with_a_reason(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)

    client.post(_action(partner, "terminate"), {"reason": "Contract ended"})

    partner.refresh_from_db()
    assert partner.status == Status.TERMINATED


def test_a_move_the_status_does_not_allow_is_shown_not_raised(client, manager):
    partner = PartnerFactory(status=Status.APPLIED, name="Blue MVNO")
    client.force_login(manager)

    page = client.get(_action(partner, "approve"))
    response = client.post(_action(partner, "approve"))

    assert page.context["allowed"] is False
    assert response.status_code == 200
    text = response.content.decode()
    assert "Cannot approve partner Blue MVNO: it is applied. Allowed: validate, terminate." in text
    partner.refresh_from_db()
    assert partner.status == Status.APPLIED


def test_an_unknown_partner_action_is_a_404(client, manager):
    client.force_login(manager)

    assert client.get(_action(PartnerFactory(), "promote")).status_code == 404


# --- Tokens -------------------------------------------------------------------------------------


def test_a_manager_issues_a_token_and_sees_the_secret_only_once(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    issue = reverse("partners:token_issue", args=[partner.pk])

    assert client.get(issue).status_code == 200
    response = client.post(issue, {"name": "billing sync", "scopes": ["customer:read"]})

    token = ApiToken.objects.get(partner=partner)
    assert response.status_code == 303
    assert response["Location"] == reverse("partners:token_secret", args=[partner.pk, token.pk])
    shown = client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    secret = shown.context["secret"]
    text = shown.content.decode()
    assert secret in text
    assert "will not be shown again" in text
    assert 'data-copy="token-secret"' in text
    assert token_authenticate(secret) == token
    assert token.scopes == ["customer:read"]
    assert token.is_read_only
    detail = client.get(_detail(partner)).content.decode()
    assert secret not in detail
    assert f"crm_{token.prefix}_…" in detail
    assert secret not in str(dict(client.session))


def test_reloading_the_new_token_page_issues_no_second_token_and_shows_no_secret(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]),
        {"name": "billing sync", "scopes": ["customer:read"]},
        follow=True,
    )
    secret = response.context["secret"]

    reloaded = client.get(response.redirect_chain[-1][0])

    assert reloaded.status_code == 200
    assert reloaded["Cache-Control"] == "no-store"
    assert reloaded.context["secret"] is None
    text = reloaded.content.decode()
    assert "already shown" in text
    assert secret not in text
    assert reverse("partners:token_rotate", args=[partner.pk, partner.tokens.get().pk]) in text
    assert partner.tokens.count() == 1


def test_a_new_token_page_opened_too_late_shows_no_secret(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]),
        {"name": "billing sync", "scopes": ["customer:read"]},
    )
    session = client.session
    [waiting] = session[SECRET_SESSION_KEY].values()
    waiting["issued_at"] = (timezone.now() - SECRET_WAITS - timedelta(seconds=1)).isoformat()
    session.save()

    late = client.get(response["Location"])

    assert late.context["secret"] is None
    assert SECRET_SESSION_KEY not in client.session


def test_a_head_request_does_not_use_up_the_one_showing(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]),
        {"name": "billing sync", "scopes": ["customer:read"]},
    )

    assert client.head(response["Location"]).status_code == 405
    assert client.get(response["Location"]).context["secret"]


def test_another_users_session_never_sees_the_new_secret(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]),
        {"name": "billing sync", "scopes": ["customer:read"]},
    )
    other = Client()
    other.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    assert other.get(response["Location"]).context["secret"] is None
    assert client.get(response["Location"]).context["secret"]


def test_issuing_a_token_without_a_scope_shows_the_error(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)

    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]), {"name": "billing sync"}
    )

    assert response.status_code == 200
    assert "scopes" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_terminated_partner_gets_no_token_and_the_page_says_why(client, manager):
    partner = PartnerFactory(status=Status.TERMINATED, name="Gone Ltd")
    client.force_login(manager)

    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]),
        {"name": "billing sync", "scopes": ["customer:read"]},
    )

    assert response.status_code == 200
    assert "Partner Gone Ltd is terminated; it gets no new tokens." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_manager_rotates_a_token_and_the_old_one_works_for_the_grace_period(client, manager):
    partner = PartnerFactory()
    old = _token(partner, manager)
    client.force_login(manager)
    rotate = reverse("partners:token_rotate", args=[partner.pk, old.token.pk])

    assert client.get(rotate).status_code == 200
    before = timezone.now()
    response = client.post(rotate, {"grace": "24h"})

    assert response.status_code == 303
    shown = client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    new_secret = shown.context["secret"]
    assert new_secret in shown.content.decode()
    assert "keeps working until" in shown.content.decode()
    reloaded = client.get(response["Location"])
    assert reloaded.context["secret"] is None
    assert partner.tokens.count() == 2
    old.token.refresh_from_db()
    assert old.token.revoked_at is None
    assert (
        before + timedelta(hours=24) <= old.token.expires_at <= timezone.now() + timedelta(hours=24)
    )
    assert token_authenticate(old.secret) == old.token
    assert token_authenticate(new_secret).name == "billing sync"
    assert new_secret not in client.get(_detail(partner)).content.decode()


def test_rotating_without_grace_stops_the_old_token_at_once(client, manager):
    partner = PartnerFactory()
    old = _token(partner, manager)
    client.force_login(manager)

    response = client.post(
        reverse("partners:token_rotate", args=[partner.pk, old.token.pk]),
        {"grace": "none"},
        follow=True,
    )

    assert token_authenticate(old.secret) is None
    assert token_authenticate(response.context["secret"]) is not None
    assert "stopped working now" in response.content.decode()


def test_rotating_a_revoked_token_is_refused_on_the_page(client, manager):
    partner = PartnerFactory()
    old = _token(partner, manager)
    token_revoke(token=old.token, actor=manager)
    client.force_login(manager)

    response = client.post(
        reverse("partners:token_rotate", args=[partner.pk, old.token.pk]), {"grace": "1h"}
    )

    assert response.status_code == 200
    assert "no longer active" in response.content.decode()
    assert partner.tokens.count() == 1


def test_a_manager_revokes_a_token(client, manager):
    partner = PartnerFactory()
    issued = _token(partner, manager)
    client.force_login(manager)
    revoke = reverse("partners:token_revoke", args=[partner.pk, issued.token.pk])

    assert client.get(revoke).status_code == 200
    response = client.post(revoke)

    assert response.status_code == 302
    assert token_authenticate(issued.secret) is None
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == manager


def test_another_partners_token_cannot_be_reached_through_this_partners_pages(client, manager):
    alice_partner = PartnerFactory(name="Alice Telecom")
    bob_partner = PartnerFactory(name="Bob Telecom")
    bobs = _token(bob_partner, manager)
    client.force_login(manager)

    for name in ("token_rotate", "token_revoke"):
        url = reverse(f"partners:{name}", args=[alice_partner.pk, bobs.token.pk])
        assert client.post(url, {"grace": "none"}).status_code == 404

    assert token_authenticate(bobs.secret) == bobs.token


def test_a_manager_removes_a_partners_hub(client, manager):
    partner = PartnerFactory()
    hub = _hub(partner)
    pending = _delivery(hub)
    client.force_login(manager)
    remove = reverse("partners:hub_remove", args=[partner.pk, hub.pk])

    assert client.get(remove).status_code == 200
    client.post(remove)

    hub.refresh_from_db()
    pending.refresh_from_db()
    assert hub.deleted_at is not None
    assert pending.status == HubDelivery.Status.CANCELLED


# --- Delivery log -------------------------------------------------------------------------------


def test_the_delivery_log_lists_deliveries_newest_first(client, manager):
    partner = PartnerFactory(name="Blue MVNO")
    hub = _hub(partner)
    first = _delivery(hub, customer_id=11, status=HubDelivery.Status.DELIVERED)
    second = _dead(hub, customer_id=12)
    client.force_login(manager)

    response = client.get(DELIVERIES)

    assert response.status_code == 200
    assert [d.pk for d in response.context["page"].rows] == [second.pk, first.pk]
    text = response.content.decode()
    assert DEAD_CALLBACK in text
    assert "HTTP 503 Service Unavailable" in text
    assert "Blue MVNO" in text


def test_the_delivery_log_filters_by_status_and_partner(client, manager):
    blue_hub = _hub(PartnerFactory(name="Blue MVNO"))
    green = PartnerFactory(name="Green Resale")
    green_hub = _hub(green, callback="https://green.example/hook")
    _dead(blue_hub)
    green_dead = _dead(green_hub)
    green_delivered = _delivery(green_hub, status=HubDelivery.Status.DELIVERED)
    client.force_login(manager)

    def ids(**query):
        return [d.pk for d in client.get(DELIVERIES, query).context["page"].rows]

    assert ids(partner=green.pk) == [green_delivered.pk, green_dead.pk]
    assert ids(partner=green.pk, status="dead") == [green_dead.pk]


def test_the_delivery_log_pages_by_id_without_counting(
    client, manager, django_assert_max_num_queries
):
    hub = _hub(PartnerFactory())
    deliveries = [_delivery(hub, customer_id=n) for n in range(DELIVERY_PAGE_SIZE + 3)]
    client.force_login(manager)

    # The page's own reads, and the header's unread notifications count.
    with django_assert_max_num_queries(8):
        first = client.get(DELIVERIES)
    older = client.get(DELIVERIES, {"after": first.context["page"].next_cursor})
    newer = client.get(DELIVERIES, {"before": older.context["page"].previous_cursor})

    assert len(first.context["page"].rows) == DELIVERY_PAGE_SIZE
    assert [d.pk for d in older.context["page"].rows] == [d.pk for d in deliveries[2::-1]]
    assert older.context["page"].next_cursor is None
    assert newer.context["page"].rows == first.context["page"].rows


def test_the_delivery_log_answers_a_broken_page_link_with_a_message(client, manager):
    client.force_login(manager)

    response = client.get(DELIVERIES, {"after": "not-a-cursor"})

    assert response.status_code == 200
    assert "page link is broken" in response.content.decode()


def test_the_delivery_page_shows_the_event_payload(client, manager):
    delivery = _dead(_hub(PartnerFactory()), customer_id=4242)
    client.force_login(manager)

    response = client.get(reverse("partners:delivery_detail", args=[delivery.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert "&quot;eventType&quot;: &quot;CustomerStateChangeEvent&quot;" in text
    assert "4242" in text
    assert response.context["replayable"] is True


def test_a_manager_replays_a_dead_delivery(
    client, manager, tasks_in_process, django_capture_on_commit_callbacks
):
    delivery = _dead(_hub(PartnerFactory()))
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:delivery_replay", args=[delivery.pk]), {"next": DELIVERIES}
        )

    assert response.status_code == 302
    assert response["Location"] == DELIVERIES
    delivery.refresh_from_db()
    # Sent again from the start of its retries; the hub is down, so the try is recorded.
    assert delivery.status == HubDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error
    entry = ActionLog.objects.get(action="hub.delivery_replayed")
    assert (entry.partner, entry.actor) == (delivery.subscription.partner, manager)


def test_replaying_a_pending_delivery_is_refused_with_a_message(client, manager):
    delivery = _delivery(_hub(PartnerFactory()))
    client.force_login(manager)

    response = client.post(reverse("partners:delivery_replay", args=[delivery.pk]), follow=True)

    assert "already waiting to be sent" in response.content.decode()
    assert not ActionLog.objects.filter(action="hub.delivery_replayed").exists()


def test_a_replay_goes_back_only_to_a_page_of_this_site(client, manager):
    delivery = _dead(_hub(PartnerFactory()))
    client.force_login(manager)

    response = client.post(
        reverse("partners:delivery_replay", args=[delivery.pk]),
        {"next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("partners:delivery_detail", args=[delivery.pk])


def test_replay_is_a_post(client, manager):
    delivery = _dead(_hub(PartnerFactory()))
    client.force_login(manager)

    assert client.get(reverse("partners:delivery_replay", args=[delivery.pk])).status_code == 405


def test_partner_forms_are_protected_against_cross_site_requests(manager):
    partner = PartnerFactory(status=Status.VALIDATED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.post(_action(partner, "approve")).status_code == 403
    assert client.post(NEW, APPLICATION).status_code == 403
    partner.refresh_from_db()
    assert partner.status == Status.VALIDATED


# --- Admin --------------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def test_the_token_admin_never_shows_the_hash_and_issues_nothing(client, superuser, manager):
    issued = _token(PartnerFactory(), manager)
    client.force_login(superuser)

    page = client.get(reverse("admin:partners_apitoken_change", args=[issued.token.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert f"crm_{issued.token.prefix}_…" in text
    assert issued.token.secret_hash not in text
    assert "secret_hash" not in text
    assert client.get(reverse("admin:partners_apitoken_add")).status_code == 403


def test_the_partner_admin_records_an_application_through_the_service(client, superuser):
    client.force_login(superuser)

    response = client.post(reverse("admin:customers_partner_add"), APPLICATION)

    assert response.status_code == 302
    partner = Partner.objects.get()
    assert partner.status == Status.APPLIED
    assert ActionLog.objects.get(partner=partner).action == "partner.applied"


def test_the_admin_replays_selected_deliveries_and_reports_refusals(client, superuser):
    hub = _hub(PartnerFactory())
    dead = _dead(hub, customer_id=1)
    pending = _delivery(hub, customer_id=2)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:partners_hubdelivery_changelist"),
        {"action": "replay_deliveries", "_selected_action": [dead.pk, pending.pk]},
        follow=True,
    )

    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (HubDelivery.Status.PENDING, 0)
    text = response.content.decode()
    assert "1 delivery(ies) queued to be sent again." in text
    assert f"Delivery {pending.pk}: This delivery is already waiting to be sent." in text
