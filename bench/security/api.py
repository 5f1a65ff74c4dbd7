"""The partner APIs (TMF629 customers, TMF632 parties, TMF683 interactions): one partner on
another's resources, tokens in every state and malformed Authorization headers, hostile bodies
and query strings."""

import copy
import json

from bench.security import partner_apis
from bench.security.harness import (
    API,
    INTERACTION_API,
    PARTY_API,
    Family,
    Http,
    gunicorn_refused_line,
    is_json_error,
    raw_request,
    short,
)

# --- Partner isolation --------------------------------------------------------------------------


def _partner_a_rows(seed) -> list:
    """Everything of partner A's that B must not change: customers, parties, contact media,
    hubs and their secrets."""
    from customers.models import ContactMedium, Customer
    from customers.partners.models import HubSubscription

    customers = list(
        Customer.objects.filter(partner=seed.partner_a)
        .order_by("pk")
        .values_list(
            "pk", "number", "status", "partner_reference", "party__given_name",
            "party__family_name", "segment", "payment_method",
        )
    )  # fmt: skip
    media = list(
        ContactMedium.objects.filter(
            party__in=Customer.objects.filter(partner=seed.partner_a).values("party")
        )
        .order_by("pk")
        .values_list("pk", "kind", "value")
    )
    hubs = list(
        HubSubscription.objects.filter(partner=seed.partner_a)
        .order_by("pk")
        .values_list("pk", "callback", "secret", "deleted_at")
    )
    return [customers, media, hubs]


