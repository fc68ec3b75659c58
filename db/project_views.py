"""What the projects (F5) and summary (F6) screens read and write, one call each.

Every function takes the Database and opens its own session, so a screen can run it in a thread worker
(tui.base `fetch`) and never touches a session itself. Reads return plain data; writes return a WriteResult
that carries an expected refusal (bad input, someone else's save, no access) as data, so the screen shows it
where the user is looking instead of a toast; unexpected errors still raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.chart_series import StatusCount, plan_status_spread
from core.errors import GuihuaError
from core.kinds import IndicatorKind, ProposalKind, ProposalStatus
from core.period import Period
from core.progress import LAGGING, Status
from core.units import involves
from db.audit import ConcurrentEditError
from db.dialog_views import paragraph_source
from db.engine import Database
from db.indicators import TextSource
from db.plan_store import plan_period
from db.projects import (
    ProjectView,
    add_milestone,
    list_projects,
    list_proposals,
    today,
    update_milestone,
    update_project,
)
from db.unit_views import read_my_unit, unit_choices

NO_CHAPTER = "（未归章节）"
NO_LEAD_UNIT = "（未定牵头单位）"
MAIN_GROUP = "主要指标"  # the summary's row for the plan's main indicators


def _unit_names(database: Database) -> dict[str, str]:
    """Full name -> the name the lists show (the short one where there is one)."""
    return {unit.name: unit.short_name or unit.name for unit in unit_choices(database)}


# ----------------------------------------------------------------------------------------------------------
# Reads


@dataclass(frozen=True)
class ProjectsData:
    projects: list[ProjectView]  # every project of the plan, in the plan's order (「我的单位」 filters on screen)
    unit_names: dict[str, str]
    phrases: dict[int, str]  # project id -> the words the finder matched (marked in the reader)
    period: Period
    my_unit: str
    today: date


def read_projects(database: Database, plan_id: int) -> ProjectsData:
    with database.session() as session:
        projects = list_projects(session, plan_id)
        accepted = list_proposals(session, plan_id, ProposalKind.PROJECT, ProposalStatus.ACCEPTED)
        phrases = {p.result_id: p.text for p in accepted if p.result_id is not None}
        period = plan_period(session, plan_id)
    return ProjectsData(projects, _unit_names(database), phrases, period, read_my_unit(database).chosen, today())


@dataclass(frozen=True)
class SummaryProjects:
    projects: list[ProjectView]  # the plan's, or only those 「我的单位」 leads or partners
    unit_names: dict[str, str]
    my_unit: str
    today: date


def read_summary_projects(database: Database, plan_id: int) -> SummaryProjects:
    mine = read_my_unit(database).chosen
    with database.session() as session:
        projects = list_projects(session, plan_id)
    if mine:
        projects = [p for p in projects if involves(mine, p.lead_unit, p.partner_units)]
    return SummaryProjects(projects, _unit_names(database), mine, today())


@dataclass(frozen=True)
class BehindIndicator:
    name: str
    label: str  # the status in words (滞后, 难以完成)
    explanation: str
    at_risk: bool


@dataclass(frozen=True)
class BehindIndicators:
    """The indicators behind schedule (core.progress.LAGGING) as of `as_of`, by chapter and by lead unit."""

    as_of: int
    by_group: dict[str, list[BehindIndicator]] = field(default_factory=dict)  # MAIN_GROUP first, then chapters
    by_unit: dict[str, list[BehindIndicator]] = field(default_factory=dict)
    spread: list[StatusCount] = field(default_factory=list)  # every indicator's status, counted per category
    final: bool = False  # judged in the target year: 已完成 / 未完成

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.by_group.values())


def read_behind(database: Database, plan_id: int, my_unit: str) -> BehindIndicators:
    """Judged as of this year, within the plan's period; only 「我的单位」's when one is set."""
    from db.indicators import assess_all, list_indicators

    with database.session() as session:
        as_of = plan_period(session, plan_id).clamp(today().year)
        views = list_indicators(session, plan_id, kind=None)
        if my_unit:
            views = [v for v in views if involves(my_unit, v.lead_unit, v.partner_units)]
        assessments = assess_all(session, views, as_of, as_of=True)
    spread = plan_status_spread((v.kind, v.category, assessments[v.id].status) for v in views if v.id in assessments)
    behind = BehindIndicators(as_of, spread=spread, final=any(a.final for a in assessments.values()))
    for view in views:
        assessment = assessments.get(view.id)
        if assessment is None or assessment.status not in LAGGING:
            continue
        entry = BehindIndicator(view.name, assessment.label, assessment.explanation,
                                assessment.status == Status.AT_RISK)
        group = MAIN_GROUP if view.kind == IndicatorKind.MAIN else (view.category or NO_CHAPTER)
        behind.by_group.setdefault(group, []).append(entry)
        if view.lead_unit:
            behind.by_unit.setdefault(view.lead_unit, []).append(entry)
    if MAIN_GROUP in behind.by_group:  # the plan's own indicators head the list
        behind.by_group.update({MAIN_GROUP: behind.by_group.pop(MAIN_GROUP), **behind.by_group})
    return behind


def project_source(database: Database, block_id: int | None, phrase: str) -> TextSource | None:
    """The plan paragraph a project was found in, `phrase` marked (None when the project was added by hand or
    the text re-imported without it)."""
    with database.session() as session:
        return paragraph_source(session, block_id, phrase)


# ----------------------------------------------------------------------------------------------------------
# Writes


@dataclass(frozen=True)
class WriteResult:
    refused: str = ""  # why nothing was saved, in Chinese; "" when saved
    conflict: bool = False  # someone else saved the record first: what they saved should be shown
    new_id: int | None = None  # the record a write added

    @property
    def saved(self) -> bool:
        return not self.refused


def _attempt(database: Database, change: Callable[[Session], object]) -> WriteResult:
    """Run one change (db.projects validates, logs and commits it) and report how it went."""
    try:
        with database.session() as session:
            result = change(session)
    except ConcurrentEditError as exc:
        return WriteResult(exc.happened, conflict=True)
    except GuihuaError as exc:
        return WriteResult(exc.message)
    except SQLAlchemyError as exc:
        return WriteResult(f"数据库出错（{exc.__class__.__name__}），没有保存，请稍后重试。")
    return WriteResult(new_id=result if isinstance(result, int) else None)


def save_milestone(database: Database, milestone_id: int, fields: dict, expected_version: int | None) -> WriteResult:
    """Change a milestone's fields, refused when someone saved it after `expected_version` was read."""
    return _attempt(database, lambda s: update_milestone(s, milestone_id, origin="tui",
                                                          expected_version=expected_version, **fields))


def save_project(database: Database, project_id: int, fields: dict, expected_version: int | None) -> WriteResult:
    return _attempt(database, lambda s: update_project(s, project_id, origin="tui",
                                                        expected_version=expected_version, **fields))


def new_milestone(database: Database, project_id: int, title: str, due: str, note: str) -> WriteResult:
    """Add a milestone; the result's new_id is the milestone's."""
    return _attempt(database, lambda s: add_milestone(s, project_id, title, due, origin="tui", note=note))
