"""Alembic migrations, run by db.schema (there is no alembic.ini). KNOWN_REVISIONS lists every revision in
order, newest last, so a database can be checked without importing Alembic; a test holds it to the scripts."""

KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")
HEAD = KNOWN_REVISIONS[-1]
