"""Baseline: the schema guihua 0.1 (issue 2) created: plans as trees of nodes and blocks, footnotes, app state.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("source_sha256", sa.String(), nullable=False),
        sa.Column("encoding", sa.String(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),  # UTC (timestamptz on PostgreSQL)
        sa.Column("bundled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plan"),
        sa.UniqueConstraint("name", name="uq_plan_name"),
    )
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_app_state"),
    )
    op.create_table(
        "plan_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("line_start", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name="fk_plan_node_plan_id_plan", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["plan_node.id"], name="fk_plan_node_parent_id_plan_node", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_plan_node"),
    )
    op.create_index("ix_plan_node_parent_id", "plan_node", ["parent_id"])
    op.create_index("ix_plan_node_plan_id", "plan_node", ["plan_id"])
    op.create_table(
        "plan_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("line_start", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name="fk_plan_block_plan_id_plan", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["node_id"], ["plan_node.id"], name="fk_plan_block_node_id_plan_node", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_plan_block"),
    )
    op.create_index("ix_plan_block_plan_id", "plan_block", ["plan_id"])
    op.create_index("ix_plan_block_node_id", "plan_block", ["node_id"])
    op.create_table(
        "footnote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("marker_offset", sa.Integer(), nullable=True),
        sa.Column("line_start", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name="fk_footnote_plan_id_plan", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["block_id"], ["plan_block.id"], name="fk_footnote_block_id_plan_block", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_footnote"),
    )
    op.create_index("ix_footnote_plan_id", "footnote", ["plan_id"])
    op.create_index("ix_footnote_block_id", "footnote", ["block_id"])


def downgrade() -> None:
    for table in ("footnote", "plan_block", "plan_node", "app_state", "plan"):
        op.drop_table(table)
