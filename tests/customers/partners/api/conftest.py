"""Partners with tokens, an API client per caller, and the TMF v5 schemas to check against."""

import hashlib
import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.cache import cache
from django.test import Client

from customers.models import Partner
from customers.partners.models import ApiToken
from customers.partners.services.partners import FULL_SCOPES, token_issue
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory, PartnerFactory

API = "/tmf-api/customerManagement/v5"
PARTY_API = "/tmf-api/partyManagement/v5"
INTERACTION_API = "/tmf-api/partyInteraction/v5"
PRIVACY_API = "/tmf-api/privacyManagement/v5"
SPECS = Path(__file__).parent / "tmf"
# Each spec copy with its sha256 (SOURCE.md says where it came from).
SPEC_FILES = {
    "TMF629": (
        "TMF629-Customer_Management-v5.0.1.oas.yaml",
        "fb55f75e317af1ed6e51e484d126e57399e6e1587ad655eda0d47a7f9365a737",
    ),
    "TMF632": (
        "TMF632-Party_Management-v5.0.0.oas.yaml",
        "629e0236773c10ddade53598bd3d3c254f0e097e6e5c178aa51eeb8b297aecc2",
    ),
    "TMF683": (
        "TMF683-Party_Interaction-v5.0.0.oas.yaml",
        "e9a22119793701f1c83d167f80d4fd3c6e612eddaceed2d59ac56a552dc0415d",
    ),
    "TMF644": (
        "TMF644-Privacy-v5.0.0.oas.yaml",
        "e104a780af666dc8f233891c215384c2609ad48a166c7b06bae20bc1b7f3f18c",
    ),
}
# Types the spec names in a discriminator mapping without defining them: checked as their base.
UNDEFINED_SUBTYPES = {"SocialContactMedium": "ContactMedium"}


class TmfSchemas:
    """Validates a body against a TMF v5 schema of one spec, and every nested object with an
    ``@type`` against the schema of that type (JSON Schema ignores OpenAPI's discriminators)."""

    def __init__(self, spec: dict, name: str = "TMF629"):
        self.name = name
        self.spec = _discriminated_as_any_of(spec)
        self.schemas = spec["components"]["schemas"]
        format_checker = jsonschema.FormatChecker()
        format_checker.checks("date-time", raises=ValueError)(_is_date_time)
        self.format_checker = format_checker

    def validate(self, body, schema_name: str) -> None:
        self._validate_as(body, schema_name)
        for node in _objects_in(body):
            kind = node.get("@type")
            if kind is None:
                continue
            name = UNDEFINED_SUBTYPES.get(kind, kind)
            assert name in self.schemas, f"@type {kind!r} is no {self.name} v5 schema"
            self._validate_as(node, name)

    def _validate_as(self, body, schema_name: str) -> None:
        # The spec is the root document, so its "#/components/schemas/…" references resolve.
        root = {**self.spec, "$ref": f"#/components/schemas/{schema_name}"}
        jsonschema.Draft4Validator(root, format_checker=self.format_checker).validate(body)


def _discriminated_as_any_of(spec: dict) -> dict:
    """The spec with each discriminated ``oneOf`` read as ``anyOf``.

    The spec's alternatives (PartyRef, Individual, Organization …) accept each other's bodies,
    so plain JSON Schema finds several matches and fails every ``oneOf``; OpenAPI picks the
    one that ``@type`` names, which ``TmfSchemas.validate`` checks for every nested object.
    """

    def convert(node):
        if isinstance(node, dict):
            node = {key: convert(value) for key, value in node.items()}
            if "oneOf" in node and "discriminator" in node:
                node["anyOf"] = node.pop("oneOf")
            return node
        if isinstance(node, list):
            return [convert(item) for item in node]
        return node

    return convert(spec)


def _is_date_time(value) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _objects_in(value):
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects_in(item)


def tmf_spec(name: str) -> TmfSchemas:
    """The schemas of one TMF spec, read from its copy at test time (checked unchanged)."""
    file_name, sha256 = SPEC_FILES[name]
    raw = (SPECS / file_name).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == sha256, f"the {name} spec copy was changed"
    return TmfSchemas(yaml.safe_load(raw), name)


@pytest.fixture(scope="session")
def tmf():
    return tmf_spec("TMF629")


@pytest.fixture(scope="session")
def tmf632():
    return tmf_spec("TMF632")


@pytest.fixture(scope="session")
def tmf683():
    return tmf_spec("TMF683")


@pytest.fixture(scope="session")
def tmf644():
    return tmf_spec("TMF644")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


class ApiClient:
    """The Django test client speaking JSON to one partner API with one set of credentials."""

    def __init__(self, token: str | None = None, client: Client | None = None, root: str = API):
        self.root = root
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(f"{self.root}{path}", params, headers=self.headers)

    def post(self, path, body, content_type="application/json"):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(
            f"{self.root}{path}", data, content_type=content_type, headers=self.headers
        )

    def patch(self, path, body, content_type="application/merge-patch+json"):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.patch(
            f"{self.root}{path}", data, content_type=content_type, headers=self.headers
        )

    def delete(self, path):
        return self.client.delete(f"{self.root}{path}", headers=self.headers)


def partner_with_token(name: str, scopes=FULL_SCOPES) -> tuple[Partner, str]:
    partner = PartnerFactory(name=name)
    issued = token_issue(partner=partner, name="integration", scopes=scopes, actor="test")
    return partner, issued.secret


@pytest.fixture
def alpha(db):
    """Alpha Mobile, an approved partner with a full-scope token."""
    return partner_with_token("Alpha Mobile")


@pytest.fixture
def beta(db):
    """Beta Telecom, a second approved partner: it must never see Alpha's customers."""
    return partner_with_token("Beta Telecom")


@pytest.fixture
def alpha_api(alpha):
    return ApiClient(alpha[1])


@pytest.fixture
def beta_api(beta):
    return ApiClient(beta[1])


@pytest.fixture
def alpha_customer(alpha):
    return CustomerFactory(
        partner=alpha[0],
        given_name="Anna",
        family_name="Alphason",
        contact_media=[ContactMediumInput(kind="email", value="anna@alpha.example")],
    )


@pytest.fixture
def beta_customer(beta):
    return CustomerFactory(
        partner=beta[0],
        given_name="Bernd",
        family_name="Betamann",
        contact_media=[ContactMediumInput(kind="email", value="bernd@beta.example")],
    )


def individual(given="Jane", family="Doe", **extra) -> dict:
    """A minimal create body for a person."""
    return {
        "@type": "Customer",
        "engagedParty": {"@type": "Individual", "givenName": given, "familyName": family},
        **extra,
    }


READ_ONLY_SCOPES = [ApiToken.Scope.READ]


def tmf_error(response, status: int, tmf) -> dict:
    """The TMF Error body of ``response``, after checking its status, type and shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    tmf.validate(body, "Error")
    assert body["status"] == str(status)
    return body
