"""The plan's own main-indicator table, confirmed by the office before it counts.

What core.indicator_table reads from an imported plan's table waits in the review queue (db.models.Proposal)
as proposals of kind "indicator", one per row, keyed by the indicator's normalised name: proposing the same
table again (a re-import) adds only rows not seen before, refreshes the reading of rows nobody has touched,
and never touches a row someone edited, accepted or rejected. A plan that already has main indicators (the
bundled plan's 28 from its catalogue) gets no proposals.

The office fixes a name, unit, attribute, category or target before accepting (edit_indicator_proposal), rejects
rows that are not indicators, and accepts all or some: each becomes an Indicator of kind "main" with the
table's texts, the table's years (else the plan's period), its base figure recorded for the base year when it
is a plain number, and a change-log entry. Accepting is one transaction: a name already taken refuses the
whole batch, nothing written. Like db.projects, every operation commits before it returns; every decision
carries the proposal's version (optimistic locking), and only the office (a user not bound to a unit) may
confirm or change the plan's main indicators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timezone

from sqlmodel import Session, select

from core.errors import NotFoundError, UserInputError
from core.indicator_table import (
    ATTRIBUTES,
    FoundTable,
    IndicatorRow,
    IndicatorTable,
    indicator_key,
    read_plan_indicator_table,
    row_warnings,
    target_problem,
)
from core.kinds import BlockKind, IndicatorKind, ProposalKind, ProposalStatus
from core.targets import ValueParseError, parse_value
from db.audit import (
    ConcurrentEditError,
    UnitAccessError,
    current_user,
    log_change,
    now,
    retry_on_conflict,
    user_unit,
)
from db.indicators import record_actual
from db.models import Indicator, PlanBlock, Proposal

KIND = ProposalKind.INDICATOR
STATUSES = {ProposalStatus.PENDING: "待确认", ProposalStatus.ACCEPTED: "已确认", ProposalStatus.REJECTED: "已舍弃",
            ProposalStatus.MERGED: "已合并"}
# What the office may correct before accepting, and how the screens name it.
FIELDS = {
    "category": "类别",
    "name": "指标",
    "unit": "单位",
    "attribute": "属性",
    "base_text": "基数",
    "target_text": "目标",
    "growth_text": "年均增长",
}
BASE_SOURCE = "规划纲要主要指标表"
_SPACES = re.compile(r"\s+")
MAX_NAME = 120
MAX_UNIT = 20
MAX_TEXT = 100


# ----------------------------------------------------------------------------------------------------------
# Reading the queue


@dataclass
class IndicatorProposalView:
    """One proposed main indicator, detached from the session: what the check screen and the CLI show."""

    id: int
    status: str
    ordinal: int
    category: str
    number: str
    name: str
    unit: str
    attribute: str
    base_text: str
    target_text: str
    growth_text: str
    parent: str
    note: str
    base_year: int | None
    target_year: int | None
    table: str  # the table's title
    sentence: str  # the source line(s) of the row, one per line
    block_id: int | None
    result_id: int | None  # the indicator made from it
    reviewed_by: str
    warnings: list[str] = field(default_factory=list)
    version: int = 0  # pass back as expected_version (optimistic locking)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def as_dict(self) -> dict:
        return {
            "id": self.id, "status": self.status, "ordinal": self.ordinal, "category": self.category,
            "number": self.number, "name": self.name, "unit": self.unit, "attribute": self.attribute,
            "base_text": self.base_text, "target_text": self.target_text, "growth_text": self.growth_text,
            "parent": self.parent, "note": self.note, "base_year": self.base_year, "target_year": self.target_year,
            "table": self.table, "source": self.sentence, "warnings": self.warnings, "result_id": self.result_id,
        }


def _view(row: Proposal) -> IndicatorProposalView:
    data = json.loads(row.data or "{}")
    return IndicatorProposalView(
        id=row.id, status=row.status, ordinal=int(data.get("ordinal") or row.ordinal or 0),
        category=str(data.get("category", "")), number=str(data.get("number", "")), name=str(data.get("name", "")),
        unit=str(data.get("unit", "")), attribute=str(data.get("attribute", "")),
        base_text=str(data.get("base_text", "")), target_text=str(data.get("target_text", "")),
        growth_text=str(data.get("growth_text", "")), parent=str(data.get("parent", "")),
        note=str(data.get("note", "")), base_year=data.get("base_year"), target_year=data.get("target_year"),
        table=row.chapter, sentence="\n".join(data.get("source") or [row.sentence]), block_id=row.block_id,
        result_id=row.result_id,
        reviewed_by=row.reviewed_by, warnings=list(data.get("warnings") or []), version=row.version_id or 0,
    )


def list_indicator_proposals(session: Session, plan_id: int, status: str | None = None) -> list[IndicatorProposalView]:
    """The plan's proposed main indicators in table order (optionally only those of one status)."""
    query = select(Proposal).where(Proposal.plan_id == plan_id, Proposal.kind == KIND)
    if status:
        query = query.where(Proposal.status == status)
    return [_view(p) for p in session.exec(query.order_by(Proposal.ordinal, Proposal.id))]


