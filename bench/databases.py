"""Throw-away databases for benchmarks that need a fresh, empty one per run."""

import tempfile


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
