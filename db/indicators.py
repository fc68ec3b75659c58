"""Indicators and their yearly figures: the operations every front end calls.

Each operation that changes data is one transaction: it validates, writes the rows and the change log, and
commits before it returns, so a screen that says 「已保存」 is telling the truth. Values travel as
`Decimal` and are stored as exact decimal text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from core.errors import NotFoundError, UserInputError
from core.indicator_links import anchor_paragraph, name_in_cell, reference_values, squash, table_cell
from core.indicator_links import judged_against_others as targets_read_others
from core.kinds import BlockKind, IndicatorKind, NodeKind
from core.period import Period
from core.phrases import phrase_span
from core.plan_years import latest_reported_year
from core.plausibility import doubt, doubts
from core.progress import (
    Assessment,
    IndicatorSpec,
    ManualStatus,
    ProgressSettings,
    Status,
    Verdict,
    assess,
    assess_as_of,
    judge_table,
    verdict_as_of,
)
from core.targets import Target, parse_target
from core.text_hygiene import clean_optional, clean_text
from core.units import involves, matching_units, split_units
from db.audit import (
    changed_fields,
    check_unit_access,
    current_user,
    log_change,
    log_changes,
    now,
    retry_on_conflict,
    save_changes,
    user_unit,
)
from db.models import AppState, ChangeLog, Indicator, IndicatorYear, PlanBlock, PlanNode, Unit
from db.plan_store import plan_period

STAGES = ("初步核算", "快报", "年报", "最终核实")
ATTRIBUTES = ("预期性", "约束性")
INDICATOR_FIELDS = {"lead_unit": "牵头单位", "partner_units": "配合单位", "leader": "分管领导", "note": "备注"}
YEAR_FIELDS = {
    "actual": "实际值",
    "target": "年度目标",
    "stage": "数据阶段",
    "source": "数据来源",
    "note": "备注",
    "manual_status": "人工判断",
    "manual_note": "判断说明",
}
CATALOGUE_FIELDS = {
    "category": "类别",
    "unit": "单位",
    "target_text": "目标",  # shown as 「2030年目标」: field_label() names the indicator's target year
    "growth_text": "年均增速",
    "attribute": "属性",
    "text_anchor": "文中出处",
}
FIELD_LABELS = {**INDICATOR_FIELDS, **CATALOGUE_FIELDS, **YEAR_FIELDS}


def field_label(name: str, target_year: int | None = None) -> str:
    """A field's name as the screens and the change log show it; the target is 「2030年目标」 for a plan that
    ends in 2030."""
    if name == "target_text" and target_year:
        return f"{target_year}年目标"
    return FIELD_LABELS.get(name, name)


_SPACES = re.compile(r"\s+")


def decimal_text(value: Decimal | None) -> str | None:
    """Canonical stored form: no exponent, no trailing zeros ("1500", "971.9")."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def to_decimal(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# ----------------------------------------------------------------------------------------------------------
# Reading


@dataclass
class YearRecord:
    year: int
    actual: Decimal | None = None
    target: Decimal | None = None
    stage: str = ""
    source: str = ""
    note: str = ""
    manual_status: str | None = None
    manual_note: str = ""
    updated_at: object = None
    updated_by: str = ""
    version: int = 0  # pass back as expected_version when saving (optimistic locking)


@dataclass
class IndicatorView:
    """An indicator with its yearly records, detached from the session: what screens and exports read."""

    id: int
    plan_id: int
    kind: str
    ordinal: int
    category: str
    name: str
    unit: str
    attribute: str
    target_text: str
    growth_text: str
    base_year: int
    target_year: int
    lead_unit: str
    partner_units: str
    leader: str
    note: str
    table_block_id: int | None
    text_block_id: int | None
    years: dict[int, YearRecord] = field(default_factory=dict)
    version: int = 0  # pass back as expected_version when saving (optimistic locking)

    def year_version(self, year: int) -> int:
        """The version of a year's record to pass as expected_version; 0 while it has none."""
        record = self.years.get(year)
        return record.version if record is not None else 0

    @property
    def binding(self) -> bool:
        return self.attribute == "约束性"

    @property
    def values(self) -> dict[int, Decimal]:
        return {y: r.actual for y, r in self.years.items() if r.actual is not None}

    @property
    def yearly_targets(self) -> dict[int, Decimal]:
        return {y: r.target for y, r in self.years.items() if r.target is not None}

    @property
    def plan_years(self) -> range:
        return range(self.base_year, self.target_year + 1)

    def targets(self) -> tuple[Target, Target]:
        return _parsed_targets(self.target_text, self.growth_text, self.name, self.unit)

    def spec(self) -> IndicatorSpec:
        return IndicatorSpec(
            name=self.name,
            unit=self.unit,
            targets=self.targets(),
            binding=self.binding,
            yearly_targets=self.yearly_targets,
        )

    def doubt(self, year: int, value: Decimal | None) -> str | None:
        """Why `value` for `year` looks like a typo (core.plausibility), or None."""
        return doubt(self.name, year, value, self.values, self.unit)

    def doubts(self, values: Mapping[int, Decimal | None]) -> dict[int, str]:
        """core.plausibility.doubts for several years entered together (a pasted row)."""
        return doubts(self.name, values, self.values, self.unit)

    def manual(self, year: int) -> ManualStatus | None:
        record = self.years.get(year)
        if record is None or not record.manual_status:
            return None
        return ManualStatus(Status(record.manual_status), record.manual_note)


