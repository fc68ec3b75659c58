"""Department fill-in forms: one workbook per 牵头单位 for the yearly collection of figures.

Each workbook holds the unit's indicators (sheet 「指标填报」) and its projects' open milestones (sheet
「里程碑进展」) as official printable tables. Only the white input cells can be edited (data validation on each:
numbers, the stage list, the status list, dates); everything else is locked and the sheets and the workbook's
structure are protected, with the office's password when one is set (`guihua forms --password`). Protection
only deters: it is not encryption, any tool can lift it, and importers.forms never relies on it (it re-checks
every cell, and the visible name and unit of every row against its hidden id). Only Excel's legacy 16-bit
check value of the password is written to the forms and kept in the database (app_state), never the password.

What makes a returned form safe to import lives in hidden places the department does not see:
- each row's last two columns (hidden): the indicator's or milestone's id and a fingerprint, the JSON of the
  values the form was issued with; a value that changed in guihua since then is a conflict, not overwritten;
- a very hidden sheet 「_guihua」 with the format name and version, plan id and name, year and unit.

The layout constants here are the contract importers.forms reads (it imports them from this module).
openpyxl is imported inside functions so that importing this module stays cheap.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from core.errors import UserInputError
from core.kinds import IndicatorKind
from core.period import Period
from core.schedule import CLOSED_STATUSES, MILESTONE_STATUSES
from core.units import split_units
from db.engine import Database
from db.indicators import STAGES, decimal_text, list_indicators
from exports.sheet_style import Fonts, display_width

FORMAT_NAME = "guihua-forms"
FORMAT_VERSION = 1
MARKER_SHEET = "_guihua"
INDICATOR_SHEET = "指标填报"
MILESTONE_SHEET = "里程碑进展"
NO_UNIT = "未定牵头单位"
FOLDER_NAME = "填报表"
UNIT_ROW = 3  # 「填报单位（盖章）：…」 in column A
HEADER_ROW = 4
FIRST_ROW = 5
NOTE_MAX_CHARS = 500
VALUE_LIMIT = 999_999_999_999  # data validation bounds: any plausible decimal, positive or negative
PASSWORD_STATE = "forms.sheet_password_hash"  # app_state: Excel's check value of the office's sheet password
PASSWORD_MAX_CHARS = 15  # Excel's legacy password check is defined for up to 15 single-byte characters


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int  # in characters (CJK count two)
    input: bool = False
    hidden: bool = False


def indicator_columns(year: int, target_year: int) -> list[Column]:
    """The indicator sheet's columns for `year`; `target_year` is the plan's (db.plan_store.plan_period)."""
    return [
        Column("seq", "序号", 6),
        Column("name", "指标", 30),
        Column("unit", "单位", 10),
        Column("previous", f"上年值（{year - 1}年）", 12),
        Column("target", f"{target_year}年目标", 14),
        Column("growth", "年均增速", 12),
        Column("actual", f"{year}年实际值", 14, input=True),
        Column("note", "备注", 26, input=True),
        Column("stage", "数据阶段", 12, input=True),
        Column("id", "编号", 8, hidden=True),
        Column("fingerprint", "下发时数值", 20, hidden=True),
    ]


def milestone_columns(year: int) -> list[Column]:
    return [
        Column("seq", "序号", 6),
        Column("project", "项目", 26),
        Column("milestone", "里程碑", 26),
        Column("due", "计划时间", 14),
        Column("status", "当前状态", 12),
        Column("new_status", "新状态", 10, input=True),
        Column("done_date", "完成日期", 13, input=True),
        Column("note", "备注", 26, input=True),
        Column("id", "编号", 8, hidden=True),
        Column("fingerprint", "下发时数值", 20, hidden=True),
    ]


INDICATOR_FIELDS = {"actual": "actual", "note": "note", "stage": "stage"}  # form column -> stored field
MILESTONE_FIELDS = {"new_status": "status", "done_date": "done_date", "note": "note"}


def fingerprint_text(values: dict) -> str:
    """The issued values as compact JSON (stored in a hidden cell, compared on import)."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def indicator_fingerprint(record) -> dict:
    return {
        "actual": decimal_text(record.actual) if record is not None else None,
        "stage": record.stage if record is not None else "",
        "note": record.note if record is not None else "",
    }


