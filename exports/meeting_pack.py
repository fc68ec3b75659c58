"""The meeting pack: one workbook of official tables for the leadership group's meeting.

Sheets (default template): 主要指标完成情况表, 文中量化指标完成情况表, 重大项目推进情况表, 滞后事项清单 and,
where yearly targets exist, 年度目标分解表. The data is assembled here; the layout lives in a template
(exports.templates), either the default built below or the office's own workbook. Computed figures (growth,
status, schedule) are written as values, never formulas, so every reader shows them.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from core.errors import UserInputError
from core.period import Period
from core.progress import RANK_UNITS, Assessment, Reading, Status
from core.targets import TargetKind
from db.engine import Database
from exports.sheet_style import STATUS_FILLS, Fonts, today_text
from exports.charts import find_placeholder, remove_placeholder
from exports.templates import Collection, Emphasis, TemplateData, _as_text, check_template, fill_workbook, load_template

OFFICE = "区规划实施领导小组办公室"
EXPORT_FOLDER = "导出"

IND_FIELDS = [
    "seq", "category", "name", "unit", "base", "target", "growth", "actual_growth", "required_growth",
    "schedule", "status", "status_code", "attribute", "lead_unit", "partner_units", "leader", "note",
    "explanation", "stage", "gap",
]
PROJ_FIELDS = [
    "seq", "title", "chapter", "section", "category", "lead_unit", "partner_units", "start", "finish", "stage",
    "milestones", "progress", "status", "total_investment", "completed_investment", "investment_unit", "note",
]
LAG_FIELDS = ["seq", "kind", "item", "unit", "gap", "status", "note", "chapter"]
YT_FIELDS = ["seq", "category", "name", "unit", "note"]


@dataclass
class PackResult:
    path: Path
    renamed: bool
    sheets: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _number(value):
    """Decimals as numbers Excel can sum; whole numbers without a trailing .0."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _decimals_of(value) -> int:
    """Decimals a figure was written with: 971.9 → 1, 1500 → 0, 4.50 → 1."""
    if value is None:
        return 0
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


MONEY_UNITS = ("亿元", "万元", "元", "亿美元", "万美元")
SHARE_UNITS = ("%", "‰")


def number_format(unit: str, base, targets, actuals) -> str:
    """One format for every figure of an indicator, as the statistics office prints it: the decimals of its
    base and target values (at least one for shares, at most two), thousands separators for amounts of money
    from 1000 up, and ranks as 「48位」."""
    unit = (unit or "").strip()
    if unit in RANK_UNITS:
        return f'0"{unit}"'
    written = [v for v in [base, *targets] if v is not None]
    decimals = max((_decimals_of(v) for v in written or actuals), default=0)
    if any(_decimals_of(v) for v in actuals):
        decimals = max(decimals, 1)  # 41.25 against a target of 48 is not shown as 41
    if unit in SHARE_UNITS:
        decimals = max(decimals, 1)
    decimals = min(decimals, 2)
    figures = [abs(float(v)) for v in [base, *targets, *actuals] if v is not None]
    grouped = unit in MONEY_UNITS and any(v >= 1000 for v in figures)
    whole = "#,##0" if grouped else "0"
    return whole + ("." + "0" * decimals if decimals else "")


def _indicator_format(view, assessment: Assessment) -> str:
    targets = [r.target.value for r in assessment.readings
               if r.target.value is not None and r.target.kind != TargetKind.GROWTH and not r.target.reduction]
    return number_format(view.unit, view.values.get(view.base_year), targets,
                         [*view.values.values(), *view.yearly_targets.values()])


def _format_decimals(number_format_text: str) -> int:
    whole, _, fraction = number_format_text.partition(".")
    return len(fraction.split('"')[0]) if fraction else 0


def _shown(value, fmt: str) -> str:
    """A figure as the format shows it, for text such as 差距."""
    decimals = _format_decimals(fmt)
    text = f"{float(value):,.{decimals}f}" if fmt.startswith("#,##0") else f"{float(value):.{decimals}f}"
    return text


