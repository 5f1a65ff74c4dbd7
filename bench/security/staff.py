"""The staff pages: who may open each one, forms without their CSRF token, the login page's
``next``, and what hostile text looks like once a page renders it."""

import inspect
import re
from urllib.parse import urlsplit

from bench.security.harness import Family, Http, short
from bench.security.seed import NO_ROLE, NOT_STAFF, PASSWORD

STAFF_NAMESPACES = {"", "customers", "identity", "partners", "risk", "jobs", "satisfaction"}
OPEN_NAMES = {
    "login",
    "logout",
    "second_factor_verify",
    "second_factor_enrol",
    "partner_apply",
    # For load balancers, orchestrators and Prometheus, not staff: health answers anyone and
    # tells nothing but each check's state; /metrics wants its bearer token (tests/crm cover both).
    "health_live",
    "health_ready",
    "health_workers",
    "metrics",
}


def _routes():
    """(namespace:name, pattern, callback) of every named route of the staff apps."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and namespace in STAFF_NAMESPACES
                and pattern.name not in OPEN_NAMES
            ):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, pattern))

    walk(get_resolver().url_patterns, "")
    return found


def _arguments(name: str, pattern, ids: dict) -> dict:
    from django.urls.resolvers import RoutePattern

    if isinstance(pattern.pattern, RoutePattern):
        names = list(pattern.pattern.converters)
    else:
        names = list(pattern.pattern.regex.groupindex)
    kwargs = {}
    for argument in names:
        if argument == "kind" and name.startswith("jobs:"):
            kwargs[argument] = "import"
        elif argument == "action":
            kwargs[argument] = "suspend"
        else:
            kwargs[argument] = ids.get(argument, 1)
    return kwargs


def _decorated_permissions(callback) -> dict[str, str]:
    """The permission each method needs, read from the view's decorators."""
    function = inspect.unwrap(callback)
    try:
        source = inspect.getsource(inspect.getmodule(function))
    except (TypeError, OSError):
        return {}
    at = source.find(f"\ndef {function.__name__}(")
    if at < 0:
        return {}
    head = source[source.rfind("\n\n", 0, at) : at]
    needed = {}
    for match in re.finditer(r'permission_required\(\s*"([^"]+)"', head):
        needed = {"GET": match.group(1), "POST": match.group(1)}
    for match in re.finditer(r"permission_by_method\(([^)]*)\)", head):
        for method, permission in re.findall(r'(\w+)="([^"]+)"', match.group(1)):
            needed[method] = permission
    return needed


def _roles_lacking(permission: str) -> list[str]:
    from customers import roles

    return [
        role
        for role, names in roles.ROLE_PERMISSIONS.items()
        if names != ["*"] and permission not in names
    ]


