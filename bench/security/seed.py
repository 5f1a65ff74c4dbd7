"""The data every family works on: two partners with tokens in every state, their customers
and hubs, a staff user per role, a survey with invitations. Made through the product's services
and the test suite's factories, as the product itself would make them."""

from dataclasses import dataclass, field
from datetime import timedelta

PASSWORD = "correct horse battery staple"
NO_ROLE = "no role"
NOT_STAFF = "not staff"


@dataclass
class Seed:
    partner_a: object
    partner_b: object
    tokens: dict[str, str]  # state -> secret
    customers_a: list  # partner A's customers
    customer_b: object  # one of partner B's, for patches
    hubs: dict[str, list[int]]  # partner name -> hub ids
    users: dict[str, str]  # role -> username
    survey: object = None
    invitations: list = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # sample URL arguments


def _partner(name: str, *, actions=("validate", "approve")):
    from customers.partners.services.partners import partner_create, partner_transition

    partner = partner_create(name=name, actor="bench", rate_limit_per_minute=1_000_000)
    for action in actions:
        reason = "security probe" if action in ("suspend", "terminate") else ""
        partner = partner_transition(partner=partner, action=action, actor="bench", reason=reason)
    return partner


def _token(partner, name: str, scopes) -> str:
    from customers.partners.services.partners import token_issue

    return token_issue(partner=partner, name=name, scopes=scopes, actor="bench").secret


def _tokens(partner_a, partner_b) -> dict[str, str]:
    from django.utils import timezone

    from customers.partners.models import ApiToken
    from customers.partners.services.partners import FULL_SCOPES, token_issue, token_revoke

    Scope = ApiToken.Scope
    tokens = {
        "a": _token(partner_a, "full", FULL_SCOPES),
        "b": _token(partner_b, "full", FULL_SCOPES),
        "read-only": _token(partner_a, "reader", [Scope.READ]),
        "events-only": _token(partner_a, "events", [Scope.EVENTS]),
        "customers-only": _token(partner_a, "customers", [Scope.READ, Scope.WRITE]),
    }
    revoked = token_issue(partner=partner_a, name="revoked", scopes=FULL_SCOPES, actor="bench")
    token_revoke(token=revoked.token, actor="bench")
    tokens["revoked"] = revoked.secret
    expired = token_issue(partner=partner_a, name="expired", scopes=FULL_SCOPES, actor="bench")
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    tokens["expired"] = expired.secret
    # A token issued while the partner was approved, then the partner taken off the API.
    for state, actions in (("suspended", ("suspend",)), ("terminated", ("terminate",))):
        partner = _partner(f"Probe {state}")
        tokens[f"{state} partner"] = _token(partner, "full", FULL_SCOPES)
        for action in actions:
            from customers.partners.services.partners import partner_transition

            partner_transition(partner=partner, action=action, actor="bench", reason="probe")
    tokens["applied partner"] = _token(_partner("Probe applied", actions=()), "x", FULL_SCOPES)
    tokens["validated partner"] = _token(
        _partner("Probe validated", actions=("validate",)), "x", FULL_SCOPES
    )
    return tokens


def _users() -> dict[str, str]:
    from django.contrib.auth.models import Group

    from customers import roles
    from tests.factories import UserFactory

    users = {}
    for role in roles.ROLE_PERMISSIONS:
        user = UserFactory(username=f"probe-{role.replace(' ', '-')}", password=PASSWORD)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user.username
    # Staff with an empty custom group: every staff page needs a permission it lacks.
    nobody = UserFactory(username="probe-no-role", password=PASSWORD, is_staff=True)
    nobody.groups.add(Group.objects.get_or_create(name="probe empty role")[0])
    users[NO_ROLE] = nobody.username
    users[NOT_STAFF] = UserFactory(
        username="probe-not-staff", password=PASSWORD, is_staff=False
    ).username
    for n in range(3):  # one per sign-in of the open-redirect checks: no lockout in play
        user = UserFactory(username=f"probe-redirect-{n}", password=PASSWORD)
        user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return users


