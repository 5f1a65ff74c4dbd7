"""The customer page's "Usage" panel: the last three months with usage, to whoever may see it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string

from customers import panels
from customers.services.usage import UsageInput, usages_record_bulk
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def _viewer(*codenames: str):
    user = UserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="customers", codename__in=codenames)
    )
    return user


def test_the_usage_panel_shows_the_last_three_months_to_viewers_of_usage():
    customer = CustomerFactory()
    product = ProductFactory(code="MOB-PANEL")
    usages_record_bulk(
        [
            UsageInput(
                customer.pk,
                product.pk,
                datetime.date(2026, month, 1),
                {"voice_minutes_day": Decimal(month * 10), "data_mb": Decimal("2048")},
            )
            for month in (1, 2, 3, 4)
        ]
    )

    [panel] = [
        p
        for p in panels.panels_for(customer, viewer=_viewer("view_usagesummary"))
        if p["template"] == "customers/_usage_panel.html"
    ]
    html = render_to_string(panel["template"], {"panel": panel})

    assert [m["month"].month for m in panel["usage_months"]] == [4, 3, 2]
    assert "2026-04" in html and "2026-01" not in html
    assert "2.0" in html


def test_the_usage_panel_is_hidden_from_viewers_without_its_permission():
    shown = panels.panels_for(CustomerFactory(), viewer=_viewer("view_customer"))

    assert "customers/_usage_panel.html" not in [p["template"] for p in shown]