def milestone_fingerprint(milestone) -> dict:
    return {
        "status": milestone.status,
        "done_date": milestone.done_date.isoformat() if milestone.done_date else None,
        "note": milestone.note or "",
    }


def unit_line(unit: str) -> str:
    """The 「填报单位」 line (cell A3 of each sheet); importers.forms checks it against the hidden marker."""
    if unit == NO_UNIT:
        return "填报单位（盖章）：________（本表事项尚未确定牵头单位）"
    return f"填报单位（盖章）：{unit}"


def form_units(session, plan_id: int) -> set[str]:
    """Every 填报单位 a form of this plan can name: the unit list, the plan's lead units as the forms name them
    (a lead unit not on the list gets a form under its own text) and 「未定牵头单位」."""
    from db.projects import list_units, plan_lead_units

    canonical = _canonical_units(session)
    found = {canonical(unit) for text in plan_lead_units(session, plan_id) for unit in split_units(text)}
    return found | {u.name for u in list_units(session)} | {NO_UNIT}


# ----------------------------------------------------------------------------------------------------------
# The sheet password


def password_check_value(password: str) -> str:
    """Excel's legacy sheet-protection check value of `password` (ECMA-376 Part 4, 4 hex digits): what
    Excel, WPS and LibreOffice compare a typed password with. It is a 16-bit value, not a secret."""
    value = 0
    for index, char in enumerate(password, start=1):
        shifted = ord(char) << index
        value ^= (shifted & 0x7FFF) | (shifted >> 15)
    value ^= len(password) ^ 0xCE4B
    return f"{value:04X}"


def check_password(password: str | None) -> str:
    """The password as given, or UserInputError: not empty, 1–15 printable ASCII characters."""
    if password is None or not password.strip():
        raise UserInputError("工作表保护密码不能为空。不要密码请用 --no-password（工作表仍受保护，只是不需要密码）。")
    if len(password) > PASSWORD_MAX_CHARS or not all(" " <= ch <= "~" for ch in password):
        raise UserInputError(
            f"工作表保护密码只能用英文字母、数字和英文符号，最多 {PASSWORD_MAX_CHARS} 个字符"
            "（Excel、WPS 只能这样校验旧式工作表密码）。"
        )
    return password


def stored_password(session) -> str | None:
    """The check value of the office's stored sheet password, or None when forms are issued without one."""
    from db.plan_store import get_state

    value = (get_state(session, PASSWORD_STATE) or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"[0-9A-F]{4}", value):
        raise UserInputError("数据库中保存的填报表密码设置已损坏。请用 guihua forms --password 重新设置，"
                             "或用 --no-password 取消密码。")
    return value


def save_password(database: Database, password: str | None) -> None:
    """Remember the sheet password for later forms (CLI and TUI): only its check value is kept. None: no
    password from now on (the sheets stay protected, without one)."""
    from db.plan_store import set_state

    value = password_check_value(check_password(password)) if password is not None else ""
    with database.session() as session:
        set_state(session, PASSWORD_STATE, value)


def has_password(database: Database) -> bool:
    with database.session() as session:
        return stored_password(session) is not None


@dataclass(frozen=True)
class FormFile:
    path: Path
    unit: str
    indicators: int
    milestones: int
    renamed: bool  # the wanted name was open in Excel/WPS: written under a new name
    password: bool = False  # the sheets are protected with the office's password (else without one)

    @property
    def unassigned(self) -> bool:
        return self.unit == NO_UNIT


# ----------------------------------------------------------------------------------------------------------
# What goes into the forms


@dataclass
class _IndicatorRow:
    id: int
    name: str
    unit: str
    previous: object
    target: str
    growth: str
    actual: object
    note: str
    stage: str
    fingerprint: str
    kind: str


@dataclass
class _MilestoneRow:
    id: int
    project: str
    project_id: int
    title: str
    due: str
    status: str
    overdue: bool
    note: str
    fingerprint: str