def _due_text(text: str) -> str:
    """A planned date as the office writes it: 「N年上半年」, 「N年第二季度」, not 「NH1」 or 「NQ2」."""
    from core.schedule import parse_due

    if not text:
        return ""
    try:
        return parse_due(text).label
    except ValueError:
        return text


def _pct(value: float | None):
    return None if value is None else round(value, 1)


def _firm(assessment: Assessment) -> Reading | None:
    return next((r for r in assessment.readings if r.firm), assessment.readings[0] if assessment.readings else None)


def _gap(assessment: Assessment, view=None, fmt: str = "0.0") -> str:
    """How far behind, in the words the office uses; every lagging indicator gets one."""
    reading = _firm(assessment)
    if reading is None:
        return ""
    if reading.target.kind == TargetKind.GROWTH and reading.actual_growth is not None:
        return f"年均增长{reading.actual_growth:.1f}%，目标{reading.target.text}"
    if reading.completion is not None and reading.elapsed is not None:
        behind = (reading.elapsed - reading.completion) * 100
        return f"完成进度{reading.completion * 100:.1f}%，序时进度{reading.elapsed * 100:.1f}%（落后{behind:.1f}个百分点）"
    if assessment.status not in (Status.BEHIND, Status.AT_RISK) or view is None:
        return ""
    unit = "" if view.unit in RANK_UNITS else view.unit
    actual = view.values.get(assessment.year)
    target = _printable(reading.target.text)
    if actual is None:
        return f"{assessment.year}年尚无数据，目标{target}"
    text = f"{assessment.year}年实际{_shown(actual, fmt)}{unit}，目标{target}"
    if reading.target.value is not None and reading.target.kind != TargetKind.GROWTH and not reading.target.reduction:
        difference = abs(float(reading.target.value) - float(actual))
        if difference:
            text += f"，相差{_shown(difference, fmt)}{'个百分点' if unit == '%' else unit}"
    return text


def _schedule(reading: Reading | None, unit: str, period: Period, decimals: int = 1):
    """序时进度要求: the value expected this year on schedule, or the line a threshold must hold."""
    if reading is None:
        return "—"
    if reading.expected is not None:
        expected = float(reading.expected)
        # stored as precisely as statistics report it; shown with the indicator's own decimals (its format)
        return round(expected, max(decimals, 1 if abs(expected) >= 10 else 2))
    if reading.target.kind in (TargetKind.THRESHOLD,):
        return reading.target.describe(period)
    if reading.target.kind == TargetKind.RELATIVE:
        return "不低于地区生产总值增速"
    return "—"


# Small-form signs (﹥﹤) are what the PDF holds, but many fonts lack them: print the full-width forms.
_PRINTABLE = str.maketrans({"﹥": "＞", "﹤": "＜"})


def _printable(text: str) -> str:
    return (text or "").translate(_PRINTABLE)


def _district(title: str) -> str:
    match = re.match(r"^(.{2,30}?)(国民经济和社会发展|经济和社会发展)", title or "")
    return match.group(1) if match else ""


def _indicator_items(views, assessments, year: int, period: Period) -> list[dict]:
    items = []
    for seq, view in enumerate(views, start=1):
        assessment = assessments[view.id]
        reading = _firm(assessment)
        fmt = _indicator_format(view, assessment)
        record = view.years.get(assessment.year) or view.years.get(year)
        notes = [n for n in (view.note, record.note if record else "") if n]
        stage = record.stage if record else ""
        item = {
            "seq": seq,
            "category": view.category,
            "name": view.name,
            "unit": view.unit,
            "base": _number(view.values.get(view.base_year)),
            "target": _printable(view.target_text) or "—",
            "growth": _printable(view.growth_text) or "—",
            "actual_growth": _pct(next((r.actual_growth for r in assessment.readings if r.actual_growth is not None), None)),
            "required_growth": _pct(next((r.required_growth for r in assessment.readings if r.required_growth is not None), None)),
            "schedule": _schedule(reading, view.unit, period, _format_decimals(fmt)),
            "status": assessment.label,
            "status_code": assessment.code,
            "attribute": view.attribute,
            "lead_unit": view.lead_unit,
            "partner_units": view.partner_units,
            "leader": view.leader,
            "stage": stage,
            "note": "；".join(([f"数据阶段：{stage}"] if stage else []) + notes + ([assessment.manual_note] if assessment.manual_note else [])),
            "explanation": assessment.explanation,
            "gap": _gap(assessment, view, fmt),
            "binding": view.binding,
            "_id": view.id,
            "_formats": {"base": fmt, "schedule": fmt, **{f"{k}{y}": fmt for y in view.plan_years for k in "yt"}},
        }
        for y in view.plan_years:
            item[f"y{y}"] = _number(view.values.get(y))
            item[f"t{y}"] = _number(view.yearly_targets.get(y))
        items.append(item)
    return items