@functools.lru_cache(maxsize=8192)
def _parsed_targets(target_text: str, growth_text: str, name: str, unit: str) -> tuple[Target, Target]:
    # Judging a plan reads each indicator's targets several times per year judged (2,000 indicators at
    # district scale); Target is frozen, so one parse serves them all.
    return (
        parse_target(target_text, indicator_name=name, unit=unit, column="target"),
        parse_target(growth_text, indicator_name=name, unit=unit, column="growth"),
    )


def _view(row: Indicator, years: Iterable[IndicatorYear]) -> IndicatorView:
    view = IndicatorView(
        id=row.id,
        plan_id=row.plan_id,
        kind=row.kind,
        ordinal=row.ordinal,
        category=row.category,
        name=row.name,
        unit=row.unit,
        attribute=row.attribute,
        target_text=row.target_text,
        growth_text=row.growth_text,
        base_year=row.base_year,
        target_year=row.target_year,
        lead_unit=row.lead_unit,
        partner_units=row.partner_units,
        leader=row.leader,
        note=row.note,
        table_block_id=row.table_block_id,
        text_block_id=row.text_block_id,
        version=row.version_id or 0,
    )
    for y in years:
        view.years[y.year] = YearRecord(
            year=y.year,
            actual=to_decimal(y.actual),
            target=to_decimal(y.target),
            stage=y.stage,
            source=y.source,
            note=y.note,
            manual_status=y.manual_status,
            manual_note=y.manual_note,
            updated_at=y.updated_at,
            updated_by=y.updated_by,
            version=y.version_id or 0,
        )
    return view


def list_indicators(session: Session, plan_id: int, kind: str | None = IndicatorKind.MAIN) -> list[IndicatorView]:
    # Plain rows, not ORM objects (_view reads either): at district scale, 2,000 indicators and 12,000 yearly
    # records, building the objects was most of the read.
    query = select(*Indicator.__table__.columns).where(Indicator.plan_id == plan_id)
    if kind is not None:
        query = query.where(Indicator.kind == kind)
    # Through the session's connection: column selects need none of the ORM's result loading (a third of the
    # time for 12,000 rows). The session's own execute would flush pending changes first: so does this.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    rows = connection.execute(query.order_by(Indicator.ordinal, Indicator.id)).all()
    views = {row.id: _view(row, ()) for row in rows}
    if rows:
        # the yearly records unpacked from plain tuples: reading 12,000 rows' fields by name was a third of the read
        yearly = select(*_YEAR_RECORD_COLUMNS).where(IndicatorYear.indicator_id.in_(list(views)))
        for indicator_id, year, actual, target, *texts, version in connection.execute(yearly):
            views[indicator_id].years[year] = YearRecord(year, to_decimal(actual), to_decimal(target), *texts,
                                                         version=version or 0)
    return list(views.values())


# YearRecord's fields in order, after the indicator's id; the version last
_YEAR_RECORD_COLUMNS = (
    IndicatorYear.indicator_id, IndicatorYear.year, IndicatorYear.actual, IndicatorYear.target, IndicatorYear.stage,
    IndicatorYear.source, IndicatorYear.note, IndicatorYear.manual_status, IndicatorYear.manual_note,
    IndicatorYear.updated_at, IndicatorYear.updated_by, IndicatorYear.version_id,
)


def get_indicator(session: Session, indicator_id: int) -> IndicatorView:
    row = session.get(Indicator, indicator_id)
    if row is None:
        raise NotFoundError(f"没有编号为 {indicator_id} 的指标。")
    years = session.exec(select(IndicatorYear).where(IndicatorYear.indicator_id == indicator_id))
    return _view(row, years)


def indicator_count(session: Session, plan_id: int) -> int:
    return len(session.exec(select(Indicator.id).where(Indicator.plan_id == plan_id)).all())


def find_indicator(session: Session, plan_id: int, name_or_id: str | int) -> IndicatorView:
    """By id, exact name, or a substring that only one indicator's name contains."""
    key = str(name_or_id).strip()
    if not key:
        raise UserInputError("请给出指标名称或编号。")
    if key.isdigit():
        row = session.get(Indicator, int(key))
        if row is not None and row.plan_id == plan_id:
            return get_indicator(session, row.id)
    rows = list(session.exec(select(Indicator).where(Indicator.plan_id == plan_id).order_by(Indicator.ordinal)))
    wanted = _SPACES.sub("", key)
    exact = [r for r in rows if _SPACES.sub("", r.name) == wanted]
    matches = exact or [r for r in rows if wanted in _SPACES.sub("", r.name)]
    if len(matches) == 1:
        return get_indicator(session, matches[0].id)
    if not matches:
        raise NotFoundError(f"没有名称含“{key}”的指标。用 guihua indicators 查看全部指标。")
    listed = "\n".join(f"  {r.id}  {r.name}" for r in matches[:20])
    more = f"\n  ……共 {len(matches)} 个" if len(matches) > 20 else ""
    raise UserInputError(f"“{key}”对应多个指标，请写全名称或用编号：\n{listed}{more}")


# ----------------------------------------------------------------------------------------------------------
# Progress


SETTINGS_PREFIX = "progress."


