"""Tables. A plan is a tree of nodes (front, part, chapter, section, box, figure, table) holding blocks of
text (paragraphs, lead-ins, box items …) and footnotes linked to the block that carries their marker.

Nodes and blocks share one `ordinal` sequence per plan, so a reader can show a section's paragraphs and the
figures or boxes between them in document order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, MetaData
from sqlmodel import Field, SQLModel

# Named constraints let later Alembic batch migrations drop and recreate them on SQLite.
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _fk(target: str, nullable: bool = False, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index)


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, description="short name used on the command line")
    title: str
    source_name: str
    source_sha256: str
    encoding: str
    line_count: int
    imported_at: datetime
    bundled: bool = False


class PlanNode(SQLModel, table=True):
    __tablename__ = "plan_node"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    parent_id: int | None = Field(default=None, sa_column=_fk("plan_node.id", nullable=True))
    kind: str
    number: str | None = None
    title: str
    ordinal: int
    depth: int
    line_start: int
    line_end: int


class PlanBlock(SQLModel, table=True):
    __tablename__ = "plan_block"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    node_id: int = Field(sa_column=_fk("plan_node.id"))
    kind: str
    text: str
    ordinal: int
    line_start: int
    line_end: int


class Footnote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    block_id: int | None = Field(default=None, sa_column=_fk("plan_block.id", nullable=True))
    number: int
    text: str
    marker_offset: int | None = None
    line_start: int
    line_end: int


class AppState(SQLModel, table=True):
    """Small key/value memory: the plan opened last, the place last read."""

    __tablename__ = "app_state"
    key: str = Field(primary_key=True)
    value: str
