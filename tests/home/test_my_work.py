"""My work: each block shows the signed-in person's own work, only to who may act on it."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from customers.identity.models import DuplicateCandidate, DuplicateScan
from customers.models import Customer, Interaction, LatestScores, Partner
from customers.partners.models import HubDelivery, HubEvent, HubSubscription
from home.selectors import my_work
from home.tallies import business_tallies_recount
from risk.models import ScoringRun
from satisfaction.models import FollowUp
from satisfaction.services import response_submit
from tests.factories import CustomerFactory, InteractionFactory, PartnerFactory
from work.selectors import my_work_tasks


def _blocks(user) -> dict:
    return {block.name: block for block in my_work(user=user)}


def _open_interaction(customer, owner, *, days_ago: int, kind=Interaction.Kind.COMPLAINT):
    return InteractionFactory(
        customer=customer,
        actor=owner,
        owner=owner,
        kind=kind,
        outcome=Interaction.Outcome.OPEN,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def test_an_agent_sees_their_own_open_interactions_oldest_first(agent, other_agent):
    customer = CustomerFactory(actor=agent, family_name="Waiting")
    _open_interaction(customer, agent, days_ago=2)
    oldest = _open_interaction(customer, agent, days_ago=9)
    _open_interaction(customer, other_agent, days_ago=20)

    block = _blocks(agent)["interactions"]

    assert block.count == 2
    assert block.items[0].note.endswith("9 days ago")
    assert block.items[0].url == oldest.customer.get_absolute_url()
    assert block.more_url == reverse("customers:open_interactions") + "?show=mine"


def test_my_stale_leads_are_the_stale_leads_i_manage(agent, other_agent):
    mine = CustomerFactory(actor=agent, account_manager=agent, family_name="Mine")
    fresh = CustomerFactory(actor=agent, account_manager=agent, family_name="Fresh")
    theirs = CustomerFactory(actor=agent, account_manager=other_agent, family_name="Theirs")
    Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).update(stale_since=timezone.now())

    block = _blocks(agent)["stale-leads"]

    assert block.count == 1
    assert [item.url for item in block.items] == [mine.get_absolute_url()]
    assert fresh.get_absolute_url() not in [item.url for item in block.items]
    assert block.more_url == f"{reverse('customers:list')}?status=lead&manager={agent.pk}"


def test_retention_targets_are_my_active_customers_with_the_most_value_at_risk(agent, other_agent):
    def scored(manager, name, at_risk):
        customer = CustomerFactory(
            actor=agent, account_manager=manager, status="active", family_name=name
        )
        LatestScores.objects.create(
            customer=customer,
            churn_risk=0.4,
            credit_score=600,
            credit_rating="B",
            fraud_risk=0.01,
            influence=0.1,
            lifetime_value=Decimal("1000"),
            value_segment="top",
            value_at_risk=Decimal(at_risk),
            scored_at=timezone.now(),
        )
        return customer

    small, large = scored(agent, "Small", "10"), scored(agent, "Large", "400")
    scored(other_agent, "Other", "900")
    business_tallies_recount()  # the count of a book comes from the nightly tally

    block = _blocks(agent)["retention"]

    assert block.count == 2
    assert [item.url for item in block.items] == [
        large.get_absolute_url(),
        small.get_absolute_url(),
    ]
    assert block.more_url == f"{reverse('risk:retention')}?manager={agent.pk}"


def test_managers_see_duplicates_and_partner_applications_and_agents_do_not(agent, manager):
    low = CustomerFactory(actor=agent, family_name="Twin")
    high = CustomerFactory(actor=agent, family_name="Twin")
    DuplicateCandidate.objects.create(
        customer_low=low, customer_high=high, score=0.93, found_at=timezone.now()
    )
    PartnerFactory(name="Waiting Telecom", status=Partner.Status.APPLIED)
    PartnerFactory(name="Working Telecom", status=Partner.Status.APPROVED)

    for_manager, for_agent = _blocks(manager), _blocks(agent)

    assert for_manager["duplicates"].count == 1
    assert for_manager["partners"].count == 1
    assert [item.label for item in for_manager["partners"].items] == ["Waiting Telecom"]
    assert "duplicates" not in for_agent and "partners" not in for_agent
    assert "failures" not in for_manager and "failures" not in for_agent


def test_administrators_see_the_failed_runs_of_the_week_and_dead_deliveries(administrator):
    now = timezone.now()
    ScoringRun.objects.create(as_of=now.date(), requested_at=now, status="failed")
    ScoringRun.objects.create(
        as_of=now.date(), requested_at=now - timedelta(days=8), status="failed"
    )
    ScoringRun.objects.create(as_of=now.date(), requested_at=now, status="done")
    DuplicateScan.objects.create(requested_at=now, status="done", chunks_failed=1)
    partner = PartnerFactory(name="Callback Telecom")
    hub = HubSubscription.objects.create(
        partner=partner, callback="https://partner.example/hook", secret="s" * 32
    )
    event = HubEvent.objects.create(event_type="CustomerCreateEvent", payload={})
    HubDelivery.objects.create(event=event, subscription=hub, status=HubDelivery.Status.DEAD)

    block = _blocks(administrator)["failures"]

    assert block.count == 3
    labels = [item.label for item in block.items]
    assert any(label.startswith("Scoring run") for label in labels)
    assert any(label.startswith("Duplicate scan") for label in labels)
    assert "1 hub delivery failed for good" in labels
    assert block.more_url == reverse("partners:deliveries") + "?status=dead"


def test_follow_ups_given_to_me_are_on_my_work_list_once_as_tasks(
    agent, other_agent, nps_survey, make_consenting_customer, invite, tasks_in_process
):
    def detractor(owner):
        customer = make_consenting_customer(account_manager=owner)
        response_submit(invitation=invite(nps_survey, customer), score=2)
        return FollowUp.objects.get(customer=customer)

    mine = [detractor(agent), detractor(agent)]
    detractor(other_agent)

    items = my_work_tasks(agent, limit=10)

    assert sorted(item.task.pk for item in items) == sorted(f.task_id for f in mine)
    assert {item.kind for item in items} == {"follow_up"}
    assert all(item.url.startswith("/satisfaction/follow-ups/") for item in items)
    assert "follow-ups" not in _blocks(agent)  # no second list of the same work