def progress_settings(session: Session, plan_id: int) -> ProgressSettings:
    """The plan's period (db.plan_store.plan_period) with the tolerances the office has adjusted (app_state
    keys progress.<field>) over the defaults. The period itself is never a setting: it is the plan's."""
    defaults = ProgressSettings.for_period(plan_period(session, plan_id))
    overrides = {}
    for row in session.exec(select(AppState).where(AppState.key.startswith(SETTINGS_PREFIX))):
        name = row.key[len(SETTINGS_PREFIX) :]
        if hasattr(defaults, name) and name not in ("base_year", "target_year"):
            current = getattr(defaults, name)
            try:
                overrides[name] = type(current)(row.value)
            except (TypeError, ValueError):
                continue
    return ProgressSettings(**{**defaults.__dict__, **overrides}) if overrides else defaults


def _reference_values(view: IndicatorView, views: list[IndicatorView]) -> Mapping[int, Decimal] | None:
    return reference_values(view.targets(), view.id, views)  # core.indicator_links says which indicator


def assess_view(
    view: IndicatorView,
    year: int,
    views: list[IndicatorView],
    settings: ProgressSettings,
    *,
    as_of: bool = False,
) -> Assessment:
    """Judge one indicator for `year` (or as of `year`: on its latest figure up to then)."""
    judge = assess_as_of if as_of else assess
    return judge(
        view.spec(),
        view.values,
        year,
        settings=settings,
        reference_values=_reference_values(view, views),
        manual=view.manual(year),
    )


def assess_all(
    session: Session, views: list[IndicatorView], year: int, *, as_of: bool = False
) -> dict[int, Assessment]:
    """Judge every view (all of one plan) for `year`, by the plan's period."""
    if not views:
        return {}
    settings = progress_settings(session, views[0].plan_id)
    return {v.id: assess_view(v, year, views, settings, as_of=as_of) for v in views}


def status_as_of(session: Session, views: list[IndicatorView], year: int) -> dict[int, Verdict]:
    """assess_all(..., as_of=True)'s statuses alone ({indicator id: Verdict}, same code and label), without wording
    an explanation for each indicator: the plain `guihua indicators` list shows the label only."""
    if not views:
        return {}
    settings = progress_settings(session, views[0].plan_id)
    return {v.id: verdict_as_of(v.spec(), v.values, year, settings=settings,
                                reference_values=_reference_values(v, views), manual=v.manual(year))
            for v in views}


def status_table(session: Session, views: list[IndicatorView], years: Iterable[int],
                 as_of: int) -> tuple[dict[int, dict[int, Verdict]], dict[int, Assessment]]:
    """Every view's status in each of `years` ({year: {indicator id: Verdict}}: each year's code and label
    without wording an explanation for each indicator-year) and its full judgement as of `as_of` ({indicator id:
    Assessment}, as assess_all(..., as_of=True)): `indicators --json` at district scale, in one pass
    (core.progress.judge_table)."""
    years = list(years)
    per_year: dict[int, dict[int, Verdict]] = {year: {} for year in years}
    current: dict[int, Assessment] = {}
    if not views:
        return per_year, current
    settings = progress_settings(session, views[0].plan_id)
    for v in views:
        verdicts, current[v.id] = judge_table(v.spec(), v.values, years, as_of, settings=settings,
                                              reference_values=_reference_values(v, views),
                                              manual={y: v.manual(y) for y in years}, manual_as_of=v.manual(as_of))
        for year, verdict in verdicts.items():
            per_year[year][v.id] = verdict
    return per_year, current


# ----------------------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class Edit:
    """What one user action changed: the change log ids, so the action can be undone as a whole."""

    change_ids: tuple[int, ...]
    message: str
    version: int | None = None  # the record's version after the save: the next expected_version

    @property
    def changed(self) -> bool:
        return bool(self.change_ids)


def _check_year(row: Indicator, year: int) -> None:
    if not row.base_year <= year <= row.target_year:
        raise UserInputError(f"年份 {year} 不在规划期 {row.base_year}—{row.target_year} 年内。")


def _check_year_field(name: str, value: str | None) -> str | None:
    if name == "stage" and value and value not in STAGES:
        raise UserInputError(f"数据阶段“{value}”无效，可选：{'、'.join(STAGES)}。")
    if name == "manual_status" and value:
        try:
            Status(value)
        except ValueError:
            codes = "、".join(f"{s.value}（{s.label}）" for s in Status)
            raise UserInputError(f"人工判断状态“{value}”无效，可选：{codes}。") from None
    return value


def _indicator_row(session: Session, indicator_id: int, lock: bool = False) -> Indicator:
    # lock: the row as it is now, held until commit (PostgreSQL; SQLite has one writer at a time anyway),
    # so a save can neither be based on a stale copy nor be overtaken between its check and its write.
    row = session.get(Indicator, indicator_id, with_for_update=lock or None, populate_existing=lock)
    if row is None:
        raise NotFoundError(f"没有编号为 {indicator_id} 的指标。")
    return row


