"""The partner API (TMF629): one partner on another's resources, tokens in every state and
malformed Authorization headers, hostile bodies and query strings."""

import copy
import json

from bench.security.harness import API, Family, Http, is_json_error, raw_request, short

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
        ContactMedium.objects.filter(party__customers__partner=seed.partner_a)
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

    def refused(response, what: str) -> None:
        leaked = any(number in response.text for number in numbers_a)
        family.case(
            response.status_code == 404 and is_json_error(response) and not leaked,
            f"B {what}: {short(response)}",
            severity=3 if response.status_code < 300 or leaked else 2,
        )

    def empty(response, what: str) -> None:
        leaked = [n for n in numbers_a if n in response.text]
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
                b.api("PATCH", f"/customer/{number}", patch, headers={"Content-Type": content_type}),
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
    body = {"engagedParty": {"@type": "Individual", "givenName": "Ida", "familyName": "Empotent"}}
    key = {"Idempotency-Key": "probe-shared-key-1"}
    first = a.api("POST", "/customer", body, headers=key)
    numbers_a.add((first.json() or {}).get("id", "-") if first.ok else "-")
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
    # Repeated after the hub calls: A's rows, hub secrets included, are exactly as they were.
    for customer in seed.customers_a[:3]:
        refused(b.api("DELETE", f"/customer/{customer.number}"), "DELETE again")
    after = _partner_a_rows(seed)
    for what, old, new in zip(("customers", "contact media", "hubs"), before, after, strict=True):
        family.case(old == new, f"A's {what} changed while B probed them", severity=3)
    return family


# --- Tokens and malformed headers ---------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/customer", None),
    ("POST", "/customer", {"engagedParty": {"@type": "Individual", "familyName": "Token"}}),
    ("GET", "/customer/{number}", None),
    ("PATCH", "/customer/{number}", {"engagedParty": {"familyName": "Token"}}),
    ("DELETE", "/customer/{number}", None),
    ("GET", "/hub", None),
    ("POST", "/hub", {"callback": "https://127.0.0.1:9/token-probe"}),
    ("DELETE", "/hub/{hub}", None),
]
WRITES = {"POST", "PATCH", "DELETE"}


def _raw_head(method: str, path: str, authorization: bytes | None) -> bytes:
    lines = [
        f"{method} {API}{path} HTTP/1.1".encode(),
        b"Host: 127.0.0.1",
        b"X-Forwarded-Proto: https",
        b"Accept: application/json",
        b"Connection: close",
        b"Content-Length: 0",
    ]
    if authorization is not None:
        lines.append(b"Authorization: " + authorization)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def token_states(port: int, seed) -> Family:
    from customers.models import Customer

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
    rows = Customer.objects.count()

    def judged(status: int, body_ok: bool, what: str, *, http_level: bool = False) -> None:
        # A header the HTTP server itself cannot parse may be refused there with a 400.
        allowed = {401, 403} | ({400} if http_level else set())
        ok = status in allowed and (body_ok or (http_level and status == 400))
        family.case(ok, f"{what}: answered {status}", severity=3 if 200 <= status < 300 else 2)

    for method, template, body in ENDPOINTS:
        path = template.format(number=number, hub=hub)
        for state, value in headers.items():
            client = Http(port)
            sent = {} if value is None else {"Authorization": value}
            response = client.api(method, path, body, headers=sent)
            judged(response.status_code, is_json_error(response), f"{state} {method} {template}")
        for state, value in raw_headers.items():
            status, answer = raw_request(port, _raw_head(method, path, value))
            try:
                body_ok = "code" in json.loads(answer)
            except ValueError:
                body_ok = False
            judged(status, body_ok, f"{state} {method} {template}", http_level=True)
    # Scopes: a read-only token may not write, an events token may not read customers, a
    # customers token may not touch hubs.
    scoped = [
        ("read-only", [(m, t, b) for m, t, b in ENDPOINTS if m in WRITES and "hub" not in t]),
        ("events-only", [e for e in ENDPOINTS if "customer" in e[1]]),
        ("customers-only", [e for e in ENDPOINTS if "hub" in e[1]]),
        ("read-only", [e for e in ENDPOINTS if "hub" in e[1]]),
    ]
    for state, endpoints in scoped:
        client = Http(port, {"Authorization": f"Bearer {tokens[state]}"})
        for method, template, body in endpoints:
            response = client.api(method, template.format(number=number, hub=hub), body)
            family.case(
                response.status_code == 403 and is_json_error(response),
                f"{state} token {method} {template}: {short(response)}",
                severity=3 if response.ok else 1,
            )
    family.case(Customer.objects.count() == rows, "a refused token created customers", severity=3)
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
        {"@type": "EmailContactMedium", "emailAddress": "hostile@example.com", "contactType": "work"},
        {"@type": "PhoneContactMedium", "phoneNumber": "+447700900123", "contactType": "mobile"},
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


def _unique(body: dict, unique: str) -> None:
    """Each create a different person, so a duplicate check never hides what is probed."""
    if "engagedParty" in body and "familyName" in body["engagedParty"]:
        body["engagedParty"]["familyName"] += unique
    for item in body.get("contactMedium", []):
        if "emailAddress" in item:
            item["emailAddress"] = f"h{unique}@example.com"
        if "phoneNumber" in item:
            item["phoneNumber"] = f"+4477009{int(unique):05d}"
    for item in body.get("characteristic", []):
        if item["name"] == "externalReference":
            item["value"] = f"HOSTILE-{unique}"