def _session_of(port: int, username: str) -> Http:
    """A session made in this process for someone the login page refuses (not staff)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Http(port)
    client.get("/login/")  # the CSRF cookie
    django_client = Client()
    django_client.force_login(get_user_model().objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    client.cookies[name] = django_client.cookies[name].value
    return client


def _signed_in(port: int, username: str) -> Http:
    client = Http(port)
    response = client.login(username, PASSWORD)
    if username == "probe-not-staff":
        return _session_of(port, username)
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in: {short(response)}")
    return client


def _refused(response) -> bool:
    if response.status_code in (403, 405):
        return True
    return response.status_code == 302 and "/login/" in response.headers.get("Location", "")


def staff_access(port: int, seed) -> Family:
    from django.urls import reverse

    family = Family("staff roles/CSRF/redirects")
    response = Http(port).login(seed.users[NOT_STAFF], PASSWORD)
    family.case(response.status_code == 200, f"a non-staff user signed in: {short(response)}", 3)
    anonymous = Http(port)
    anonymous.get("/login/")  # a CSRF cookie, so a refusal is about the login, not the token
    clients = {role: _signed_in(port, user) for role, user in seed.users.items()}
    administrator = clients["administrator"]
    known = {"customers:lifecycle_action": {"GET": "customers.view_customer",
                                            "POST": "customers.suspend_customer"}}  # fmt: skip
    routes = _routes()
    family.notes.append(f"{len(routes)} staff routes")
    for name, pattern in routes:
        path = reverse(name, kwargs=_arguments(name, pattern, seed.ids))
        response = anonymous.get(path)
        location = response.headers.get("Location", "")
        family.case(
            response.status_code == 302 and urlsplit(location).path == "/login/",
            f"anonymous GET {path}: {short(response)} -> {location}",
            severity=3 if response.ok else 2,
        )
        response = anonymous.post(path, data={"csrfmiddlewaretoken": anonymous.cookies.get(
            "csrftoken", "")})  # fmt: skip
        family.case(_refused(response), f"anonymous POST {path}: {short(response)}", 3)
        for who in (NOT_STAFF, NO_ROLE):
            client = clients[who]
            token = client.cookies.get("csrftoken", "")
            response = client.get(path)
            family.case(_refused(response), f"{who} GET {path}: {short(response)}", 3)
            response = client.post(path, data={"csrfmiddlewaretoken": token})
            family.case(_refused(response), f"{who} POST {path}: {short(response)}", 3)
        needed = {**_decorated_permissions(pattern.callback), **known.get(name, {})}
        for method, permission in needed.items():
            if method not in ("GET", "POST"):
                continue
            for role in _roles_lacking(permission):
                client = clients[role]
                data = {"csrfmiddlewaretoken": client.cookies.get("csrftoken", "")}
                response = client.get(path) if method == "GET" else client.post(path, data=data)
                family.case(
                    _refused(response),
                    f"{role} (lacks {permission}) {method} {path}: {short(response)}",
                    severity=3 if response.ok or response.status_code == 302 else 2,
                )
        # A form posted from elsewhere: no token, or a token and a foreign Origin.
        response = administrator.post(path, data={"x": "1"})
        family.case(response.status_code == 403, f"POST {path} without CSRF: {short(response)}", 3)
        response = administrator.post(
            path,
            data={"csrfmiddlewaretoken": administrator.cookies.get("csrftoken", "")},
            headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"},
        )
        family.case(
            response.status_code == 403, f"POST {path} from evil.example: {short(response)}", 3
        )
    _open_redirects(port, family)
    return family


NEXT_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "http:evil.example",
    "https:/evil.example",
    "//evil.example/%2F..",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    " //evil.example",
    "javascript:alert(1)",
    "///evil.example",
    "https://127.0.0.1@evil.example",
]


def _off_site(location: str) -> bool:
    if not location:
        return False
    normal = location.strip().replace("\\", "/")
    parts = urlsplit(normal)
    return bool(parts.netloc) or normal.startswith("//") or parts.scheme not in ("", "https")


def _open_redirects(port: int, family: Family) -> None:
    for n, target in enumerate(NEXT_TARGETS):
        client = Http(port)
        response = client.login(f"probe-redirect-{n % 3}", PASSWORD, next_url=target)
        location = response.headers.get("Location", "")
        family.case(
            response.status_code == 302 and not _off_site(location),
            f"login ?next={target!r} redirected to {location!r} ({response.status_code})",
            severity=3,
        )
        response = client.get(f"/login/?next={target}")
        location = response.headers.get("Location", "")
        family.case(
            not _off_site(location) and response.status_code < 500,
            f"signed-in GET /login/?next={target!r} redirected to {location!r}",
            severity=3,
        )


# --- XSS ----------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "</textarea><svg onload=alert(1)>"
JS_URL = "javascript:alert(1)"
RAW_MARKERS = [SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>"]
JS_HREF = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def xss_renders(port: int, seed) -> Family:
    from customers.models import Customer, Interaction
    from customers.partners.services.partners import partner_create

    family = Family("XSS renders")
    administrator = _signed_in(port, seed.users["administrator"])
    api = Http(port, {"Authorization": f"Bearer {seed.tokens['a']}"})
    made = []
    body = {
        "@type": "Customer",
        "engagedParty": {"@type": "Individual", "givenName": SCRIPT, "familyName": IMG[:100]},
        "contactMedium": [
            {"@type": "SocialContactMedium", "socialNetworkId": SCRIPT, "contactType": "social"},
            {"@type": "GeographicAddressContactMedium", "street1": SVG, "city": IMG[:100]},
        ],
        "characteristic": [{"name": "externalReference", "value": SCRIPT}],
    }
    web = {"@type": "SocialContactMedium", "socialNetworkId": JS_URL, "contactType": "web"}
    refused = api.api("POST", "/customer", {**body, "contactMedium": [web]})
    family.case(refused.status_code == 400, f"API took a javascript: web address: {short(refused)}")
    response = api.api("POST", "/customer", body)
    family.case(response.status_code == 201, f"API create with markup: {short(response)}")
    if response.status_code == 201:
        made.append(response.json()["id"])
    through_apis = _made_through_party_apis(api, family)
    made += through_apis
    lead = {
        "kind": "individual", "segment": "residential", "language": "en",
        "given_name": "Lead", "family_name": SCRIPT, "lead_source": IMG[:40],
        "email": "xss.lead@example.com", "mobile": "", "phone": "",
    }  # fmt: skip
    response = administrator.form_post("/customers/new/", lead)
    errors = re.findall(r'role="alert"><p>([^<]{0,200})<', response.text)
    family.case(response.status_code == 302, f"staff lead with markup: {short(response)} {errors}")
    made += list(
        Customer.objects.filter(party__family_name=SCRIPT).values_list("number", flat=True)
    )
    for number in made:
        administrator.form_post(
            f"/customers/{number}/contacts/new/", {"kind": "web", "value": JS_URL, "label": SCRIPT}
        )
        administrator.form_post(
            f"/customers/{number}/interactions/new/",
            {"channel": "phone", "direction": "inbound", "kind": "complaint",
             "summary": f"{SCRIPT} {IMG} {SVG} {JS_URL}", "outcome": "open"},
        )  # fmt: skip
        for interaction in Interaction.objects.filter(customer__number=number, outcome="open"):
            administrator.form_post(
                f"/customers/{number}/interactions/{interaction.pk}/resolve/",
                {"outcome": "resolved", "note": f"{IMG} {SCRIPT}"},
            )
    partner = partner_create(name=f"{IMG[:60]} {SCRIPT}", actor="bench", notes=SCRIPT)
    pages = ["/customers/", f"/customers/?q={SCRIPT}", "/customers/?q=alert",
             "/customers/interactions/open/", "/partners/", f"/partners/{partner.pk}/",
             f"/login/?next={IMG}", f"/customers/?status={IMG}", "/satisfaction/responses/",
             "/satisfaction/follow-ups/", "/customers/imports/", "/risk/"]  # fmt: skip
    for number in made:
        pages += [f"/customers/{number}/", f"/customers/{number}/edit/"]
        pages += [f"/customers/{number}/interactions/new/", f"/customers/{number}/contacts/new/"]
    pages += [f"/s/{SCRIPT}/", f"/s/{IMG}/"]
    for path in pages:
        response = administrator.get(path)
        raw = [marker for marker in RAW_MARKERS if marker in response.text]
        href = JS_HREF.search(response.text)
        family.case(
            response.status_code < 500 and not raw and not href,
            f"{path}: {response.status_code}, unescaped {raw or (href.group(0) if href else '')}",
            severity=3 if raw or href else 2,
        )
        if "text/html" in response.headers.get("Content-Type", ""):
            policy = response.headers.get("Content-Security-Policy", "")
            family.case(
                "script-src" in policy and "unsafe-inline" not in policy.split("script-src")[1],
                f"{path}: no strict Content-Security-Policy ({policy[:80]!r})",
            )
    escaped = administrator.get(f"/customers/{made[0]}/").text if made else ""
    family.case(
        "&lt;script&gt;alert(1)&lt;/script&gt;" in escaped,
        "the payload does not appear escaped on the customer page (was it stored?)",
    )
    # The names of parties registered through TMF632 and the descriptions of interactions
    # recorded through TMF683, on the staff page of the customer they belong to.
    for number in through_apis:
        page = administrator.get(f"/customers/{number}/").text
        family.case(
            page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2,
            f"/customers/{number}/: the TMF632 name and TMF683 description do not appear "
            "escaped (were they stored?)",
        )
    return family


def _made_through_party_apis(api: Http, family: Family) -> list[str]:
    """A person and an organisation with markup for names, registered through TMF632, each
    made a customer through TMF629's standard create, with a touch point through TMF683 whose
    description and completion note carry markup: the customers' numbers."""
    from bench.security.harness import INTERACTION_API, PARTY_API
    from bench.security.partner_apis import standard_create, touch_point

    parties = [
        ("individual", {"@type": "Individual", "givenName": SCRIPT, "familyName": IMG[:100],
                        "contactMedium": [{"@type": "EmailContactMedium",
                                           "emailAddress": "xss.party@example.com"}]}),
        ("organization", {"@type": "Organization", "name": SCRIPT, "tradingName": SVG}),
    ]  # fmt: skip
    numbers = []
    for kind, body in parties:
        party = api.api("POST", f"/{kind}", body, root=PARTY_API)
        if not family.case(party.status_code == 201, f"TMF632 {kind} with markup: {short(party)}"):
            continue
        customer = api.api("POST", "/customer", standard_create(party.json()["id"], SCRIPT))
        if not family.case(
            customer.status_code == 201, f"TMF629 customer on that {kind}: {short(customer)}"
        ):
            continue
        number = customer.json()["id"]
        numbers.append(number)
        body = touch_point(number, reason="complaint", description=f"{SCRIPT} {IMG} {SVG} {JS_URL}")
        interaction = api.api("POST", "/partyInteraction", body, root=INTERACTION_API)
        if family.case(
            interaction.status_code == 201, f"TMF683 interaction with markup: {short(interaction)}"
        ):
            note = {"status": "completed", "note": [{"@type": "Note", "text": f"{IMG} {SCRIPT}"}]}
            closed = api.api(
                "PATCH",
                f"/partyInteraction/{interaction.json()['id']}",
                note,
                root=INTERACTION_API,
            )
            family.case(closed.status_code == 200, f"TMF683 completion note: {short(closed)}")
    return numbers
