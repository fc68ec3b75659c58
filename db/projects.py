"""Units, the review queue of what the finder proposes, projects and their milestones.

Like db.indicators, every operation that changes data validates, writes, logs the change and commits before
it returns. Overdue is never stored: it is computed from the due date and today's date.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timezone
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session, select

from core.commitments import ProjectProposal, QuantifiedTarget, find_in_plan
from core.errors import NotFoundError, UserInputError
from core.kinds import IndicatorKind, NodeKind, ProposalKind, ProposalStatus
from core.period import Period
from core.plan_text import Block, Node, ParsedPlan
from core.schedule import (
    CLOSED_STATUSES,
    INVESTMENT_UNITS,
    MILESTONE_STATUSES,
    PROJECT_STAGES,
    Due,
    MilestoneFacts,
    Rollup,
    finish_overdue,
    is_overdue,
    parse_day,
    parse_due,
    project_overdue,
    rollup,
)
from core.targets import Comparator, ValueParseError, parse_value
from core.text_hygiene import clean_text
from db.audit import (
    ConcurrentEditError,
    changed_fields,
    check_unit_access,
    current_user,
    log_change,
    now,
    retry_on_conflict,
    save_changes,
)
from db.indicators import decimal_text
from db.models import Indicator, Milestone, PlanBlock, PlanNode, Project, Proposal
from db.plan_store import plan_period
from db.units import add_unit, list_units, load_units, resolve_unit, resolve_units  # noqa: F401 (re-exported)

_SPACES = re.compile(r"\s+")
T = TypeVar("T")


# ----------------------------------------------------------------------------------------------------------
# The finder over a stored plan, and the review queue


def _stored_plan(session: Session, plan_id: int) -> tuple[ParsedPlan, dict[int, int], dict[int, str]]:
    """Rebuild the plan tree from its rows so core.commitments can walk it. Returns the tree, a map from
    each Block object's id() to its row id, and each block's chapter label."""
    nodes = session.exec(select(PlanNode).where(PlanNode.plan_id == plan_id).order_by(PlanNode.ordinal)).all()
    blocks = session.exec(select(PlanBlock).where(PlanBlock.plan_id == plan_id).order_by(PlanBlock.ordinal)).all()
    built: dict[int, Node] = {}
    rows = {n.id: n for n in nodes}
    roots: list[Node] = []
    items: list[tuple[int, int, object]] = []  # (parent node id, ordinal, item)
    for n in nodes:
        built[n.id] = Node(n.kind, n.number, n.title, n.line_start, n.line_end, [])
        if n.parent_id is None:
            roots.append(built[n.id])
        else:
            items.append((n.parent_id, n.ordinal, built[n.id]))
    block_ids: dict[int, int] = {}
    chapters: dict[int, str] = {}

    def chapter_of(node_id: int) -> str:
        row = rows[node_id]
        while row.kind not in (NodeKind.CHAPTER, NodeKind.FRONT) and row.parent_id is not None:
            row = rows[row.parent_id]
        return f"{row.number or ''} {row.title}".strip()

    for b in blocks:
        block = Block(b.kind, b.text, b.line_start, b.line_end)
        block_ids[id(block)] = b.id
        chapters[b.id] = chapter_of(b.node_id)
        items.append((b.node_id, b.ordinal, block))
    for parent_id, _, item in sorted(items, key=lambda t: t[1]):
        built[parent_id].items.append(item)
    return ParsedPlan(title="", nodes=roots, footnotes=[]), block_ids, chapters


@dataclass(frozen=True)
class FinderResult:
    targets_new: int
    projects_new: int
    already_known: int


def run_finder(session: Session, plan_id: int) -> FinderResult:
    """Propose the plan's quantified targets and projects. Proposals already in the queue (reviewed or not)
    are recognised by their key and left alone; only new ones are added, as pending."""
    parsed, block_ids, chapters = _stored_plan(session, plan_id)
    # 「期末」 and a target with no year of its own mean the end of this plan's period.
    plan_end = plan_period(session, plan_id).target_year
    targets, projects = find_in_plan(parsed, key=lambda block: block_ids[id(block)], plan_end=plan_end)
    known = {(p.kind, p.key) for p in session.exec(select(Proposal).where(Proposal.plan_id == plan_id))}
    main = session.exec(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.kind == IndicatorKind.MAIN)).all()
    ordinal = len(known)
    new = {"target": 0, "project": 0}
    already = 0
    for kind, found in (("target", targets), ("project", projects)):
        for item in found:
            if (kind, item.key) in known:
                already += 1
                continue
            known.add((kind, item.key))
            ordinal += 1
            block_id = item.source.block_key
            session.add(
                Proposal(
                    plan_id=plan_id,
                    kind=kind,
                    key=item.key,
                    ordinal=ordinal,
                    block_id=block_id,
                    chapter=chapters.get(block_id, ""),
                    sentence=item.source.sentence,
                    text=item.text,
                    data=json.dumps(_proposal_data(item, main), ensure_ascii=False),
                )
            )
            new[kind] += 1
    session.commit()
    return FinderResult(new["target"], new["project"], already)


def _same_as_main(item: QuantifiedTarget, main: list[Indicator]) -> str:
    """The plan's headline goals repeat rows of the main-indicator table: name the row so the reviewer can
    reject the duplicate with one key instead of tracking the same figure twice."""
    value = decimal_text(item.value)
    metric = _SPACES.sub("", item.metric)
    for indicator in main:
        name = _SPACES.sub("", indicator.name)
        shares_words = any(metric[i : i + 3] in name for i in range(max(len(metric) - 2, 1)))
        cells = _SPACES.sub("", indicator.target_text + "|" + indicator.growth_text)
        if value and re.search(rf"(?<![\d.]){re.escape(value)}(?![\d.])", cells) and shares_words:
            return indicator.name
    return ""


def _proposal_data(item: QuantifiedTarget | ProjectProposal, main: list[Indicator] = ()) -> dict:
    if isinstance(item, QuantifiedTarget):
        return {
            "metric": item.metric,
            "comparator": item.comparator.value,
            "value": decimal_text(item.value),
            "unit": item.unit,
            "year": item.target_year,
            "stretch": item.stretch,
            "same_as_main": _same_as_main(item, list(main)),
        }
    return {"title": item.title, "action": item.action, "box_title": item.box_title or ""}


@dataclass
class ProposalView:
    id: int
    kind: str
    status: str
    chapter: str
    sentence: str
    text: str
    block_id: int | None
    data: dict
    result_id: int | None
    added_by_hand: bool
    version: int = 0  # pass back as expected_version to a review action (optimistic locking)

    @property
    def label(self) -> str:
        d = self.data
        if self.kind == ProposalKind.TARGET:
            sign = {"=": "", ">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "~": "约"}.get(d.get("comparator", ""), "")
            return f"{d.get('metric', '')} {sign}{d.get('value', '')}{d.get('unit', '')}（{d.get('year', '')}年）"
        return f"{d.get('action', '')}{d.get('title', '')}"

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "status": self.status, "chapter": self.chapter,
                "label": self.label, "text": self.text, "sentence": self.sentence, **self.data,
                "result_id": self.result_id}


PROPOSAL_STATUSES = {"pending": "待审核", "accepted": "已采纳", "rejected": "已舍弃", "merged": "已合并"}


# The review queue (F4, `guihua review`) holds what the finder found in the text. Rows read from the plan's main
# indicator table are proposals too (kind "indicator"), confirmed on their own screen (db.plan_indicators).
REVIEW_KINDS = ("target", "project")


def list_proposals(session: Session, plan_id: int, kind: str | None = None, status: str | None = None) -> list[ProposalView]:
    query = select(Proposal).where(Proposal.plan_id == plan_id)
    if kind:
        query = query.where(Proposal.kind == kind)
    else:
        query = query.where(Proposal.kind.in_(REVIEW_KINDS))
    if status:
        query = query.where(Proposal.status == status)
    return [
        _proposal_view(p) for p in session.exec(query.order_by(Proposal.ordinal, Proposal.id))
    ]


def _proposal_view(p: Proposal) -> ProposalView:
    return ProposalView(p.id, p.kind, p.status, p.chapter, p.sentence, p.text, p.block_id,
                        json.loads(p.data or "{}"), p.result_id, p.added_by_hand, p.version_id or 0)


def _retried(action: Callable[..., T]) -> Callable[..., T]:
    """A review action overtaken between its read and its write (another reviewer's save came first) is
    stopped by the version column, rolled back whole (no second indicator or project), and run again on
    the row as it is now, where its checks decide afresh."""

    @functools.wraps(action)
    def run(session: Session, *args, **kwargs) -> T:
        return retry_on_conflict(session, lambda: action(session, *args, **kwargs))

    return run


def _proposal(session: Session, proposal_id: int, expected_version: int | None = None) -> Proposal:
    """The proposal as it is now, locked until commit (FOR UPDATE on PostgreSQL). `expected_version`: the
    ProposalView.version the reviewer decided on; when another reviewer has acted on it since, the action is
    refused with ConcurrentEditError naming who, when and what it is now, and nothing is written."""
    row = session.get(Proposal, proposal_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFoundError(f"没有编号为 {proposal_id} 的待审核条目。")
    if row.kind not in REVIEW_KINDS:
        session.rollback()
        raise UserInputError(
            f"编号 {proposal_id} 是从规划主要指标表读出的指标，请在「核对主要指标」（F9）"
            "或 guihua indicator-proposals 中核对确认。"
        )
    if expected_version is not None and (row.version_id or 0) != expected_version:
        error = _proposal_changed(row)
        session.rollback()  # nothing was written; release the lock
        raise error
    return row


def _proposal_changed(row: Proposal) -> ConcurrentEditError:
    view = _proposal_view(row)
    state = f"现为「{PROPOSAL_STATUSES.get(row.status, row.status)}」：{view.label}"
    if row.reviewed_by and row.reviewed_at:
        moment = (row.reviewed_at if row.reviewed_at.tzinfo else row.reviewed_at.replace(tzinfo=timezone.utc))
        who = f"{row.reviewed_by} 于 {moment.astimezone():%Y-%m-%d %H:%M} 已处理这一条"
    else:
        who = "这一条已被其他人处理"
    return ConcurrentEditError(f"没有保存：{who}，{state}。请看过最新内容后再审核。",
                               user=row.reviewed_by or None, changed_at=row.reviewed_at,
                               current_version=row.version_id or 0)


_TARGET_SIGNS = {"=": "", ">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "~": ""}
# A plan looks ten years past its own end (「二〇三五年远景目标」 in a plan ending five years earlier): a target
# from the text may be that far out, no further.
LONG_RANGE_YEARS = 10


def _validated_target_data(data: dict, period: Period) -> dict:
    """A target proposal's data, checked; a target that names no year is for the plan's target year."""
    data = {k: clean_text(v, multiline=True) if isinstance(v, str) else v for k, v in data.items()}
    metric = _SPACES.sub("", str(data.get("metric", "")))
    if not metric:
        raise UserInputError("指标名称不能为空。")
    try:
        value = parse_value(str(data.get("value", "")))
    except ValueParseError as exc:
        raise UserInputError(f"目标值：{exc.reason}。") from None
    if value is None:
        raise UserInputError("目标值不能为空。")
    comparator = str(data.get("comparator", "="))
    if comparator not in {c.value for c in Comparator}:
        raise UserInputError(f"比较方式“{comparator}”无效。")
    year = int(data.get("year") or period.target_year)
    return {"metric": metric, "comparator": comparator, "value": decimal_text(value),
            "unit": str(data.get("unit", "")).strip(), "year": year, "stretch": bool(data.get("stretch")),
            "same_as_main": str(data.get("same_as_main", ""))}


def _validated_project_data(data: dict) -> dict:
    data = {k: clean_text(v, multiline=True) if isinstance(v, str) else v for k, v in data.items()}
    title = _SPACES.sub("", str(data.get("title", "")))
    if not title:
        raise UserInputError("项目名称不能为空。")
    return {"title": title, "action": str(data.get("action", "")).strip(), "box_title": str(data.get("box_title", ""))}


@_retried
def edit_proposal(session: Session, proposal_id: int, data: dict, *, user: str | None = None,
                  expected_version: int | None = None) -> ProposalView:
    row = _proposal(session, proposal_id, expected_version)
    if row.status != ProposalStatus.PENDING:
        raise UserInputError("该条目已审核，不能再修改；请到指标或项目中修改。")
    stored = json.loads(row.data or "{}")
    merged = {**stored, **data}
    clean = (_validated_target_data(merged, plan_period(session, row.plan_id)) if row.kind == ProposalKind.TARGET
             else _validated_project_data(merged))
    if clean == stored:
        session.rollback()  # saving what is there changes nothing, and must not refuse anyone else's action
        return _proposal_view(row)
    row.data = json.dumps(clean, ensure_ascii=False)
    row.reviewed_at, row.reviewed_by = now(), user or current_user(session)
    session.commit()
    return _proposal_view(row)


def add_proposal(session: Session, plan_id: int, kind: str, data: dict, *, block_id: int | None = None,
                 sentence: str = "") -> int:
    """An item the finder missed, added by hand; it enters the queue as pending like the others."""
    clean = _validated_target_data(data, plan_period(session, plan_id)) if kind == ProposalKind.TARGET else _validated_project_data(data)
    key = "hand|" + "|".join(str(v) for v in clean.values())
    if session.exec(select(Proposal).where(Proposal.plan_id == plan_id, Proposal.kind == kind, Proposal.key == key)).first():
        raise UserInputError("审核列表中已有相同的条目。")
    chapter = ""
    if block_id is not None:
        block = session.get(PlanBlock, block_id)
        if block is not None:
            sentence = sentence or block.text
    ordinal = len(session.exec(select(Proposal.id).where(Proposal.plan_id == plan_id)).all()) + 1
    row = Proposal(plan_id=plan_id, kind=kind, key=key, ordinal=ordinal, block_id=block_id, chapter=chapter,
                   sentence=sentence, text=sentence[:60], data=json.dumps(clean, ensure_ascii=False), added_by_hand=True)
    session.add(row)
    session.commit()
    return row.id


@_retried
def reject_proposal(session: Session, proposal_id: int, user: str | None = None, *,
                    expected_version: int | None = None) -> None:
    row = _proposal(session, proposal_id, expected_version)
    if row.status == ProposalStatus.ACCEPTED:
        raise UserInputError("该条目已采纳，不能舍弃。")
    row.status = ProposalStatus.REJECTED
    row.reviewed_at, row.reviewed_by = now(), user or current_user(session)
    session.commit()


@_retried
def reopen_proposal(session: Session, proposal_id: int, user: str | None = None, *,
                    expected_version: int | None = None) -> None:
    """Back to pending (a rejection or merge made by mistake). Accepted items stay: their indicator or
    project may already hold figures."""
    row = _proposal(session, proposal_id, expected_version)
    if row.status == ProposalStatus.ACCEPTED:
        raise UserInputError("已采纳的条目不能退回；如不再跟踪，请删除对应的指标或项目。")
    row.status, row.result_id = "pending", None
    row.reviewed_at, row.reviewed_by = now(), user or current_user(session)
    session.commit()


def merge_proposals(session: Session, keep_id: int, other_ids: Iterable[int], user: str | None = None, *,
                    expected_versions: dict[int, int] | None = None) -> None:
    """The others describe the same thing as `keep_id`: they are closed as merged into it.
    `expected_versions`: {proposal id: ProposalView.version} as the reviewer saw them."""
    # A list, not the caller's iterable: a retry must see the ids again.
    _merge_proposals(session, keep_id, list(other_ids), user, expected_versions or {})


@_retried
def _merge_proposals(session: Session, keep_id: int, other_ids: list[int], user: str | None,
                     versions: dict[int, int]) -> None:
    # All rows locked in one order, so two reviewers merging overlapping items cannot deadlock (PostgreSQL).
    session.exec(select(Proposal.id).where(Proposal.id.in_([keep_id, *other_ids])).order_by(Proposal.id)
                 .with_for_update()).all()
    keep = _proposal(session, keep_id, versions.get(keep_id))
    for other_id in other_ids:
        other = _proposal(session, other_id, versions.get(other_id))
        if other.id == keep.id:
            continue
        if other.kind != keep.kind:
            raise UserInputError("指标和项目不能合并。")
        if other.status == ProposalStatus.ACCEPTED:
            raise UserInputError(f"条目 {other.id} 已采纳，不能并入其他条目。")
        other.status, other.result_id = "merged", keep.id
        other.reviewed_at, other.reviewed_by = now(), user or current_user(session)
    session.commit()


@_retried
def split_proposal(session: Session, proposal_id: int, parts: list[dict], user: str | None = None, *,
                   expected_version: int | None = None) -> list[int]:
    """One proposal holds several items (「A、B两所学校」): replace it with one proposal per part."""
    row = _proposal(session, proposal_id, expected_version)
    if row.status != ProposalStatus.PENDING:
        raise UserInputError("只能拆分待审核的条目。")
    if len(parts) < 2:
        raise UserInputError("拆分至少需要两项。")
    # Split before and reopened: the earlier parts keep their keys, the new ones are numbered on from them.
    taken = session.exec(select(Proposal.key).where(Proposal.plan_id == row.plan_id, Proposal.kind == row.kind,
                                                    Proposal.key.startswith(f"{row.key}#"))).all()
    first = 1 + max((int(k.rsplit("#", 1)[1]) for k in taken if k.rsplit("#", 1)[1].isdigit()), default=0)
    ids = []
    period = plan_period(session, row.plan_id)
    for index, part in enumerate(parts, start=first):
        clean = _validated_target_data(part, period) if row.kind == ProposalKind.TARGET else _validated_project_data(part)
        new = Proposal(plan_id=row.plan_id, kind=row.kind, key=f"{row.key}#{index}", ordinal=row.ordinal,
                       block_id=row.block_id, chapter=row.chapter, sentence=row.sentence, text=row.text,
                       data=json.dumps(clean, ensure_ascii=False), added_by_hand=row.added_by_hand)
        session.add(new)
        session.flush()
        ids.append(new.id)
    # The original stays in the queue as merged (its key keeps the finder from proposing it again).
    row.status, row.result_id = "merged", ids[0]
    row.reviewed_at, row.reviewed_by = now(), user or current_user(session)
    session.commit()
    return ids


@_retried
def accept_proposal(session: Session, proposal_id: int, *, user: str | None = None, origin: str = "tui",
                    expected_version: int | None = None) -> int:
    """Turn a proposal into what is tracked: a quantified target becomes an indicator of kind "text" (文中指标)
    with yearly entry and progress like the main ones; a project becomes a project. Returns its id.
    Two reviewers accepting the same item at once make one indicator or project: the row is locked and the
    second finds it accepted (or, with `expected_version`, is told who accepted it)."""
    row = _proposal(session, proposal_id, expected_version)
    if row.status == ProposalStatus.ACCEPTED:
        return row.result_id
    if row.status != ProposalStatus.PENDING:
        raise UserInputError("该条目已舍弃或合并，请先退回待审核。")
    user = user or current_user(session)
    data = json.loads(row.data or "{}")
    block = session.get(PlanBlock, row.block_id) if row.block_id else None
    chapter, section = _chapter_and_section(session, block)
    if row.kind == ProposalKind.TARGET:
        period = plan_period(session, row.plan_id)
        data = _validated_target_data(data, period)
        name = data["metric"]
        taken = set(session.exec(select(Indicator.name).where(Indicator.plan_id == row.plan_id)).all())
        if name in taken:
            name = f"{name}（{data['year']}年）"
        if name in taken:
            raise UserInputError(f"已有名为“{name}”的指标，请先修改名称再采纳。")
        ordinal = max(session.exec(select(Indicator.ordinal).where(Indicator.plan_id == row.plan_id)).all(), default=0) + 1
        sign = _TARGET_SIGNS[data["comparator"]]
        target_text = f"{'力争' if data['stretch'] else ''}{sign}{data['value']}{'左右' if data['comparator'] == '~' else ''}"
        indicator = Indicator(
            plan_id=row.plan_id, kind=IndicatorKind.TEXT, ordinal=ordinal, category=chapter, name=name, unit=data["unit"],
            attribute="预期性", target_text=target_text, base_year=period.base_year,
            # a year the text names (「到YYYY年」), within the plan or up to its 远景 horizon ten years on
            target_year=max(period.first_year, min(data["year"], period.target_year + LONG_RANGE_YEARS)),
            text_anchor=row.sentence, text_block_id=row.block_id,
        )
        session.add(indicator)
        session.flush()
        log_change(session, user=user, origin=origin, entity="indicator", entity_id=indicator.id,
                   indicator_id=indicator.id, field="name", old=None, new=name)
        result_id = indicator.id
    else:
        data = _validated_project_data(data)
        project = Project(
            plan_id=row.plan_id, title=data["title"], action=data["action"], block_id=row.block_id,
            text_anchor=row.sentence, chapter=chapter, section=section,
        )
        session.add(project)
        session.flush()
        log_change(session, user=user, origin=origin, entity="project", entity_id=project.id,
                   project_id=project.id, field="title", old=None, new=project.title)
        result_id = project.id
    row.status, row.result_id = "accepted", result_id
    row.reviewed_at, row.reviewed_by = now(), user
    session.commit()
    return result_id


def _chapter_and_section(session: Session, block: PlanBlock | None) -> tuple[str, str]:
    if block is None:
        return "", ""
    node = session.get(PlanNode, block.node_id)
    chapter = section = ""
    while node is not None:
        label = f"{node.number or ''} {node.title}".strip()
        if node.kind == NodeKind.SECTION and not section:
            section = label
        if node.kind == NodeKind.CHAPTER:
            chapter = label
        node = session.get(PlanNode, node.parent_id) if node.parent_id else None
    return chapter, section


# ----------------------------------------------------------------------------------------------------------
# Projects and milestones


PROJECT_FIELDS = {
    "title": "项目名称",
    "category": "类别",
    "lead_unit": "牵头单位",
    "partner_units": "配合单位",
    "planned_start": "计划开工",
    "planned_finish": "计划完成",
    "stage": "形象进度",
    "total_investment": "总投资",
    "annual_plan_investment": "年度计划投资",
    "completed_investment": "累计完成投资",
    "investment_unit": "投资单位",
    "note": "备注",
}
MILESTONE_FIELDS = {"title": "里程碑", "due": "计划时间", "status": "状态", "done_date": "完成日期", "note": "备注"}


@dataclass
class MilestoneView:
    id: int
    project_id: int
    ordinal: int
    title: str
    due: Due | None
    status: str
    done_date: date | None
    note: str
    version: int = 0  # pass back as expected_version when saving (optimistic locking)

    def overdue(self, today: date) -> bool:
        return is_overdue(self.due, self.status, today)


@dataclass
class ProjectView:
    id: int
    plan_id: int
    title: str
    action: str
    chapter: str
    section: str
    category: str
    lead_unit: str
    partner_units: str
    planned_start: str
    planned_finish: str
    stage: str
    total_investment: Decimal | None
    annual_plan_investment: Decimal | None
    completed_investment: Decimal | None
    investment_unit: str
    note: str
    block_id: int | None
    milestones: list[MilestoneView] = field(default_factory=list)
    text_order: int = 1 << 30  # where its source paragraph stands in the plan (projects added by hand last)
    version: int = 0  # pass back as expected_version when saving (optimistic locking)

    def overdue(self, today: date) -> bool:
        """core.schedule's rule: a milestone overdue, or no milestones and the planned finish passed."""
        return project_overdue(_due(self.planned_finish), self.stage, ((m.due, m.status) for m in self.milestones),
                               today)

    def finish_overdue(self, today: date) -> bool:
        """Overdue by its planned finish alone (it has no milestones to be late with)."""
        return finish_overdue(_due(self.planned_finish), self.stage, (m.status for m in self.milestones), today)

    @property
    def done_count(self) -> int:
        return sum(m.status == "已完成" for m in self.milestones)

    @property
    def counted(self) -> int:
        return sum(m.status != "已取消" for m in self.milestones)

    def latest(self) -> MilestoneView | None:
        done = [m for m in self.milestones if m.status == "已完成"]
        return max(done, key=lambda m: (m.done_date or date.min, m.ordinal)) if done else None

    def as_dict(self, today: date) -> dict:
        return {
            "id": self.id, "title": self.title, "action": self.action, "chapter": self.chapter,
            "section": self.section, "category": self.category, "lead_unit": self.lead_unit,
            "partner_units": self.partner_units, "planned_start": self.planned_start,
            "planned_finish": self.planned_finish, "stage": self.stage,
            "total_investment": _float(self.total_investment),
            "annual_plan_investment": _float(self.annual_plan_investment),
            "completed_investment": _float(self.completed_investment), "investment_unit": self.investment_unit,
            "milestones_done": self.done_count, "milestones_total": self.counted,
            "overdue": self.overdue(today),
            "milestones": [
                {"id": m.id, "title": m.title, "due": m.due.text if m.due else None, "status": m.status,
                 "done_date": m.done_date.isoformat() if m.done_date else None, "note": m.note,
                 "overdue": m.overdue(today)}
                for m in self.milestones
            ],
        }


def _float(value: Decimal | None):
    return None if value is None else float(value)


@functools.lru_cache(maxsize=4096)
def _due(text: str) -> Due | None:
    """A stored due text read back (Due is immutable: thousands of milestones share a few hundred dates)."""
    try:
        return parse_due(text) if text else None
    except ValueParseError:
        return None


def _dec(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def list_projects(session: Session, plan_id: int) -> list[ProjectView]:
    # plain rows like the milestones below: 5,000 ORM objects took a third of the F5 screen's read
    rows = session.execute(
        select(*Project.__table__.columns).where(Project.plan_id == plan_id).order_by(Project.id)
    ).all()
    views = {
        p.id: ProjectView(
            p.id, p.plan_id, p.title, p.action, p.chapter, p.section, p.category, p.lead_unit, p.partner_units,
            p.planned_start, p.planned_finish, p.stage, _dec(p.total_investment), _dec(p.annual_plan_investment),
            _dec(p.completed_investment), p.investment_unit, p.note, p.block_id, version=p.version_id or 0,
        )
        for p in rows
    }
    block_ids = [p.block_id for p in rows if p.block_id]
    if block_ids:
        order = dict(session.exec(select(PlanBlock.id, PlanBlock.ordinal).where(PlanBlock.id.in_(block_ids))).all())
        for p in rows:
            views[p.id].text_order = order.get(p.block_id, 1 << 30)
    if views:
        # Plain rows, not ORM objects: at district scale (15,000 milestones) building the objects took most of it.
        for m in session.execute(
            select(*Milestone.__table__.columns).where(Milestone.project_id.in_(list(views)))
            .order_by(Milestone.ordinal, Milestone.id)
        ):
            views[m.project_id].milestones.append(
                MilestoneView(m.id, m.project_id, m.ordinal, m.title, _due(m.due), m.status, m.done_date, m.note,
                              m.version_id or 0)
            )
    return sorted(views.values(), key=lambda v: (v.text_order, v.id))


def find_project(session: Session, plan_id: int, name_or_id: str) -> ProjectView:
    key = _SPACES.sub("", str(name_or_id))
    projects = list_projects(session, plan_id)
    if key.isdigit():
        for p in projects:
            if p.id == int(key):
                return p
    exact = [p for p in projects if p.title == key]
    matches = exact or [p for p in projects if key and key in p.title]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"没有名称含“{name_or_id}”的项目。用 guihua projects 查看全部项目。")
    listed = "\n".join(f"  {p.id}  {p.title}" for p in matches[:20])
    raise UserInputError(f"“{name_or_id}”对应多个项目，请写全名称或用编号：\n{listed}")


def find_milestone(project: ProjectView, name_or_id: str) -> MilestoneView:
    key = _SPACES.sub("", str(name_or_id))
    if key.isdigit():
        for m in project.milestones:
            if m.id == int(key):
                return m
    exact = [m for m in project.milestones if m.title == key]
    matches = exact or [m for m in project.milestones if key and key in m.title]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"项目“{project.title}”没有名称含“{name_or_id}”的里程碑。")
    raise UserInputError(f"“{name_or_id}”对应多个里程碑：{'、'.join(m.title for m in matches)}。")


