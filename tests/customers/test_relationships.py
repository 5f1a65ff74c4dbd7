import pytest
from django.core.exceptions import ValidationError

from customers.models import ActionLog, CustomerRelationship
from customers.services import relationship_add, relationship_remove

pytestmark = pytest.mark.django_db

Kind = CustomerRelationship.Kind


def test_add_links_two_customers_in_one_direction_and_logs_it(
    active_customer, other_active_customer, agent
):
    relationship = relationship_add(
        from_customer=active_customer,
        to_customer=other_active_customer,
        kind=Kind.REFERRED_BY,
        actor=agent,
    )

    relationship.refresh_from_db()
    assert (relationship.from_customer, relationship.to_customer) == (
        active_customer,
        other_active_customer,
    )
    assert list(other_active_customer.relationships_in.values_list("kind", flat=True)) == [
        "referred_by"
    ]
    assert not active_customer.relationships_in.exists()
    entry = ActionLog.objects.get(customer=active_customer, action="relationship.added")
    assert entry.actor == agent
    assert entry.data == {"kind": "referred_by", "to": other_active_customer.number}


def test_a_customer_cannot_be_related_to_itself(active_customer, agent):
    with pytest.raises(ValidationError, match="cannot be related to itself"):
        relationship_add(
            from_customer=active_customer,
            to_customer=active_customer,
            kind=Kind.HOUSEHOLD,
            actor=agent,
        )

    assert not CustomerRelationship.objects.exists()


def test_the_same_link_cannot_be_added_twice(active_customer, other_active_customer, agent):
    relationship_add(
        from_customer=active_customer,
        to_customer=other_active_customer,
        kind=Kind.HOUSEHOLD,
        actor=agent,
    )

    with pytest.raises(ValidationError) as refused:
        relationship_add(
            from_customer=active_customer,
            to_customer=other_active_customer,
            kind=Kind.HOUSEHOLD,
            actor=agent,
        )

    assert refused.value.messages == [
        f"{active_customer.number} is already linked to {other_active_customer.number} this way."
    ]
    assert CustomerRelationship.objects.count() == 1
    assert ActionLog.objects.filter(action="relationship.added").count() == 1


def test_two_customers_may_be_linked_in_several_ways_and_both_directions(
    active_customer, other_active_customer, agent
):
    for from_customer, to_customer, kind in [
        (active_customer, other_active_customer, Kind.HOUSEHOLD),
        (active_customer, other_active_customer, Kind.REFERRED_BY),
        (other_active_customer, active_customer, Kind.HOUSEHOLD),
    ]:
        relationship_add(
            from_customer=from_customer, to_customer=to_customer, kind=kind, actor=agent
        )

    assert CustomerRelationship.objects.count() == 3


def test_an_unknown_kind_of_link_is_refused(active_customer, other_active_customer, agent):
    with pytest.raises(ValidationError) as refused:
        relationship_add(
            from_customer=active_customer,
            to_customer=other_active_customer,
            kind="nemesis",
            actor=agent,
        )

    assert "kind" in refused.value.message_dict
    assert not CustomerRelationship.objects.exists()


def test_remove_deletes_the_link_and_logs_it_on_the_customer_it_came_from(
    active_customer, other_active_customer, agent, manager
):
    relationship = relationship_add(
        from_customer=active_customer,
        to_customer=other_active_customer,
        kind=Kind.ORGANISATION_CONTACT,
        actor=agent,
    )

    relationship_remove(relationship=relationship, actor=manager)

    assert not CustomerRelationship.objects.exists()
    entry = ActionLog.objects.get(customer=active_customer, action="relationship.removed")
    assert entry.actor == manager
    assert entry.data == {"kind": "organisation_contact", "to": other_active_customer.number}
    assert not ActionLog.objects.filter(
        customer=other_active_customer, action__startswith="relationship."
    ).exists()
