"""The partner APIs under ``/tmf-api/``: each with its resources, its hub, its OpenAPI document
and its Swagger UI. Anything else under ``/tmf-api/`` answers with a TMF error."""

from django.urls import include, path, re_path

from customers.partners.api import openapi
from customers.partners.api.customer import urls as customer
from customers.partners.api.errors import api_error_response
from customers.partners.api.interaction import urls as interaction
from customers.partners.api.party import urls as party
from customers.partners.api.privacy import urls as privacy
from customers.partners.api.usage import urls as usage

app_name = "api"


def not_found(request, *args, **kwargs):
    return api_error_response(404, "not_found", f"Nothing at {request.path}.")


def _api(module, *, prefix: str, title: str, version: str, description: str):
    patterns = [
        *module.resources,
        *openapi.document_urls(
            root=module.ROOT,
            patterns=module.resources,
            prefix=prefix,
            title=title,
            version=version,
            description=description,
        ),
    ]
    return path(module.ROOT.removeprefix("/tmf-api/"), include(patterns))


urlpatterns = [
    _api(
        customer,
        prefix="",
        title="Customer Management (TMF629 v5)",
        version="5.0.1",
        description="Partners manage their own customers: TMF629 Customer Management v5 "
        "resources, query conventions and the event hub. Authenticate with "
        "`Authorization: Bearer <token>`.",
    ),
    _api(
        interaction,
        prefix="interaction-",
        title="Party Interaction (TMF683 v5)",
        version="5.0.0",
        description="Partners record and read the touch points of their own customers: TMF683 "
        "Party Interaction v5 resources, query conventions and the event hub. Authenticate with "
        "`Authorization: Bearer <token>` (customer:read to read, customer:write to record).",
    ),
    _api(
        party,
        prefix="party-",
        title="Party Management (TMF632 v5)",
        version="5.0.0",
        description="Partners register the people and organisations they work with, before or "
        "besides their customer role: TMF632 Party Management v5 individuals, organisations and "
        "the event hub. Authenticate with `Authorization: Bearer <token>`.",
    ),
    _api(
        privacy,
        prefix="privacy-",
        title="Privacy Management (TMF644 v5)",
        version="5.0.0",
        description="Partners read and record their own customers' consents, one party privacy "
        "agreement per channel and purpose: TMF644 Privacy Management v5. Authenticate with "
        "`Authorization: Bearer <token>` (customer:read to read, customer:write to record).",
    ),
    _api(
        usage,
        prefix="usage-",
        title="Usage Management (TMF635 v5)",
        version="5.0.0",
        description="Partners record and read their own customers' monthly usage of each "
        "product (minutes and calls by period and destination, data, SMS, roaming, calls to "
        "customer service): TMF635 Usage Management v5. Authenticate with "
        "`Authorization: Bearer <token>` (customer:read to read, customer:write to record).",
    ),
    # Debug mode too: an unknown path under the API is a TMF error, never an HTML page.
    re_path(r"^.*$", not_found),
]