def _clean_project_field(session: Session, name: str, value) -> str | None:
    text = clean_text(None if value is None else str(value), multiline=name == "note").strip()
    if name in ("lead_unit",):
        return resolve_unit(session, text).name if text else ""
    if name == "partner_units":
        return resolve_units(session, text)
    if name in ("planned_start", "planned_finish"):
        if not text:
            return ""
        try:
            return parse_due(text).text
        except ValueParseError as exc:
            raise UserInputError(f"{PROJECT_FIELDS[name]}：{exc.reason}。") from None
    if name == "stage" and text and text not in PROJECT_STAGES:
        raise UserInputError(f"形象进度“{text}”无效，可选：{'、'.join(PROJECT_STAGES)}。")
    if name == "investment_unit" and text not in INVESTMENT_UNITS:
        raise UserInputError("投资单位应为“万元”或“亿元”。")
    if name in ("total_investment", "annual_plan_investment", "completed_investment"):
        try:
            return decimal_text(parse_value(text))
        except ValueParseError as exc:
            raise UserInputError(f"{PROJECT_FIELDS[name]}：{exc.reason}。") from None
    if name == "title" and not text:
        raise UserInputError("项目名称不能为空。")
    return text


def add_project(session: Session, plan_id: int, title: str, *, origin: str, user: str | None = None, **fields) -> int:
    user = user or current_user(session)
    project = Project(plan_id=plan_id, title=_clean_project_field(session, "title", title))
    for name, value in fields.items():
        setattr(project, name, _clean_project_field(session, name, value))
    session.add(project)
    session.flush()
    log_change(session, user=user, origin=origin, entity="project", entity_id=project.id, project_id=project.id,
               field="title", old=None, new=project.title)
    session.commit()
    return project.id


