"""Bringing a database's schema to the one this guihua expects.

- A new, empty database gets the tables straight from the models and is stamped with the newest revision
  (no Alembic import: first start stays fast).
- A database at the newest revision: nothing to do beyond one query.
- An older database (including one from guihua 0.1, which had no version table) is backed up, then upgraded
  with Alembic. On SQLite foreign keys are switched off around the upgrade, because a batch rebuild of a parent
  table would otherwise fire ON DELETE CASCADE and silently empty its children; `foreign_key_check` runs after.
- A database from a newer guihua is refused, never touched.

On PostgreSQL the same steps run under an advisory lock, so several guihua starting at once against a new
server database create it once. Search there reads the tables themselves; `pg_trgm` GIN indexes on the
searched columns make it fast. They are created when the database is (CREATE EXTENSION needs the right to
create in the database; pg_trgm is a trusted extension since PostgreSQL 13). Without them search still gives
the same results, by scanning: a plan is a few thousand rows.
"""

from __future__ import annotations

from contextlib import contextmanager
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


class ForeignDatabaseError(Exception):
    """A SQLite file holding someone else's tables: never add ours to it."""


class NewerDatabaseError(Exception):
    def __init__(self, version: str) -> None:
        super().__init__(version)
        self.version = version


def current_revision(connection: Connection, tables: set[str]) -> str | None:
    if "alembic_version" in tables:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if "plan" in tables:
        return "0001"  # guihua 0.1 created its tables without Alembic
    return None


def _stamp(connection: Connection, revision: str) -> None:
    connection.execute(text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
                            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
    connection.execute(text("DELETE FROM alembic_version"))
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision})


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


def pending_upgrade(engine: Engine) -> str | None:
    """The revision a database is at when it needs an upgrade; None when it is new or current.
    Raises NewerDatabaseError for a database from a newer guihua."""
    with engine.connect() as connection:
        tables = set(engine.dialect.get_table_names(connection))
        revision = current_revision(connection, tables)
    if revision is None or revision == HEAD:
        return None
    if revision not in KNOWN_REVISIONS:
        raise NewerDatabaseError(revision)
    return revision


def ensure_schema(engine: Engine) -> None:
    """Create a new database's tables, or check a current one. Upgrades are run by `upgrade` (with a backup
    first), never silently here."""
    with engine.begin() as connection:
        tables = set(engine.dialect.get_table_names(connection))
        if connection.dialect.name == "postgresql" and (not tables or "alembic_version" not in tables):
            _lock_schema(connection)  # a new database: another guihua may be creating it right now
            tables = set(engine.dialect.get_table_names(connection))
        revision = current_revision(connection, tables)
        if revision is None and {t for t in tables if not t.startswith("sqlite_")}:
            raise ForeignDatabaseError()
        if revision is None:
            SQLModel.metadata.create_all(connection)
            _stamp(connection, HEAD)
        elif revision not in KNOWN_REVISIONS:
            raise NewerDatabaseError(revision)
        elif revision != HEAD:
            return  # the caller backs up and upgrades
        _ensure_search(connection)


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
    """Run the Alembic migrations up to `target` (the caller has made a backup)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection, foreign_keys_off(connection):
        _lock_schema(connection)
        tables = set(engine.dialect.get_table_names(connection))
        if "alembic_version" not in tables and "plan" in tables:
            _stamp(connection, "0001")  # a guihua 0.1 database: its tables are the baseline
        config.attributes["connection"] = connection
        command.upgrade(config, target)
        connection.commit()
    with engine.begin() as connection:
        _ensure_search(connection)
