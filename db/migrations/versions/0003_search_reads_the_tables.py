"""Search reads the plan's own tables: the SQLite FTS5 copy of the text (plan_search) goes.

Its trigram tokenizer needed SQLite 3.34, newer than what Kylin V10 and UOS 20 ship, and the LIKE search never
used its index anyway. Nothing is lost: plan_search held copies of plan_node titles, plan_block and footnote
texts. On a SQLite that cannot load the table's tokenizer the DROP itself fails; the table is then left in
place, unused (db.migrations.filters keeps Alembic away from it).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if "plan_search" not in sa.inspect(bind).get_table_names():
        return
    try:
        with bind.begin_nested():
            op.execute("DROP TABLE plan_search")
    except sa.exc.OperationalError:
        pass  # the module or tokenizer is missing here: leave the unused table alone


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS plan_search USING fts5("
        "text, plan_id UNINDEXED, node_id UNINDEXED, block_id UNINDEXED, footnote_id UNINDEXED, tokenize='trigram')"
    )
    op.execute(
        "INSERT INTO plan_search(text, plan_id, node_id, block_id, footnote_id)"
        " SELECT text, plan_id, node_id, block_id, footnote_id FROM ("
        "  SELECT title AS text, plan_id, id AS node_id, NULL AS block_id, NULL AS footnote_id, 0 AS part,"
        "   ordinal AS seq FROM plan_node WHERE title <> ''"
        "  UNION ALL SELECT text, plan_id, node_id, id, NULL, 0, ordinal FROM plan_block"
        "  UNION ALL SELECT f.text, f.plan_id, b.node_id, f.block_id, f.id, 1, f.id"
        "   FROM footnote f LEFT JOIN plan_block b ON b.id = f.block_id"
        " ) ORDER BY plan_id, part, seq"
    )