def partner_isolation(port: int, seed) -> Family:
    family = Family("partner isolation")
    b = Http(port, {"Authorization": f"Bearer {seed.tokens['b']}"})
    before = _partner_a_rows(seed)
    numbers_a = {c.number for c in seed.customers_a}

    # What of A's an answer to B must never hold (the number B itself sent may be echoed).
    secrets_a = {c.party.family_name for c in seed.customers_a}
    secrets_a |= {c.partner_reference for c in seed.customers_a}
    secrets_a |= {f"alpha{n}@example.com" for n in range(len(seed.customers_a))}

    def refused(response, what: str) -> None:
        leaked = [secret for secret in secrets_a if secret in response.text]
        family.case(
            response.status_code == 404 and is_json_error(response) and not leaked,
            f"B {what}: {short(response)}{f' holding {leaked[:2]}' if leaked else ''}",
            severity=3 if response.status_code < 300 or leaked else 2,
        )

    def empty(response, what: str) -> None:
        leaked = [n for n in numbers_a | secrets_a if n in response.text]
        family.case(
            response.status_code == 200 and response.json() == [] and not leaked,
            f"B {what}: {short(response)}",
            severity=3 if leaked else 1,
        )

    patch = {"engagedParty": {"@type": "Individual", "familyName": "Taken over"}}
    for customer in seed.customers_a:
        number = customer.number
        n = number[-3:]
        for variant in (number, number.lower(), f"{number}%20", f"%20{number}", str(customer.pk)):
            refused(b.api("GET", f"/customer/{variant}"), f"GET customer {variant}")
        refused(b.api("GET", f"/customer/{number}?fields=contactMedium"), f"GET {number} fields")
        for content_type in ("application/json", "application/merge-patch+json"):
            refused(
                b.api(
                    "PATCH", f"/customer/{number}", patch, headers={"Content-Type": content_type}
                ),
                f"PATCH {number} ({content_type})",
            )
        refused(b.api("PATCH", f"/customer/{number}", {"status": "suspended"}), "suspend")
        refused(b.api("DELETE", f"/customer/{number}"), f"DELETE {number}")
        emails = customer.party.contact_media.filter(kind="email").values_list("value", flat=True)
        phones = customer.party.contact_media.filter(kind="mobile").values_list("value", flat=True)
        filters = {
            "externalReference": customer.partner_reference,
            "contactMedium.emailAddress": emails[0],
            "contactMedium.phoneNumber": phones[0],
            "name": customer.party.family_name,
        }
        for name, value in filters.items():
            response = b.api("GET", "/customer", params={name: value})
            empty(response, f"list {name}={value}")
        response = b.api("GET", "/customer", params={"name": f"Alpha{n}", "status": "active"})
        empty(response, f"list name=Alpha{n}&status=active")
    # B's own list, unfiltered and at any offset, holds none of A's customers.
    for offset in (0, 1, 50):
        response = b.api("GET", "/customer", params={"offset": offset, "limit": 1000})
        leaked = [n for n in numbers_a if n in response.text]
        family.case(
            response.status_code == 200 and not leaked,
            f"B list offset {offset}: {len(leaked)} of A's customers {short(response)}",
            severity=3,
        )
    # The same Idempotency-Key as a create of A's answers B with nothing of A's.
    a = Http(port, {"Authorization": f"Bearer {seed.tokens['a']}"})
    body = {
        "@type": "Customer",
        "engagedParty": {"@type": "Individual", "givenName": "Ida", "familyName": "Empotent"},
    }
    key = {"Idempotency-Key": "probe-shared-key-1"}
    first = a.api("POST", "/customer", body, headers=key)
    family.case(first.status_code == 201, f"A's create with an Idempotency-Key: {short(first)}")
    replay = b.api("POST", "/customer", body, headers=key)
    family.case(
        first.json().get("id", "?") not in replay.text,
        f"B replayed A's idempotency key and got A's customer: {short(replay)}",
        severity=3,
    )
    before = _partner_a_rows(seed)  # A's own create above changed A's rows on purpose
    for hub_id in seed.hubs[seed.partner_a.name]:
        refused(b.api("GET", f"/hub/{hub_id}"), f"GET hub {hub_id}")
        refused(b.api("DELETE", f"/hub/{hub_id}"), f"DELETE hub {hub_id}")
        refused(b.api("POST", f"/hub/{hub_id}/rotateSecret", {}), f"rotate hub {hub_id}")
        refused(b.api("POST", f"/hub/{hub_id}/rotateSecret"), f"rotate hub {hub_id}, no body")
        response = b.api("GET", "/hub")
        ids = {str(item.get("id")) for item in response.json()} if response.ok else set()
        family.case(
            response.ok and str(hub_id) not in ids,
            f"B's hub list holds A's hub {hub_id}: {short(response)}",
            severity=3,
        )
    # TMF632 and TMF683: A's parties, interactions and their hubs.
    partner_apis.isolation(family, port, seed)
    # Repeated after the hub calls: A's rows, hub secrets included, are exactly as they were.
    for customer in seed.customers_a[:3]:
        refused(b.api("DELETE", f"/customer/{customer.number}"), "DELETE again")
    after = _partner_a_rows(seed)
    for what, old, new in zip(("customers", "contact media", "hubs"), before, after, strict=True):
        family.case(old == new, f"A's {what} changed while B probed them", severity=3)
    return family


# --- Tokens and malformed headers ---------------------------------------------------------------

