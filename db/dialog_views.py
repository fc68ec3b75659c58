"""What guihua's dialogs read and write — the plan picker (F7), the fill-in forms dialog (Ctrl+F), importing a
plan (F8), carrying base values over from the previous plan, and checking a new plan's main indicators (F9) —
each call opening its own session, to run off the event loop (tui.base fetch).

Writes a person may lose to someone else's save return an `Outcome` instead of raising, so the dialog can
reload and offer to save over it knowingly; a database error becomes a Chinese GuihuaError."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Generic, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from core.errors import GuihuaError
from core.kinds import IndicatorKind, NodeKind
from core.period import Period, detect_period
from core.phrases import phrase_span
from db.audit import ConcurrentEditError
from db.engine import Database
from db.models import Indicator, PlanBlock, PlanNode, Project

T = TypeVar("T")


def database_refusal(exc: Exception, *, writing: bool = True) -> str:
    """A refusal in Chinese: the store's own message, or which database error happened."""
    message = getattr(exc, "message", None)
    if message:
        return message
    return f"数据库出错（{exc.__class__.__name__}），{'没有保存，' if writing else ''}请稍后重试。"


def _in_session(database: Database, work: Callable[[Session], T], *, writing: bool = False) -> T:
    """work(session); a database error is said in Chinese (GuihuaError) instead of escaping as SQLAlchemy's."""
    try:
        with database.session() as session:
            return work(session)
    except SQLAlchemyError as exc:
        raise GuihuaError(database_refusal(exc, writing=writing)) from exc


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A write that may be refused: `value` when saved; else `refused` (Chinese) and, when someone else saved
    first, the version now stored (`conflict_version`), to save over it knowingly."""

    value: T | None = None
    refused: str = ""
    conflict_version: int | None = None


def _attempt(database: Database, work: Callable[[Session], T]) -> Outcome[T]:
    try:
        return Outcome(_in_session(database, work, writing=True))
    except ConcurrentEditError as exc:
        return Outcome(refused=exc.message, conflict_version=exc.current_version)
    except GuihuaError as exc:
        return Outcome(refused=exc.message)


# ----------------------------------------------------------------------------------------------------------
# The plan picker (F7)


@dataclass(frozen=True)
class PlanChoice:
    id: int
    name: str
    title: str
    period: str  # 「2026—2030年」, or "" when neither stored nor stated in the title
    imported_at: datetime | None
    bundled: bool
    chapters: int
    indicators: int
    projects: int


def plan_choices(database: Database) -> list[PlanChoice]:
    """Every plan in the database, newest import first, with what it holds."""
    from db.plan_store import list_plans

    def counts(session: Session, column: Any, *where: Any) -> dict[int, int]:
        query = select(column, func.count()).where(*where).group_by(column)
        return {plan_id: count for plan_id, count in session.exec(query)}

    with database.session() as session:
        plans = list_plans(session)
        chapters = counts(session, PlanNode.plan_id, PlanNode.kind == NodeKind.CHAPTER)
        indicators = counts(session, Indicator.plan_id, Indicator.kind == IndicatorKind.MAIN)
        projects = counts(session, Project.plan_id)
    out = []
    for plan in plans:
        years = [getattr(plan, name, None) for name in ("base_year", "first_year", "target_year")]
        period = Period(*years) if all(isinstance(y, int) for y in years) else detect_period(plan.title or "")
        out.append(PlanChoice(plan.id, plan.name, plan.title, period.label if period else "", plan.imported_at,
                              plan.bundled, chapters.get(plan.id, 0), indicators.get(plan.id, 0),
                              projects.get(plan.id, 0)))
    out.sort(key=lambda c: (c.imported_at or datetime.min, c.id), reverse=True)
    return out


# ----------------------------------------------------------------------------------------------------------
# Fill-in forms (Ctrl+F) and importing a plan (F8)


PLAN_FOLDER_KEY = "import.plan_folder"  # app_state: the folder the last plan file was imported from


def plan_folder(database: Database) -> str:
    """The folder the last plan file came from ("" when none, or when it cannot be read: a convenience only)."""
    from db.plan_store import get_state

    try:
        with database.session() as session:
            return get_state(session, PLAN_FOLDER_KEY) or ""
    except SQLAlchemyError:
        return ""


def remember_plan_folder(database: Database, folder: str) -> None:
    from db.plan_store import set_state

    with database.session() as session:
        set_state(session, PLAN_FOLDER_KEY, folder)


# ----------------------------------------------------------------------------------------------------------
# Carrying the previous plan's final-year actuals over (palette 「承接上一规划的基数」)


@dataclass(frozen=True)
class ContinuityPreview:
    old_plan_id: int | None  # None: no previous plan in the database
    candidates: Any = None  # db.continuity.LinkCandidates
    preview: Any = None  # db.continuity.carry_base_values(dry_run=True)


def continuity_preview(database: Database, plan_id: int) -> ContinuityPreview:
    from db.continuity import carry_base_values, link_candidates, previous_plan

    def work(session: Session) -> ContinuityPreview:
        old = previous_plan(session, plan_id)
        if old is None:
            return ContinuityPreview(None)
        candidates = link_candidates(session, plan_id, old.id)
        preview = carry_base_values(session, plan_id, old.id, candidates.links, unlinked=candidates.unlinked,
                                    dry_run=True)
        return ContinuityPreview(old.id, candidates, preview)

    return _in_session(database, work)


def carry_over(database: Database, new_plan_id: int, old_plan_id: int, candidates: Any) -> Any:
    from db.continuity import carry_base_values

    return _in_session(database, lambda session: carry_base_values(
        session, new_plan_id, old_plan_id, candidates.links, unlinked=candidates.unlinked), writing=True)


# ----------------------------------------------------------------------------------------------------------
# Checking a new plan's main indicators (F9)


@dataclass(frozen=True)
class IndicatorCheck:
    proposals: list  # db.plan_indicators.IndicatorProposalView, in the table's order
    has_main: bool  # the plan has main indicators already


def read_indicator_check(database: Database, plan_id: int) -> IndicatorCheck:
    from db.plan_indicators import has_main_indicators, list_indicator_proposals

    return _in_session(database, lambda session: IndicatorCheck(list_indicator_proposals(session, plan_id),
                                                                 has_main_indicators(session, plan_id)))


def edit_proposal(database: Database, proposal_id: int, changes: dict[str, str], expected_version: int) -> Outcome:
    from db.plan_indicators import edit_indicator_proposal

    return _attempt(database, lambda session: edit_indicator_proposal(session, proposal_id, changes,
                                                                      expected_version=expected_version))


def reject_proposal(database: Database, proposal_id: int, expected_version: int) -> Outcome:
    from db.plan_indicators import reject_indicator_proposal

    return _attempt(database, lambda session: reject_indicator_proposal(session, proposal_id,
                                                                        expected_version=expected_version))


def reopen_proposal(database: Database, proposal_id: int, expected_version: int) -> Outcome:
    from db.plan_indicators import reopen_indicator_proposal

    return _attempt(database, lambda session: reopen_indicator_proposal(session, proposal_id,
                                                                        expected_version=expected_version))


def confirm_proposals(database: Database, plan_id: int, expected_versions: dict[int, int]) -> Outcome:
    """All the given proposals become main indicators: Outcome.value is (ids, carried) as confirm_indicators."""
    from db.plan_indicators import confirm_indicators

    return _attempt(database, lambda session: confirm_indicators(session, plan_id, list(expected_versions),
                                                                 expected_versions=expected_versions))


# ----------------------------------------------------------------------------------------------------------
# The paragraph an item was read from (the reader opens it with the phrase marked)


def paragraph_source(session: Session, block_id: int | None, phrase: str):
    """A db.indicators.TextSource for a paragraph and the phrase to mark in it (the reader opens these)."""
    from db.indicators import TextSource

    if block_id is None:
        return None
    block = session.get(PlanBlock, block_id)
    if block is None:
        return None
    span = phrase_span(block.text, phrase) or (0, 0)
    return TextSource(node_id=block.node_id, block_id=block.id, text=block.text, start=span[0], end=span[1])
