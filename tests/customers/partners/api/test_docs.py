"""The OpenAPI document and its Swagger UI, served by the product itself (no CDN)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from .conftest import API, INTERACTION_API, PARTY_API

pytestmark = pytest.mark.django_db


def test_the_openapi_document_describes_every_operation_without_a_token():
    response = Client().get(f"{API}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations == {
        "listCustomer",
        "createCustomer",
        "retrieveCustomer",
        "patchCustomer",
        "deleteCustomer",
        "createHub",
        "listHub",
        "retrieveHub",
        "hubDelete",
        "rotateHubSecret",
    }
    patch = document["paths"][f"{API}/customer/{{customer_id}}"]["patch"]
    assert set(patch["requestBody"]["content"]) == {
        "application/merge-patch+json",
        "application/json",
    }
    assert document["components"]["securitySchemes"]["partnerToken"]["scheme"] == "bearer"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_the_api_offline_under_the_content_security_policy(browser_page):
    browser_page.goto(f"{API}/docs/")

    browser_page.get_by_text("List or find customers").wait_for()
    assert browser_page.get_by_text("Subscribe to events").is_visible()


@pytest.mark.parametrize(
    ("root", "title", "operations"),
    [
        (
            PARTY_API,
            "Party Management (TMF632 v5)",
            {"listIndividual", "createIndividual", "patchOrganization", "deleteOrganization"},
        ),
        (
            INTERACTION_API,
            "Party Interaction (TMF683 v5)",
            {"listPartyInteraction", "createPartyInteraction", "retrievePartyInteraction"},
        ),
    ],
)
def test_each_api_serves_its_own_document_of_its_own_paths(root, title, operations):
    document = Client().get(f"{root}/openapi.json").json()

    assert document["info"]["title"] == title
    assert all(path.startswith(root) for path in document["paths"])
    found = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations <= found and "createHub" in found and "listCustomer" not in found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("root", "operation"),
    [(PARTY_API, "List or find individuals"), (INTERACTION_API, "Record a touch point")],
)
def test_swagger_ui_renders_each_api(browser_page, root, operation):
    browser_page.goto(f"{root}/docs/")

    browser_page.get_by_text(operation).first.wait_for()
    assert browser_page.get_by_text("Subscribe to events").is_visible()


def test_a_fresh_process_has_every_document_extension_ready_before_its_first_request():
    # drf-spectacular would import them on first use, where two threads of a worker at once
    # can fail and answer 500; a fresh process shows what loading the URLs alone has done.
    script = (
        "import django; django.setup(); import crm.urls; "
        "from drf_spectacular import extensions as e; "
        "bases = (e.OpenApiAuthenticationExtension, e.OpenApiFilterExtension, "
        "e.OpenApiSerializerExtension, e.OpenApiSerializerFieldExtension, "
        "e.OpenApiViewExtension); "
        "print(sum(len(b._registry) for b in bases), "
        "[x.__name__ for b in bases for x in b._registry if isinstance(x.target_class, str)])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[4],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings.dev"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    registered, unresolved = result.stdout.strip().split(" ", 1)
    assert int(registered) > 1  # ours and drf-spectacular's own
    assert unresolved == "[]"