def update_project(session: Session, project_id: int, *, origin: str, user: str | None = None,
                   expected_version: int | None = None, overwrite: bool = False, **fields) -> list[int]:
    """Change a project's fields. `expected_version`: ProjectView.version as the user saw it; when someone
    saved the project since, ConcurrentEditError refuses the save unless `overwrite`. None: no check."""
    return retry_on_conflict(
        session, lambda: _update_project(session, project_id, origin, user, expected_version, overwrite, fields)
    )


def _update_project(session, project_id, origin, user, expected_version, overwrite, fields) -> list[int]:
    user = user or current_user(session)
    # The row as it is now, held until commit: no save based on a stale copy, none overtaken mid-way.
    project = session.get(Project, project_id, with_for_update=True, populate_existing=True)
    if project is None:
        raise NotFoundError(f"没有编号为 {project_id} 的项目。")
    cleaned = {name: _clean_project_field(session, name, value) for name, value in fields.items()}
    for name in cleaned:
        if name not in PROJECT_FIELDS:
            raise ValueError(f"not a project field: {name}")
    changes = save_changes(
        session, project, changed_fields(project, cleaned), entity="project", what=f"项目“{project.title}”",
        label=lambda f: f"{project.title} {PROJECT_FIELDS.get(f, f)}", expected_version=expected_version,
        overwrite=overwrite, user=user, origin=origin, at=now(),
        units=(project.lead_unit, project.partner_units), project_id=project.id,
    )
    ids = [c.id for c in changes]
    session.commit()
    return ids