def _money_format(total, completed, unit: str) -> str:
    """Investments with their unit in the cell (projects differ: 亿元, 万元)."""
    decimals = min(2, max(_decimals_of(total), _decimals_of(completed)))
    suffix = f'"{unit}"' if unit else ""
    return "#,##0" + ("." + "0" * decimals if decimals else "") + suffix


def _status_emphasis(item, field_name: str) -> Emphasis | None:
    """Status cells in their status colours (bold where a binding indicator lags); overdue items in red."""
    emphasis = None
    if field_name == "status" and item.get("status_code") in STATUS_FILLS:
        fill, colour = STATUS_FILLS[item["status_code"]]
        binding_behind = bool(item.get("binding") and item["status_code"] in ("behind", "at_risk"))
        emphasis = Emphasis(colour, fill, True if binding_behind else None)
    if field_name in ("status", "title") and item.get("overdue"):
        emphasis = Emphasis("C00000", emphasis.fill if emphasis else None, True)
    return emphasis


@dataclass(frozen=True)
class PackOptions:
    year: int | None = None  # as of; default: the latest year with data
    hide_empty_years: bool = False
    office: str = OFFICE
    today: date | None = None
    # The sheet of charts (exports.charts), on or off and 4 (A4 landscape) or 2 (A4 portrait) to a page; None: as
    # the setting export.charts says. Either one given is remembered as the setting (a per-page alone: on).
    charts: bool | None = None
    charts_per_page: int | None = None


CHARTS_SETTING = "export.charts"  # "1": on, "" / "0": off ("2" / "4": on, that many to a page)
CHARTS_PER_PAGE_SETTING = "export.charts_per_page"  # "4" (A4 landscape) or "2" (A4 portrait), kept while off


def charts_setting(text: str | None) -> tuple[bool, int]:
    """The setting export.charts read leniently: (on, charts per page)."""
    value = (text or "").strip().lower()
    if value in ("", "0", "否", "no", "false", "off"):
        return False, 4
    return True, 2 if value == "2" else 4