def _year_row(session: Session, indicator_id: int, year: int) -> IndicatorYear:
    row = session.exec(
        select(IndicatorYear)
        .where(IndicatorYear.indicator_id == indicator_id, IndicatorYear.year == year)
        .with_for_update()  # as in _indicator_row(lock=True)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        row = IndicatorYear(indicator_id=indicator_id, year=year)
        session.add(row)
    return row


def _set_year_fields(
    session: Session,
    indicator: Indicator,
    year: int,
    changes: Mapping[str, str | None],
    user: str,
    origin: str,
    source_file: str = "",
    expected_version: int | None = None,
    overwrite: bool = False,
    commit: bool = True,
) -> list[ChangeLog]:
    _check_year(indicator, year)
    row = _year_row(session, indicator.id, year)
    values = {}
    for name, value in changes.items():
        if name not in YEAR_FIELDS:
            raise ValueError(f"not a yearly field: {name}")
        value = _check_year_field(name, clean_optional(value, multiline=True))  # no control characters
        values[name] = (value or None) if name in ("actual", "target", "manual_status") else (value or "")
    pending = changed_fields(row, values)
    if not pending:  # a save that changes nothing cannot overwrite anyone
        if row.id is None:
            session.expunge(row)  # nothing to record: do not leave an empty yearly row behind
        return []
    stamp = now()
    return save_changes(
        session, row, pending, entity="indicator_year", what=f"“{indicator.name} {year}年”",
        label=lambda f: f"{indicator.name} {year}年{YEAR_FIELDS.get(f, f)}",
        expected_version=expected_version, overwrite=overwrite, user=user, origin=origin, at=stamp,
        units=(indicator.lead_unit, indicator.partner_units), touch={"updated_at": stamp, "updated_by": user},
        commit=commit, indicator_id=indicator.id, year=year, source_file=source_file,
    )


def _commit(session: Session, changes: list[ChangeLog], message: str, row=None) -> Edit:
    session.flush()
    ids = tuple(c.id for c in changes)
    version = row.version_id if row is not None else None
    session.commit()
    return Edit(ids, message if ids else "没有变化。", version)


def _year_version(session: Session, indicator_id: int, year: int) -> int:
    row = session.exec(
        select(IndicatorYear.version_id).where(IndicatorYear.indicator_id == indicator_id, IndicatorYear.year == year)
    ).first()
    return row or 0


def record_actual(
    session: Session,
    indicator_id: int,
    year: int,
    value: Decimal | None,
    *,
    note: str | None = None,
    stage: str | None = None,
    source: str | None = None,
    origin: str,
    user: str | None = None,
    source_file: str = "",
    commit: bool = True,
    expected_version: int | None = None,
    overwrite: bool = False,
) -> Edit:
    """Set (or clear, with None) an indicator's actual value for a year, with optional note/stage/source.
    `source_file` names the returned form a value came from; commit=False joins the caller's transaction
    (a form's values are applied all together or not at all).

    `expected_version`: the version of the year's record the user saw (IndicatorView.year_version(year));
    when someone saved it since, ConcurrentEditError refuses the save, unless `overwrite`. None: no check."""

    def attempt() -> Edit:
        indicator = _indicator_row(session, indicator_id)
        changes: dict[str, str | None] = {"actual": decimal_text(value)}
        for name, given in (("note", note), ("stage", stage), ("source", source)):
            if given is not None:
                changes[name] = given.strip()
        logged = _set_year_fields(session, indicator, year, changes, user or current_user(session), origin,
                                  source_file, expected_version, overwrite, commit)
        shown = "已清除" if value is None else f"已保存 {decimal_text(value)}"
        if not commit:
            session.flush()
            return Edit(tuple(c.id for c in logged), f"{indicator.name} {year}年：{shown}",
                        _year_version(session, indicator_id, year))
        row = session.exec(select(IndicatorYear).where(IndicatorYear.indicator_id == indicator_id,
                                                       IndicatorYear.year == year)).first()
        return _commit(session, logged, f"{indicator.name} {year}年：{shown}", row)

    return retry_on_conflict(session, attempt, commit=commit)


def record_actuals(
    session: Session,
    indicator_id: int,
    values: Mapping[int, Decimal | None],
    *,
    origin: str,
    user: str | None = None,
    expected_versions: Mapping[int, int] | None = None,
    overwrite: bool = False,
) -> Edit:
    """Set several years' actual values of one indicator in one transaction (a row pasted from Excel): all or
    nothing, and one Edit, so one undo puts them all back. `expected_versions`: by year, as for record_actual."""

    def attempt() -> Edit:
        indicator = _indicator_row(session, indicator_id)
        who = user or current_user(session)
        logged: list[ChangeLog] = []
        for year in values:
            _check_year(indicator, year)
        for year, value in sorted(values.items()):
            expected = (expected_versions or {}).get(year) if expected_versions is not None else None
            logged += _set_year_fields(session, indicator, year, {"actual": decimal_text(value)}, who, origin,
                                       expected_version=expected, overwrite=overwrite, commit=False)
        years = sorted(values)
        span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
        return _commit(session, logged, f"{indicator.name} {span}：已保存 {len(years)} 个数值")

    return retry_on_conflict(session, attempt)


def set_year_fields(
    session: Session,
    indicator_id: int,
    year: int,
    *,
    origin: str,
    user: str | None = None,
    expected_version: int | None = None,
    overwrite: bool = False,
    **fields: str | None,
) -> Edit:
    """Change yearly fields other than the value: 年度目标 (as decimal text), stage, source, note, manual status.
    `expected_version` / `overwrite`: as for record_actual."""

    def attempt() -> Edit:
        indicator = _indicator_row(session, indicator_id)
        logged = _set_year_fields(session, indicator, year, fields, user or current_user(session), origin,
                                  expected_version=expected_version, overwrite=overwrite)
        labels = "、".join(YEAR_FIELDS[name] for name in fields)
        row = session.exec(select(IndicatorYear).where(IndicatorYear.indicator_id == indicator_id,
                                                       IndicatorYear.year == year)).first()
        return _commit(session, logged, f"{indicator.name} {year}年{labels}：已保存", row)

    return retry_on_conflict(session, attempt)


UNIT_FIELDS = ("lead_unit", "partner_units")


def canonical_units(session: Session, field: str, text: str | None, *, what: str = "", units=None) -> str:
    """牵头单位 / 配合单位 as stored: every name in `text` must be on the unit list (by full or short name, or
    the core.units rules: 「区发改委」, 「发展改革委」), stored as the list's full names joined by 、. A name not on
    the list, or one that fits several units, is refused with a message naming the field (and `what`)."""
    parts = split_units(text)
    if not parts:
        return ""
    if units is None:
        units = list(session.exec(select(Unit).order_by(Unit.ordinal, Unit.id)))
    label = f"{what}的{INDICATOR_FIELDS[field]}" if what else INDICATOR_FIELDS[field]
    names: list[str] = []
    for part in parts:
        found = matching_units(part, units)
        if not found:
            raise UserInputError(f"{label}：单位列表中没有“{part}”。请从单位列表中选择（全称或简称均可，如“发改委”），"
                                 "用 guihua units 查看，或先添加该单位。")
        if len(found) > 1:
            raise UserInputError(f"{label}：“{part}”对应多个单位（{'、'.join(u.name for u in found[:10])}），请写全称。")
        if found[0].name not in names:
            names.append(found[0].name)
    return "、".join(names)


def set_indicator_fields(
    session: Session,
    indicator_id: int,
    *,
    origin: str,
    user: str | None = None,
    expected_version: int | None = None,
    overwrite: bool = False,
    **fields: str,
) -> Edit:
    """Change 牵头单位 / 配合单位 / 分管领导 / 备注 (and, from a catalogue import, the table fields).
    `expected_version`: IndicatorView.version as the user saw it; `overwrite`: as for record_actual."""
    return retry_on_conflict(
        session, lambda: _set_indicator_fields(session, indicator_id, origin, user, expected_version, overwrite, fields)
    )


def _set_indicator_fields(session, indicator_id, origin, user, expected_version, overwrite, fields) -> Edit:
    indicator = _indicator_row(session, indicator_id, lock=True)
    user = user or current_user(session)
    values = {}
    for name, value in fields.items():
        if name not in INDICATOR_FIELDS and name not in CATALOGUE_FIELDS:
            raise ValueError(f"not an indicator field: {name}")
        value = clean_text(value, multiline=True).strip()  # no control characters (core.text_hygiene)
        if name == "attribute" and value and value not in ATTRIBUTES:
            raise UserInputError(f"属性“{value}”无效，应为“预期性”或“约束性”。")
        if name in UNIT_FIELDS and value != getattr(indicator, name):  # old free text may stay until tidied
            value = canonical_units(session, name, value, what=f"“{indicator.name}”")
        values[name] = value
    changes = save_changes(
        session, indicator, changed_fields(indicator, values), entity="indicator", what=f"“{indicator.name}”",
        label=lambda f: f"{indicator.name} {field_label(f, indicator.target_year)}", expected_version=expected_version,
        overwrite=overwrite, user=user, origin=origin, at=now(),
        units=(indicator.lead_unit, indicator.partner_units), indicator_id=indicator.id,
    )
    labels = "、".join(field_label(name, indicator.target_year) for name in fields)
    return _commit(session, changes, f"{indicator.name} {labels}：已保存", indicator)


def undo_edit(session: Session, edit: Edit, *, origin: str, user: str | None = None) -> Edit:
    """Put back what `edit` changed, as a new edit in the log (so undo is itself undoable: that is redo).

    Refused when someone changed a field again since: undo must never silently discard a later edit."""
    return retry_on_conflict(session, lambda: _undo_edit(session, edit, origin, user))


def _undo_edit(session: Session, edit: Edit, origin: str, user: str | None) -> Edit:
    user = user or current_user(session)
    stamp = now()
    entries = [session.get(ChangeLog, change_id) for change_id in edit.change_ids]
    logged = []
    for entry in reversed([e for e in entries if e is not None]):
        if entry.entity == "indicator":
            target = session.get(Indicator, entry.entity_id)
        else:
            target = session.get(IndicatorYear, entry.entity_id)
        if target is None:
            raise NotFoundError("要撤销的记录已不存在。")
        current = getattr(target, entry.field)
        if (current or None) != (entry.new_value or None):
            label = field_label(entry.field, getattr(target, "target_year", None))
            raise UserInputError(f"{label}已被再次修改（现为“{current or '空'}”），不能撤销这次修改。")
        restored = entry.old_value
        if entry.entity == "indicator" or entry.field not in ("actual", "target", "manual_status"):
            restored = restored or ""
        setattr(target, entry.field, restored)
        if isinstance(target, IndicatorYear):
            target.updated_at = stamp
            target.updated_by = user
        logged.append(
            log_change(
                session,
                user=user,
                origin=origin,
                entity=entry.entity,
                entity_id=entry.entity_id,
                indicator_id=entry.indicator_id,
                year=entry.year,
                field=entry.field,
                old=entry.new_value,
                new=entry.old_value,
                undo_of=entry.id,
                at=stamp,
            )
        )
    return _commit(session, logged, "已撤销")


# ----------------------------------------------------------------------------------------------------------
# History


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    changed_at: object
    user: str
    origin: str
    year: int | None
    field: str
    label: str
    old: str | None
    new: str | None
    undo_of: int | None
    source_file: str = ""

    @property
    def old_text(self) -> str:
        """The old value as people read it: 「空」, or a manual status's Chinese label rather than its code."""
        return shown_value(self.field, self.old)

    @property
    def new_text(self) -> str:
        return shown_value(self.field, self.new)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "user": self.user,
            "origin": self.origin,
            "year": self.year,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "undo_of": self.undo_of,
            "source_file": self.source_file or None,
        }