def _clean_milestone_field(name: str, value) -> object:
    text = clean_text(None if value is None else str(value), multiline=name == "note").strip()
    if name == "title" and not text:
        raise UserInputError("里程碑名称不能为空。")
    if name == "due":
        if not text:
            return ""
        try:
            return parse_due(text).text
        except ValueParseError as exc:
            raise UserInputError(f"计划时间：{exc.reason}。") from None
    if name == "status" and text not in MILESTONE_STATUSES:
        raise UserInputError(f"状态“{text}”无效，可选：{'、'.join(MILESTONE_STATUSES)}。")
    if name == "done_date":
        if isinstance(value, date) or value is None:
            return value
        if not text:
            return None
        try:
            return parse_day(text)
        except ValueParseError as exc:
            raise UserInputError(f"完成日期：{exc.reason}。") from None
    return text


def _project_units(session: Session, project_id: int) -> tuple[str, str]:
    project = session.get(Project, project_id)
    return (project.lead_unit, project.partner_units) if project is not None else ("", "")


def add_milestone(session: Session, project_id: int, title: str, due: str = "", *, origin: str,
                  user: str | None = None, note: str = "") -> int:
    user = user or current_user(session)
    project = session.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"没有编号为 {project_id} 的项目。")
    check_unit_access(session, user, lead=project.lead_unit, partners=project.partner_units,
                      what=f"项目“{project.title}”")
    ordinal = max(session.exec(select(Milestone.ordinal).where(Milestone.project_id == project_id)).all(), default=0) + 1
    milestone = Milestone(project_id=project_id, ordinal=ordinal, title=_clean_milestone_field("title", title),
                          due=_clean_milestone_field("due", due), note=_clean_milestone_field("note", note))
    session.add(milestone)
    session.flush()
    log_change(session, user=user, origin=origin, entity="milestone", entity_id=milestone.id, project_id=project_id,
               field="title", old=None, new=milestone.title)
    session.commit()
    return milestone.id


