"""What the indicator grid (tui.grid) reads and writes, each as one call that opens its own session.

The grid runs these in thread workers (tui.base.fetch), so every function takes the Database, returns plain
data, and turns a refusal into a WriteOutcome the screen can show rather than an exception crossing threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.exc import SQLAlchemyError

from core.errors import GuihuaError
from core.kinds import IndicatorKind
from core.period import Period
from core.plan_years import latest_reported_year
from core.progress import Assessment, ProgressSettings
from core.targets import TargetKind
from db.audit import ConcurrentEditError
from db.engine import Database
from db.indicators import (
    Edit,
    HistoryEntry,
    IndicatorView,
    TextSource,
    assess_view,
    get_indicator,
    history,
    indicator_source,
    judged_against_others,
    list_indicators,
    progress_settings,
    record_actual,
    record_actuals,
    set_indicator_fields,
    set_year_fields,
    undo_edit,
)
from db.plan_store import plan_period
from db.unit_views import MyUnit, read_my_unit, save_my_unit

@dataclass(frozen=True)
class GridData:
    kind: str
    views: list[IndicatorView]
    reference_views: list[IndicatorView]  # main indicators the text targets are judged against (kind "text")
    settings: ProgressSettings
    period: Period
    my_unit: MyUnit  # with the unit list, for the 牵头单位 filter and its picker
    latest_year: int | None  # the latest year after the base year with a figure (core.plan_years)
    relative: frozenset[int] = frozenset()  # rows judged against other rows: re-judged after every edit
    by_hand: frozenset[int] = frozenset()  # rows with a qualitative target (offered a manual status)


def read_grid(database: Database, plan_id: int, kind: str) -> GridData:
    with database.session() as session:
        views = list_indicators(session, plan_id, kind=kind)
        # 与经济发展同步 and the like are judged against main indicators: keep them at hand.
        reference = list_indicators(session, plan_id) if kind != IndicatorKind.MAIN else []
        settings = progress_settings(session, plan_id)
        period = plan_period(session, plan_id)
    # The opening status year follows the figures of the whole plan: the text targets alone may have none yet.
    latest = latest_reported_year((v.base_year, [y for y, r in v.years.items() if r.actual is not None])
                                  for v in views + reference)
    # parsed here, in the worker: 2,000 rows' targets take 0.2 s
    relative = frozenset(v.id for v in views if judged_against_others(v))
    by_hand = frozenset(v.id for v in views if any(t.kind == TargetKind.QUALITATIVE for t in v.targets()))
    return GridData(kind, views, reference, settings, period, read_my_unit(database, with_units=True), latest,
                    relative, by_hand)


def choose_my_unit(database: Database, name: str) -> MyUnit:
    """Store 「我的单位」 and read back what is in effect (a bound user's unit wins)."""
    save_my_unit(database, name)
    return read_my_unit(database)


def judge_views(views: Iterable[IndicatorView], year: int, every: list[IndicatorView],
                settings: ProgressSettings) -> dict[int, Assessment]:
    """Each view judged as of `year` (`every`: all rows, for the targets judged against other indicators)."""
    return {view.id: assess_view(view, year, every, settings, as_of=True) for view in views}


def read_indicator(database: Database, indicator_id: int) -> IndicatorView:
    with database.session() as session:
        return get_indicator(session, indicator_id)


def read_history(database: Database, indicator_id: int, limit: int) -> list[HistoryEntry]:
    with database.session() as session:
        return history(session, indicator_id, limit=limit)


def read_source(database: Database, indicator_id: int) -> TextSource | None:
    with database.session() as session:
        return indicator_source(session, indicator_id)


@dataclass(frozen=True)
class WriteOutcome:
    """What a write from the grid did. `refused`: why nothing was saved (Chinese, without a prefix); `fresh`: the
    indicator as stored now (None when it could not be read); `edit`: what to undo."""

    indicator_id: int
    fresh: IndicatorView | None
    edit: Edit | None = None
    refused: str = ""
    conflict: str = ""  # someone saved the figure after it was shown: their save, described (ConcurrentEditError)
    lasting: bool = True  # False for a database hiccup: the same write may succeed when tried again
    labels: tuple[str, ...] = field(default=())  # the parts saved, for the form


def _refusal(database: Database, indicator_id: int, exc: Exception) -> WriteOutcome:
    fresh = _fresh_or_none(database, indicator_id)
    if isinstance(exc, ConcurrentEditError):
        return WriteOutcome(indicator_id, fresh, refused=exc.message, conflict=exc.message)
    if isinstance(exc, GuihuaError):
        return WriteOutcome(indicator_id, fresh, refused=exc.message)
    return WriteOutcome(indicator_id, fresh, refused=f"数据库出错（{exc.__class__.__name__}），请稍后重试", lasting=False)


def _fresh_or_none(database: Database, indicator_id: int) -> IndicatorView | None:
    try:
        return read_indicator(database, indicator_id)
    except (GuihuaError, SQLAlchemyError):
        return None


def save_actual(database: Database, indicator_id: int, year: int, value: Decimal | None, *,
                expected_version: int, overwrite: bool = False) -> WriteOutcome:
    """One year's actual value; `expected_version`: the version the screen showed (a figure someone saved since
    is never overwritten unasked: the outcome names the conflict instead)."""
    try:
        with database.session() as session:
            edit = record_actual(session, indicator_id, year, value, origin="tui",
                                 expected_version=expected_version, overwrite=overwrite)
            return WriteOutcome(indicator_id, get_indicator(session, indicator_id), edit)
    except (GuihuaError, SQLAlchemyError) as exc:
        return _refusal(database, indicator_id, exc)


def save_actuals(database: Database, indicator_id: int, values: Mapping[int, Decimal | None], *,
                 expected_versions: Mapping[int, int]) -> WriteOutcome:
    """A pasted row: all the years or none, one edit."""
    try:
        with database.session() as session:
            edit = record_actuals(session, indicator_id, values, origin="tui", expected_versions=expected_versions)
            return WriteOutcome(indicator_id, get_indicator(session, indicator_id), edit)
    except (GuihuaError, SQLAlchemyError) as exc:
        return _refusal(database, indicator_id, exc)


def undo(database: Database, edit: Edit, indicator_id: int) -> WriteOutcome:
    """Put back what `edit` changed (itself a new edit: undoing it is redo)."""
    try:
        with database.session() as session:
            done = undo_edit(session, edit, origin="tui")
            return WriteOutcome(indicator_id, get_indicator(session, indicator_id), done)
    except (GuihuaError, SQLAlchemyError) as exc:
        return _refusal(database, indicator_id, exc)


def save_details(database: Database, indicator_id: int, year: int, *, indicator_fields: Mapping[str, str],
                 year_fields: Mapping[str, str | None], indicator_version: int, year_version: int) -> WriteOutcome:
    """The edit form: the indicator's fields, then the year's; one edit undoes both. A part saved before the
    other was refused stays saved (and undoable): the outcome carries both its edit and the refusal."""
    ids: list[int] = []
    labels: list[str] = []
    try:
        with database.session() as session:
            if indicator_fields:
                edit = set_indicator_fields(session, indicator_id, origin="tui", expected_version=indicator_version,
                                            **indicator_fields)
                ids.extend(edit.change_ids)
                labels.append(edit.message)
            if year_fields:
                edit = set_year_fields(session, indicator_id, year, origin="tui", expected_version=year_version,
                                       **year_fields)
                ids.extend(edit.change_ids)
                labels.append(edit.message)
            fresh = get_indicator(session, indicator_id)
    except (GuihuaError, SQLAlchemyError) as exc:
        refusal = _refusal(database, indicator_id, exc)
        done = Edit(tuple(ids), "；".join(labels)) if ids else None
        return WriteOutcome(indicator_id, refusal.fresh, done, refusal.refused, refusal.conflict, refusal.lasting,
                            tuple(labels))
    return WriteOutcome(indicator_id, fresh, Edit(tuple(ids), "；".join(labels)), labels=tuple(labels))
