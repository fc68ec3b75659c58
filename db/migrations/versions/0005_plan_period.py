"""A plan's period is stored on the plan (base year, first year, target year), read from the plan itself, so
that a 十五五 plan shows its own years (base year first) where the 十四五 plan shows its own (db.plan_store.plan_period).

Existing plans get their period from their stored title, else from their stored text (core.period); a plan
that states neither keeps the years its indicators were tracked with, which is what every earlier guihua
showed for it; a plan with neither keeps the only period earlier guihua knew, the 14th Five-Year Plan's.
Only columns are added (no table is rebuilt), so no row can be lost; db.schema.upgrade still runs this with
foreign keys off on SQLite.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# What guihua before 0005 assumed for every plan.
EARLIER_GUIHUA_PLAN = 14


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_year", sa.Integer(), nullable=True))
    fill_periods(op.get_bind())


def fill_periods(connection) -> None:
    """Give every plan without a period the one it states (see the module docstring)."""
    from core.period import Period, detect_period, five_year_plan_period

    plans = connection.execute(sa.text("SELECT id, title FROM plan WHERE target_year IS NULL")).all()
    for plan_id, title in plans:
        period = detect_period(title or "")
        if period is None:
            # The opening text first (a plan names its own period there), then all of it.
            blocks = connection.execute(
                sa.text("SELECT b.text, n.kind FROM plan_block b JOIN plan_node n ON n.id = b.node_id "
                        "WHERE b.plan_id = :plan ORDER BY b.ordinal"),
                {"plan": plan_id},
            ).all()
            front = "\n".join(text for text, kind in blocks if kind == "front")
            period = detect_period(title or "", front) or detect_period(title or "", "\n".join(t for t, _ in blocks))
        if period is None:
            years = Counter(
                connection.execute(
                    sa.text("SELECT base_year, target_year FROM indicator WHERE plan_id = :plan AND kind = 'main'"),
                    {"plan": plan_id},
                ).all()
            )
            if years:
                (base, target), _ = years.most_common(1)[0]
                try:
                    period = Period(base, base + 1, target)
                except ValueError:
                    period = None
        period = period or five_year_plan_period(EARLIER_GUIHUA_PLAN)
        connection.execute(
            sa.text("UPDATE plan SET base_year = :base, first_year = :first, target_year = :target WHERE id = :plan"),
            {"base": period.base_year, "first": period.first_year, "target": period.target_year, "plan": plan_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("target_year")
        batch_op.drop_column("first_year")
        batch_op.drop_column("base_year")
