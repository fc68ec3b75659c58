"""Bringing a database's schema to the one this guihua expects.

- A new, empty database gets the tables straight from the models and is stamped with the newest revision
  (no Alembic import: first start stays fast).
- A database at the newest revision: nothing to do beyond one query.
- An older database (including one from guihua 0.1, which had no version table) is backed up, then upgraded
  with Alembic. On SQLite foreign keys are switched off around the upgrade, because a batch rebuild of a parent
  table would otherwise fire ON DELETE CASCADE and silently empty its children; `foreign_key_check` runs after.
- A database from a newer guihua is refused, never touched.

Every change of schema is one transaction, on SQLite too. Python's sqlite3 driver (before 3.12's `autocommit`)
opens a transaction only before INSERT/UPDATE/DELETE, so each CREATE, ALTER or DROP used to commit on its
own: a crash or a full disk half-way left half a schema. `schema_transaction` takes transaction control from
the driver (isolation_level None, then BEGIN IMMEDIATE ourselves; SQLAlchemy's "pysqlite serializable /
transactional DDL" recipe, applied only to the connection that changes the schema) so the creation of a new
database and a whole upgrade commit at once or not at all.

Files left half-made by earlier guihua versions are recognised by their structure (`classify_sqlite`, which
compares a file's tables and columns with what each revision creates): a half-created new file (only
guihua's tables, all empty) is created again; an unstamped file holding exactly some revision's tables (a
guihua 0.1 database, or one whose upgrade was killed right after its version table was made) is upgraded
from that revision; a file whose recorded version does not match its tables is an interrupted upgrade and is
refused untouched, with the backup to restore named in the message (db.engine). Another program's database,
including one with an unrelated table called `plan`, is refused before anything is written to it.

On PostgreSQL the same steps run under an advisory lock, so several guihua starting at once against a new
server database create it once. Search there reads the tables themselves; `pg_trgm` GIN indexes on the
searched columns make it fast. They are created when the database is (CREATE EXTENSION needs the right to
create in the database; pg_trgm is a trusted extension since PostgreSQL 13). Without them search still gives
the same results, by scanning: a plan is a few thousand rows.
"""

from __future__ import annotations

import functools
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from db.migrations import HEAD, KNOWN_REVISIONS
from db.models import SQLModel

MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL: trigram indexes serving `ILIKE '%词%'` over the searched text (db.plan_store.search).
PG_SEARCH_INDEXES = {
    "ix_plan_block_text_trgm": "plan_block USING gin (text gin_trgm_ops)",
    "ix_plan_node_title_trgm": "plan_node USING gin (title gin_trgm_ops)",
    "ix_footnote_text_trgm": "footnote USING gin (text gin_trgm_ops)",
}
# Any fixed number: the key of the advisory lock that serialises schema creation and upgrades on PostgreSQL.
SCHEMA_LOCK_KEY = 4_847_113_020
# Tables that are not part of the comparison of structures: SQLite's own, the FTS table of revisions
# 0001–0002 (left in place where it cannot be dropped), Alembic's version table and its batch-mode copies.
_NOT_COMPARED = ("sqlite_", "plan_search", "_alembic_tmp_")
VERSION_TABLE = "alembic_version"


class ForeignDatabaseError(Exception):
    """A SQLite file holding someone else's tables: never add ours to it."""


class NewerDatabaseError(Exception):
    def __init__(self, version: str) -> None:
        super().__init__(version)
        self.version = version


class InterruptedUpgradeError(Exception):
    """A guihua database whose tables do not match its recorded version: an upgrade by an earlier guihua
    (whose schema changes were not atomic) was killed half-way. Never touched; restored from its backup."""

    def __init__(self, version: str | None) -> None:
        super().__init__(version)
        self.version = version


# ----------------------------------------------------------------------------------------------------------
# What a SQLite file is


