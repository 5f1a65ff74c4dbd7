"""The demo login: a staff account and a partner token that work at once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from customers.partners.models import ApiToken
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _run() -> list[str]:
    out = StringIO()
    call_command("demo_login", stdout=out)
    return out.getvalue().splitlines()


def test_demo_login_prints_a_staff_login_and_a_working_partner_token():
    PartnerFactory(name="Northwind Mobile")

    lines = _run()

    password = lines[2].removeprefix("Password: ")
    assert Client().login(username="demo", password=password)
    token = lines[-1].removeprefix("Token: ")
    response = Client().get(
        "/tmf-api/customerManagement/v5/customer", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_running_it_again_replaces_the_demo_token():
    PartnerFactory(name="Northwind Mobile")
    _run()

    _run()

    assert ApiToken.objects.filter(name="demo", revoked_at=None).count() == 1


def test_without_an_approved_partner_it_prints_only_the_staff_login():
    assert len(_run()) == 3