def has_main_indicators(session: Session, plan_id: int) -> bool:
    return session.exec(
        select(Indicator.id).where(Indicator.plan_id == plan_id, Indicator.kind == IndicatorKind.MAIN).limit(1)
    ).first() is not None


def pending_count(session: Session, plan_id: int) -> int:
    return len(session.exec(select(Proposal.id).where(
        Proposal.plan_id == plan_id, Proposal.kind == KIND, Proposal.status == ProposalStatus.PENDING)).all())


# ----------------------------------------------------------------------------------------------------------
# Proposing


def _row_data(row: IndicatorRow, table: IndicatorTable, cumulative_note: bool) -> dict:
    return {
        **row.as_dict(),
        "base_year": table.base_year,
        "target_year": table.target_year,
        "warnings": row_warnings(row, cumulative_note),
    }


def propose_indicators(session: Session, plan_id: int, table: IndicatorTable, *, found: FoundTable | None = None,
                       title: str = "") -> int:
    """Put the table's rows in the review queue as pending "indicator" proposals; returns how many are new.

    Idempotent by key (the normalised name): a row already in the queue is recognised and, if nobody has
    edited or decided it, refreshed with this reading; an edited, accepted or rejected one is left alone.
    A plan that already has main indicators gets nothing. `found` (where the table stands in the plan) links
    each row to its first line's table cell, for the reader. Commits."""
    if has_main_indicators(session, plan_id) or not table.rows:
        return 0
    title = title or (found.title if found is not None else "")
    cells: dict[int, int] = {}
    if found is not None:
        blocks = session.exec(select(PlanBlock.line_start, PlanBlock.id).where(
            PlanBlock.plan_id == plan_id, PlanBlock.kind == BlockKind.TABLE_CELL)).all()
        cells = {line: block_id for line, block_id in blocks}
    cumulative_note = any("〔" in n and "累计" in n for n in table.notes)
    known = {p.key: p for p in session.exec(select(Proposal).where(Proposal.plan_id == plan_id, Proposal.kind == KIND))}
    taken: set[str] = set()
    new = 0
    for row in table.rows:
        key = indicator_key(row.name)
        if key in taken:  # the same name twice in one table: keep both, the second under its position
            key = f"{key}#{row.ordinal}"
        taken.add(key)
        sources = [found.lines[i] for i in row.lines if found is not None and i < len(found.lines)]
        line_numbers = [found.line_numbers[i] for i in row.lines if found is not None and i < len(found.line_numbers)]
        block_id = next((cells[n] for n in line_numbers if n in cells), None)
        # The first line is the anchor a re-import relinks the row by (db.projects.relink_projects); all of
        # them are kept in the data, for the screen.
        data = json.dumps({**_row_data(row, table, cumulative_note), "source": sources}, ensure_ascii=False)
        sentence = sources[0] if sources else ""
        existing = known.get(key)
        if existing is not None:
            untouched = existing.status == ProposalStatus.PENDING and not existing.reviewed_by and not existing.added_by_hand
            if untouched and (existing.data, existing.block_id, existing.sentence) != (data, block_id, sentence):
                existing.data, existing.block_id, existing.sentence = data, block_id, sentence
                existing.ordinal, existing.chapter, existing.text = row.ordinal, title, row.name
            continue
        session.add(Proposal(plan_id=plan_id, kind=KIND, key=key, ordinal=row.ordinal, block_id=block_id,
                             chapter=title, sentence=sentence, text=row.name, data=data))
        new += 1
    session.commit()
    return new


def propose_plan_indicators(session: Session, plan_id: int, parsed) -> int:
    """After a plan is imported: read its main-indicator table (core.indicator_table) and propose the rows,
    unless the plan already has main indicators. Returns how many proposals are new (0 without a table)."""
    if has_main_indicators(session, plan_id):
        return 0
    result = read_plan_indicator_table(parsed)
    if result is None:
        return 0
    found, table = result
    return propose_indicators(session, plan_id, table, found=found)