def pack_data(database: Database, plan_id: int, options: PackOptions) -> tuple[TemplateData, list[int], int]:
    from db.indicators import assess_all, latest_year, list_indicators
    from db.plan_store import find_plan, plan_period
    from db.projects import list_projects
    from db.projects import today as current_day

    today = options.today or current_day()
    with database.session() as session:
        plan = find_plan(session, plan_id)
        main = list_indicators(session, plan_id, kind="main")
        text = list_indicators(session, plan_id, kind="text")
        everything = main + text
        if not everything:
            raise UserInputError(f"规划「{plan.name}」还没有指标，无法导出监测表。")
        period = plan_period(session, plan_id)
        base, end = period.base_year, period.target_year
        year = options.year if options.year is not None else (latest_year(everything) or base + 1)  # 0 is refused
        if not base < year <= end:
            raise UserInputError(f"年份 {year} 不在规划期 {base + 1}—{end} 年内。")
        assessments = assess_all(session, everything, year, as_of=True)
        projects = list_projects(session, plan_id)
        plan_title, plan_name = plan.title, plan.name
    years = list(range(base, end + 1))
    ind_items = _indicator_items(main, assessments, year, period)
    txt_items = _indicator_items(text, assessments, year, period)
    proj_items = []
    for seq, p in enumerate(projects, start=1):
        latest = p.latest()
        overdue = p.overdue(today)
        open_late = [m for m in p.milestones if m.overdue(today)]
        if overdue:
            status = f"逾期（{len(open_late)}项）" if open_late else "逾期（已过计划完成时间）"
        elif p.counted and p.done_count == p.counted:
            status = "已完成"
        elif not p.milestones:
            status = "未设里程碑"
        else:
            status = "正常推进"
        progress = ""
        if latest is not None:
            progress = f"{latest.title}（{latest.done_date:%Y-%m-%d}完成）" if latest.done_date else latest.title
            if latest.note:
                progress += f"：{latest.note}"
        proj_items.append({
            "seq": seq, "title": p.title, "chapter": p.chapter, "section": p.section, "category": p.category,
            "lead_unit": p.lead_unit, "partner_units": p.partner_units,
            "start": _due_text(p.planned_start), "finish": _due_text(p.planned_finish), "stage": p.stage or "未填",
            "milestones": f"{p.done_count}/{p.counted}" if p.counted else "—", "progress": progress,
            "status": status, "overdue": overdue, "total_investment": _number(p.total_investment),
            "completed_investment": _number(p.completed_investment), "investment_unit": p.investment_unit,
            "note": p.note,
            "_formats": {k: _money_format(p.total_investment, p.completed_investment, p.investment_unit)
                         for k in ("total_investment", "completed_investment")},
        })
    lag_items = []
    for item in ind_items + txt_items:
        if item["status_code"] in ("behind", "at_risk"):
            lag_items.append({"kind": "主要指标" if item in ind_items else "文中指标", "item": item["name"],
                              "unit": item["lead_unit"], "gap": item["gap"], "status": item["status"],
                              "status_code": item["status_code"], "binding": item["binding"],
                              "note": item["explanation"], "chapter": item["category"]})
    for p in projects:
        for m in p.milestones:
            if m.overdue(today):
                days = (today - m.due.last_day).days
                lag_items.append({"kind": "项目里程碑", "item": f"{p.title}：{m.title}", "unit": p.lead_unit,
                                  "gap": f"计划{m.due.label}，已逾期{days}天", "status": "逾期", "overdue": True,
                                  "note": m.note, "chapter": p.chapter})
    for seq, item in enumerate(lag_items, start=1):
        item["seq"] = seq
    yt_items = [
        {**{k: item[k] for k in ("category", "name", "unit")}, **{f"t{y}": item.get(f"t{y}") for y in years},
         **{f"y{y}": item.get(f"y{y}") for y in years}, "note": item["note"], "_formats": item["_formats"]}
        for item in ind_items + txt_items
        if any(item.get(f"t{y}") is not None for y in years)
    ]
    for seq, item in enumerate(yt_items, start=1):
        item["seq"] = seq
    year_fields = {f"y{y}" for y in years} | {f"t{y}" for y in years}
    scalars = {
        "plan.title": plan_title,
        "plan.name": plan_name,
        "plan.district": _district(plan_title),
        "plan.period": period.short_name,  # 「十五五」; "" for a period that is not a Five-Year Plan's
        "as_of_year": year,
        "today": today_text(today),
        "office": options.office,
        "base_year": base,
        "target_year": end,
    }
    collections = {
        "ind": Collection("ind", ind_items, frozenset(IND_FIELDS) | year_fields, _status_emphasis),
        "txt": Collection("txt", txt_items, frozenset(IND_FIELDS) | year_fields, _status_emphasis),
        "proj": Collection("proj", proj_items, frozenset(PROJ_FIELDS), _status_emphasis),
        "lag": Collection("lag", lag_items, frozenset(LAG_FIELDS), _status_emphasis),
        "yt": Collection("yt", yt_items, frozenset(YT_FIELDS) | year_fields),
    }
    hide = frozenset(f"{prefix}.y{y}" for prefix in ("ind", "txt") for y in years) if options.hide_empty_years else frozenset()
    hide |= {"proj.total_investment", "proj.completed_investment"}  # shown once a project has them
    data = TemplateData(scalars, collections, hide_empty=hide, drop_empty_sheets=frozenset({"yt"}))
    return data, years, year


