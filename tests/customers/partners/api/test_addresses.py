"""Addresses sent by partners are checked like those staff enter."""

import pytest

from customers.models import Customer
from tests.customers.partners.api.conftest import individual

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def test_the_api_refuses_an_address_in_no_country(alpha_api):
    address = {
        "@type": "GeographicAddressContactMedium",
        "street1": "1 Main St",
        "city": "Nowhere",
        "country": "ZZ",
    }

    response = alpha_api.post("/customer", individual(contactMedium=[address]))

    assert response.status_code == 400
    assert response.json()["message"].startswith("contactMedium.country: 'ZZ' is not a country")
    assert not Customer.objects.exists()