TOKEN_HUB = {"callback": "https://127.0.0.1:9/token-probe"}
ENDPOINTS = [
    (API, "GET", "/customer", None),
    (API, "POST", "/customer", {"@type": "Customer",
                                "engagedParty": {"@type": "Individual", "familyName": "Token"}}),
    (API, "GET", "/customer/{number}", None),
    (API, "PATCH", "/customer/{number}", {"engagedParty": {"familyName": "Token"}}),
    (API, "DELETE", "/customer/{number}", None),
    (API, "GET", "/hub", None),
    (API, "POST", "/hub", TOKEN_HUB),
    (API, "DELETE", "/hub/{hub}", None),
    # TMF632 and TMF683: each API's lists and creates, a patch, and its hub.
    (PARTY_API, "GET", "/individual", None),
    (PARTY_API, "POST", "/individual", partner_apis.individual_body(familyName="Token")),
    (PARTY_API, "GET", "/organization", None),
    (PARTY_API, "POST", "/organization", partner_apis.organization_body(name="Token Ltd")),
    (PARTY_API, "PATCH", "/individual/{party}", {"givenName": "Token"}),
    (PARTY_API, "GET", "/hub", None),
    (PARTY_API, "POST", "/hub", TOKEN_HUB),
    (INTERACTION_API, "GET", "/partyInteraction", None),
    (INTERACTION_API, "POST", "/partyInteraction", "touch point"),
    (INTERACTION_API, "PATCH", "/partyInteraction/{interaction}", {"description": "Token"}),
    (INTERACTION_API, "GET", "/hub", None),
    (INTERACTION_API, "POST", "/hub", TOKEN_HUB),
]  # fmt: skip
WRITES = {"POST", "PATCH", "DELETE"}


def _raw_head(method: str, path: str, authorization: bytes | None, root: str = API) -> bytes:
    lines = [
        f"{method} {root}{path} HTTP/1.1".encode(),
        b"Host: 127.0.0.1",
        b"X-Forwarded-Proto: https",
        b"Accept: application/json",
        b"Connection: close",
        b"Content-Length: 0",
    ]
    if authorization is not None:
        lines.append(b"Authorization: " + authorization)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _token_counts() -> tuple[int, int, int, int]:
    from customers.models import Customer, Interaction, Party
    from customers.partners.models import HubSubscription

    return (
        Customer.objects.count(),
        Party.objects.count(),
        Interaction.objects.count(),
        HubSubscription.objects.filter(deleted_at=None).count(),
    )