# ----------------------------------------------------------------------------------------------------------
# The default template


def note_lines(years: list[int], final: bool | None = None) -> list[str]:
    """The notes under the indicator tables, naming the plan's base and target years. `final`: the pack is as of
    the target year, so statuses are outcomes (已完成 / 未完成); otherwise the schedule's words, and what the
    target year will show (the same text in a template file, which serves any year)."""
    base, target = years[0], years[-1]
    if final:
        first = (f"注：1. 完成情况：有{target}年（目标年）数据的指标按是否达到目标列为已完成、未完成"
                 f"（未达到但完成进度达到规划办规定比例的列为基本完成）；尚无{target}年数据的"
                 "按最新数据的序时进度列示（提前完成、超序时进度、达到序时进度、滞后、难以完成）；另有尚无数据、"
                 "需人工判断（定性目标，由办公室判断）。")
    else:
        first = (f"注：1. 完成情况按序时进度判断：提前完成（已达到{target}年目标）、超序时进度、达到序时进度、滞后、"
                 "难以完成（按当前进度难以完成）、尚无数据、需人工判断（定性目标，由办公室判断）。")
        first += f"{target}年（目标年）按是否达到目标列为已完成或未完成。"
    return [
        first,
        f"2. 年均增速目标按{base}年基数计算实际年均增速；“力争”目标作为参考同时列示，状态以约束性或确定性目标为准。",
        "3. 数据阶段：初步核算、快报、年报、最终核实；后续阶段的数据会替换先前的数据。",
    ]


def _project_notes(years: list[int], final: bool | None = None) -> list[str]:
    return [
        "注：1. 里程碑完成情况为已完成的里程碑数/里程碑总数；状态为“逾期”的项目有里程碑过了计划时间仍未完成，以红色粗体显示。",
        "2. 形象进度、当前进展按牵头单位最近一次填报；总投资、累计完成投资在填报后列示。",
    ]


def _lag_notes(years: list[int], final: bool | None = None) -> list[str]:
    words = "未完成、滞后、难以完成" if final else "滞后、难以完成（目标年为未完成）"
    return [f"注：本清单列出完成情况为{words}的主要指标和文中量化指标，以及过了计划时间仍未完成的项目里程碑；"
            "说明栏为判断依据。"]


def _yearly_notes(years: list[int], final: bool | None = None) -> list[str]:
    return ["注：年度目标为分解到各年的目标值，实际值为当年数据（数据阶段见附表1备注）；没有分解年度目标的指标不列入本表。"]


@dataclass(frozen=True)
class _Column:
    header: str
    field: str
    width: int
    number_format: str | None = None


def _indicator_columns(prefix: str, years: list[int], first_header: str, widths: dict[str, int]) -> list[_Column]:
    return [
        _Column("序号", f"{{{{{prefix}.seq}}}}", 5),
        _Column(first_header, f"{{{{{prefix}.category|merge}}}}", 10),
        _Column("指标", f"{{{{{prefix}.name}}}}", widths.get("name", 30)),
        _Column("单位", f"{{{{{prefix}.unit}}}}", widths.get("unit", 7)),
        _Column(f"{years[0]}年基数", f"{{{{{prefix}.base}}}}", 9, "General"),
        *[_Column(f"{y}年", f"{{{{{prefix}.y{y}}}}}", 9, "General") for y in years[1:]],
        _Column(f"{years[-1]}年目标", f"{{{{{prefix}.target}}}}", widths.get("target", 12)),
        _Column("年均增速目标", f"{{{{{prefix}.growth}}}}", widths.get("growth", 11)),
        _Column("实际年均增速(%)", f"{{{{{prefix}.actual_growth}}}}", 9, "0.0"),
        _Column("序时进度要求", f"{{{{{prefix}.schedule}}}}", widths.get("schedule", 12), "General"),
        _Column("完成情况", f"{{{{{prefix}.status}}}}", 12),
        _Column("属性", f"{{{{{prefix}.attribute}}}}", 7),
        _Column("牵头单位", f"{{{{{prefix}.lead_unit}}}}", 12),
        _Column("备注", f"{{{{{prefix}.note}}}}", 18),
    ]