def update_milestone(
    session: Session,
    milestone_id: int,
    *,
    origin: str,
    user: str | None = None,
    source_file: str = "",
    commit: bool = True,
    expected_version: int | None = None,
    overwrite: bool = False,
    **fields,
) -> list[int]:
    """Change a milestone's fields. `expected_version`: MilestoneView.version as the user saw it; when someone
    saved the milestone since, ConcurrentEditError refuses the save unless `overwrite`. None: no check."""
    return retry_on_conflict(
        session,
        lambda: _update_milestone(session, milestone_id, origin, user, source_file, commit, expected_version,
                                  overwrite, fields),
        commit=commit,
    )


def _update_milestone(session, milestone_id, origin, user, source_file, commit, expected_version, overwrite,
                      fields) -> list[int]:
    user = user or current_user(session)
    # The row as it is now, held until commit: no save based on a stale copy, none overtaken mid-way.
    milestone = session.get(Milestone, milestone_id, with_for_update=True, populate_existing=True)
    if milestone is None:
        raise NotFoundError(f"没有编号为 {milestone_id} 的里程碑。")
    cleaned = {name: _clean_milestone_field(name, value) for name, value in fields.items()}
    # Done means a done date and vice versa: keep the two consistent whichever the user changed.
    if cleaned.get("status") == "已完成" and "done_date" not in cleaned and milestone.done_date is None:
        cleaned["done_date"] = date.today()
    if "status" in cleaned and cleaned["status"] != "已完成" and "done_date" not in cleaned:
        cleaned["done_date"] = None
    for name in cleaned:
        if name not in MILESTONE_FIELDS:
            raise ValueError(f"not a milestone field: {name}")
    changes = save_changes(
        session, milestone, changed_fields(milestone, cleaned), entity="milestone",
        what=f"里程碑“{milestone.title}”", label=lambda f: f"{milestone.title} {MILESTONE_FIELDS.get(f, f)}",
        expected_version=expected_version, overwrite=overwrite, user=user, origin=origin, at=now(),
        show=lambda v: v.isoformat() if isinstance(v, date) else (v or None), commit=commit,
        units=_project_units(session, milestone.project_id),
        project_id=milestone.project_id, source_file=source_file,
    )
    ids = [c.id for c in changes]
    if commit:
        session.commit()
    return ids