def status_label(code: str | None) -> str | None:
    """A status code's Chinese label (on_track → 达到序时进度); anything else as it is."""
    try:
        return Status(code).label if code else code
    except ValueError:
        return code


def shown_value(field: str, value: str | None) -> str:
    """A logged value as the history shows it: 「空」 for none, a manual status as its label."""
    if field == "manual_status":
        value = status_label(value)
    return value or "空"


def parse_status(text: str) -> str | None:
    """A manual status typed by someone: its label (达到序时进度) or code (on_track); 「无」 or empty clears it
    (None). Anything else is refused naming the choices."""
    text = (text or "").strip()
    if text in ("", "无", "清除", "—", "-"):
        return None
    for status in Status:
        if text in (status.value, status.label):
            return status.value
    choices = "、".join(s.label for s in Status)
    raise UserInputError(f"人工判断状态“{text}”无效，可选：{choices}；写“无”表示取消人工判断。")


def history(session: Session, indicator_id: int, limit: int | None = None) -> list[HistoryEntry]:
    """Every recorded change to an indicator and its yearly records, newest first."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.indicator_id == indicator_id)
        .order_by(ChangeLog.id.desc())
    )
    if limit:
        query = query.limit(limit)
    indicator = session.get(Indicator, indicator_id)
    target_year = indicator.target_year if indicator is not None else None
    return [
        HistoryEntry(
            id=c.id,
            changed_at=c.changed_at,
            user=c.user_name,
            origin=c.origin,
            year=c.year,
            field=c.field,
            label=field_label(c.field, target_year),
            old=c.old_value,
            new=c.new_value,
            undo_of=c.undo_of,
            source_file=c.source_file,
        )
        for c in session.exec(query)
    ]


# ----------------------------------------------------------------------------------------------------------
# Catalogue


# The catalogue's column headers (the plan table's layout), written by exports.catalogue and read back,
# leniently, by importers.catalogue. The base and target columns name the plan's years: catalogue_headers().
CATALOGUE_HEADERS = {
    "category": "类别",
    "name": "指标",
    "unit": "单位",
    "base": "基数",
    "target_text": "目标",
    "growth_text": "年均增速",
    "attribute": "属性",
    "lead_unit": "牵头单位",
    "partner_units": "配合单位",
    "leader": "分管领导",
    "base_source": "基数来源",
    "text_anchor": "文中出处",
}


def catalogue_headers(period: Period | None) -> dict[str, str]:
    """The headers for a plan of this period: 「<基期年>年基数」 and 「<目标年>年目标」, named by the plan's years."""
    if period is None:
        return dict(CATALOGUE_HEADERS)
    return {**CATALOGUE_HEADERS, "base": f"{period.base_year}年基数", "target_text": f"{period.target_year}年目标"}


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of an indicator catalogue (the plan's table layout). None means "the file has no such column"."""

    category: str
    name: str
    unit: str
    target_text: str
    growth_text: str
    attribute: str
    base: Decimal | None = None
    base_source: str = ""
    lead_unit: str | None = None
    partner_units: str | None = None
    leader: str | None = None
    text_anchor: str | None = None


@dataclass(frozen=True)
class CatalogueResult:
    added: int
    updated: int
    unchanged: int
    linked_to_text: int


def _plan_blocks(session: Session, plan_id: int) -> tuple[list[PlanBlock], list[PlanBlock]]:
    """The main-indicator table's cells and the plan's paragraphs, for linking indicators to the text."""
    from core.indicator_table import main_indicator_title

    # The table may be a 表 or a 专栏 box holding table rows (「专栏2 “十五五”经济社会发展主要指标」).
    nodes = session.exec(
        select(PlanNode).where(PlanNode.plan_id == plan_id, PlanNode.kind.in_((NodeKind.TABLE, NodeKind.BOX))).order_by(PlanNode.ordinal)
    ).all()
    ranked = sorted(
        ((rank, node.ordinal, node) for node in nodes if (rank := main_indicator_title(node.title)) is not None),
        key=lambda t: t[:2],
    )
    tables = [n for n in nodes if n.kind == NodeKind.TABLE]
    table = ranked[0][2] if ranked else next((t for t in tables if "指标" in t.title), tables[0] if tables else None)
    cells = []
    if table is not None:
        cells = list(session.exec(select(PlanBlock).where(PlanBlock.node_id == table.id).order_by(PlanBlock.ordinal)))
    paragraphs = list(
        session.exec(
            select(PlanBlock)
            .where(PlanBlock.plan_id == plan_id, PlanBlock.kind.in_((BlockKind.PARAGRAPH, BlockKind.LEAD_IN, BlockKind.BOX_ITEM)))
            .order_by(PlanBlock.ordinal)
        )
    )
    return cells, paragraphs


def link_to_text(session: Session, plan_id: int) -> int:
    """(Re)link every indicator of a plan to its table cell and to the paragraph holding its text anchor.

    Called after a catalogue import and after the plan text is re-imported. Returns how many found a paragraph."""
    cells, paragraphs = _plan_blocks(session, plan_id)
    squashed_cells = [(c.id, squash(c.text)) for c in cells]
    squashed_paragraphs = [(p.id, squash(p.text)) for p in paragraphs]
    linked = 0
    for row in session.exec(select(Indicator).where(Indicator.plan_id == plan_id)):
        cell = table_cell(row.name, squashed_cells)  # core.indicator_links: whole name, or a wrapped one
        row.table_block_id = cell if cell is not None else (cells[0].id if cells else None)
        row.text_block_id = anchor_paragraph(row.text_anchor, squashed_paragraphs)
        linked += row.text_block_id is not None
    session.flush()
    return linked


def load_catalogue(
    session: Session,
    plan_id: int,
    entries: list[CatalogueEntry],
    *,
    origin: str,
    user: str | None = None,
    commit: bool = True,
) -> CatalogueResult:
    """Add or update indicators by name; indicators missing from the file are kept (with their values).
    One transaction: the caller has validated every row before this runs (commit=False joins the caller's)."""
    user = user or current_user(session)
    period = plan_period(session, plan_id)  # a new indicator tracks the plan's years
    existing = {
        row.name: row for row in session.exec(select(Indicator).where(Indicator.plan_id == plan_id))
    }
    next_ordinal = max((row.ordinal for row in existing.values()), default=0)
    added = updated = unchanged = 0
    new_rows: list[tuple[dict, CatalogueEntry]] = []
    stamp = now()
    entries = _catalogue_units(session, [_clean_entry(e) for e in entries], existing)  # all checked before any write
    for entry in entries:
        row = existing.get(entry.name)
        fields = {
            "category": entry.category,
            "unit": entry.unit,
            "target_text": entry.target_text,
            "growth_text": entry.growth_text,
            "attribute": entry.attribute,
            "lead_unit": entry.lead_unit,
            "partner_units": entry.partner_units,
            "leader": entry.leader,
            "text_anchor": entry.text_anchor,
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        changed = False
        if row is None:
            next_ordinal += 1
            new_rows.append(({**_NEW_INDICATOR, **fields, "plan_id": plan_id, "ordinal": next_ordinal,
                              "name": entry.name, "base_year": period.base_year,
                              "target_year": period.target_year}, entry))
            added += 1
            continue  # written below, all new indicators in one statement
        else:
            for name, value in fields.items():
                old = getattr(row, name)
                if old != value:
                    setattr(row, name, value)
                    log_change(session, user=user, origin=origin, entity="indicator", entity_id=row.id,
                               indicator_id=row.id, field=name, old=old or None, new=value or None, at=stamp)
                    changed = True
        if entry.base is not None:
            base_changes = {"actual": decimal_text(entry.base)}
            if entry.base_source:
                base_changes["source"] = entry.base_source
            changed |= bool(_set_year_fields(session, row, row.base_year, base_changes, user, origin))
        if changed:
            updated += 1
        else:
            unchanged += 1
    _add_new_indicators(session, new_rows, user=user, origin=origin, at=stamp)
    linked = link_to_text(session, plan_id)
    if commit:
        session.commit()
    return CatalogueResult(added=added, updated=updated, unchanged=unchanged, linked_to_text=linked)


# A new indicator's columns as the model's defaults give them (core INSERTs do not build model objects).
_NEW_INDICATOR = {"kind": IndicatorKind.MAIN, "category": "", "unit": "", "attribute": "", "target_text": "", "growth_text": "",
                  "lead_unit": "", "partner_units": "", "leader": "", "note": "", "text_anchor": "",
                  "table_block_id": None, "text_block_id": None, "version_id": 1}
_NEW_YEAR = {"actual": None, "target": None, "stage": "", "source": "", "note": "", "manual_status": None,
             "manual_note": "", "version_id": 1}


def _add_new_indicators(session: Session, new_rows: list[tuple[dict, CatalogueEntry]], *, user: str, origin: str,
                        at) -> None:
    """Insert a catalogue's new indicators (their columns) and their base values in a few statements (one flush
    per row made a 2,000-row catalogue take seconds), logging each as a save would: the name, then the base
    value and its source, refused for a user bound to a unit the indicator does not involve."""
    from sqlalchemy import insert

    if not new_rows:
        return
    bound = user_unit(session, user)  # looked up once, not per row
    years: list[tuple[dict, dict[str, str]]] = []
    for columns, entry in new_rows:
        if entry.base is None:
            continue
        values = {"actual": decimal_text(entry.base)}
        if entry.base_source:
            values["source"] = entry.base_source
        values = {name: _check_year_field(name, clean_optional(value, multiline=True)) for name, value in values.items()}
        values = {name: value for name, value in values.items() if value}
        if not values:
            continue
        if bound is not None and not involves(bound, columns["lead_unit"], columns["partner_units"]):
            check_unit_access(session, user, lead=columns["lead_unit"], partners=columns["partner_units"],
                              what=f"“{columns['name']} {columns['base_year']}年”")  # refuses, with its message
        years.append((columns, values))
    plan_id, base_year = new_rows[0][0]["plan_id"], new_rows[0][0]["base_year"]
    session.execute(insert(Indicator), [columns for columns, _ in new_rows])
    names = {columns["name"] for columns, _ in new_rows}
    ids = {name: id_ for id_, name in session.exec(select(Indicator.id, Indicator.name).where(Indicator.plan_id == plan_id))
           if name in names}
    log = [dict(user=user, origin=origin, entity="indicator", entity_id=ids[entry.name], indicator_id=ids[entry.name],
                field="name", old=None, new=entry.name, at=at) for _, entry in new_rows]
    if years:
        session.execute(insert(IndicatorYear), [
            {**_NEW_YEAR, "indicator_id": ids[columns["name"]], "year": base_year, "updated_at": at,
             "updated_by": user, **values} for columns, values in years])
        year_ids = dict(session.exec(  # the rows just inserted, found by plan and year (not by a long IN list)
            select(IndicatorYear.indicator_id, IndicatorYear.id)
            .join(Indicator, Indicator.id == IndicatorYear.indicator_id)
            .where(Indicator.plan_id == plan_id, IndicatorYear.year == base_year)
        ).all())
        for columns, values in years:
            indicator_id = ids[columns["name"]]
            log += [dict(user=user, origin=origin, entity="indicator_year", entity_id=year_ids[indicator_id],
                         field=name, old=None, new=value, at=at, indicator_id=indicator_id, year=base_year)
                    for name, value in values.items()]
    log_changes(session, log)


def _catalogue_units(
    session: Session, entries: list[CatalogueEntry], existing: Mapping[str, Indicator]
) -> list[CatalogueEntry]:
    """The rows with their 牵头单位 / 配合单位 as the unit list names them (canonical_units); a name not on the list
    refuses the whole catalogue. A unit text the indicator already has is kept as it is (tidy it with
    guihua units --tidy)."""
    units = None
    out = []
    for entry in entries:
        row = existing.get(entry.name)
        changes = {}
        for name in UNIT_FIELDS:
            value = getattr(entry, name)
            if value is None or (row is not None and value == getattr(row, name)):
                continue
            if units is None:
                units = list(session.exec(select(Unit).order_by(Unit.ordinal, Unit.id)))
            try:
                changes[name] = canonical_units(session, name, value, what=f"指标“{entry.name}”", units=units)
            except UserInputError as exc:
                raise UserInputError(f"{exc.message}没有导入任何内容。") from None
        out.append(replace(entry, **changes) if changes else entry)
    return out


def _clean_entry(entry: CatalogueEntry) -> CatalogueEntry:
    """A catalogue row's text as every front end stores it: no control characters (core.text_hygiene), the
    name on one line."""
    texts = {name: getattr(entry, name) for name in ("category", "name", "unit", "target_text", "growth_text",
                                                     "attribute", "base_source", "lead_unit", "partner_units",
                                                     "leader", "text_anchor")}
    cleaned = {name: None if value is None else clean_text(value, multiline=name != "name").strip()
               for name, value in texts.items()}
    return entry if cleaned == texts else replace(entry, **cleaned)


def indicator_record(session: Session, indicator_id: int) -> Indicator | None:
    """The indicator's stored row, or None when it was deleted (read-only: saves lock it through _indicator_row)."""
    return session.get(Indicator, indicator_id)


def year_record(session: Session, indicator_id: int, year: int) -> IndicatorYear | None:
    """The indicator's stored record for one year, if any (read-only: saves go through _year_row)."""
    return session.exec(
        select(IndicatorYear).where(IndicatorYear.indicator_id == indicator_id, IndicatorYear.year == year)
    ).first()


def text_anchors(session: Session, plan_id: int) -> dict[int, str]:
    """Each indicator's text anchor (the phrase that ties it to a paragraph), by indicator id."""
    return dict(session.exec(select(Indicator.id, Indicator.text_anchor).where(Indicator.plan_id == plan_id)).all())


def latest_year(views: list[IndicatorView]) -> int | None:
    """The latest plan year (after the base year) for which any indicator has a figure (core.plan_years)."""
    return latest_reported_year((v.base_year, [y for y, r in v.years.items() if r.actual is not None])
                                for v in views)


# ----------------------------------------------------------------------------------------------------------
# TUI support


def judged_against_others(view: IndicatorView) -> bool:
    """Whether the view's judgement reads other indicators' values (「与经济发展同步」): core.indicator_links."""
    return targets_read_others(view.targets())


def view_expected_path(
    view: IndicatorView, views: list[IndicatorView], settings: ProgressSettings
) -> dict[int, float | None]:
    """The 序时 value expected each plan year for the view's firm target (core.progress.expected_path)."""
    from core.progress import expected_path

    return expected_path(view.spec(), view.values, settings, reference_values=_reference_values(view, views))


@dataclass(frozen=True)
class TextSource:
    """Where the plan text states an indicator: a block, and the span of it to mark."""

    node_id: int
    block_id: int
    text: str
    start: int
    end: int


def indicator_source(session: Session, indicator_id: int) -> TextSource | None:
    """The paragraph that discusses an indicator (its anchor phrase marked), else its cell of the plan's table."""
    row = _indicator_row(session, indicator_id)
    for block_id, needle in ((row.text_block_id, lambda text: row.text_anchor),
                             (row.table_block_id, lambda text: name_in_cell(row.name, text))):
        block = session.get(PlanBlock, block_id) if block_id is not None else None
        if block is None:
            continue
        start, end = phrase_span(block.text, needle(block.text)) or (0, len(block.text))
        return TextSource(block.node_id, block.id, block.text, start, end)
    return None
