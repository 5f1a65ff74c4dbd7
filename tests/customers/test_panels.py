"""The panels other apps add to the customer page carry the permissions needed to see them: a
panel without them is refused, and a viewer without them neither sees the panel nor has its
context read."""

import pytest
from django.contrib.auth.models import Permission

from customers import panels
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_panels(monkeypatch):
    monkeypatch.setattr(panels, "_panels", [])


def _viewer(*codenames: str):
    user = UserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="customers", codename__in=codenames)
    )
    return user


@pytest.mark.parametrize("permissions", [(), "customers.view_invoice"])
def test_a_panel_must_name_its_permissions_as_a_tuple(permissions):
    with pytest.raises(ValueError, match="must name the permissions"):
        panels.panel_register(
            template="billing/_panel.html", permissions=permissions, context=lambda c: {}
        )


def test_a_viewer_sees_only_the_panels_whose_permissions_they_all_hold():
    read = []

    def context_of(name):
        return lambda customer: read.append(name) or {"name": name}

    panels.panel_register(
        template="a.html", permissions=("customers.view_invoice",), context=context_of("invoices")
    )
    panels.panel_register(
        template="b.html",
        permissions=("customers.view_invoice", "customers.view_payment"),
        context=context_of("payments"),
    )
    customer = CustomerFactory()

    shown = panels.panels_for(customer, viewer=_viewer("view_customer", "view_invoice"))

    assert shown == [{"template": "a.html", "name": "invoices"}]
    assert read == ["invoices"]