def mark_milestone_done(session: Session, milestone_id: int, done: date | None = None, *, origin: str,
                        user: str | None = None) -> list[int]:
    return update_milestone(session, milestone_id, origin=origin, user=user, status="已完成",
                            done_date=done or date.today())


def project_history(session: Session, project_id: int):
    from db.models import ChangeLog

    return list(session.exec(select(ChangeLog).where(ChangeLog.project_id == project_id).order_by(ChangeLog.id.desc())))


@dataclass(frozen=True)
class Summary:
    by_chapter: dict[str, Rollup]
    by_unit: dict[str, Rollup]
    stages: dict[str, int]


def summary(projects: list[ProjectView], today: date) -> Summary:
    by_chapter = rollup((MilestoneFacts(p.chapter or "（未归章节）", m.status, m.due) for p in projects for m in p.milestones), today)
    by_unit = rollup((MilestoneFacts(p.lead_unit or "（未定牵头单位）", m.status, m.due) for p in projects for m in p.milestones), today)
    stages: dict[str, int] = {}
    for p in projects:
        stages[p.stage or "（未填）"] = stages.get(p.stage or "（未填）", 0) + 1
    return Summary(by_chapter, by_unit, stages)


def open_statuses() -> tuple[str, ...]:
    return tuple(s for s in MILESTONE_STATUSES if s not in CLOSED_STATUSES)


