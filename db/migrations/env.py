"""Alembic environment, used only through db.schema (never a separate alembic.ini): the connection comes in
through config.attributes so the migration runs inside guihua's own checks and backups."""

from __future__ import annotations

from alembic import context

from db import models  # noqa: F401  (registers the tables)
from db.migrations.filters import include_object
from db.models import SQLModel

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode rebuilds the table
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
