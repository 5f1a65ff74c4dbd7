"""Throw-away databases for benchmarks that need a fresh, empty one per run, and the seeded
customer base several of them measure."""

import tempfile
import time

KEYS_BUILT_BY_SEED_BELOW = 50_000  # seed_demo --identity-keys auto builds keys below this size


def fresh_database(url: str | None, *, label: str) -> str:
    """A new, empty database; returns its DATABASE_URL.

    Without ``url`` a SQLite file in a new temporary folder; with a postgres:// URL, that
    database dropped and created again.
    """
    if not url:
        return f"sqlite:///{tempfile.mkdtemp(prefix=f'{label}-')}/{label}.sqlite3"
    if not url.startswith("postgres"):
        raise SystemExit("--database-url must be a postgres:// URL")
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    return url


def database_exists(url: str) -> bool:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
        return bool(
            server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def demo_base_seed(args, *, label: str) -> dict:
    """``args.database_url`` recreated, migrated and seeded with the product's ``seed_demo``
    (``args.customers``, ``args.seed``) and its identity keys, each step in a process of its
    own (Django set up in this one, its connections closed first); the seconds of each step."""
    from django.db import connection, connections

    from bench.workers import manage

    facts = {"reused": False, "seed_s": None, "keys_s": None, "analyze_s": None}
    connections.close_all()
    fresh_database(args.database_url, label=label)
    manage(args, "migrate", "--no-input", "-v0")
    facts["seed_s"] = manage(
        args, "seed_demo", "--customers", str(args.customers), "--seed", str(args.seed)
    )
    if args.customers >= KEYS_BUILT_BY_SEED_BELOW:
        # seed_demo leaves the identity keys of a bulk load to this command; the fraud score's
        # shared e-mail, phone and address signals read them, an erasure deletes them.
        facts["keys_s"] = manage(args, "rebuild_identity_keys", "--workers", "2")
    from customers.identity.models import IdentityKey

    # A database in service has been vacuumed (autovacuum): fresh rows lack hint bits and the
    # visibility map that index-only reads need, which would make the first runs slower than
    # steady state.
    started = time.monotonic()
    tables = connection.introspection.table_names()
    vacuum_analyze([IdentityKey._meta.db_table, *(t for t in tables if t.startswith("customers_"))])
    facts["analyze_s"] = time.monotonic() - started
    return facts


def vacuum_analyze(tables) -> None:
    """VACUUM (ANALYZE) each of ``tables`` on the benchmark's database."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
