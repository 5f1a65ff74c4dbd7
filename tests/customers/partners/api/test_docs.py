"""The OpenAPI document and its Swagger UI, served by the product itself (no CDN)."""

import pytest
from django.test import Client

from .conftest import API

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