def token_states(port: int, seed) -> Family:
    family = Family("token states and headers")
    tokens = seed.tokens
    valid = tokens["a"]
    prefix = valid.split("_")[1]
    headers: dict[str, str | None] = {
        "missing": None,
        "empty": "",
        "scheme only": "Bearer",
        "scheme and space": "Bearer ",
        "wrong scheme Basic": "Basic YWRtaW46YWRtaW4=",
        "wrong scheme Token": f"Token {valid}",
        "three parts": f"Bearer {valid} extra",
        "no scheme": valid,
        "unknown token": "Bearer crm_000000000000_" + "x" * 43,
        "A's prefix, wrong secret": f"Bearer crm_{prefix}_" + "y" * 43,
        "not a crm token": "Bearer eyJhbGciOiJub25lIn0.e30.",
        "revoked": f"Bearer {tokens['revoked']}",
        "expired": f"Bearer {tokens['expired']}",
        "suspended partner": f"Bearer {tokens['suspended partner']}",
        "terminated partner": f"Bearer {tokens['terminated partner']}",
        "applied partner": f"Bearer {tokens['applied partner']}",
        "validated partner": f"Bearer {tokens['validated partner']}",
        "long (6 KB)": "Bearer crm_" + "a" * 6000,
    }
    raw_headers: dict[str, bytes] = {
        "non-ASCII": "Bearer crm_é_ü€".encode(),
        "latin-1 byte": b"Bearer crm_\xe9\xff_x",
        "NUL": f"Bearer {valid}".encode()[:20] + b"\x00" + f"{valid}".encode()[20:],
        "NUL after token": f"Bearer {valid}\x00".encode(),
        "very long (20 KB)": b"Bearer crm_" + b"a" * 20000,
        "control char": f"Bearer {valid}\x01".encode(),
    }
    number = seed.customers_a[-1].number
    hub = seed.hubs[seed.partner_a.name][-1]
    party = next(pk for kind, pk in seed.parties_a if kind == "individual")
    interaction = seed.interactions_a[-1]
    rows = _token_counts()
    # On the two newer APIs a sample of the headers (their check is the same code).
    sample = {"missing", "empty", "scheme only", "wrong scheme Basic", "no scheme",
              "unknown token", "A's prefix, wrong secret", "revoked", "expired",
              "suspended partner", "terminated partner", "applied partner",
              "validated partner", "long (6 KB)"}  # fmt: skip
    raw_sample = {"NUL", "non-ASCII", "very long (20 KB)"}

    def path_of(template: str) -> str:
        return template.format(number=number, hub=hub, party=party, interaction=interaction)

    def body_of(body):
        return partner_apis.touch_point(number) if body == "touch point" else body

    def judged(status: int, body_ok: bool, what: str, *, malformed: bool = False) -> None:
        # Bytes HTTP forbids in a header, or a header over the server's limit, are refused by
        # gunicorn with a 400 or 431 before Django sees the request: a refusal, kept in notes.
        if malformed and status in (400, 431) and not body_ok:
            family.notes.append(f"{what}: refused by gunicorn ({status})")
            family.case(True, "")
            return
        ok = status in (401, 403) and body_ok
        severity = 3 if 200 <= status < 300 else 2 if status >= 500 or status == 0 else 1
        family.case(ok, f"{what}: answered {status}", severity=severity)

    for root, method, template, body in ENDPOINTS:
        path, body, api = path_of(template), body_of(body), root.split("/")[2]
        for state, value in headers.items():
            if root != API and state not in sample:
                continue
            client = Http(port)
            sent = {} if value is None else {"Authorization": value}
            response = client.api(method, path, body, headers=sent, root=root)
            judged(
                response.status_code,
                is_json_error(response),
                f"{state} {method} {api} {template}",
            )
        for state, value in raw_headers.items():
            if root != API and state not in raw_sample:
                continue
            status, answer = raw_request(port, _raw_head(method, path, value, root))
            try:
                body_ok = "code" in json.loads(answer)
            except ValueError:
                body_ok = False
            judged(status, body_ok, f"{state} {method} {api} {template}", malformed=True)
    # Scopes: a read-only token may not write, an events token may not read customers, parties
    # or interactions, a customers token may not touch hubs.
    scoped = [
        ("read-only", [e for e in ENDPOINTS if e[1] in WRITES and "hub" not in e[2]]),
        ("events-only", [e for e in ENDPOINTS if "hub" not in e[2]]),
        ("customers-only", [e for e in ENDPOINTS if "hub" in e[2]]),
        ("read-only", [e for e in ENDPOINTS if "hub" in e[2]]),
    ]
    for state, endpoints in scoped:
        client = Http(port, {"Authorization": f"Bearer {tokens[state]}"})
        for root, method, template, body in endpoints:
            response = client.api(method, path_of(template), body_of(body), root=root)
            family.case(
                response.status_code == 403 and is_json_error(response),
                f"{state} token {method} {root.split('/')[2]} {template}: {short(response)}",
                severity=3 if response.ok else 1,
            )
    family.case(
        _token_counts() == rows,
        "a refused token created or removed customers, parties, interactions or hubs",
        severity=3,
    )
    return family


# --- Hostile inputs -----------------------------------------------------------------------------