@dataclass
class _UnitForm:
    unit: str
    indicators: list[_IndicatorRow]
    milestones: list[_MilestoneRow]


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def plan_heading(title: str, name: str, plan_period: Period | None = None) -> tuple[str, str]:
    """(district, period) for a table title: 「泰州医药高新区（高港区）」 and 「“十四五”」. The period is the stored
    one's name when given (a 十五五 plan is 「“十五五”」 whatever its title says), else read from the title."""
    match = re.match(r"^(.{2,30}?)(国民经济和社会发展|经济和社会发展)", title or "")
    district = match.group(1) if match else ""
    period_match = re.search(r"第([一二三四五六七八九十]{1,3})个五年", title or "") or re.search(
        r"([一二三四五六七八九十]{1,3})五", name or ""
    )
    period = f"“{period_match.group(1)}五”" if period_match else ""
    if plan_period is not None:
        period = f"“{plan_period.short_name}”" if plan_period.short_name else ""
    if not district:  # 「某某区十四五规划」: the name without its period and the word 规划
        district = re.sub(r"[“”\"]?[一二三四五六七八九十]{1,3}五[“”\"]?|规划|纲要", "", name or title or "").strip()
    return district, period


def _canonical_units(session):
    from core.errors import GuihuaError
    from db.projects import resolve_unit

    cache: dict[str, str] = {}

    def canonical(text: str) -> str:
        text = (text or "").strip()
        if text not in cache:
            try:
                cache[text] = resolve_unit(session, text).name
            except GuihuaError:
                cache[text] = text
        return cache[text]

    return canonical


def collect_forms(session, plan_id: int, year: int, today: date) -> tuple[list[_UnitForm], int, int]:
    """Every unit's rows, in the unit list's order (units not on the list after, 未定牵头单位 last).
    Returns the forms and the plan period (first fillable year, last year)."""
    from db.plan_store import plan_period
    from db.projects import list_projects, list_units

    canonical = _canonical_units(session)
    views = list_indicators(session, plan_id, kind=None)
    period = plan_period(session, plan_id)
    first_year, last_year = period.first_year, period.target_year
    if not first_year <= year <= last_year:
        raise UserInputError(f"年份 {year} 不在规划期 {first_year}—{last_year} 年内，无法生成填报表。")
    forms: dict[str, _UnitForm] = {}

    def form(unit: str) -> _UnitForm:
        return forms.setdefault(unit, _UnitForm(unit, [], []))

    # Main indicators first (in the plan table's order), then quantified targets accepted from the text.
    for view in sorted(views, key=lambda v: (v.kind != IndicatorKind.MAIN, v.ordinal, v.id)):
        if not view.base_year < year <= view.target_year:
            continue  # a target from the text that ends earlier: nothing to report for this year
        record = view.years.get(year)
        target = view.target_text if view.target_year == last_year else f"{view.target_text}（{view.target_year}年）"
        row = _IndicatorRow(
            id=view.id,
            name=view.name,
            unit=view.unit,
            previous=view.values.get(year - 1),
            target=target,
            growth=view.growth_text,
            actual=record.actual if record is not None else None,
            note=record.note if record is not None else "",
            stage=record.stage if record is not None else "",
            fingerprint=fingerprint_text(indicator_fingerprint(record)),
            kind=view.kind,
        )
        units = [canonical(u) for u in split_units(view.lead_unit)] or [NO_UNIT]
        for unit in dict.fromkeys(units):
            form(unit).indicators.append(row)
    for project in list_projects(session, plan_id):
        for milestone in project.milestones:
            if milestone.status in CLOSED_STATUSES:
                continue
            row = _MilestoneRow(
                id=milestone.id,
                project=project.title,
                project_id=project.id,
                title=milestone.title,
                due=milestone.due.label if milestone.due else "未定",
                status=milestone.status,
                overdue=milestone.overdue(today),
                note=milestone.note or "",
                fingerprint=fingerprint_text(milestone_fingerprint(milestone)),
            )
            form(canonical(project.lead_unit) if project.lead_unit else NO_UNIT).milestones.append(row)
    order = {u.name: i for i, u in enumerate(list_units(session))}
    ranked = sorted(forms.values(), key=lambda f: (f.unit == NO_UNIT, order.get(f.unit, len(order)), f.unit))
    return ranked, first_year, last_year