# ----------------------------------------------------------------------------------------------------------
# Deciding


def _office_only(session: Session, user: str) -> None:
    unit = user_unit(session, user)
    if unit is not None:
        raise UnitAccessError(f"没有保存：你的账号（{user}）绑定了“{unit}”；主要指标由规划办确认和修改，请联系规划办。")


def _locked(session: Session, proposal_id: int, expected_version: int | None) -> Proposal:
    """The proposal as it is now, locked until commit; refused (nothing written) when someone has acted on it
    since the version the user saw."""
    row = session.get(Proposal, proposal_id, with_for_update=True, populate_existing=True)
    if row is None or row.kind != KIND:
        raise NotFoundError(f"没有编号为 {proposal_id} 的待确认主要指标。")
    if expected_version is not None and (row.version_id or 0) != expected_version:
        view = _view(row)
        if row.reviewed_by and row.reviewed_at:
            moment = row.reviewed_at if row.reviewed_at.tzinfo else row.reviewed_at.replace(tzinfo=timezone.utc)
            who = f"{row.reviewed_by} 于 {moment.astimezone():%Y-%m-%d %H:%M} 已处理“{view.name}”"
        else:
            who = f"“{view.name}”已被其他人处理"
        error = ConcurrentEditError(
            f"没有保存：{who}，现为「{view.status_label}」。请看过最新内容后再确认。",
            user=row.reviewed_by or None, changed_at=row.reviewed_at, current_version=row.version_id or 0,
        )
        session.rollback()
        raise error
    return row


def _clean(name: str, value) -> str:
    text = "" if value is None else str(value)
    if name in ("name", "category"):
        text = _SPACES.sub("", text)
    elif name == "unit":
        text = _SPACES.sub("", text).replace("％", "%")
    else:
        text = text.strip()
    return text


def _validated(session: Session, row: Proposal, data: dict, changed: set[str]) -> dict:
    """The proposal's data after an edit, checked; a refusal says what is wrong in Chinese."""
    name = data.get("name", "")
    if not name:
        raise UserInputError("指标名称不能为空。")
    if len(name) > MAX_NAME:
        raise UserInputError(f"指标名称太长（最多 {MAX_NAME} 个字）。")
    if len(data.get("unit", "")) > MAX_UNIT:
        raise UserInputError(f"单位“{data['unit'][:12]}…”太长：只写单位，如 %、亿元、万人。")
    if data.get("attribute") and data["attribute"] not in ATTRIBUTES:
        raise UserInputError(f"属性“{data['attribute']}”无效，应为“预期性”或“约束性”。")
    for key in ("base_text", "target_text", "growth_text", "category"):
        if len(data.get(key, "")) > MAX_TEXT:
            raise UserInputError(f"{FIELDS[key]}太长（最多 {MAX_TEXT} 个字）。")
    for key, column in (("target_text", "target"), ("growth_text", "growth")):
        # A target the table printed is kept as printed; one the office types must be one progress can read.
        if key in changed:
            problem = target_problem(data.get(key, ""), name=name, unit=data.get("unit", ""), column=column)
            if problem:
                raise UserInputError(
                    f"{FIELDS[key]}{problem.rstrip('。')}。请写成如“5以上”“6.5左右”“≥85”“＜4”“累计30”的形式；"
                    "定性目标（如“完成省定目标”“基本稳定”）请写文字，不要带数字。"
                )
    if "name" in changed:
        key = indicator_key(name)
        for other in session.exec(select(Proposal).where(Proposal.plan_id == row.plan_id, Proposal.kind == KIND,
                                                         Proposal.id != row.id, Proposal.status != ProposalStatus.REJECTED)):
            if indicator_key(str(json.loads(other.data or "{}").get("name", ""))) == key:
                raise UserInputError(f"已有名为“{name}”的待确认指标（编号 {other.id}），请换一个名称。")
        if session.exec(select(Indicator.id).where(Indicator.plan_id == row.plan_id, Indicator.name == name)).first():
            raise UserInputError(f"本规划已有名为“{name}”的指标，请换一个名称。")
    return data


def edit_indicator_proposal(session: Session, proposal_id: int, changes: dict, *, user: str | None = None,
                            expected_version: int | None = None) -> IndicatorProposalView:
    """Correct a pending proposal before it is accepted: any of FIELDS. A changed target must be one
    core.targets can read (or words only); the warnings are worked out again for the corrected row."""
    return retry_on_conflict(session, lambda: _edit(session, proposal_id, dict(changes), user, expected_version))


