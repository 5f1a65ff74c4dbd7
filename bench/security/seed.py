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
    hubs: dict[str, list[int]]  # partner name -> hub ids (TMF629)
    users: dict[str, str]  # role -> username
    survey: object = None
    invitations: list = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # sample URL arguments
    # TMF632: (kind, party id) of the parties partner A registered, and of two of its customers'
    parties_a: list = field(default_factory=list)
    party_b: int = 0  # an individual partner B registered, for patches
    organization_b: int = 0
    # TMF683: ids of open interactions with partner A's customers, and one with B's customer
    interactions_a: list = field(default_factory=list)
    interaction_b: int = 0
    # The hubs of every API: api name (HubSubscription.Api) -> partner name -> hub ids
    api_hubs: dict = field(default_factory=dict)


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

    prefix = {"Alpha": "120", "Bravo": "121"}[label]
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
                    ContactMediumInput(kind="mobile", value=f"+44791{prefix}{n:04d}"),
                ],
            )
        )
    return made


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


def _parties(partner, count: int, label: str) -> list[tuple[str, int]]:
    """``count`` individuals and one organisation ``partner`` registered through TMF632's
    service, each with an e-mail address and a phone number."""
    from customers.models import Party
    from customers.services import ContactMediumInput, PartyInput
    from customers.services.parties import party_register

    prefix = {"Alpha": "13", "Bravo": "14"}[label]
    made = []
    for n in range(count + 1):
        media = [
            ContactMediumInput(kind="email", value=f"{label.lower()}.party{n}@example.com"),
            ContactMediumInput(kind="mobile", value=f"+447400{prefix}{n:04d}"),
        ]
        if n < count:
            party = PartyInput(
                kind=Party.Kind.INDIVIDUAL,
                given_name="Pat",
                family_name=f"{label}Party{n:03d}",
                national_id=f"{label[0]}{'ABCDEFGHIJ'[n % 10]}{n:06d}C",
                contact_media=media,
            )
        else:
            party = PartyInput(
                kind=Party.Kind.ORGANIZATION,
                legal_name=f"{label} Holdings Ltd",
                trading_name=f"{label}Trade",
                contact_media=media,
            )
        registered = party_register(party_input=party, partner=partner, actor="bench")
        made.append((registered.kind, registered.pk))
    return made


def _interactions(customers) -> list[int]:
    from customers.models import Interaction
    from customers.services.interactions import interaction_record

    return [
        interaction_record(
            customer=customer,
            channel="phone",
            direction="inbound",
            kind="billing",
            summary=f"Probe interaction {customer.number}",
            actor="job:bench",
            outcome=Interaction.Outcome.OPEN,
        ).pk
        for customer in customers
    ]


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
    seed.parties_a = _parties(partner_a, max(2, customers // 4), "Alpha")
    seed.parties_a += [(c.party.kind, c.party_id) for c in seed.customers_a[:2]]
    parties_b = _parties(partner_b, 1, "Bravo")
    seed.party_b, seed.organization_b = parties_b[0][1], parties_b[1][1]
    seed.interactions_a = _interactions(seed.customers_a[: max(2, customers // 3)])
    seed.interaction_b = _interactions([seed.customer_b])[0]
    seed.api_hubs = {"customerManagement": hubs}
    for api in ("partyManagement", "partyInteraction"):
        seed.api_hubs[api] = {
            partner.name: [
                hub_subscribe(
                    partner=partner,
                    actor="bench",
                    callback=f"https://127.0.0.1:9/{api}-{n}",
                    api=api,
                ).hub.pk
                for n in range(2)
            ]
            for partner in (partner_a, partner_b)
        }
    seed.survey, seed.invitations = _survey_invitations(invitations)
    seed.ids = _sample_ids(seed)
    return seed