def form_file_name(year: int, unit: str, milestones_only: bool = False) -> str:
    safe = _UNSAFE_NAME.sub("_", unit).strip(" .") or "单位"
    return f"{year}年{'项目进展' if milestones_only else '指标'}填报_{safe[:60]}.xlsx"


def default_output_dir(database: Database) -> Path:
    """A 「填报表」 folder next to the database file (the current directory for a server database)."""
    return (database.path.parent if database.path else Path.cwd()) / FOLDER_NAME


def _settings(session) -> dict[str, str]:
    from db.plan_store import states_with_prefix

    return states_with_prefix(session, "export.")


def write_forms(
    database: Database,
    plan_id: int,
    year: int,
    *,
    units: list[str] | None = None,
    output_dir: str | Path | None = None,
    issued_on: date | None = None,
    password: str | None = None,
    use_stored_password: bool = True,
) -> list[FormFile]:
    """Write one fill-in workbook per 牵头单位 (only the `units` named, if given; 「未定牵头单位」 names the
    rows nobody leads). The sheets are protected with `password`, else with the office's stored one
    (save_password) unless `use_stored_password` is false, else without a password. Returns what was
    written, in the unit list's order."""
    from db.plan_store import plan_by_id, plan_period
    from db.projects import today as current_day
    from exports.sheet_style import save_workbook

    issued_on = issued_on or current_day()
    with database.session() as session:
        plan = plan_by_id(session, plan_id)
        if plan is None:
            raise UserInputError(f"没有编号为 {plan_id} 的规划。")
        forms, _, last_year = collect_forms(session, plan_id, year, issued_on)
        period = plan_period(session, plan_id)
        fonts = Fonts.from_settings(_settings(session))
        if password is not None:
            check_value = password_check_value(check_password(password))
        else:
            check_value = stored_password(session) if use_stored_password else None
        if units:
            canonical = _canonical_units(session)
            wanted = {NO_UNIT if u.strip() == NO_UNIT else canonical(u) for u in units}
            missing = [u for u in wanted if u not in {f.unit for f in forms}]
            if missing:
                having = "、".join(f.unit for f in forms) or "（无）"
                raise UserInputError(
                    f"{'、'.join(sorted(missing))} 没有牵头的指标或未完成的里程碑，无法生成填报表。"
                    f"有填报内容的单位：{having}。"
                )
            forms = [f for f in forms if f.unit in wanted]
    if not forms:
        raise UserInputError("没有可填报的内容：规划还没有指标，也没有未完成的项目里程碑。")
    folder = Path(output_dir) if output_dir else default_output_dir(database)
    written = []
    for unit_form in forms:
        workbook = build_form(plan, year, unit_form, fonts=fonts, issued_on=issued_on, target_year=last_year,
                              period=period, password_check=check_value)
        path, renamed = save_workbook(workbook, folder / form_file_name(year, unit_form.unit, not unit_form.indicators))
        written.append(FormFile(path, unit_form.unit, len(unit_form.indicators), len(unit_form.milestones), renamed,
                                password=check_value is not None))
    return written


# ----------------------------------------------------------------------------------------------------------
# The workbook


_GREY = "EDEDED"  # locked cells: printed light grey, so 「只填白色单元格」 is visible on paper too
_HEADER_GREY = "D9D9D9"
_LINE_HEIGHT = 15.0  # points per wrapped line at 11 pt


def _lines(text: str, width: int) -> int:
    """Wrapped lines a text takes in a column set `width` characters wide (fit_columns adds 2 for margins)."""
    usable = max(width, 4)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in str(text).split("\n"))