def _edit(session: Session, proposal_id: int, changes: dict, user: str | None, expected_version: int | None):
    user = user or current_user(session)
    row = _locked(session, proposal_id, expected_version)
    if row.status != ProposalStatus.PENDING:
        raise UserInputError("这一项已确认或舍弃，不能再修改；已确认的请到「主要指标」界面修改。")
    _office_only(session, user)
    stored = json.loads(row.data or "{}")
    for name in changes:
        if name not in FIELDS:
            raise ValueError(f"not an indicator proposal field: {name}")
    cleaned = {name: _clean(name, value) for name, value in changes.items()}
    changed = {name for name, value in cleaned.items() if value != str(stored.get(name, ""))}
    if not changed:
        session.rollback()  # saving what is there changes nothing, and must not refuse anyone else's action
        return _view(row)
    data = _validated(session, row, {**stored, **cleaned}, changed)
    fields = {k: data.get(k, "") for k in ("category", "number", "name", "unit", "attribute", "base_text",
                                           "target_text", "growth_text", "parent", "note")}
    as_row = IndicatorRow(ordinal=int(data.get("ordinal") or row.ordinal), cumulative=bool(data.get("cumulative")),
                          **fields)
    data["warnings"] = row_warnings(as_row, cumulative_note="表注" in str(data.get("note", "")))
    row.data = json.dumps(data, ensure_ascii=False)
    row.text = data["name"]
    row.reviewed_at, row.reviewed_by = now(), user
    session.commit()
    return _view(row)


def reject_indicator_proposal(session: Session, proposal_id: int, *, user: str | None = None,
                              expected_version: int | None = None) -> IndicatorProposalView:
    """Not an indicator after all (a heading row read as one, a row of the previous plan …)."""

    def work() -> IndicatorProposalView:
        who = user or current_user(session)
        row = _locked(session, proposal_id, expected_version)
        if row.status == ProposalStatus.ACCEPTED:
            raise UserInputError("这一项已确认为主要指标，不能舍弃；不再跟踪请在「主要指标」界面处理。")
        _office_only(session, who)
        if row.status != ProposalStatus.REJECTED:
            row.status = ProposalStatus.REJECTED
            row.reviewed_at, row.reviewed_by = now(), who
            session.commit()
        return _view(row)

    return retry_on_conflict(session, work)


def reopen_indicator_proposal(session: Session, proposal_id: int, *, user: str | None = None,
                              expected_version: int | None = None) -> IndicatorProposalView:
    """A rejection made by mistake: back to pending."""

    def work() -> IndicatorProposalView:
        who = user or current_user(session)
        row = _locked(session, proposal_id, expected_version)
        if row.status == ProposalStatus.ACCEPTED:
            raise UserInputError("这一项已确认为主要指标，不能退回。")
        _office_only(session, who)
        if row.status != ProposalStatus.PENDING:
            row.status, row.result_id = "pending", None
            row.reviewed_at, row.reviewed_by = now(), who
            session.commit()
        return _view(row)

    return retry_on_conflict(session, work)


def _plan_years(session: Session, plan_id: int) -> tuple[int | None, int | None]:
    """The plan's base and target years, where the database records them (db.plan_store.plan_period)."""
    import db.plan_store as store

    period_of = getattr(store, "plan_period", None)
    if period_of is None:
        return None, None
    try:
        period = period_of(session, plan_id)
    except (NotFoundError, UserInputError):
        return None, None
    return period.base_year, period.target_year


def _years(data: dict, plan_years: tuple[int | None, int | None]) -> dict:
    """The table's years (a five-year plan: one gives the other), else the plan's; {} leaves the model's own."""
    base, target = data.get("base_year"), data.get("target_year")
    if target and not base:
        base = target - 5
    elif base and not target:
        target = base + 5
    if not (base and target):
        base, target = plan_years
    return {"base_year": int(base), "target_year": int(target)} if base and target else {}


def _base_value(text: str):
    """The base cell as a number when it is one (「28」, 「87.56」), else None (「“十四五”年均增长4.0」, 「—」)."""
    try:
        return parse_value(text)
    except ValueParseError:
        return None


