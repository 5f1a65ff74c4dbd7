"""TMF632 Party Management and TMF683 Party Interaction: partner B on every operation of partner
A's parties, interactions and hubs, and the bodies the other families send these two APIs."""

from bench.security.harness import INTERACTION_API, PARTY_API, Family, Http, is_json_error, short

# --- Bodies -------------------------------------------------------------------------------------


def individual_body(**extra) -> dict:
    """An Individual_FVO with every attribute we store (as tests/.../party show them)."""
    return {
        "@type": "Individual",
        "title": "Dr",
        "givenName": "Hostile",
        "familyName": "Person",
        "birthDate": "1980-04-01",
        "individualIdentification": [
            {
                "@type": "IndividualIdentification",
                "identificationType": "nationalId",
                "identificationId": "QQ123456C",
            }
        ],
        "contactMedium": [
            {"@type": "EmailContactMedium", "emailAddress": "hp@example.com"},
            {
                "@type": "PhoneContactMedium",
                "phoneNumber": "+447400300001",
                "contactType": "mobile",
            },
        ],
        **extra,
    }


def organization_body(**extra) -> dict:
    return {
        "@type": "Organization",
        "name": "Hostile Widgets Ltd",
        "tradingName": "Hostile",
        "organizationIdentification": [
            {
                "@type": "OrganizationIdentification",
                "identificationType": "registrationNumber",
                "identificationId": "HW123456",
            }
        ],
        "contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "hw@example.com"}],
        **extra,
    }


INDIVIDUAL_PATCH = {
    "givenName": "Patched",
    "familyName": "Person",
    "title": "Mx",
    "contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "patched@example.com"}],
}
ORGANIZATION_PATCH = {"name": "Patched Widgets Ltd", "tradingName": "Patched"}


def touch_point(number: str, **extra) -> dict:
    """A PartyInteraction_FVO: an inbound phone inquiry with customer ``number``."""
    return {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "reason": "inquiry",
        "status": "opened",
        "description": "Asked about roaming charges",
        "relatedChannel": [
            {
                "@type": "RelatedChannel",
                "role": "interactionChannel",
                "channel": {"@type": "ChannelRef", "id": "phone", "@referredType": "Channel"},
            }
        ],
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": number,
                    "@referredType": "Customer",
                },
            }
        ],
        **extra,
    }


INTERACTION_PATCH = {
    "description": "Patched description",
    "reason": "billing",
    "relatedChannel": [
        {
            "@type": "RelatedChannel",
            "role": "interactionChannel",
            "channel": {"@type": "ChannelRef", "id": "email"},
        }
    ],
}


def standard_create(party_id, name: str = "Probe role") -> dict:
    """TMF629's standard create: a customer role on a party registered through TMF632."""
    return {
        "@type": "Customer",
        "name": name,
        "engagedParty": {"@type": "PartyRef", "id": str(party_id)},
    }


# --- Partner isolation --------------------------------------------------------------------------


def rows_a(seed) -> list:
    """Partner A's parties (registered and its customers'), their contact media, and the
    interactions with A's customers: what B must not change."""
    from customers.models import ContactMedium, Interaction, Party

    ids = [pk for _, pk in seed.parties_a]
    parties = list(
        Party.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk", "kind", "given_name", "family_name", "legal_name", "trading_name",
            "national_id", "registration_number", "title", "partner_id",
        )
    )  # fmt: skip
    media = list(
        ContactMedium.objects.filter(party_id__in=ids)
        .order_by("pk")
        .values_list("pk", "party_id", "kind", "value")
    )
    interactions = list(
        Interaction.objects.filter(customer__partner=seed.partner_a)
        .order_by("pk")
        .values_list("pk", "customer_id", "summary", "outcome", "kind", "channel", "closed_at")
    )
    return [parties, media, interactions]


def _secrets_a(seed) -> set[str]:
    from customers.models import ContactMedium, Interaction, Party

    ids = [pk for _, pk in seed.parties_a]
    secrets = set()
    for party in Party.objects.filter(pk__in=ids):
        secrets |= {party.family_name, party.legal_name, party.trading_name, party.national_id}
    secrets |= set(ContactMedium.objects.filter(party_id__in=ids).values_list("value", flat=True))
    secrets |= set(
        Interaction.objects.filter(pk__in=seed.interactions_a).values_list("summary", flat=True)
    )
    secrets |= {c.number for c in seed.customers_a}
    return {secret for secret in secrets if secret and len(secret) > 3}


def _filters_of(kind: str, pk: int) -> dict[str, str]:
    """The list filters that find party ``pk`` for its partner."""
    from customers.models import Party

    party = Party.objects.get(pk=pk)
    media = dict(party.contact_media.values_list("kind", "value"))
    filters = {
        "contactMedium.emailAddress": media.get("email", ""),
        "contactMedium.phoneNumber": media.get("mobile", ""),
    }
    if kind == "individual":
        filters |= {
            "givenName": party.given_name,
            "familyName": party.family_name,
            "name": party.display_name,
            "individualIdentification.identificationId": party.national_id,
        }
    else:
        filters["name"] = party.legal_name or party.display_name
    return {name: value for name, value in filters.items() if value}