def _customers(partner, count: int, label: str) -> list:
    from customers.models import Customer
    from customers.services import ContactMediumInput
    from tests.factories import CustomerFactory

    made = []
    for n in range(count):
        made.append(
            CustomerFactory(
                given_name="Ada",
                family_name=f"{label}{n:03d}",
                partner=partner,
                partner_reference=f"{label}-REF-{n:03d}",
                status=Customer.Status.ACTIVE,
                contact_media=[
                    ContactMediumInput(kind="email", value=f"{label.lower()}{n}@example.com"),
                    ContactMediumInput(kind="mobile", value=f"+447700{label_digits(label)}{n:03d}"),
                ],
            )
        )
    return made


def label_digits(label: str) -> str:
    return str(sum(map(ord, label)) % 1000).zfill(3)


def _survey_invitations(count: int) -> tuple:
    from customers.models import Customer
    from customers.services import ContactMediumInput, consent_record
    from satisfaction import services
    from tests.factories import CustomerFactory

    survey = services.survey_create(
        name="Probe NPS",
        kind="nps",
        trigger="touch_point",
        interaction_kinds=["complaint"],
        actor="bench",
    )
    invitations = []
    for n in range(count):
        customer = CustomerFactory(
            given_name="Sam",
            family_name=f"Surveyed{n:03d}",
            status=Customer.Status.ACTIVE,
            contact_media=[ContactMediumInput(kind="email", value=f"surveyed{n}@example.com")],
        )
        consent_record(
            customer=customer,
            channel="email",
            purpose="surveys",
            granted=True,
            source="web",
            actor=None,
        )
        cause = services.Cause(survey.trigger, f"interaction:{900000 + n}", "support")
        invitations.append(
            services.invitation_create(survey=survey, customer=customer, cause=cause)
        )
    return survey, invitations


def _sample_ids(seed: Seed) -> dict[str, int]:
    from customers.models import Interaction
    from customers.partners.models import ApiToken
    from risk.models import ScoreKind
    from tests.factories import InteractionFactory, ProductFactory, SubscriptionFactory

    customer = seed.customers_a[0]
    interaction = InteractionFactory(
        customer=customer,
        kind=Interaction.Kind.COMPLAINT,
        outcome=Interaction.Outcome.OPEN,
        summary="Probe complaint",
    )
    subscription = SubscriptionFactory(customer=customer, product=ProductFactory(code="MOB-PRB"))
    return {
        "number": customer.number,
        "contact_id": customer.party.contact_media.first().pk,
        "interaction_id": interaction.pk,
        "subscription_id": subscription.pk,
        "partner_id": seed.partner_a.pk,
        "token_id": ApiToken.objects.filter(partner=seed.partner_a).first().pk,
        "hub_id": seed.hubs[seed.partner_a.name][0],
        "survey_id": seed.survey.pk,
        "kind": ScoreKind.values[0],
    }


def seed_everything(*, customers: int, invitations: int) -> Seed:
    from customers.partners.services.hub import hub_subscribe

    partner_a = _partner("Probe Partner A")
    partner_b = _partner("Probe Partner B")
    tokens = _tokens(partner_a, partner_b)
    hubs = {
        partner.name: [
            hub_subscribe(
                partner=partner, actor="bench", callback=f"https://127.0.0.1:9/hub-{n}"
            ).hub.pk
            for n in range(2)
        ]
        for partner in (partner_a, partner_b)
    }
    seed = Seed(
        partner_a=partner_a,
        partner_b=partner_b,
        tokens=tokens,
        customers_a=_customers(partner_a, customers, "Alpha"),
        customer_b=_customers(partner_b, 1, "Bravo")[0],
        hubs=hubs,
        users=_users(),
    )
    seed.survey, seed.invitations = _survey_invitations(invitations)
    seed.ids = _sample_ids(seed)
    return seed