@dataclass(frozen=True)
class Verdict:
    """What a SQLite file holds, as far as guihua is concerned.

    kind: "new" (no tables), "current" (at HEAD), "older" (a known older revision, tables as recorded),
    "unstamped" (no version recorded, tables exactly those of `revision`: guihua 0.1, or a version table
    made but not yet filled), "half-new" (some of guihua's tables, all empty, no version: a first run that
    died half-way in an earlier guihua), "interrupted" (guihua's, but its tables do not match its version),
    "newer" (a revision this guihua does not know), "foreign" (another program's database).
    """

    kind: str
    revision: str | None = None

    @property
    def needs_upgrade(self) -> bool:
        return self.kind in ("older", "unstamped") and self.revision != HEAD


def _compared(name: str) -> bool:
    return name != VERSION_TABLE and not name.startswith(_NOT_COMPARED)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(raw: sqlite3.Connection, name: str) -> frozenset[str] | None:
    try:
        return frozenset(row[1] for row in raw.execute(f"PRAGMA table_info({_quoted(name)})"))
    except sqlite3.OperationalError:
        return None  # e.g. a virtual table whose module this SQLite lacks


def sqlite_structure(raw: sqlite3.Connection) -> dict[str, frozenset[str] | None]:
    """A SQLite database's tables and their columns (those compared between revisions)."""
    names = [row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: _columns(raw, name) for name in names if _compared(name)}