def build_form(
    plan, year: int, unit_form: _UnitForm, *, fonts: Fonts, issued_on: date, target_year: int,
    period: Period | None = None, password_check: str | None = None,
):
    """The workbook of one unit. `password_check`: the check value (password_check_value) the sheets and the
    structure are protected with; None protects them without a password."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    from exports.sheet_style import set_text

    workbook = Workbook()
    workbook.remove(workbook.active)
    district, period = plan_heading(plan.title, plan.name, period)
    sheets = []
    number = 1
    if unit_form.indicators:
        kinds = {row.kind for row in unit_form.indicators}
        what = "主要指标" if kinds == {"main"} else "指标"  # 「“十四五”规划指标…」, never 「规划规划指标」
        title = f"{district}{period}规划{what}{year}年数据填报表"
        _indicator_sheet(workbook, number, title, year, unit_form, fonts, target_year, password_check)
        sheets.append(INDICATOR_SHEET)
        number += 1
    if unit_form.milestones:
        title = f"{district}{period}规划重点项目{year}年进展填报表"
        _milestone_sheet(workbook, number, title, year, unit_form, fonts, password_check)
        sheets.append(MILESTONE_SHEET)
    marker = workbook.create_sheet(MARKER_SHEET)
    facts = [
        ("format", FORMAT_NAME),
        ("version", str(FORMAT_VERSION)),
        ("plan_id", str(plan.id)),
        ("plan_name", plan.name),
        ("year", str(year)),
        ("unit", unit_form.unit),
        ("sheets", ",".join(sheets)),
        ("issued_on", issued_on.isoformat()),
        ("issued_at", datetime.now(timezone.utc).replace(microsecond=0).isoformat()),
        ("note", "guihua 填报表标记：请勿修改或删除本工作表。"),
    ]
    for index, (key, value) in enumerate(facts, start=1):
        set_text(marker.cell(row=index, column=1), key)
        set_text(marker.cell(row=index, column=2), value)
    marker.sheet_state = "veryHidden"
    marker.protection.sheet = True
    if password_check:
        marker.protection.set_password(password_check, already_hashed=True)
    workbook.active = 0
    # Sheets cannot be added, removed, renamed or unhidden without first lifting the workbook protection
    # (with the office's password when one is set): the hidden marker stays where the importer looks for it.
    workbook.security = WorkbookProtection(lockStructure=True)
    if password_check:
        workbook.security.set_workbook_password(password_check, already_hashed=True)
    workbook.properties.title = f"{year}年填报表（{unit_form.unit}）"
    workbook.properties.creator = "guihua"
    return workbook


def _styles(fonts: Fonts):
    from openpyxl.styles import Alignment, PatternFill

    from exports.sheet_style import font, thin_border

    return {
        "border": thin_border(),
        "title": font(fonts.title, fonts.title_size),
        "heading": font(fonts.heading, fonts.heading_size),
        "body": font(fonts.body, fonts.body_size),
        "late": font(fonts.body, fonts.body_size, color="C00000"),
        "note": font(fonts.body, fonts.note_size),
        "centre": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1),
        "right": Alignment(horizontal="right", vertical="center", wrap_text=True, indent=1),
        "line_left": Alignment(horizontal="left", vertical="center"),
        "line_right": Alignment(horizontal="right", vertical="center"),
        "top_left": Alignment(horizontal="left", vertical="top", wrap_text=True),
        "grey": PatternFill("solid", fgColor=_GREY),
        "header_fill": PatternFill("solid", fgColor=_HEADER_GREY),
        "white": PatternFill("solid", fgColor="FFFFFF"),
    }


def _head(sheet, label: str, title: str, unit: str, columns: list[Column], styles) -> None:
    """附表 label, centred title, the 填报单位 / 填报日期 line and the header row."""
    from exports.sheet_style import set_text

    visible = sum(1 for c in columns if not c.hidden)
    cell = sheet.cell(row=1, column=1)
    set_text(cell, label)
    cell.font = styles["heading"]
    title_cell = sheet.cell(row=2, column=1)
    set_text(title_cell, title)
    title_cell.font = styles["title"]
    title_cell.alignment = styles["centre"]
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=visible)
    total_width = sum(c.width for c in columns if not c.hidden)
    sheet.row_dimensions[2].height = max(36, 28 * _lines(title, int(total_width * 11 / max(styles["title"].sz, 1))))
    half = max(2, visible // 2)
    unit_cell = sheet.cell(row=UNIT_ROW, column=1)
    set_text(unit_cell, unit_line(unit))
    unit_cell.font = styles["body"]
    unit_cell.alignment = styles["line_left"]
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=half)
    date_cell = sheet.cell(row=3, column=half + 1)
    set_text(date_cell, "填报人：　　　　　联系电话：　　　　　　　填报日期：　　　　年　　月　　日")
    date_cell.font = styles["body"]
    date_cell.alignment = styles["line_right"]
    sheet.merge_cells(start_row=3, start_column=half + 1, end_row=3, end_column=visible)
    sheet.row_dimensions[3].height = 24
    for index, column in enumerate(columns, start=1):
        header = sheet.cell(row=HEADER_ROW, column=index)
        set_text(header, column.header)
        header.font = styles["heading"]
        header.alignment = styles["centre"]
        header.border = styles["border"]
        header.fill = styles["white"] if column.input else styles["header_fill"]
    sheet.row_dimensions[HEADER_ROW].height = 32


def _body_cell(sheet, row: int, column: int, value, styles, *, text: bool, align: str = "left", input: bool = False):
    from openpyxl.styles import Protection

    from exports.sheet_style import set_text

    cell = sheet.cell(row=row, column=column)
    if text and value not in (None, ""):
        set_text(cell, value)
    else:
        cell.value = None if value == "" else value
    cell.font = styles["body"]
    cell.border = styles["border"]
    cell.alignment = styles[align]
    if input:
        cell.protection = Protection(locked=False)
        cell.fill = styles["white"]
    else:
        cell.fill = styles["grey"]
    return cell


def _finish(sheet, columns: list[Column], last_row: int, notes: list[str], styles, password_check: str | None) -> None:
    """Column widths, hidden columns, the 注 block, freeze, print setup and protection."""
    from openpyxl.utils import get_column_letter

    from exports.sheet_style import fit_columns, print_setup, set_text

    visible = [c for c in columns if not c.hidden]
    fit_columns(sheet, {i: c.width for i, c in enumerate(columns, start=1)}, maximum=60)
    for index, column in enumerate(columns, start=1):
        if column.hidden:
            sheet.column_dimensions[get_column_letter(index)].hidden = True
    total_width = sum(c.width + 2 for c in visible)
    row = last_row + 2
    for line in notes:
        cell = sheet.cell(row=row, column=1)
        set_text(cell, line)
        cell.font = styles["note"]
        cell.alignment = styles["top_left"]
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(visible))
        # Merged cells never grow to fit their text in Excel: give each note line the height it needs.
        sheet.row_dimensions[row].height = _LINE_HEIGHT * _lines(line, total_width) + 3
        row += 1
    end = get_column_letter(len(visible))
    sheet.print_area = f"A1:{end}{row - 1}"
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3).coordinate
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    protection = sheet.protection
    protection.sheet = True
    if password_check:
        protection.set_password(password_check, already_hashed=True)
    protection.formatRows = False  # rows may be made taller for long notes
    # Cell formats stay changeable so typing 「8.5%」 gets Excel's usual percent format, which the importer
    # reads back as 8.5 (locked cells stay locked: the protection tab is not available on a protected sheet).
    protection.formatCells = False
    protection.formatColumns = True  # columns stay: the hidden id columns cannot be shown or moved
    protection.insertRows = protection.deleteRows = True
    protection.insertColumns = protection.deleteColumns = True
    protection.sort = protection.autoFilter = True


def _widened(columns: list[Column], texts: dict[str, list[str]], most: int = 40) -> list[Column]:
    """Give name columns the width of their longest text (up to `most`), so most names take one line."""
    from dataclasses import replace

    widths = {key: max((display_width(t) for t in values), default=0) for key, values in texts.items()}
    return [replace(c, width=min(most, max(c.width, widths[c.key]))) if c.key in widths else c for c in columns]


def _row_height(values: list[tuple[str, int]]) -> float:
    return max(22.0, max((_lines(text, width) for text, width in values), default=1) * _LINE_HEIGHT + 6)


def _protection_note(password_check: str | None) -> str:
    if password_check:
        return "本表已设工作表保护，仅为防止误改。"
    return "本表已设工作表保护（无密码），仅为防止误改。"


def _indicator_sheet(workbook, number: int, title: str, year: int, unit_form: _UnitForm, fonts: Fonts,
                     target_year: int, password_check: str | None) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(INDICATOR_SHEET)
    styles = _styles(fonts)
    columns = _widened(indicator_columns(year, target_year), {"name": [r.name for r in unit_form.indicators]})
    position = {c.key: i for i, c in enumerate(columns, start=1)}
    _head(sheet, f"附表{number}", title, unit_form.unit, columns, styles)
    row = FIRST_ROW - 1
    for seq, item in enumerate(unit_form.indicators, start=1):
        row = FIRST_ROW + seq - 1
        _body_cell(sheet, row, position["seq"], seq, styles, text=False, align="centre")
        _body_cell(sheet, row, position["name"], item.name, styles, text=True)
        _body_cell(sheet, row, position["unit"], item.unit, styles, text=True, align="centre")
        _body_cell(sheet, row, position["previous"], item.previous, styles, text=False, align="right")
        _body_cell(sheet, row, position["target"], item.target, styles, text=True, align="centre")
        _body_cell(sheet, row, position["growth"], item.growth, styles, text=True, align="centre")
        _body_cell(sheet, row, position["actual"], item.actual, styles, text=False, align="right", input=True)
        _body_cell(sheet, row, position["note"], item.note, styles, text=True, input=True)
        _body_cell(sheet, row, position["stage"], item.stage, styles, text=True, align="centre", input=True)
        _body_cell(sheet, row, position["id"], item.id, styles, text=False)
        _body_cell(sheet, row, position["fingerprint"], item.fingerprint, styles, text=True)
        sheet.row_dimensions[row].height = _row_height(
            [(item.name, columns[position["name"] - 1].width), (item.note, columns[position["note"] - 1].width),
             (item.target, columns[position["target"] - 1].width)]
        )
    last = max(row, FIRST_ROW)
    letter = {c.key: sheet.cell(row=1, column=i).column_letter for i, c in enumerate(columns, start=1)}
    value_check = DataValidation(
        type="decimal", operator="between", formula1=str(-VALUE_LIMIT), formula2=str(VALUE_LIMIT), allow_blank=True,
        showErrorMessage=True, errorTitle="数值有误", error="请只填写数字，不带单位，如 1234.5 或 -2.3。",
        showInputMessage=True, promptTitle=f"{year}年实际值", prompt="只填数字，不带单位；单位见“单位”列。",
    )
    stage_check = DataValidation(
        type="list", formula1='"' + ",".join(STAGES) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle="数据阶段有误", error="请从下拉列表中选择：" + "、".join(STAGES) + "。",
        showInputMessage=True, promptTitle="数据阶段", prompt="从下拉列表中选择。",
    )
    note_check = _note_validation()
    for check, key in ((value_check, "actual"), (stage_check, "stage"), (note_check, "note")):
        check.add(f"{letter[key]}{FIRST_ROW}:{letter[key]}{last}")
        sheet.add_data_validation(check)
    notes = [
        "注：1. 只填白色单元格（" + f"{year}年实际值、备注、数据阶段）；灰色单元格为规划办下发的数据，请勿改动。"
        + _protection_note(password_check),
        "2. 实际值只填数字，不带单位（单位见“单位”列，如单位为“%”的指标填 8.5），不要填写公式。"
        "已有数值的为规划办现有数据，有更新的直接改写；清空单元格视为不修改。",
        "3. 数据阶段从下拉列表中选择：" + "、".join(STAGES) + "。备注写明数据来源或需要说明的情况，不超过 "
        f"{NOTE_MAX_CHARS} 字。",
        "4. 请勿增删行列、修改工作表名称；填好后保存为 .xlsx 原文件发回规划办（不要另存为 .xls、PDF 或图片）。",
    ]
    _finish(sheet, columns, last, notes, styles, password_check)


def _note_validation():
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1=str(NOTE_MAX_CHARS), allow_blank=True,
        showErrorMessage=True, errorTitle="备注过长", error=f"备注不超过 {NOTE_MAX_CHARS} 字。",
    )


_FIRST_DAY = date(2000, 1, 1)
_LAST_DAY = date(2100, 12, 31)


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _milestone_sheet(workbook, number: int, title: str, year: int, unit_form: _UnitForm, fonts: Fonts,
                     password_check: str | None) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(MILESTONE_SHEET)
    styles = _styles(fonts)
    columns = _widened(milestone_columns(year), {"project": [r.project for r in unit_form.milestones],
                                                  "milestone": [r.title for r in unit_form.milestones]})
    position = {c.key: i for i, c in enumerate(columns, start=1)}
    _head(sheet, f"附表{number}", title, unit_form.unit, columns, styles)
    row = FIRST_ROW - 1
    group_start = FIRST_ROW
    for seq, item in enumerate(unit_form.milestones, start=1):
        row = FIRST_ROW + seq - 1
        previous = unit_form.milestones[seq - 2] if seq > 1 else None
        if previous is None or previous.project_id != item.project_id:
            _merge_project(sheet, group_start, row - 1, position["project"])
            group_start = row
        _body_cell(sheet, row, position["seq"], seq, styles, text=False, align="centre")
        _body_cell(sheet, row, position["project"], item.project, styles, text=True)
        _body_cell(sheet, row, position["milestone"], item.title, styles, text=True)
        _body_cell(sheet, row, position["due"], item.due, styles, text=True, align="centre")
        status = _body_cell(sheet, row, position["status"], item.status + ("（已逾期）" if item.overdue else ""),
                            styles, text=True, align="centre")
        if item.overdue:
            status.font = styles["late"]
        _body_cell(sheet, row, position["new_status"], None, styles, text=False, align="centre", input=True)
        done = _body_cell(sheet, row, position["done_date"], None, styles, text=False, align="centre", input=True)
        done.number_format = "yyyy-mm-dd"
        _body_cell(sheet, row, position["note"], item.note, styles, text=True, input=True)
        _body_cell(sheet, row, position["id"], item.id, styles, text=False)
        _body_cell(sheet, row, position["fingerprint"], item.fingerprint, styles, text=True)
        sheet.row_dimensions[row].height = _row_height(
            [(item.project, columns[position["project"] - 1].width), (item.title, columns[position["milestone"] - 1].width),
             (item.note, columns[position["note"] - 1].width)]
        )
    _merge_project(sheet, group_start, row, position["project"])
    last = max(row, FIRST_ROW)
    letter = {c.key: sheet.cell(row=1, column=i).column_letter for i, c in enumerate(columns, start=1)}
    status_check = DataValidation(
        type="list", formula1='"' + ",".join(MILESTONE_STATUSES) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle="状态有误", error="请从下拉列表中选择：" + "、".join(MILESTONE_STATUSES) + "。",
        showInputMessage=True, promptTitle="新状态", prompt="状态有变化时从下拉列表中选择；没有变化可不填。",
    )
    date_check = DataValidation(
        type="date", operator="between", formula1=str(_excel_serial(_FIRST_DAY)),
        formula2=str(_excel_serial(_LAST_DAY)), allow_blank=True, showErrorMessage=True,
        errorTitle="日期有误", error=f"请填写日期，如 {year}-06-30。", showInputMessage=True,
        promptTitle="完成日期", prompt=f"已完成的填写完成日期，如 {year}-06-30。",
    )
    note_check = _note_validation()
    for check, key in ((status_check, "new_status"), (date_check, "done_date"), (note_check, "note")):
        check.add(f"{letter[key]}{FIRST_ROW}:{letter[key]}{last}")
        sheet.add_data_validation(check)
    notes = [
        "注：1. 只填白色单元格（新状态、完成日期、备注）；灰色单元格为规划办下发的数据，请勿改动。"
        + _protection_note(password_check),
        "2. 新状态从下拉列表中选择：" + "、".join(MILESTONE_STATUSES) + "；状态没有变化的可不填。",
        f"3. 已完成的里程碑请填写完成日期（如 {year}-06-30）；只填完成日期、未选新状态的，视为“已完成”。",
        "4. 备注写明进展情况、存在问题和下一步措施，不超过 "
        f"{NOTE_MAX_CHARS} 字。请勿增删行列；填好后保存为 .xlsx 原文件发回规划办。",
    ]
    _finish(sheet, columns, last, notes, styles, password_check)


def _merge_project(sheet, first: int, last: int, column: int) -> None:
    if last > first:
        sheet.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)
