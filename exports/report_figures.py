"""The figures and sentences of an evaluation report (年度监测 / 中期评估 / 总结评估), computed from the database.

Everything said here is built from stored values and the progress rules (core.progress): counts of indicators by
status and category, one sentence per indicator from its own figures, projects and milestones as of the report's
cut-off day, and the lagging items with the notes offices recorded against them. Nothing is worded that the data
does not say; the sections an office writes itself are left to it (exports.report marks them).

The indicator tables are the meeting pack's own items (exports.meeting_pack.pack_data), so the report's 附表1 and
the pack's 附表1 can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.errors import UserInputError
from core.period import Period
from core.progress import Assessment, Reading, Status
from core.targets import TargetKind
from db.engine import Database
from exports.meeting_pack import _printable  # the pack's own: ﹥ printed as ＞, as in its tables

KINDS = ("年度", "中期", "总结")

# Columns of the status count, running plan and finished plan (the target year's outcome).
RUNNING_BUCKETS = ("提前完成", "达到序时进度", "滞后", "尚无数据", "需人工判断")
FINAL_BUCKETS = ("已完成", "基本完成", "未完成", "尚无目标年数据", "需人工判断")
_RUNNING_BUCKET = {
    Status.ACHIEVED: "提前完成", Status.AHEAD: "达到序时进度", Status.ON_TRACK: "达到序时进度",
    Status.BEHIND: "滞后", Status.AT_RISK: "滞后", Status.NO_DATA: "尚无数据", Status.MANUAL: "需人工判断",
}
LAGGING_WORDS = ("滞后", "难以完成", "未完成")

# The running plan's status as a clause of a sentence (序时 wording).
_RUNNING_PHRASE = {
    Status.ACHIEVED: "已提前完成目标", Status.AHEAD: "快于序时进度", Status.ON_TRACK: "达到序时进度",
    Status.BEHIND: "滞后于序时进度", Status.AT_RISK: "按当前进度难以完成目标",
}
_THRESHOLD_PHRASE = {
    Status.ACHIEVED: "已达到目标要求", Status.AHEAD: "符合目标要求", Status.ON_TRACK: "符合目标要求",
    Status.BEHIND: "未达到目标要求", Status.AT_RISK: "未达到目标要求",
}


def report_title(kind: str, district: str, period_name: str, year: int) -> str:
    plan = f"{district}“{period_name}”规划" if period_name else f"{district}规划"
    if kind == "年度":
        return f"{plan}{year}年度实施情况监测报告"
    return f"{plan}实施{'中期' if kind == '中期' else '总结'}评估报告"


TITLE_LINE_CHARS = 20  # a 2号 title line holds about 20 characters in the 156 mm type area


def _title_lines(title: str) -> str:
    """A long title broken where it reads naturally: after 「…规划」, not mid-word."""
    head, sep, tail = title.partition("规划")
    if len(title) <= TITLE_LINE_CHARS or not sep or not tail or len(head) + 2 > TITLE_LINE_CHARS:
        return title
    return f"{head}规划\n{tail}"


def choose_kind_and_year(period: Period, today: date, kind: str | None, year: int | None) -> tuple[str, int]:
    """The report's kind and as-of year. Without a kind: 总结 once the plan's period has ended, else 年度.
    Without a year: 年度 reports the last complete year (kept inside the plan's years), 中期 the plan's third
    year, 总结 its target year."""
    if kind is not None and kind not in KINDS:
        raise UserInputError(f"报告类型“{kind}”无效，可选：{'、'.join(KINDS)}。")
    if kind is None:
        kind = "总结" if today.year > period.target_year else "年度"
    if year is None:
        if kind == "年度":
            year = period.clamp(today.year - 1)
        elif kind == "中期":
            year = period.plan_years[min(2, len(period.plan_years) - 1)]
        else:
            year = period.target_year
    if not period.first_year <= year <= period.target_year:
        raise UserInputError(f"年份 {year} 不在规划期 {period.label}内。")
    if kind == "总结" and year != period.target_year:
        raise UserInputError(f"总结评估按规划目标年（{period.target_year}年）评估，不能指定 {year} 年；"
                             f"其他年份请用 --kind 年度 或 --kind 中期。")
    return kind, year


# ----------------------------------------------------------------------------------------------------------
# One indicator


def firm_reading(assessment: Assessment) -> Reading | None:
    return next((r for r in assessment.readings if r.firm), None)


def report_word(assessment: Assessment) -> str:
    """The status word of the report: the schedule's word (序时) while the plan runs; in the target year the
    outcome 已完成 / 基本完成 / 未完成 — the same word as the grid, the CLI and the meeting pack, by the office's
    基本完成 rule in core.progress (ProgressSettings.basic_completion_share)."""
    return assessment.label


def bucket(assessment: Assessment, finished: bool) -> str:
    """Which column of the status count an indicator falls in."""
    if assessment.status == Status.MANUAL:
        return "需人工判断"
    if not finished:
        return _RUNNING_BUCKET[assessment.status]
    if not assessment.final or assessment.status == Status.NO_DATA:
        return "尚无目标年数据"
    word = report_word(assessment)
    return word if word in FINAL_BUCKETS else "需人工判断"


def figure_text(value, decimals: int) -> str:
    """A figure inside a sentence: the indicator's own decimals, no thousands separators (「1380.5亿元」)."""
    return f"{float(value):.{decimals}f}"


def _unit(unit: str) -> str:
    return "" if unit in ("位", "名") else unit


@dataclass(frozen=True)
class IndicatorFacts:
    """What the report says of one indicator; `item` is its meeting-pack row (附表1)."""

    name: str
    category: str
    word: str  # the report's status word
    bucket: str
    sentence: str  # 「地区生产总值2025年达到1380亿元，…」, no final punctuation
    lead_unit: str
    gap: str
    notes: tuple[str, ...]  # recorded by people: the indicator's note, the year's note, the manual judgement's
    item: Mapping[str, object]


def indicator_sentence(view, assessment: Assessment, decimals: int, period: Period, finished: bool) -> str:
    """One sentence from the indicator's figures and its judgement, in the words the office writes:
    「地区生产总值<年>年达到1380.0亿元，<基期年>年以来年均增长7.3%，低于8%左右的预期目标，基本完成」."""
    reading = firm_reading(assessment)
    year = assessment.year
    unit = _unit(view.unit)
    value = view.values.get(year)
    if assessment.status == Status.NO_DATA or value is None and assessment.status != Status.MANUAL:
        return f"{view.name}尚无{year}年数据"
    if reading is not None and assessment.status == Status.MANUAL and reading.target.kind != TargetKind.QUALITATIVE \
            and not assessment.manual_note:
        why = reading.explanation.split("，请")[0].rstrip("。")  # 「缺少基数，无法计算增速」: the rule's own reason
        figure = f"{year}年为{figure_text(value, decimals)}{unit}，" if value is not None else ""
        return f"{view.name}{figure}目标{reading.target.describe(period)}，{why}，需人工判断"
    if reading is None or assessment.status == Status.MANUAL or reading.target.kind == TargetKind.QUALITATIVE:
        target = _printable(view.target_text or view.growth_text)
        said = f"{view.name}（目标：{target}）" if target else view.name
        if assessment.manual_note or (reading is not None and reading.status != Status.MANUAL):
            note = f"（{assessment.manual_note}）" if assessment.manual_note else ""
            return f"{said}{year}年{'为' + figure_text(value, decimals) + unit + '，' if value is not None else ''}" \
                   f"判断为{report_word(assessment)}{note}"
        return f"{said}为定性目标，需人工判断"
    shown = figure_text(value, decimals)
    target = reading.target
    kind = target.kind
    goal = "约束性目标" if view.binding else "预期目标"
    if kind == TargetKind.GROWTH:
        growth = reading.actual_growth or 0.0
        bar = reading.required_growth or 0.0
        moved = f"{period.base_year}年以来年均{'增长' if growth >= 0 else '下降'}{abs(growth):.1f}%"
        compare = "高于" if round(growth, 1) > round(bar, 1) else "达到" if round(growth, 1) == round(bar, 1) else "低于"
        text = f"{view.name}{year}年达到{shown}{unit}，{moved}，{compare}{_printable(target.text)}的{goal}"
    elif kind == TargetKind.RELATIVE:
        reference = reading.expected
        text = f"{view.name}{year}年增长{shown}%"
        if reference is not None:
            text += f"，同期地区生产总值增长{reference:.1f}%"
        return text + f"，{'与经济增长同步' if assessment.status == Status.ON_TRACK else '低于经济增速'}" \
                      f"{'，' + report_word(assessment) if assessment.final else ''}"
    elif kind == TargetKind.CUMULATIVE:
        total = sum((v for y, v in view.values.items() if period.base_year < y <= year), Decimal(0))
        text = f"{view.name}{period.first_year}—{year}年累计{figure_text(total, decimals)}{unit}，{goal}{target.describe(period)}"
    elif kind == TargetKind.THRESHOLD:
        verb = "累计下降" if target.reduction else "为"
        text = f"{view.name}{year}年{verb}{shown}{'%' if target.reduction else unit}，{goal}{target.describe(period)}"
    else:
        verb = f"较{period.base_year}年累计下降" if target.reduction else "达到"
        text = f"{view.name}{year}年{verb}{shown}{'%' if target.reduction else unit}，{goal}{target.describe(period)}"
    if reading.completion is not None and kind != TargetKind.GROWTH:
        text += f"，完成进度{reading.completion * 100:.1f}%"
        if not assessment.final and reading.elapsed is not None:
            text += f"（序时进度{reading.elapsed * 100:.1f}%）"
    if assessment.final:
        text += f"，{report_word(assessment)}"
    else:
        phrases = _THRESHOLD_PHRASE if kind == TargetKind.THRESHOLD and reading.completion is None else _RUNNING_PHRASE
        text += f"，{phrases.get(assessment.status, assessment.label)}"
        if finished:
            text += f"（尚无{period.target_year}年数据）"
    for other in assessment.readings:
        if other.target.stretch and other is not reading and other.status not in (Status.NO_DATA, Status.MANUAL):
            text += f"；{other.target.describe(period).removesuffix('（力争）')}的力争目标" \
                    f"{'已完成' if other.status in (Status.ACHIEVED,) else '未完成' if assessment.final else other.status.label}"
    if assessment.manual_note:
        text += f"（人工判断：{assessment.status.label}，{assessment.manual_note}）"
    return text


# ----------------------------------------------------------------------------------------------------------
# Projects


@dataclass(frozen=True)
class OverdueProject:
    """A project late at the cut-off: its open milestones past due (or its planned finish, without
    milestones), each as (what, due, days late), and the notes recorded on them and on the project."""

    project: str
    lead_unit: str
    late: tuple[tuple[str, str, int], ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ProjectFigures:
    cut_off: date
    projects: int = 0
    with_milestones: int = 0
    finished: int = 0  # every milestone done
    overdue_projects: int = 0
    milestones: int = 0
    milestones_done: int = 0
    milestones_overdue: int = 0
    average_done_share: float | None = None  # mean of each project's done / milestones
    stages: tuple[tuple[str, int], ...] = ()  # 形象进度 as last reported, in stage order
    total_investment: dict[str, Decimal] = field(default_factory=dict)  # by unit (万元, 亿元)
    completed_investment: dict[str, Decimal] = field(default_factory=dict)
    overdue: tuple[OverdueProject, ...] = ()


def project_figures(projects, cut_off: date) -> ProjectFigures:
    from core.schedule import PROJECT_STAGES
    from db.projects import _due  # a planned date as ProjectView.overdue reads it

    shares, overdue, stages = [], [], {}
    total: dict[str, Decimal] = {}
    completed: dict[str, Decimal] = {}
    milestones = done = late = finished = late_projects = 0
    for p in projects:
        counted, got = p.counted, p.done_count
        milestones += counted
        done += got
        if counted:
            shares.append(got / counted)
            finished += got == counted
        open_late = [m for m in p.milestones if m.overdue(cut_off)]
        late += len(open_late)
        late_projects += p.overdue(cut_off)  # core.schedule's rule: a milestone late, or the finish passed
        late_items = [(m.title, m.due.label, (cut_off - m.due.last_day).days) for m in open_late]
        finish = _due(p.planned_finish)
        if not open_late and p.overdue(cut_off) and finish is not None:
            late_items.append(("项目", finish.label, (cut_off - finish.last_day).days))
        if late_items:
            notes = dict.fromkeys(n for n in [*(m.note for m in open_late), p.note] if n)  # each once, in order
            overdue.append(OverdueProject(p.title, p.lead_unit, tuple(late_items), tuple(notes)))
        stage = p.stage or "未填"
        stages[stage] = stages.get(stage, 0) + 1
        if p.total_investment is not None and p.completed_investment is not None:
            unit = p.investment_unit or "万元"
            total[unit] = total.get(unit, Decimal(0)) + p.total_investment
            completed[unit] = completed.get(unit, Decimal(0)) + p.completed_investment
    order = [*reversed(PROJECT_STAGES), "未填"]
    return ProjectFigures(
        cut_off=cut_off, projects=len(projects), with_milestones=len(shares), finished=finished,
        overdue_projects=late_projects, milestones=milestones, milestones_done=done, milestones_overdue=late,
        average_done_share=sum(shares) / len(shares) if shares else None,
        stages=tuple((s, stages[s]) for s in order if s in stages), total_investment=total,
        completed_investment=completed, overdue=tuple(overdue),
    )


# ----------------------------------------------------------------------------------------------------------
# The whole report


@dataclass(frozen=True)
class ReportFigures:
    kind: str
    year: int  # as of
    period: Period
    finished: bool  # judged as of the target year: outcomes, not schedule
    today: date
    scalars: dict[str, object]
    main: tuple[IndicatorFacts, ...]
    text: tuple[IndicatorFacts, ...]
    projects: ProjectFigures
    main_items: tuple[Mapping[str, object], ...]  # the meeting pack's 附表1 rows
    text_items: tuple[Mapping[str, object], ...]  # its 附表2 rows (accepted quantified targets from the text)
    basic_completion_share: float = 0.9  # the office's 基本完成 rule (ProgressSettings); 0: the word is not used

    @property
    def buckets(self) -> tuple[str, ...]:
        return FINAL_BUCKETS if self.finished else RUNNING_BUCKETS

    def categories(self) -> dict[str, list[IndicatorFacts]]:
        grouped: dict[str, list[IndicatorFacts]] = {}
        for facts in self.main:
            grouped.setdefault(facts.category or "其他", []).append(facts)
        return grouped

    def counts(self, facts: list[IndicatorFacts] | tuple[IndicatorFacts, ...]) -> dict[str, int]:
        counted = {name: 0 for name in self.buckets}
        for f in facts:
            counted[f.bucket] += 1
        return counted

    def lagging(self) -> list[tuple[str, IndicatorFacts]]:
        return [("主要指标", f) for f in self.main if f.word in LAGGING_WORDS] + \
               [("文中指标", f) for f in self.text if f.word in LAGGING_WORDS]


def _facts(views, assessments, items, period: Period, finished: bool, year: int) -> tuple[IndicatorFacts, ...]:
    from exports.meeting_pack import _format_decimals

    facts = []
    for view, item in zip(views, items, strict=True):
        assessment = assessments[view.id]
        record = view.years.get(assessment.year) or view.years.get(year)
        notes = tuple(n for n in (view.note, record.note if record else "", assessment.manual_note) if n)
        decimals = _format_decimals(item["_formats"]["base"])
        word = report_word(assessment)
        facts.append(IndicatorFacts(
            name=view.name, category=view.category, word=word, bucket=bucket(assessment, finished),
            sentence=indicator_sentence(view, assessment, decimals, period, finished),
            lead_unit=view.lead_unit, gap=str(item.get("gap") or ""), notes=notes,
            item={**item, "status": word},
        ))
    return tuple(facts)


def report_figures(database: Database, plan_id: int, kind: str | None = None, year: int | None = None, *,
                   today: date | None = None, office: str | None = None) -> ReportFigures:
    """Everything the report says, from the database. Raises UserInputError (Chinese) for a bad kind or year,
    and for a plan without indicators or without a single figure entered."""
    from db.indicators import assess_all, list_indicators, progress_settings
    from db.plan_store import find_plan, plan_period
    from db.projects import list_projects
    from db.projects import today as current_day
    from exports.meeting_pack import OFFICE, PackOptions, pack_data
    from exports.sheet_style import today_text

    today = today or current_day()
    with database.session() as session:
        plan = find_plan(session, plan_id)
        period = plan_period(session, plan_id)
        kind, year = choose_kind_and_year(period, today, kind, year)
        main = list_indicators(session, plan_id, kind="main")
        text = list_indicators(session, plan_id, kind="text")
        if not main:
            raise UserInputError(f"规划「{plan.name}」还没有主要指标，无法起草评估报告。请先导入或核对主要指标（F9）。")
        if not any(y in v.values for v in main + text for y in period.plan_years if y <= year):
            raise UserInputError(f"规划「{plan.name}」截至{year}年还没有录入任何指标数值，无法起草评估报告。"
                                 f"请先录入数据（guihua set 或界面 F3）。")
        assessments = assess_all(session, main + text, year, as_of=True)
        basic_share = progress_settings(session, plan_id).basic_completion_share
        cut_off = min(today, date(year, 12, 31))
        projects = list_projects(session, plan_id)
    data, _, _ = pack_data(database, plan_id, PackOptions(year=year, today=cut_off, office=office or OFFICE))
    finished = year == period.target_year
    main_items = data.collections["ind"].items
    text_items = data.collections["txt"].items
    scalars = dict(data.scalars)
    title = report_title(kind, str(scalars["plan.district"]), str(scalars["plan.period"]), year)
    scalars.update({
        "today": today_text(today),
        "cut_off": today_text(cut_off),
        "report.kind": kind,
        "report.title": title,
        "report.title_lines": _title_lines(title),
        "year": year,
        "first_year": period.first_year,
        "period": period.label,
    })
    main_facts = _facts(main, assessments, main_items, period, finished, year)
    text_facts = _facts(text, assessments, text_items, period, finished, year)
    return ReportFigures(
        kind=kind, year=year, period=period, finished=finished, today=today, scalars=scalars,
        main=main_facts, text=text_facts, projects=project_figures(projects, cut_off),
        main_items=tuple(f.item for f in main_facts), text_items=tuple(f.item for f in text_facts),
        basic_completion_share=basic_share,
    )
