"""Shared fixtures.

`database` is a real database holding the bundled plan, as a first run leaves it. Every test that asks for it
runs on a SQLite file, and again on PostgreSQL when GUIHUA_TEST_PG_URL names a server where its role may
create databases (`.ci/run` starts one; ids "sqlite" / "postgres"). Each test gets a fresh database: a copy
of one seeded per session (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), dropped after.

Tests about SQLite itself (its file, pragmas, backups, the crash test) ask for
`sqlite_database`, carry `@pytest.mark.sqlite_only`, or are listed in SQLITE_ONLY below; `pg_database` is
PostgreSQL only (skipped without a server), and `pg_urls` makes empty PostgreSQL databases.
"""

from __future__ import annotations

import itertools
import os

import importers  # noqa: F401,E402 - sets how openpyxl parses before any test module imports openpyxl
import uuid
from pathlib import Path

import pytest

from core.plan_text import ParsedPlan, parse_plan
from importers.plan import bundled_plan_bytes

PG_URL_ENV = "GUIHUA_TEST_PG_URL"

# Tests written before PostgreSQL support that are about SQLite itself: they open database.path with sqlite3,
# read PRAGMAs, or back up and restore files. New tests should use the
# `sqlite_only` marker or the `sqlite_database` fixture instead of this list. Each name must exist (checked).
SQLITE_ONLY = {
    "test_store.py::test_durability_pragmas",
    "test_store.py::test_database_is_a_plain_sqlite_file",
    "test_backup.py::*",  # backups of the SQLite file; PostgreSQL is backed up with pg_dump
    "test_fuzz.py::*",  # fingerprints the file with sqlite3 (the importers do not depend on the database)
}


def _sqlite_only(metafunc) -> bool:
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return True
    module = Path(metafunc.module.__file__).name
    return f"{module}::*" in SQLITE_ONLY or f"{module}::{metafunc.function.__name__}" in SQLITE_ONLY


def pytest_generate_tests(metafunc):
    """Run every test that uses the shared `database` fixture on each database guihua supports."""
    if "database" not in metafunc.fixturenames:
        return
    if getattr(metafunc.module, "database", None) is not None:
        return  # the module defines its own `database` fixture
    backends = ["sqlite"]
    if os.environ.get(PG_URL_ENV) and not _sqlite_only(metafunc):
        backends.append("postgres")
    metafunc.parametrize("database", backends, indirect=True, ids=backends)


def pytest_collection_finish(session):
    """A renamed test must not silently drop out of SQLITE_ONLY and start failing on PostgreSQL."""
    modules = {Path(str(item.fspath)).name: item.module for item in session.items if hasattr(item, "module")}
    stale = [name for name in SQLITE_ONLY
             if not name.endswith("::*") and name.split("::")[0] in modules
             and not hasattr(modules[name.split("::")[0]], name.split("::")[1])]
    if stale:
        raise pytest.UsageError(f"SQLITE_ONLY in tests/conftest.py names tests that do not exist: {stale}")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return bundled_plan_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def seed_plan(seed_text) -> ParsedPlan:
    return parse_plan(seed_text)


# ----------------------------------------------------------------------------------------------------------
# SQLite


@pytest.fixture(scope="session")
def _sqlite_seeded(tmp_path_factory) -> Path:
    """One SQLite database as the first run leaves it, copied for each test."""
    from db.engine import open_database
    from importers.plan import ensure_bundled_plan

    path = tmp_path_factory.mktemp("seeded") / "guihua.sqlite3"
    db = open_database(path)
    ensure_bundled_plan(db)
    db.dispose()
    return path


def _open_sqlite_copy(seeded: Path, folder: Path):
    from db.backup import copy_database
    from db.engine import open_database

    target = folder / "guihua.sqlite3"
    copy_database(seeded, target)
    return open_database(target)


@pytest.fixture
def sqlite_database(_sqlite_seeded, tmp_path):
    """A real SQLite file holding the bundled plan, as a first run leaves it."""
    db = _open_sqlite_copy(_sqlite_seeded, tmp_path)
    yield db
    db.dispose()


# ----------------------------------------------------------------------------------------------------------
# PostgreSQL


class PgServer:
    """The server named by GUIHUA_TEST_PG_URL: makes and drops databases for tests."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.url = make_url(url)
        if self.url.drivername in ("postgres", "postgresql"):
            self.url = self.url.set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"guihua_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.counter = itertools.count(1)
        self.template: str | None = None

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def execute(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        from sqlalchemy.exc import DBAPIError

        try:
            self.execute(f'DROP DATABASE IF EXISTS "{name}"')  # stops autovacuum there by itself
        except DBAPIError:  # a connection a test left open: end it (FORCE may not end autovacuum workers)
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def seeded_template(self) -> str:
        """A database as the first run leaves it, built once per session, to copy with TEMPLATE."""
        if self.template is None:
            from db.engine import open_database
            from importers.plan import ensure_bundled_plan

            name = self.create()
            db = open_database(self.url_of(name))
            ensure_bundled_plan(db)
            db.dispose()
            self.template = name
        return self.template

    def close(self) -> None:
        if self.template:
            self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server():
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_URL_ENV} (.ci/run starts a server)")
    server = PgServer(url)
    yield server
    server.close()


@pytest.fixture
def pg_database(pg_server):
    """A fresh PostgreSQL database holding the bundled plan, as a first run leaves it."""
    from db.engine import open_database

    name = pg_server.create(template=pg_server.seeded_template())
    db = open_database(pg_server.url_of(name))
    yield db
    db.dispose()
    pg_server.drop(name)


@pytest.fixture
def pg_urls(pg_server):
    """make() -> the URL (with its password) of a new, empty PostgreSQL database; all dropped after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(pg_server.create())
        return pg_server.url_of(made[-1])

    yield make
    for name in made:
        pg_server.drop(name)


# ----------------------------------------------------------------------------------------------------------
# The shared fixture


@pytest.fixture
def database(request):
    """A real database holding the bundled plan, as a first run leaves it: SQLite, or PostgreSQL (see above)."""
    backend = getattr(request, "param", "sqlite")
    yield request.getfixturevalue("pg_database" if backend == "postgres" else "sqlite_database")


# ----------------------------------------------------------------------------------------------------------
# A slow database, for tests that the keyboard never waits for a query (tests/helpers.py: answer_time)


@pytest.fixture
def query_delay(database):
    """Every SQL statement on `database` takes 200 ms longer (`with query_delay.paused():` to set up data)."""
    from tests.helpers import QueryDelay

    with QueryDelay().installed(database.engine) as delay:
        yield delay


@pytest.fixture
def slow_database(database, query_delay):
    """`database` as a PostgreSQL server on another machine feels at its worst: 200 ms per statement."""
    return database