CREATE_BODY = {
    "@type": "Customer",
    "engagedParty": {
        "@type": "Individual",
        "title": "Ms",
        "givenName": "Hostile",
        "familyName": "Input",
        "nationalId": "QQ123456C",
    },
    "contactMedium": [
        {
            "@type": "EmailContactMedium",
            "emailAddress": "hostile@example.com",
            "contactType": "work",
        },
        {"@type": "PhoneContactMedium", "phoneNumber": "+447400399999", "contactType": "mobile"},
        {
            "@type": "GeographicAddressContactMedium",
            "street1": "1 Probe Street",
            "street2": "Flat 2",
            "city": "Leeds",
            "postCode": "LS1 1AA",
            "country": "GB",
        },
        {"@type": "SocialContactMedium", "socialNetworkId": "@hostile", "contactType": "social"},
    ],
    "characteristic": [
        {"name": "externalReference", "value": "HOSTILE-1"},
        {"name": "segment", "value": "residential"},
        {"name": "language", "value": "en"},
    ],
    "statusReason": "probe",
}
PATCH_BODY = {
    "engagedParty": {"@type": "Individual", "givenName": "Patched", "familyName": "Input"},
    "characteristic": [{"name": "segment", "value": "residential"}],
    "statusReason": "probe",
}
HUB_BODY = {"callback": "https://127.0.0.1:9/hostile", "query": "eventType=CustomerCreateEvent"}
SURROGATE = "\ud800"
MUTATIONS = {
    "lone surrogate": ("raw", "\\ud800"),
    "low surrogate": ("raw", "\\udfff"),
    "NUL": ("text", "a\x00b"),
    "10 KB string": ("text", "x" * 10_240),
    "number": ("value", 12345),
    "object": ("value", {"a": 1}),
    "array": ("value", ["a"]),
    "null": ("value", None),
    "bool": ("value", True),
}
# A null is a legal "leave it empty" for these.
NULLABLE = {"statusReason", "street2", "city", "postCode", "contactType"}
MARK = "@@PROBE@@"