def relink_projects(session: Session, plan_id: int) -> None:
    """After the plan's text is re-imported, point projects and proposals at the new paragraphs by their
    source sentence. Caller commits."""
    blocks = [(b.id, _SPACES.sub("", b.text)) for b in session.exec(select(PlanBlock).where(PlanBlock.plan_id == plan_id))]

    def find(sentence: str) -> int | None:
        anchor = _SPACES.sub("", sentence)
        return next((bid for bid, text in blocks if anchor and anchor in text), None)

    for project in session.exec(select(Project).where(Project.plan_id == plan_id)):
        project.block_id = find(project.text_anchor)
    for proposal in session.exec(select(Proposal).where(Proposal.plan_id == plan_id)):
        proposal.block_id = find(proposal.sentence)
    session.flush()


def milestone_and_project(session: Session, milestone_id: int) -> tuple[Milestone | None, Project | None]:
    """A milestone's row and its project's row, either None when deleted (read-only)."""
    milestone = session.get(Milestone, milestone_id)
    return milestone, session.get(Project, milestone.project_id) if milestone is not None else None


def plan_lead_units(session: Session, plan_id: int) -> list[str]:
    """The 牵头单位 texts of the plan's indicators and projects, as stored (several units per text possible)."""
    leads = list(session.exec(select(Indicator.lead_unit).where(Indicator.plan_id == plan_id)))
    return leads + list(session.exec(select(Project.lead_unit).where(Project.plan_id == plan_id)))


def has_proposals(session: Session, plan_id: int) -> bool:
    """Whether the finder has run on the plan (its review queue holds anything)."""
    return session.exec(select(Proposal.id).where(Proposal.plan_id == plan_id).limit(1)).first() is not None


def today() -> date:
    """Today's date; GUIHUA_TODAY=YYYY-MM-DD pins it (for tests, and to look at the state on a past day)."""
    import os

    pinned = os.environ.get("GUIHUA_TODAY", "").strip()
    if pinned:
        try:
            return parse_day(pinned)
        except ValueParseError:
            pass
    return date.today()
