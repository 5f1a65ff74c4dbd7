import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from customers import roles
from customers.services import TRANSITIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MANAGER_ONLY_TRANSITIONS = ["suspend", "resume", "terminate", "reestablish"]
AGENT_TRANSITIONS = ["qualify", "establish", "disqualify"]


def _group_permissions(role):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.AGENT,
        roles.MANAGER,
        roles.RISK_ANALYST,
        roles.ADMINISTRATOR,
    }


def test_migrate_creates_the_roles_with_debug_off_as_in_production(tmp_path):
    """A fresh process, as a deploy runs it: the receiver that syncs the roles must outlive
    the garbage collections of a whole migrate."""
    database = tmp_path / "fresh.sqlite3"
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "crm.settings.dev",
        "DJANGO_DEBUG": "false",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        check=True,
        capture_output=True,
    )

    with sqlite3.connect(database) as connection:
        groups = {name for (name,) in connection.execute("SELECT name FROM auth_group")}
    assert groups >= {roles.AGENT, roles.MANAGER, roles.RISK_ANALYST, roles.ADMINISTRATOR}


@pytest.mark.parametrize("role", [roles.AGENT, roles.MANAGER, roles.RISK_ANALYST])
def test_each_role_has_exactly_its_listed_permissions(role):
    assert _group_permissions(role) == set(roles.ROLE_PERMISSIONS[role])


def test_every_permission_a_role_lists_exists():
    listed = {name for names in roles.ROLE_PERMISSIONS.values() for name in names if name != "*"}

    assert listed <= _group_permissions(roles.ADMINISTRATOR)


def test_every_lifecycle_permission_exists():
    assert {t.permission for t in TRANSITIONS.values()} <= _group_permissions(roles.ADMINISTRATOR)


def test_the_administrator_has_every_permission():
    assert Group.objects.get(name=roles.ADMINISTRATOR).permissions.count() == (
        Permission.objects.count()
    )


@pytest.mark.parametrize("action", AGENT_TRANSITIONS)
def test_an_agent_can_move_leads_along(agent, action):
    assert agent.has_perm(TRANSITIONS[action].permission)


@pytest.mark.parametrize("action", MANAGER_ONLY_TRANSITIONS)
def test_an_agent_cannot_suspend_resume_terminate_or_reestablish(agent, action):
    assert not agent.has_perm(TRANSITIONS[action].permission)


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_a_manager_can_make_every_transition(manager, action):
    assert manager.has_perm(TRANSITIONS[action].permission)


def test_an_agent_edits_customers_but_cannot_sell_products_or_unlink_customers(agent):
    assert agent.has_perms(["customers.add_customer", "customers.change_customer"])
    assert not agent.has_perm("customers.add_subscription")
    assert not agent.has_perm("customers.delete_customerrelationship")
    assert not agent.has_perm("customers.delete_customer")


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_a_risk_analyst_cannot_make_any_transition(analyst, action):
    assert not analyst.has_perm(TRANSITIONS[action].permission)


def test_a_risk_analyst_views_customers_and_works_only_on_the_models(analyst):
    permissions = analyst.get_all_permissions()

    assert "customers.view_customer" in permissions
    assert "customers.view_actionlog" in permissions
    changes = {name for name in permissions if not name.split(".", 1)[1].startswith("view_")}
    assert changes == {
        "risk.train_riskmodel",
        "risk.start_scoringrun",
        "retention.start_campaign",
    }


def test_staff_without_a_role_can_do_nothing():
    assert UserFactory().get_all_permissions() == set()


def test_syncing_again_restores_a_tampered_group():
    group = Group.objects.get(name=roles.AGENT)
    group.permissions.add(Permission.objects.get(codename="terminate_customer"))

    roles.roles_sync()

    assert _group_permissions(roles.AGENT) == set(roles.ROLE_PERMISSIONS[roles.AGENT])
