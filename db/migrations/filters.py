"""What Alembic must not touch: on PostgreSQL the pg_trgm search indexes (managed by db.schema); on SQLite
the FTS5 search table of revisions 0001–0002 and its shadow tables, where migration 0003 could not drop
them. Used by env.py and by the tests that compare the migrated schema with the models."""

from __future__ import annotations

IGNORED_TABLE_PREFIXES = ("plan_search",)
IGNORED_INDEX_SUFFIX = "_trgm"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "index" and name and name.endswith(IGNORED_INDEX_SUFFIX):
        return False
    return not (type_ == "table" and name and name.startswith(IGNORED_TABLE_PREFIXES))
