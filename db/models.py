"""Tables. A plan is a tree of nodes (front, part, chapter, section, box, figure, table) holding blocks of
text (paragraphs, lead-ins, box items …) and footnotes linked to the block that carries their marker.

Nodes and blocks share one `ordinal` sequence per plan, so a reader can show a section's paragraphs and the
figures or boxes between them in document order.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, MetaData, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.kinds import IndicatorKind, ProposalStatus

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
    # The plan's period (core.period.Period), read from the plan at import or given there (--period); every
    # year shown or written follows it (db.plan_store.plan_period). Filled for older databases by 0005.
    base_year: int | None = None
    first_year: int | None = None
    target_year: int | None = None


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


def _block_link() -> Column:
    # A re-imported plan text gets new blocks; the link is cleared, then restored from the anchor text.
    return Column(Integer, ForeignKey("plan_block.id", ondelete="SET NULL"), nullable=True)


# Module-level on purpose: as a class attribute pydantic would deep-copy the Column on every new row.
_INDICATOR_VERSION = Column("version_id", Integer, nullable=False)


class Indicator(SQLModel, table=True):
    """A monitored indicator: one row of the plan's main-indicator table (kind "main"), or a quantified
    target found in the running text (kind "text"). Targets are kept as the plan writes them; core.targets
    reads them when progress is judged."""

    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    kind: str = IndicatorKind.MAIN
    ordinal: int
    category: str = ""
    name: str
    unit: str = ""
    attribute: str = ""  # 预期性 / 约束性
    target_text: str = ""  # the target year's 目标 (「2030年目标」), verbatim
    growth_text: str = ""  # 年均增速, verbatim
    base_year: int  # from the plan's period (db.plan_store.plan_period); never assumed
    target_year: int  # the plan's target year, or an earlier year a target from the text names
    lead_unit: str = ""  # 牵头单位
    partner_units: str = ""  # 配合单位
    leader: str = ""  # 分管领导
    note: str = ""
    text_anchor: str = ""  # a phrase of the paragraph that discusses it, to relink after a re-import
    table_block_id: int | None = Field(default=None, sa_column=_block_link())
    text_block_id: int | None = Field(default=None, sa_column=_block_link())
    version_id: int | None = Field(default=None, sa_column=_INDICATOR_VERSION)

    __mapper_args__ = {"version_id_col": _INDICATOR_VERSION}


# Module-level on purpose: as a class attribute pydantic would deep-copy the Column on every new row.
_INDICATOR_YEAR_VERSION = Column("version_id", Integer, nullable=False)


class IndicatorYear(SQLModel, table=True):
    """Everything about one indicator in one year: the actual value, the yearly target (年度目标), where the
    figure comes from and how final it is, and a manual status for targets a person must judge."""

    __tablename__ = "indicator_year"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(sa_column=_fk("indicator.id"))
    year: int
    # Decimal text ("971.9"): exact on SQLite and PostgreSQL alike, no binary float rounding.
    actual: str | None = None
    target: str | None = None
    stage: str = ""  # 初步核算 / 快报 / 年报 / 最终核实
    source: str = ""  # 数据来源
    note: str = ""  # 备注
    manual_status: str | None = None  # a core.progress.Status code
    manual_note: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""
    version_id: int | None = Field(default=None, sa_column=_INDICATOR_YEAR_VERSION)

    __mapper_args__ = {"version_id_col": _INDICATOR_YEAR_VERSION}


class ChangeLog(SQLModel, table=True):
    """The audit trail: one row per changed field, never updated or deleted by the app."""

    __tablename__ = "change_log"
    id: int | None = Field(default=None, primary_key=True)
    changed_at: datetime
    user_name: str
    origin: str  # tui / cli / import
    entity: str  # "indicator" or "indicator_year"
    entity_id: int
    indicator_id: int | None = Field(default=None, sa_column=_fk("indicator.id", nullable=True))
    year: int | None = None
    project_id: int | None = Field(default=None, sa_column=_fk("project.id", nullable=True))
    field: str
    old_value: str | None = None
    new_value: str | None = None
    undo_of: int | None = None  # the change this one reverted
    source_file: str = ""  # the returned form (or catalogue) a change was imported from


class Unit(SQLModel, table=True):
    """A responsible unit (责任单位): 区发改委, 各园区, 各镇街 … Units are picked from this list, never typed
    freely, so 「发改委」 and 「区发改委」 cannot both appear."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    short_name: str = ""
    kind: str = ""  # 区级部门 / 园区 / 镇街 / 其他
    ordinal: int = 0


# Module-level on purpose: as a class attribute pydantic would deep-copy the Column on every new row.
# Its server default is what migration 0004 filled existing rows with; kept so new and upgraded databases match.
_PROPOSAL_VERSION = Column("version_id", Integer, nullable=False, server_default=text("1"))


class Proposal(SQLModel, table=True):
    """Something the finder proposed from the plan's text, waiting for review: a quantified target or a
    project. `key` is the finder's fingerprint, so re-running the finder never duplicates a reviewed item."""

    __table_args__ = (UniqueConstraint("plan_id", "kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    kind: str  # a core.kinds.ProposalKind
    key: str
    ordinal: int = 0
    block_id: int | None = Field(default=None, sa_column=_block_link())
    chapter: str = ""
    sentence: str = ""
    text: str = ""
    data: str = "{}"  # JSON: metric/comparator/value/unit/year, or title/action/box_title
    status: str = ProposalStatus.PENDING
    result_id: int | None = None  # the indicator or project made from it
    reviewed_at: datetime | None = None
    reviewed_by: str = ""  # who last edited or decided it, and when: named when a second reviewer is refused
    added_by_hand: bool = False
    version_id: int | None = Field(default=None, sa_column=_PROPOSAL_VERSION)

    __mapper_args__ = {"version_id_col": _PROPOSAL_VERSION}


# Module-level on purpose: as a class attribute pydantic would deep-copy the Column on every new row.
_PROJECT_VERSION = Column("version_id", Integer, nullable=False)


class Project(SQLModel, table=True):

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    title: str
    action: str = ""  # 建成 / 新建 / 迁建 / 改扩建 …
    block_id: int | None = Field(default=None, sa_column=_block_link())
    text_anchor: str = ""  # the source sentence, to relink after a re-import
    chapter: str = ""
    section: str = ""
    category: str = ""
    lead_unit: str = ""
    partner_units: str = ""
    planned_start: str = ""  # a core.schedule due text: a year, a month, a quarter or a day
    planned_finish: str = ""
    stage: str = ""  # 形象进度
    total_investment: str | None = None  # decimal text, in investment_unit
    annual_plan_investment: str | None = None
    completed_investment: str | None = None
    investment_unit: str = "万元"
    note: str = ""
    version_id: int | None = Field(default=None, sa_column=_PROJECT_VERSION)

    __mapper_args__ = {"version_id_col": _PROJECT_VERSION}


# Module-level on purpose: as a class attribute pydantic would deep-copy the Column on every new row.
_MILESTONE_VERSION = Column("version_id", Integer, nullable=False)


class Milestone(SQLModel, table=True):

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=_fk("project.id"))
    ordinal: int = 0
    title: str
    due: str = ""  # a core.schedule due text
    status: str = "未开始"
    done_date: date | None = None
    note: str = ""
    version_id: int | None = Field(default=None, sa_column=_MILESTONE_VERSION)

    __mapper_args__ = {"version_id_col": _MILESTONE_VERSION}