def _counts() -> tuple[int, int, int]:
    from customers.models import ContactMedium, Customer
    from customers.partners.models import HubSubscription

    return (
        Customer.objects.count(),
        ContactMedium.objects.count(),
        HubSubscription.objects.filter(deleted_at=None).count(),
    )


def _customer_state(customer) -> tuple:
    from customers.models import Customer

    row = Customer.objects.select_related("party").get(pk=customer.pk)
    media = list(row.party.contact_media.order_by("pk").values_list("kind", "value"))
    return (row.status, row.party.given_name, row.party.family_name, row.segment, media)


def hostile_inputs(port: int, seed, *, big_bytes: int) -> Family:
    family = Family("hostile API inputs")
    b = Http(port, {"Authorization": f"Bearer {seed.tokens['b']}"})
    target = seed.customer_b
    counter = iter(range(10_000, 99_999))

    def refused(response, what: str, *, unchanged: bool = True) -> None:
        ok = 400 <= response.status_code < 500 and is_json_error(response) and unchanged
        severity = 2 if response.status_code >= 500 else 1
        if not unchanged:
            what += " (and it changed data)"
            severity = 3
        family.case(ok, f"{what}: {short(response)}", severity=severity)

    cases = [
        ("POST", "/customer", CREATE_BODY, "create"),
        ("PATCH", f"/customer/{target.number}", PATCH_BODY, "patch"),
        ("POST", "/hub", HUB_BODY, "hub"),
    ]
    for method, path, body, label in cases:
        for field_path in _string_paths(body):
            for name, mutation in MUTATIONS.items():
                raw = _mutated(body, field_path, mutation, str(next(counter)))
                counts, state = _counts(), _customer_state(target)
                response = b.api(method, path, raw=raw)
                where = ".".join(map(str, field_path))
                unchanged = _counts() == counts and _customer_state(target) == state
                if name == "null" and field_path[-1] in NULLABLE and response.ok:
                    family.case(True, "")
                    continue
                refused(response, f"{label} {where} = {name}", unchanged=unchanged)
            # An attribute name of its own.
            raw = _mutated(body, field_path, ("value", "x"), str(next(counter)))
            spoiled = json.loads(raw)
            spoiled["unknownProbe"] = "x"
            refused(b.api(method, path, spoiled), f"{label}: unknown attribute at the top")
        refused(b.api(method, path, raw=b'{"\\ud800": "x"}'), f"{label}: surrogate in a name")
        refused(b.api(method, path, raw=b'{"a\\u0000": "x"}'), f"{label}: NUL in a name")
    # Unknown attributes deeper in.
    for where, spoil in (
        ("engagedParty", lambda body: body["engagedParty"].update(shoeSize=44)),
        ("contactMedium[0]", lambda body: body["contactMedium"][0].update(fax="1")),
        ("characteristic[0]", lambda body: body["characteristic"][0].update(extra="1")),
    ):
        spoiled = copy.deepcopy(CREATE_BODY)
        _unique(spoiled, str(next(counter)))
        spoil(spoiled)
        counts = _counts()
        response = b.api("POST", "/customer", spoiled)
        refused(response, f"create: unknown attribute in {where}", unchanged=_counts() == counts)
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
        "duplicate keys": b'{"engagedParty": 1, "engagedParty": {"@type": "Individual"}}',
        f"over {big_bytes // 1_000_000} MB": b'{"name": "' + b"x" * big_bytes + b'"}',
    }
    for method, path, _, label in cases:
        for name, raw in bodies.items():
            counts = _counts()
            response = b.api(method, path, raw=raw)
            refused(response, f"{label}: {name}", unchanged=_counts() == counts)
        response = b.api(method, path, raw=b"name=x", headers={"Content-Type": "text/plain"})
        refused(response, f"{label}: text/plain body")
        response = b.api(method, path, raw=b"name=x", headers={"Content-Type": "a/b; x=\x7f"})
        refused(response, f"{label}: odd content type")
    # Query strings: long, unknown keys, hostile values.
    queries = {
        "5 KB name": {"name": "x" * 5_000},
        "9 KB name": {"name": "x" * 9_000},
        "4 KB of keys": {f"k{n}": "v" for n in range(700)},
        "unknown key": {"shoeSize": "44"},
        "unknown key with known": {"status": "active", "hack": "1"},
        "NUL in value": {"name": "a\x00b"},
        "NUL in key": {"na\x00me": "x"},
        "bad status": {"status": "'; DROP TABLE customers_customer; --"},
        "bad offset": {"offset": "-1"},
        "huge offset": {"offset": "9" * 40},
        "huge limit": {"limit": "100000"},
        "fields unknown": {"fields": "id,password"},
    }
    for name, params in queries.items():
        refused(b.api("GET", "/customer", params=params), f"list query {name}")
    # Odd but harmless: any answer but a server error.
    for name, query in (
        ("4 KB name", "name=" + "y" * 4_000),
        ("lone surrogate in UTF-8", "name=%ED%A0%80"),
        ("invalid UTF-8", "name=%FF%FE"),
        ("repeated key", "name=a&name=b"),
    ):
        response = b.request("GET", f"{API}/customer?{query}", headers={"Accept": "*/*"})
        family.case(response.status_code < 500, f"list query {name}: {short(response)}", 2)
    return family