def _string_paths(value, path=()):
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _string_paths(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _mutated(body: dict, path: tuple, mutation: tuple, unique: str) -> bytes:
    kind, value = mutation
    spoiled = copy.deepcopy(body)
    _unique(spoiled, unique)
    parent = spoiled
    for step in path[:-1]:
        parent = parent[step]
    if kind == "raw":
        parent[path[-1]] = MARK
        return json.dumps(spoiled).replace(MARK, value).encode()
    parent[path[-1]] = value
    return json.dumps(spoiled).encode()


def _unique(body, unique: str) -> None:
    """Each create a different person, so a duplicate check never hides what is probed."""
    if isinstance(body, list):
        for item in body:
            _unique(item, unique)
        return
    if not isinstance(body, dict):
        return
    for name, value in list(body.items()):
        if not isinstance(value, str):
            _unique(value, unique)
        elif name == "familyName" or (name == "name" and body.get("@type") == "Organization"):
            body[name] = value + unique
        elif name == "emailAddress":
            body[name] = f"h{unique}@example.com"
        elif name == "phoneNumber":
            body[name] = f"+4474002{int(unique) % 100_000:05d}"  # 07400 2xxxxx: valid
        elif name == "identificationId":
            body[name] = f"QQ{int(unique) % 1_000_000:06d}C"
    if body.get("name") == "externalReference":
        body["value"] = f"HOSTILE-{unique}"


def _counts() -> tuple[int, ...]:
    from customers.models import ContactMedium, Customer, Interaction, Party
    from customers.partners.models import HubSubscription

    return (
        Customer.objects.count(),
        Party.objects.count(),
        ContactMedium.objects.count(),
        Interaction.objects.count(),
        HubSubscription.objects.filter(deleted_at=None).count(),
    )


def _customer_state(customer) -> tuple:
    from customers.models import Customer

    row = Customer.objects.select_related("party").get(pk=customer.pk)
    media = list(row.party.contact_media.order_by("pk").values_list("kind", "value"))
    return (row.status, row.party.given_name, row.party.family_name, row.segment, media)


def _party_state(pk: int) -> tuple:
    from customers.models import Party

    party = Party.objects.get(pk=pk)
    media = list(party.contact_media.order_by("pk").values_list("kind", "value"))
    names = (party.given_name, party.family_name, party.legal_name, party.trading_name)
    return (*names, party.title, party.national_id, party.registration_number, media)


def _interaction_state(pk: int) -> tuple:
    from customers.models import Interaction

    return tuple(
        Interaction.objects.filter(pk=pk).values_list(
            "summary", "kind", "channel", "outcome", "closed_at"
        )[0]
    )


def _bad_queries(names: dict[str, str]) -> dict[str, dict]:
    """Hostile query strings for a list whose text filter is ``names["text"]``."""
    text = names["text"]
    return {
        "unknown key": {"shoeSize": "44"},
        "unknown key with known": {text: "a", "hack": "1"},
        "NUL in value": {text: "a\x00b"},
        "NUL in key": {"na\x00me": "x"},
        "4 KB of keys": {f"k{n}": "v" for n in range(700)},
        "bad offset": {"offset": "-1"},
        "huge offset": {"offset": "9" * 40},
        "huge limit": {"limit": "100000"},
        "limit a word": {"limit": "ten"},
        "fields unknown": {"fields": "id,password"},
        "fields NUL": {"fields": "id\x00"},
    }


# Each API's list: its path, its text filter, and filters that take only some values.
LISTS = {
    "customer": (API, "/customer", "name", {
        "bad status": {"status": "'; DROP TABLE customers_customer; --"},
    }),
    "individual": (PARTY_API, "/individual", "givenName", {
        "familyName markup": {"familyName": "<b>x</b>", "nope": "1"},
    }),
    "organization": (PARTY_API, "/organization", "name", {}),
    "interaction": (INTERACTION_API, "/partyInteraction", "relatedParty.id", {
        "bad status": {"status": "closed'; --"},
        "bad direction": {"direction": "sideways"},
        "bad reason": {"reason": "billing,<script>"},
        "bad channel": {"relatedChannel": "pigeon"},
        "bad date": {"interactionDate.startDateTime.gte": "yesterday"},
        "date NUL": {"interactionDate.startDateTime.lt": "2026-01-01\x00"},
        "date far future": {"interactionDate.startDateTime.gt": "99999-01-01T00:00:00Z"},
    }),
}  # fmt: skip


def hostile_inputs(port: int, seed, *, big_bytes: int, stride: int = 1) -> Family:
    family = Family("hostile API inputs")
    b = Http(port, {"Authorization": f"Bearer {seed.tokens['b']}"})
    target = seed.customer_b
    counter = iter(range(10_000, 99_999))

    def state() -> tuple:
        return (
            _customer_state(target),
            _party_state(seed.party_b),
            _party_state(seed.organization_b),
            _interaction_state(seed.interaction_b),
        )

    def refused(response, what: str, *, unchanged: bool = True) -> None:
        ok = 400 <= response.status_code < 500 and is_json_error(response) and unchanged
        severity = 2 if response.status_code >= 500 else 1
        if not unchanged and not response.ok:
            # Refused, yet written: worse than taking what it should have refused.
            what += " (refused, and it changed data)"
            severity = 3
        elif response.ok:
            what += " (accepted)"
        family.case(ok, f"{what}: {short(response)}", severity=severity)

    # A party of B's own for TMF629's standard create (a PartyRef to it, with a name).
    registered = b.api(
        "POST", "/individual", partner_apis.individual_body(familyName="Reference"),
        root=PARTY_API,
    )  # fmt: skip
    family.case(registered.status_code == 201, f"B registers a party: {short(registered)}")
    reference = registered.json().get("id", "0") if registered.status_code == 201 else "0"
    cases = [
        (API, "POST", "/customer", CREATE_BODY, "create"),
        (API, "PATCH", f"/customer/{target.number}", PATCH_BODY, "patch"),
        (API, "POST", "/hub", HUB_BODY, "hub"),
        (PARTY_API, "POST", "/individual", partner_apis.individual_body(), "individual create"),
        (PARTY_API, "POST", "/organization", partner_apis.organization_body(),
         "organization create"),
        (PARTY_API, "PATCH", f"/individual/{seed.party_b}", partner_apis.INDIVIDUAL_PATCH,
         "individual patch"),
        (PARTY_API, "PATCH", f"/organization/{seed.organization_b}",
         partner_apis.ORGANIZATION_PATCH, "organization patch"),
        (PARTY_API, "POST", "/hub", HUB_BODY, "party hub"),
        (INTERACTION_API, "POST", "/partyInteraction", partner_apis.touch_point(target.number),
         "interaction create"),
        (INTERACTION_API, "PATCH", f"/partyInteraction/{seed.interaction_b}",
         partner_apis.INTERACTION_PATCH, "interaction patch"),
        (INTERACTION_API, "POST", "/hub", HUB_BODY, "interaction hub"),
        # Last: an accepted one makes B's party a customer, which later creates are refused.
        (API, "POST", "/customer", partner_apis.standard_create(reference), "standard create"),
    ]  # fmt: skip
    for root, method, path, body, label in cases:
        for field_path in list(_string_paths(body))[::stride]:
            for name, mutation in MUTATIONS.items():
                raw = _mutated(body, field_path, mutation, str(next(counter)))
                counts, before = _counts(), state()
                response = b.api(method, path, raw=raw, root=root)
                where = ".".join(map(str, field_path))
                unchanged = _counts() == counts and state() == before
                # A null in a merge patch removes the attribute: taking it is no failure.
                nullable = field_path[-1] in NULLABLE or "patch" in label
                if name == "null" and nullable and response.ok:
                    family.case(True, "")
                    continue
                refused(response, f"{label} {where} = {name}", unchanged=unchanged)
            # An attribute name of its own.
            raw = _mutated(body, field_path, ("value", "x"), str(next(counter)))
            spoiled = json.loads(raw)
            spoiled["unknownProbe"] = "x"
            counts, before = _counts(), state()
            response = b.api(method, path, spoiled, root=root)
            unchanged = _counts() == counts and state() == before
            refused(response, f"{label}: unknown attribute at the top", unchanged=unchanged)
        refused(b.api(method, path, raw=b'{"\\ud800": "x"}', root=root),
                f"{label}: surrogate in a name")  # fmt: skip
        refused(b.api(method, path, raw=b'{"a\\u0000": "x"}', root=root),
                f"{label}: NUL in a name")  # fmt: skip
    # Unknown attributes deeper in.
    deeper = [
        (API, "/customer", CREATE_BODY, "engagedParty",
         lambda body: body["engagedParty"].update(shoeSize=44)),
        (API, "/customer", CREATE_BODY, "contactMedium[0]",
         lambda body: body["contactMedium"][0].update(fax="1")),
        (API, "/customer", CREATE_BODY, "characteristic[0]",
         lambda body: body["characteristic"][0].update(extra="1")),
        (PARTY_API, "/individual", partner_apis.individual_body(), "individualIdentification[0]",
         lambda body: body["individualIdentification"][0].update(issuingAuthority={"x": 1})),
        (PARTY_API, "/individual", partner_apis.individual_body(), "contactMedium[1]",
         lambda body: body["contactMedium"][1].update(extension="12")),
        (PARTY_API, "/organization", partner_apis.organization_body(), "top (isLegalEntity)",
         lambda body: body.update(isLegalEntity=True)),
        (INTERACTION_API, "/partyInteraction", partner_apis.touch_point(target.number),
         "relatedChannel[0].channel",
         lambda body: body["relatedChannel"][0]["channel"].update(colour="red")),
        (INTERACTION_API, "/partyInteraction", partner_apis.touch_point(target.number),
         "relatedParty[0].partyOrPartyRole",
         lambda body: body["relatedParty"][0]["partyOrPartyRole"].update(secret="1")),
        (INTERACTION_API, "/partyInteraction", partner_apis.touch_point(target.number),
         "two customers",
         lambda body: body["relatedParty"].append(body["relatedParty"][0])),
        (INTERACTION_API, "/partyInteraction", partner_apis.touch_point(target.number),
         "attachment", lambda body: body.update(attachment=[{"url": "x"}])),
    ]  # fmt: skip
    for root, path, body, where, spoil in deeper:
        spoiled = copy.deepcopy(body)
        _unique(spoiled, str(next(counter)))
        spoil(spoiled)
        counts = _counts()
        response = b.api("POST", path, spoiled, root=root)
        refused(
            response,
            f"{root.split('/')[2]} create: unknown attribute in {where}",
            unchanged=_counts() == counts,
        )
    # Bodies that are not what JSON or the API takes.
    depth = 100_000
    bodies = {
        "nested arrays": b'{"a": ' + b"[" * depth + b"]" * depth + b"}",
        "nested objects": b'{"a": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}",
        "nested 2000": b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        "truncated": b'{"engagedParty": {"@type": "Individual"',
        "trailing comma": b'{"name": "x",}',
        "single quotes": b"{'name': 'x'}",
        "NaN": b'{"name": NaN}',
        "Infinity": b'{"name": Infinity}',
        "huge number": b'{"name": 1' + b"0" * 5000 + b"}",
        "empty": b"",
        "not UTF-8": b'{"name": "\xff\xfe"}',
        "UTF-16": '{"name": "x"}'.encode("utf-16"),
        "a list": b"[]",
        "a string": b'"x"',
        "null": b"null",
        "empty object": b"{}",
        f"{big_bytes // 1000} KB": b'{"name": "' + b"x" * big_bytes + b'"}',
    }
    for root, method, path, _, label in cases:
        for name, raw in bodies.items():
            counts, before = _counts(), state()
            response = b.api(method, path, raw=raw, root=root)
            unchanged = _counts() == counts and state() == before
            # {} is a merge patch that changes nothing (RFC 7396): a 200 is right.
            if name == "empty object" and method == "PATCH" and response.status_code == 200:
                family.case(unchanged, f"{label}: {{}} changed data", severity=3)
                continue
            refused(response, f"{label}: {name}", unchanged=unchanged)
        response = b.api(method, path, raw=b"name=x", headers={"Content-Type": "text/plain"},
                         root=root)  # fmt: skip
        refused(response, f"{label}: text/plain body")
        response = b.api(method, path, raw=b"name=x", headers={"Content-Type": "a/b; x=y"},
                         root=root)  # fmt: skip
        refused(response, f"{label}: unknown content type")
    # Query strings: long, unknown keys, hostile values, on every list.
    for resource, (root, path, text, own) in LISTS.items():
        for name, params in {**_bad_queries({"text": text}), **own}.items():
            response = b.api("GET", path, params=params, root=root)
            refused(response, f"{resource} list query {name}")
        # 4-8 KB: past the API's 4096 characters, within gunicorn's request line (8190 bytes,
        # gunicorn.conf.py): Django answers with the TMF 414.
        for size in (4_200, 5_000, 8_000):
            response = b.api("GET", path, params={text: "x" * size}, root=root)
            family.case(
                response.status_code == 414 and is_json_error(response),
                f"{resource} list query {size // 1000} KB {text}: {short(response)}",
                severity=2 if response.status_code >= 500 else 1,
            )
        # Over 8190 bytes gunicorn refuses the request line with its own HTML page before
        # Django: a refusal, kept in notes (as the headers gunicorn refuses).
        response = b.api("GET", path, params={text: "x" * 9_000}, root=root)
        if gunicorn_refused_line(response):
            family.notes.append(f"{resource} list query 9 KB {text}: refused by gunicorn (414)")
            family.case(True, "")
        else:
            refused(response, f"{resource} list query 9 KB {text}")
        # Odd but harmless: any answer but a server error.
        for name, query in (
            ("4 KB value", f"{text}=" + "y" * 4_000),
            ("lone surrogate in UTF-8", f"{text}=%ED%A0%80"),
            ("invalid UTF-8", f"{text}=%FF%FE"),
            ("repeated key", f"{text}=a&{text}=b"),
            ("key without value", text),
            ("percent alone", f"{text}=%"),
        ):
            response = b.request("GET", f"{root}{path}?{query}", headers={"Accept": "*/*"})
            family.case(
                response.status_code < 500, f"{resource} list query {name}: {short(response)}", 2
            )
    return family
