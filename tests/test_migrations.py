"""The squashed migrations: a new database runs one migration per app of ours; a database that
an older release migrated goes on from where it stopped through the original migrations, and
the apps whose models moved take them over without a cycle."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

OURS = ("customers", "identity", "partners", "risk", "satisfaction")

# What a database migrated by the release before the identity and partner apps had applied.
BEFORE_THE_APP_SPLIT = {
    "customers": [f"{n:04d}" for n in range(1, 11)],
    "risk": ["0001", "0002", "0003", "0004"],
    "satisfaction": ["0001", "0002", "0003"],
}


def _plan_for(applied_prefixes, monkeypatch) -> list[tuple[str, str]]:
    """The migrations ``migrate`` would run on a database that applied these (by app and the
    first four characters of each name), ours only."""
    everything = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    applied = {
        key: migration
        for key, migration in everything.items()
        if key[1][:4] in applied_prefixes.get(key[0], ()) and not migration.replaces
    }
    for key, migration in everything.items():
        if key[0] not in OURS:
            applied[key] = migration
    monkeypatch.setattr(MigrationRecorder, "applied_migrations", lambda self: applied)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [(m.app_label, m.name) for m, backwards in plan if m.app_label in OURS]


def test_a_new_database_starts_each_app_with_its_squashed_migration(monkeypatch):
    plan = _plan_for({}, monkeypatch)

    firsts = {}
    for app, name in plan:
        firsts.setdefault(app, name)
    assert set(firsts) == set(OURS)
    assert all(name.startswith("0001_squashed_") for name in firsts.values())
    assert plan[0][0] == "customers"
    # Nothing the squashed migrations replace runs again: only what came after them.
    squashed_up_to = {app: int(name.rsplit("_squashed_")[1][:4]) for app, name in firsts.items()}
    assert all("_squashed_" in name or int(name[:4]) > squashed_up_to[app] for app, name in plan)


def test_a_database_of_the_release_before_the_split_goes_on_through_the_originals(monkeypatch):
    plan = _plan_for(BEFORE_THE_APP_SPLIT, monkeypatch)

    assert ("customers", "0011_jobs_scans_and_imports") in plan
    assert ("customers", "0012_models_moved_to_identity_and_partners") in plan
    assert ("risk", "0005_scoring_runs_as_jobs") in plan
    # The moved models' apps take over the tables the customer core's 0011 left them.
    identity = plan.index(("identity", "0001_squashed_0003_import_file_names_in_history"))
    partners = plan.index(("partners", "0001_squashed_0002_content_types_from_customers"))
    assert plan.index(("customers", "0011_jobs_scans_and_imports")) < min(identity, partners)
    # Satisfaction had all its original migrations: only those made since run.
    assert all(name[:4] > "0003" for app, name in plan if app == "satisfaction")


@pytest.mark.django_db
def test_the_test_database_was_made_by_the_squashed_migrations():
    applied = MigrationRecorder(connection).applied_migrations()

    assert ("customers", "0001_squashed_0012_models_moved_to_identity_and_partners") in applied