@functools.lru_cache(maxsize=1)
def revision_structures() -> dict[str, dict[str, frozenset[str] | None]]:
    """The tables and columns each revision's migrations create, measured by running them on an empty
    in-memory database (only needed for files that are not at HEAD; takes a few hundred milliseconds)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from alembic import command
    from alembic.config import Config

    engine = create_engine("sqlite://", poolclass=StaticPool)
    found: dict[str, dict[str, frozenset[str] | None]] = {}
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        # Alembic straight on the empty database, not through `upgrade` (which inspects files, and which a
        # failing upgrade must not take this measuring down with it).
        for revision in KNOWN_REVISIONS:
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            with engine.connect() as connection:
                found[revision] = sqlite_structure(connection.connection.dbapi_connection)
    finally:
        engine.dispose()
    return found


def _looks_like_guihua_table(name: str, columns: frozenset[str] | None) -> bool:
    return columns is not None and any(tables.get(name) == columns for tables in revision_structures().values())


def _has_rows(raw: sqlite3.Connection, names) -> bool:
    return any(raw.execute(f"SELECT 1 FROM {_quoted(name)} LIMIT 1").fetchone() for name in names)


def classify_sqlite(raw: sqlite3.Connection) -> Verdict:
    """Say what a SQLite file is, reading only (see Verdict). A database at HEAD costs two small queries.
    Raises sqlite3.DatabaseError when the file cannot be read."""
    names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    versions: tuple[str, ...] | None = None
    if VERSION_TABLE in names:
        versions = tuple(str(row[0]) for row in raw.execute(f"SELECT version_num FROM {VERSION_TABLE}"))
    ours = {name for name in names if _compared(name)}
    if versions == (HEAD,) and "plan" in ours:
        return Verdict("current", HEAD)
    if not ours:
        if not versions:
            return Verdict("new")
        return Verdict("half-new") if set(versions) <= set(KNOWN_REVISIONS) else Verdict("foreign")
    model_tables = set(SQLModel.metadata.tables)
    if versions is not None and len(versions) == 1:
        version = versions[0]
        plan_columns = _columns(raw, "plan") if "plan" in ours else None
        if plan_columns is None:
            return Verdict("foreign")  # some other program's Alembic database
        if version not in KNOWN_REVISIONS:
            return Verdict("newer", version)
        if not _looks_like_guihua_table("plan", plan_columns):
            return Verdict("foreign")
        structure = {name: _columns(raw, name) for name in ours}
        if structure == revision_structures()[version]:
            return Verdict("older", version)
        return Verdict("interrupted", version)
    if not ours <= model_tables:
        return Verdict("foreign")
    structure = {name: _columns(raw, name) for name in ours}
    if not all(_looks_like_guihua_table(name, columns) for name, columns in structure.items()):
        return Verdict("foreign")  # e.g. another program's own table called `plan`
    if versions:  # several versions recorded: not something Alembic or guihua writes
        return Verdict("interrupted", None)
    matching = [revision for revision, tables in revision_structures().items() if tables == structure]
    if matching:
        return Verdict("unstamped", HEAD if HEAD in matching else matching[0])
    if not _has_rows(raw, ours):
        return Verdict("half-new")
    return Verdict("interrupted", None)


# ----------------------------------------------------------------------------------------------------------
# One transaction for schema changes


@contextmanager
def schema_transaction(connection: Connection, *, foreign_keys: bool = True):
    """One transaction around DDL and DML alike; commits when the block ends, rolls back if it raises.

    SQLite: the driver's own transaction handling is switched off for the duration (isolation_level None;
    not the 3.12+ `autocommit` attribute) and BEGIN IMMEDIATE takes the write lock first, so a second guihua
    waits instead of creating the same tables. With foreign_keys=False they are switched off before BEGIN
    (SQLite ignores the pragma inside a transaction), checked with foreign_key_check before COMMIT and
    switched on again after. PostgreSQL: an ordinary transaction (its DDL is transactional)."""
    if connection.dialect.name != "sqlite":
        with connection.begin():
            yield connection
        return
    if connection.in_transaction():
        raise RuntimeError("schema_transaction needs a connection outside a transaction")
    raw = connection.connection.dbapi_connection
    level = raw.isolation_level
    raw.isolation_level = None
    try:
        if not foreign_keys:
            raw.execute("PRAGMA foreign_keys=OFF")
        transaction = connection.begin()  # SQLAlchemy's bookkeeping; pysqlite emits nothing for it
        try:
            raw.execute("BEGIN IMMEDIATE")
            yield connection
            if not foreign_keys:
                broken = raw.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign key check failed after migration: {broken[:5]}")
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise
        transaction.commit()
        if raw.in_transaction:  # nothing went through SQLAlchemy: end our BEGIN ourselves
            raw.execute("COMMIT")
    finally:
        try:
            if not foreign_keys:
                raw.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.isolation_level = level


# ----------------------------------------------------------------------------------------------------------
# Creating and checking


def current_revision(connection: Connection, tables: set[str]) -> str | None:
    """PostgreSQL: the recorded revision (None without one: guihua has always stamped server databases)."""
    if VERSION_TABLE in tables:
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None


def _stamp(connection: Connection, revision: str) -> None:
    connection.execute(text(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
                            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
    connection.execute(text(f"DELETE FROM {VERSION_TABLE}"))
    connection.execute(text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:v)"), {"v": revision})


def _ensure_search(connection: Connection) -> None:
    """Search reads the tables themselves on both databases; PostgreSQL also gets trigram indexes for it."""
    if connection.dialect.name == "postgresql":
        _ensure_pg_search(connection)


def pg_search_indexes(connection: Connection) -> set[str]:
    """The trigram search indexes a PostgreSQL database has."""
    return set(
        connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(:names)"),
            {"names": list(PG_SEARCH_INDEXES)},
        ).scalars()
    )


def _ensure_pg_search(connection: Connection) -> bool:
    """Create pg_trgm and the search indexes if missing. Returns whether they are all there. A role without
    the right to create them (an app role on a database set up by its owner) leaves search unindexed, which
    is slower on big plans but gives the same results; the owner's next start creates them."""
    missing = [name for name in PG_SEARCH_INDEXES if name not in pg_search_indexes(connection)]
    if not missing:
        return True
    may_create = connection.execute(
        text("SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables "
             "WHERE schemaname = current_schema() AND tablename = 'plan_block'")
    ).scalar()
    if not may_create:  # only the tables' owner may index them: do not try at every start of an app role
        return False
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            for name in missing:
                connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {PG_SEARCH_INDEXES[name]}"))
    except DBAPIError:
        return False
    return True