SHEETS = [
    # (sheet title, table title, columns builder (years, width of the name column), notes builder)
    ("主要指标完成情况表", "{{plan.district}}“{{plan.period}}”规划主要指标完成情况表（截至{{as_of_year}}年）",
     lambda years, width: _indicator_columns("ind", years, "类别", width), note_lines),
    ("文中量化指标完成情况表", "{{plan.district}}“{{plan.period}}”规划文中量化指标完成情况表（截至{{as_of_year}}年）",
     lambda years, width: _indicator_columns("txt", years, "所属章节", width), note_lines),
    ("重大项目推进情况表", "{{plan.district}}“{{plan.period}}”规划重大项目推进情况表（截至{{today}}）",
     lambda years, width: [
         _Column("序号", "{{proj.seq}}", 5), _Column("项目名称", "{{proj.title}}", 26),
         _Column("所属章节", "{{proj.chapter|merge}}", 16), _Column("牵头单位", "{{proj.lead_unit}}", 12),
         _Column("配合单位", "{{proj.partner_units}}", 14), _Column("计划完成时间", "{{proj.finish}}", 14),
         _Column("形象进度", "{{proj.stage}}", 9), _Column("里程碑完成情况", "{{proj.milestones}}", 9),
         _Column("总投资", "{{proj.total_investment}}", 11, "#,##0.00"),
         _Column("累计完成投资", "{{proj.completed_investment}}", 11, "#,##0.00"),
         _Column("当前进展", "{{proj.progress}}", 26), _Column("状态", "{{proj.status}}", 12),
     ], _project_notes),
    ("滞后事项清单", "{{plan.district}}“{{plan.period}}”规划实施滞后事项清单（截至{{today}}）",
     lambda years, width: [
         _Column("序号", "{{lag.seq}}", 5), _Column("类型", "{{lag.kind}}", 10), _Column("事项", "{{lag.item}}", 34),
         _Column("牵头单位", "{{lag.unit}}", 12), _Column("差距", "{{lag.gap}}", 30),
         _Column("状态", "{{lag.status}}", 9), _Column("说明", "{{lag.note}}", 52),
     ], _lag_notes),
    ("年度目标分解表", "{{plan.district}}“{{plan.period}}”规划主要指标年度目标分解表",
     lambda years, width: [
         _Column("序号", "{{yt.seq}}", 5), _Column("类别", "{{yt.category|merge}}", 10),
         _Column("指标", "{{yt.name}}", max(26, width.get("name", 26))), _Column("单位", "{{yt.unit}}", 7),
         *[c for y in years[1:] for c in (_Column(f"{y}年目标", f"{{{{yt.t{y}}}}}", 9, "General"),
                                           _Column(f"{y}年实际", f"{{{{yt.y{y}}}}}", 9, "General"))],
     ], _yearly_notes),
]


