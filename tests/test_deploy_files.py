"""deploy/check: the deployment files agree with each other and with the production settings."""

import copy
import importlib.machinery
import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def check():
    loader = importlib.machinery.SourceFileLoader("deploy_check", str(ROOT / "deploy/check"))
    spec = importlib.util.spec_from_loader("deploy_check", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    module.problems.clear()
    return module


@pytest.fixture
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_the_deployment_files_pass_the_check(check):
    assert check.main() == 0, check.problems


def test_production_settings_refuse_to_load_without_a_variable_they_require(check, compose):
    values, _ = check.env_example()
    del values["CRM_LOOKUP_KEY"]
    environment = check.production_environment(values, compose["services"]["web"]["environment"])
    check.check_production_loads(environment)
    assert len(check.problems) == 1 and "CRM_LOOKUP_KEY" in check.problems[0]


def test_every_variable_the_settings_read_is_in_env_example(check, compose):
    values, mentioned = check.env_example()
    listed = set(values) | mentioned | set(compose["services"]["web"]["environment"])
    assert check.settings_variables() - listed == set()
    assert {"DJANGO_SECRET_KEY", "CRM_METRICS_TOKEN", "CRM_BEAT_SILENCE_SECONDS"} <= listed


def test_a_secret_given_a_value_in_env_example_is_refused(check):
    check.check_env_example_holds_no_secret({"DJANGO_SECRET_KEY": "abc", "LOG_LEVEL": "INFO"})
    assert check.problems == [
        "deploy/env.example gives DJANGO_SECRET_KEY a value: secrets are generated, not shipped"
    ]


def test_compose_without_a_realtime_worker_is_refused(check, compose):
    broken = copy.deepcopy(compose)
    del broken["services"]["worker-realtime"]
    check.check_compose(broken)
    assert check.problems == ["compose.yaml: no worker consumes the realtime group (realtime)"]


def test_compose_whose_web_starts_before_the_migrations_is_refused(check, compose):
    broken = copy.deepcopy(compose)
    web = broken["services"]["web"]
    web["depends_on"] = {name: v for name, v in web["depends_on"].items() if name != "migrate"}
    check.check_compose(broken)
    assert check.problems == ["compose.yaml: web must wait for migrate to complete"]


def test_compose_and_the_image_run_one_beat_and_a_worker_per_queue_group(compose):
    services = compose["services"]
    assert [name for name, s in services.items() if "beat" in s.get("command", [])] == ["beat"]
    assert services["db"]["image"] == "postgres:15"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