def _lock_schema(connection: Connection) -> None:
    """PostgreSQL: one guihua at a time creates or upgrades the schema (released at the transaction's end)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})


def _refuse(verdict: Verdict) -> None:
    if verdict.kind == "foreign":
        raise ForeignDatabaseError()
    if verdict.kind == "newer":
        raise NewerDatabaseError(verdict.revision or "?")
    if verdict.kind == "interrupted":
        raise InterruptedUpgradeError(verdict.revision)


def ensure_schema(engine: Engine) -> Verdict | None:
    """Create a new database's tables (or finish a half-created one), or check a current one. Returns None
    when the database is ready, else the Verdict of a database that needs an upgrade, which `upgrade` runs
    after the caller's backup, never silently here. Raises ForeignDatabaseError, NewerDatabaseError or
    InterruptedUpgradeError without writing anything."""
    if engine.dialect.name == "sqlite":
        return _ensure_sqlite_schema(engine)
    with engine.begin() as connection:
        tables = set(engine.dialect.get_table_names(connection))
        if not tables or VERSION_TABLE not in tables:
            _lock_schema(connection)  # a new database: another guihua may be creating it right now
            tables = set(engine.dialect.get_table_names(connection))
        revision = current_revision(connection, tables)
        if revision is None and tables:
            raise ForeignDatabaseError()
        if revision is None:
            SQLModel.metadata.create_all(connection)
            _stamp(connection, HEAD)
        elif revision not in KNOWN_REVISIONS:
            raise NewerDatabaseError(revision)
        elif revision != HEAD:
            return Verdict("older", revision)  # the caller backs up and upgrades
        _ensure_search(connection)
    return None


def _ensure_sqlite_schema(engine: Engine) -> Verdict | None:
    with engine.connect() as connection:
        verdict = classify_sqlite(connection.connection.dbapi_connection)
        if verdict.kind == "current":
            return None
        _refuse(verdict)
        if verdict.needs_upgrade:
            return verdict
        with schema_transaction(connection) as connection:
            raw = connection.connection.dbapi_connection
            verdict = classify_sqlite(raw)  # again, under the write lock: another guihua may have done it
            _refuse(verdict)
            if verdict.needs_upgrade:
                return verdict
            if verdict.kind == "half-new":  # only empty tables of ours: make them again, children first
                present = set(sqlite_structure(raw))
                for table in reversed(SQLModel.metadata.sorted_tables):
                    if table.name in present:
                        connection.execute(text(f"DROP TABLE {_quoted(table.name)}"))
                connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
            if verdict.kind in ("new", "half-new"):
                SQLModel.metadata.create_all(connection)
            if verdict.kind != "current":
                _stamp(connection, HEAD)
    return None


@contextmanager
def foreign_keys_off(connection: Connection):
    """SQLite only: foreign keys off for a migration, checked and back on after it. Must be entered before
    the connection begins a transaction (SQLite ignores the pragma inside one)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign key check failed after migration: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run the Alembic migrations up to `target` (the caller has made a backup), all in one transaction:
    killed or failed half-way, the database is as it was. A SQLite database without a recorded version is
    first stamped with the revision its tables are (classify_sqlite: guihua 0.1's are 0001)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        with schema_transaction(connection, foreign_keys=False):
            _lock_schema(connection)
            tables = set(engine.dialect.get_table_names(connection))
            recorded = None
            if VERSION_TABLE in tables:
                recorded = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            if recorded is None and "plan" in tables:
                revision = "0001"  # guihua 0.1 created its tables without Alembic
                if connection.dialect.name == "sqlite":
                    verdict = classify_sqlite(connection.connection.dbapi_connection)
                    _refuse(verdict)
                    revision = verdict.revision if verdict.kind == "unstamped" else revision
                _stamp(connection, revision)
            config.attributes["connection"] = connection
            command.upgrade(config, target)  # Alembic joins the transaction already open
    with engine.begin() as connection:
        _ensure_search(connection)