def default_template(years: list[int], fonts: Fonts | None = None, *, final: bool | None = None,
                     widths: dict[str, int] | None = None):
    """guihua's own template, as a workbook: the same placeholders an office template uses. `final`: the pack
    is as of the target year (None: a template file for any year); `widths`: of the 指标 ("name"), 目标
    ("target") and 序时进度要求 ("schedule") columns, wide enough for the data so that rows keep one height."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from exports.sheet_style import fit_columns, font, print_setup, set_text, thin_border
    from exports.templates import text_lines

    fonts = fonts or Fonts()
    workbook = Workbook()
    workbook.remove(workbook.active)
    border = thin_border()
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for number, (sheet_title, table_title, columns_of, notes_of) in enumerate(SHEETS, start=1):
        columns = columns_of(years, widths or {})
        sheet = workbook.create_sheet(sheet_title)
        width = len(columns)
        sheet.cell(row=1, column=1, value=f"附表{number}").font = font(fonts.heading, fonts.heading_size)
        title = sheet.cell(row=2, column=1, value=table_title)
        title.font = font(fonts.title, fonts.title_size)
        title.alignment = centre
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        sheet.row_dimensions[2].height = 36
        half = max(2, width // 2)
        unit_line = sheet.cell(row=3, column=1, value="填报单位：{{office}}")
        unit_line.font = font(fonts.body, fonts.body_size)
        sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=half)
        date_line = sheet.cell(row=3, column=half + 1, value="填报日期：{{today}}")
        date_line.font = font(fonts.body, fonts.body_size)
        date_line.alignment = Alignment(horizontal="right")
        sheet.merge_cells(start_row=3, start_column=half + 1, end_row=3, end_column=width)
        for index, column in enumerate(columns, start=1):
            header = sheet.cell(row=4, column=index)
            set_text(header, column.header)
            header.font = font(fonts.heading, fonts.heading_size)
            header.alignment = centre
            header.border = border
            body = sheet.cell(row=5, column=index, value=column.field)
            body.font = font(fonts.body, fonts.body_size)
            body.border = border
            numeric = column.number_format is not None or column.header in ("序号", "单位", "属性")
            body.alignment = centre if numeric or column.width <= 11 else left
            if column.number_format:
                body.number_format = column.number_format
        sheet.row_dimensions[4].height = 30
        total_width = sum(max(6, min(60, c.width + 2)) for c in columns)
        for offset, line in enumerate(notes_of(years, final)):
            note = sheet.cell(row=7 + offset, column=1, value=line)
            note.font = font(fonts.body, fonts.note_size)
            note.alignment = left
            sheet.merge_cells(start_row=7 + offset, start_column=1, end_row=7 + offset, end_column=width)
            lines = text_lines(line, total_width)
            sheet.row_dimensions[7 + offset].height = round(lines * fonts.note_size * 1.5 + 4, 1)
        fit_columns(sheet, {i: c.width for i, c in enumerate(columns, start=1)}, maximum=60)
        sheet.freeze_panes = "D5" if sheet_title.endswith("完成情况表") else "C5"
        print_setup(sheet, "4:4")
    return workbook


# ----------------------------------------------------------------------------------------------------------
# Writing


def default_pack_path(database: Database, year: int, today: date, folder: str | None = None, period_name: str = "") -> Path:
    """「<十X五>规划实施监测_截至<年>年_<日期>.xlsx」: `period_name` is the plan's (Period.short_name)."""
    base = Path(folder) if folder else (database.path.parent / EXPORT_FOLDER if database.path else Path.cwd() / EXPORT_FOLDER)
    return base / f"{period_name}规划实施监测_截至{year}年_{today:%Y%m%d}.xlsx"