def accept_indicator_proposals(session: Session, plan_id: int, ids: Iterable[int] | None = None, *,
                               user: str | None = None, origin: str = "tui",
                               expected_versions: dict[int, int] | None = None) -> list[int]:
    """Accept the plan's pending indicator proposals (all of them, or those in `ids`): each becomes an
    Indicator of kind "main". Returns the indicators' ids in table order. All or nothing: a name that is
    already an indicator of the plan, or a proposal someone else decided since (`expected_versions`:
    {proposal id: version seen}), refuses the whole batch and nothing is written."""
    wanted = None if ids is None else list(dict.fromkeys(ids))
    return retry_on_conflict(
        session, lambda: _accept(session, plan_id, wanted, user, origin, expected_versions or {}))


def confirm_indicators(session: Session, plan_id: int, ids: Iterable[int] | None = None, *,
                       user: str | None = None, origin: str = "tui",
                       expected_versions: dict[int, int] | None = None):
    """What the office's 「全部确认」 does: accept the proposals (accept_indicator_proposals), then let the
    confirmed indicators that continue the previous plan's take its final-year actuals as base values
    (db.continuity.carry_from_previous_plan). Returns (indicator ids, the carry result or None)."""
    from db.continuity import carry_from_previous_plan

    made = accept_indicator_proposals(session, plan_id, ids, user=user, origin=origin,
                                      expected_versions=expected_versions)
    carried = carry_from_previous_plan(session, plan_id, user=user) if made else None
    return made, carried


def _accept(session: Session, plan_id: int, ids: list[int] | None, user: str | None, origin: str,
            versions: dict[int, int]) -> list[int]:
    user = user or current_user(session)
    query = select(Proposal).where(Proposal.plan_id == plan_id, Proposal.kind == KIND)
    query = query.where(Proposal.id.in_(ids)) if ids is not None else query.where(Proposal.status == ProposalStatus.PENDING)
    # Locked in one order, so two people confirming overlapping rows cannot deadlock (PostgreSQL).
    found = {p.id: p for p in session.exec(query.order_by(Proposal.id).with_for_update()
                                            .execution_options(populate_existing=True))}
    if ids is not None:
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFoundError(f"没有编号为 {'、'.join(map(str, missing))} 的待确认主要指标。")
    rows = [_locked(session, p.id, versions.get(p.id)) for p in sorted(found.values(), key=lambda p: (p.ordinal, p.id))]
    decided = [r for r in rows if r.status not in (ProposalStatus.PENDING, ProposalStatus.ACCEPTED)]
    if decided:
        names = "、".join(_view(r).name for r in decided[:5])
        raise UserInputError(f"{names} 已舍弃，不能确认；如要确认，请先退回待确认。")
    rows = [r for r in rows if r.status == ProposalStatus.PENDING]
    if not rows:
        return [r.result_id for r in found.values() if r.result_id is not None]
    _office_only(session, user)
    taken = set(session.exec(select(Indicator.name).where(Indicator.plan_id == plan_id)).all())
    names: dict[str, int] = {}
    clashes: list[str] = []
    for row in rows:
        name = _view(row).name
        if not name:
            raise UserInputError(f"编号 {row.id} 的指标名称为空，请先修改。")
        if name in taken or name in names:
            clashes.append(name)
        names[name] = row.id
    if clashes:
        raise UserInputError(f"已有同名的指标：{'、'.join(clashes[:5])}。请先修改名称再确认，本次没有确认任何指标。")
    plan_years = _plan_years(session, plan_id)
    stamp = now()
    made: list[int] = []
    for row in rows:
        view = _view(row)
        years = _years({"base_year": view.base_year, "target_year": view.target_year}, plan_years)
        notes = [view.note] if view.note else []
        base = _base_value(view.base_text) if view.base_text else None
        if view.base_text and base is None and view.base_text.strip() not in ("—", "-", "/", "－"):
            notes.append(f"规划表中的基数：{view.base_text}")
        indicator = Indicator(
            plan_id=plan_id, kind=IndicatorKind.MAIN, ordinal=view.ordinal, category=view.category, name=view.name,
            unit=view.unit, attribute=view.attribute, target_text=view.target_text, growth_text=view.growth_text,
            note="；".join(notes), table_block_id=row.block_id, **years,
        )
        session.add(indicator)
        session.flush()
        log_change(session, user=user, origin=origin, entity="indicator", entity_id=indicator.id,
                   indicator_id=indicator.id, field="name", old=None, new=view.name, at=stamp)
        if base is not None:
            record_actual(session, indicator.id, indicator.base_year, base, source=BASE_SOURCE, origin=origin,
                          user=user, commit=False)
        row.status, row.result_id = "accepted", indicator.id
        row.reviewed_at, row.reviewed_by = stamp, user
        made.append(indicator.id)
    session.commit()
    return made