def isolation(family: Family, port: int, seed) -> None:
    """B on A's parties (TMF632), interactions (TMF683) and both APIs' hubs: a TMF 404 for
    every item operation, A's rows absent from every list, and A's rows unchanged."""
    from customers.models import Customer, Interaction

    a = Http(port, {"Authorization": f"Bearer {seed.tokens['a']}"})
    b = Http(port, {"Authorization": f"Bearer {seed.tokens['b']}"})
    secrets = _secrets_a(seed)
    parties_a = {str(pk) for _, pk in seed.parties_a}
    interactions_a = {str(pk) for pk in seed.interactions_a}

    def refused(response, what: str, statuses=(404,), exempt=()) -> None:
        # What B sent may be echoed in the error (a customer number B named).
        leaked = [secret for secret in secrets - set(exempt) if secret in response.text]
        family.case(
            response.status_code in statuses and is_json_error(response) and not leaked,
            f"B {what}: {short(response)}{f' holding {leaked[:2]}' if leaked else ''}",
            severity=3 if response.status_code < 300 or leaked else 2,
        )

    def absent(response, what: str, ids_a: set[str], *, exempt=()) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        ids = {str(item.get("id")) for item in body} if isinstance(body, list) else set()
        leaked = sorted(ids & ids_a)
        leaked += [s for s in secrets - set(exempt) if s in response.text]
        family.case(
            response.status_code == 200 and isinstance(body, list) and not leaked,
            f"B {what}: {short(response)}{f' holding {leaked[:2]}' if leaked else ''}",
            severity=3 if leaked else 1,
        )

    # A's own create under an Idempotency-Key, replayed by B: nothing of A's comes back.
    number = seed.customers_a[0].number
    key = {"Idempotency-Key": "probe-shared-interaction-key"}
    first = a.api("POST", "/partyInteraction", touch_point(number), headers=key,
                  root=INTERACTION_API)  # fmt: skip
    family.case(
        first.status_code == 201, f"A's interaction with an Idempotency-Key: {short(first)}"
    )
    if first.status_code == 201:
        interactions_a.add(first.json()["id"])
    replay = b.api("POST", "/partyInteraction", touch_point(number), headers=key,
                   root=INTERACTION_API)  # fmt: skip
    try:
        replayed = replay.json()
    except ValueError:
        replayed = None
    # B names A's customer itself, so its number may come back in the 404; A's interaction not.
    family.case(
        replay.status_code in (400, 404, 422)
        and is_json_error(replay)
        and not (isinstance(replayed, dict) and replayed.get("id") == first.json().get("id")),
        f"B replayed A's interaction idempotency key: {short(replay)}",
        severity=3 if replay.ok else 1,
    )
    before = rows_a(seed)
    customers_before = Customer.objects.count()

    # TMF632: every operation on each of A's parties.
    for kind, pk in seed.parties_a:
        other = "organization" if kind == "individual" else "individual"
        for variant in (str(pk), f"0{pk}", f"{pk}%20", f"%20{pk}", f"+{pk}", f"{pk}.0"):
            response = b.api("GET", f"/{kind}/{variant}", root=PARTY_API)
            refused(response, f"GET {kind} {variant}")
        refused(b.api("GET", f"/{other}/{pk}", root=PARTY_API), f"GET {kind} {pk} as {other}")
        refused(
            b.api("GET", f"/{kind}/{pk}?fields=contactMedium", root=PARTY_API),
            f"GET {kind} {pk} fields",
        )
        if kind == "individual":
            patch = {"givenName": "Taken", "familyName": "Over"}
        else:
            patch = {"name": "Taken Over Ltd", "tradingName": "Taken"}
        for content_type in ("application/json", "application/merge-patch+json"):
            response = b.api("PATCH", f"/{kind}/{pk}", patch, root=PARTY_API,
                             headers={"Content-Type": content_type})  # fmt: skip
            refused(response, f"PATCH {kind} {pk} ({content_type})")
        media = {"contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "b@evil.test"}]}
        refused(b.api("PATCH", f"/{kind}/{pk}", media, root=PARTY_API), f"PATCH {pk} contacts")
        refused(b.api("DELETE", f"/{kind}/{pk}", root=PARTY_API), f"DELETE {kind} {pk}")
        for name, value in _filters_of(kind, pk).items():
            # B's own parties share A's given name (Pat): only A's rows must not come back.
            exempt = {value} if name == "givenName" else ()
            response = b.api("GET", f"/{kind}", params={name: value}, root=PARTY_API)
            absent(response, f"list {kind} {name}={value}", parties_a, exempt=exempt)
        # TMF629's standard create on A's party: no customer role for B.
        response = b.api("POST", "/customer", standard_create(pk, "Stolen role"))
        refused(response, f"create a customer on A's party {pk}", statuses=(400, 404))
    response = b.api(
        "PATCH",
        f"/customer/{seed.customer_b.number}",
        {"engagedParty": {"@type": "PartyRef", "id": str(seed.parties_a[0][1])}},
    )
    refused(response, "move its customer onto A's party", statuses=(400, 404))
    for kind in ("individual", "organization"):
        for offset in (0, 1, 50):
            params = {"offset": offset, "limit": 1000}
            response = b.api("GET", f"/{kind}", params=params, root=PARTY_API)
            absent(response, f"list {kind} offset {offset}", parties_a, exempt={"Pat"})
    family.case(
        Customer.objects.count() == customers_before,
        "B made a customer of A's party",
        severity=3,
    )

    # TMF683: every operation on each of A's interactions; B records none for A's customers.
    for pk in sorted(interactions_a):
        for variant in (pk, f"0{pk}", f"{pk}%20", f"%20{pk}"):
            response = b.api("GET", f"/partyInteraction/{variant}", root=INTERACTION_API)
            refused(response, f"GET interaction {variant}")
        response = b.api("GET", f"/partyInteraction/{pk}?fields=description",
                         root=INTERACTION_API)  # fmt: skip
        refused(response, f"GET interaction {pk} fields")
        hijack = {"description": "Hijacked", "status": "completed"}
        for content_type in ("application/json", "application/merge-patch+json"):
            response = b.api("PATCH", f"/partyInteraction/{pk}", hijack, root=INTERACTION_API,
                             headers={"Content-Type": content_type})  # fmt: skip
            refused(response, f"PATCH interaction {pk} ({content_type})")
        note = {"status": "completed", "note": [{"@type": "Note", "text": "Closed by B"}]}
        response = b.api("PATCH", f"/partyInteraction/{pk}", note, root=INTERACTION_API)
        refused(response, f"complete interaction {pk}")
        # An existing interaction answers 405 to its partner: B must get the 404 of none.
        refused(b.api("DELETE", f"/partyInteraction/{pk}", root=INTERACTION_API),
                f"DELETE interaction {pk}")  # fmt: skip
    interactions_before = Interaction.objects.count()
    for customer in seed.customers_a:
        number = customer.number
        for params in (
            {"relatedParty.id": number},
            {"relatedParty.id": number.lower()},
            {"relatedParty.id": f" {number} "},
            {"relatedParty.id": number, "status": "opened", "reason": "billing"},
        ):
            response = b.api("GET", "/partyInteraction", params=params, root=INTERACTION_API)
            absent(response, f"list interactions {params}", interactions_a)
        response = b.api("POST", "/partyInteraction", touch_point(number), root=INTERACTION_API)
        refused(response, f"record an interaction for A's {number}", (400, 404), {number})
    for offset in (0, 1, 50):
        params = {"offset": offset, "limit": 1000}
        response = b.api("GET", "/partyInteraction", params=params, root=INTERACTION_API)
        absent(response, f"list interactions offset {offset}", interactions_a)
    for params in ({"status": "opened"}, {"reason": "billing"}, {"direction": "inbound"},
                   {"relatedChannel": "phone"},
                   {"interactionDate.startDateTime.gte": "2000-01-01T00:00:00Z"}):  # fmt: skip
        response = b.api("GET", "/partyInteraction", params=params, root=INTERACTION_API)
        absent(response, f"list interactions {params}", interactions_a)
    family.case(
        Interaction.objects.count() == interactions_before,
        "B recorded an interaction with A's customer",
        severity=3,
    )

    # Each API's hubs.
    for api, root in (("partyManagement", PARTY_API), ("partyInteraction", INTERACTION_API)):
        for hub_id in seed.api_hubs[api][seed.partner_a.name]:
            refused(b.api("GET", f"/hub/{hub_id}", root=root), f"GET {api} hub {hub_id}")
            refused(b.api("DELETE", f"/hub/{hub_id}", root=root), f"DELETE {api} hub {hub_id}")
            response = b.api("POST", f"/hub/{hub_id}/rotateSecret", {}, root=root)
            refused(response, f"rotate {api} hub {hub_id}")
            response = b.api("POST", f"/hub/{hub_id}/rotateSecret", root=root)
            refused(response, f"rotate {api} hub {hub_id}, no body")
            response = b.api("GET", "/hub", root=root)
            ids = {str(item.get("id")) for item in response.json()} if response.ok else set()
            family.case(
                response.ok and str(hub_id) not in ids,
                f"B's {api} hub list holds A's hub {hub_id}: {short(response)}",
                severity=3,
            )

    after = rows_a(seed)
    for what, old, new in zip(
        ("parties", "party contact media", "interactions"), before, after, strict=True
    ):
        family.case(old == new, f"A's {what} changed while B probed them", severity=3)