def write_pack(
    database: Database,
    plan_id: int,
    *,
    output: str | Path | None = None,
    template: str | Path | None = None,
    options: PackOptions = PackOptions(),
) -> PackResult:
    from db.plan_store import get_state, set_state
    from db.projects import today as current_day
    from exports.sheet_style import display_width, explained_cell_errors, save_workbook

    started = time.perf_counter()
    today = options.today or current_day()
    options = PackOptions(options.year, options.hide_empty_years, options.office, today, options.charts,
                          options.charts_per_page)
    with database.session() as session:
        template = template or get_state(session, "export.template") or None
        folder = get_state(session, "export.folder")
        settings = {k: get_state(session, k) or "" for k in (
            "export.font.title", "export.font.heading", "export.font.body",
            "export.size.title", "export.size.heading", "export.size.body", "export.size.note")}
        charts_on, per_page = charts_setting(get_state(session, CHARTS_SETTING))
        stored_per_page = get_state(session, CHARTS_PER_PAGE_SETTING)
        per_page = int(stored_per_page) if stored_per_page in ("2", "4") else per_page
        if options.charts is not None or options.charts_per_page:
            # asked for: remembered, like the forms' password, so that Ctrl+E exports the same way
            charts_on = options.charts if options.charts is not None else True
            per_page = options.charts_per_page or per_page
            set_state(session, CHARTS_SETTING, "1" if charts_on else "0")
            set_state(session, CHARTS_PER_PAGE_SETTING, str(per_page))
    data, years, year = pack_data(database, plan_id, options)
    if template:
        workbook = load_template(template)
        name = Path(template).name
    else:
        items = [i for prefix in ("ind", "txt") for i in data.collections[prefix].items]

        def fitted(field: str, least: int, most: int) -> int:
            return min(most, max([least, *(math.ceil(display_width(_as_text(i.get(field))) * 1.05) + 1 for i in items)]))

        widths = {"name": fitted("name", 30, 48), "unit": fitted("unit", 7, 12), "target": fitted("target", 12, 20), "growth": fitted("growth", 11, 17), "schedule": fitted("schedule", 12, 23)}
        workbook = default_template(years, Fonts.from_settings(settings), final=year == years[-1], widths=widths)
        name = "默认模板"
    chart_sheet = find_placeholder(workbook)
    check_template(workbook, data, name)
    with explained_cell_errors("导出会议监测表"):  # a text a workbook cannot hold is named, not a crash
        fill_workbook(workbook, data)
        if charts_on:
            _add_charts(database, plan_id, workbook, data, chart_sheet, per_page, Fonts.from_settings(settings))
        elif chart_sheet is not None:
            remove_placeholder(workbook, chart_sheet)
    path = Path(output) if output else default_pack_path(database, year, today, folder, str(data.scalars["plan.period"]))
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(path.suffix + ".xlsx") if path.suffix else path.with_suffix(".xlsx")
    written, renamed = save_workbook(workbook, path, "导出会议监测表")
    counts = {prefix: len(c.items) for prefix, c in data.collections.items()}
    return PackResult(written, renamed, [s.title for s in workbook.worksheets], counts, time.perf_counter() - started)


def _add_charts(database: Database, plan_id: int, workbook, data: TemplateData, sheet, per_page: int,
                fonts: Fonts) -> None:
    """The sheet of charts: every main indicator with a numeric target, in table order, plotted with the
    series of core.chart_series and each indicator's own number format."""
    from core.chart_series import indicator_series
    from db.indicators import list_indicators, progress_settings
    from exports.charts import ChartItem, place_charts

    with database.session() as session:
        views = {v.id: v for v in list_indicators(session, plan_id, kind="main")}
        settings = progress_settings(session, plan_id)
    items = []
    for item in data.collections["ind"].items:
        view = views.get(item["_id"])
        series = indicator_series(view.spec(), view.values, settings) if view is not None else None
        if series is not None:
            items.append(ChartItem(series, item["_formats"]["base"]))
    scalars = data.scalars
    title = f"{scalars['plan.district']}“{scalars['plan.period']}”规划主要指标走势图（截至{scalars['as_of_year']}年）"
    if not scalars["plan.period"]:
        title = f"{scalars['plan.district']}规划主要指标走势图（截至{scalars['as_of_year']}年）"
    note = ("图例：实线加实心圆点为实际值，虚线加三角为序时进度（按规划基数到目标的进度应达到的数值），"
            "点线为目标；累计目标的实际值为基期以来的累计数；缺少基数的年均增速目标画不出序时进度和目标线。")
    place_charts(workbook, items, title=title, note=note, per_page=per_page, sheet=sheet, fonts=fonts)


def write_default_template(path: str | Path, years: list[int]) -> Path:
    """Write guihua's default template as a file an office can restyle and use with --template. `years`: the
    plan's, base year first (Period.years): the year columns and notes name them."""
    from exports.sheet_style import save_workbook

    written, _ = save_workbook(default_template(years), Path(path))
    return written
