"""Returned fill-in forms: read, check every cell, show what would change, then apply file by file.

A returned workbook is untrusted. Before openpyxl sees it, the file must be small (10 MB), really an .xlsx
(a zip holding a workbook, checked by content as well as by name) and not a zip bomb (100 MB unpacked, ratio
100). openpyxl reads it with defusedxml installed (entity and DTD tricks are refused) and formulas are never
evaluated: a formula cell is a problem for review, shown with the value Excel cached for it.

Import runs in two steps:
- `read_forms` validates everything and writes nothing. Each file gets its problems (file, sheet, Excel row,
  column, reason in Chinese), its changes (old → new), its conflicts: fields whose value in guihua is no
  longer the one the form was issued with (the fingerprint in a hidden column), shown as three values side
  by side (issued, in guihua now, in the form); and its clashes: fields that another returned form of the same
  run gives a different value (an indicator led by two units comes back twice). Neither form of a clash is
  imported, whatever the options: which one is right is for the office to find out (then it imports that file
  on its own); and its doubtful figures: actual values core.plausibility takes for a likely typo (a negative
  level, five times off the neighbouring years), held back until the office confirms them (`guihua set --force`
  and the grid's 「确定吗？」 ask the same).
- `apply_forms` applies each file without problems in one transaction (all of its changes or none), skipping
  conflicts unless asked to overwrite them and doubtful figures unless confirmed, and says for every file what was applied and what was skipped and
  why. The change log names the file each change came from.

A row is read only when what it shows agrees with its hidden id: the indicator's name and unit (or the
project's and milestone's titles), as guihua holds them now or held them before (the change log), and the
「填报单位」 line with the hidden marker, whose unit must be one guihua knows. Sheet protection (with or without
the office's password) is never relied on: any tool can lift it, so every cell is checked as if it had none.

An empty input cell means "no change", never "clear"; so does a value equal to the one issued.
"""

from __future__ import annotations

import json
import math
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.errors import GuihuaError
from core.schedule import MILESTONE_STATUSES, parse_day
from core.targets import ValueParseError, parse_value
from db.engine import Database
from db.indicators import STAGES, IndicatorView, decimal_text, get_indicator
from exports.forms import (
    FIRST_ROW,
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER_ROW,
    INDICATOR_SHEET,
    MARKER_SHEET,
    MILESTONE_SHEET,
    NOTE_MAX_CHARS,
    UNIT_ROW,
    VALUE_LIMIT,
    Column,
    form_units,
    indicator_columns,
    milestone_columns,
    unit_line,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024  # below this much unpacked data a high ratio cannot hurt: not checked
MAX_MEMBERS = 1000
MAX_ROWS = 5000
MAX_FINGERPRINT_CHARS = 2000
FORM_SUFFIXES = (".xlsx", ".xlsm")
OLD_SUFFIXES = (".xls", ".et", ".wps")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

FIELD_LABELS = {"stage": "数据阶段", "note": "备注", "status": "状态", "done_date": "完成日期"}
# Fields that describe each other: when one of them conflicts, applying the other alone would mislabel the
# value guihua holds (a stage for a figure the form did not give; a done date for a status left unchanged).
LINKED = {"indicator": ("actual", "stage"), "milestone": ("status", "done_date")}


# ----------------------------------------------------------------------------------------------------------
# What a review holds


@dataclass(frozen=True)
class Problem:
    """Something in a file that keeps the whole file from being imported."""

    file: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # 「“YYYY年实际值”列（G列）」

    def text(self) -> str:
        where = self.file
        if self.sheet:
            where += f"「{self.sheet}」"
        if self.row:
            where += f"第 {self.row} 行"
        if self.column:
            where += self.column
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class FieldEdit:
    """One input cell the department filled: what the form says, and what the form was issued with."""

    kind: str  # indicator / milestone
    entity_id: int
    field: str  # actual / stage / note / status / done_date
    issued: str | None
    value: str
    label: str  # the indicator's name, or 「project — milestone」
    sheet: str
    row: int
    year: int
    remark: str = ""

    @property
    def field_label(self) -> str:
        return f"{self.year}年实际值" if self.field == "actual" else FIELD_LABELS[self.field]


@dataclass(frozen=True)
class Clash:
    """Another returned form that gives the same field a different value."""

    file: str
    sheet: str
    row: int
    value: str

    def text(self) -> str:
        return f"「{self.file}」第 {self.row} 行为 {_shown(self.value)}"


@dataclass(frozen=True)
class Change:
    edit: FieldEdit
    current: str | None  # the value in guihua now
    conflict: bool = False
    held_by: str = ""  # not itself in conflict, held back with a conflicting or clashing linked field (its label)
    clashes: tuple[Clash, ...] = ()  # other forms giving this field other values: never imported
    held_by_clash: bool = False  # held_by names a field that clashes with another form
    doubt: str = ""  # why the figure looks like a typo (core.plausibility): imported only when confirmed
    held_by_doubt: bool = False  # held_by names a doubtful figure of the same item

    @property
    def old(self) -> str | None:
        return self.current

    @property
    def new(self) -> str:
        return self.edit.value

    @property
    def issued(self) -> str | None:
        return self.edit.issued

    @property
    def clash_files(self) -> list[str]:
        return list(dict.fromkeys(c.file for c in self.clashes))

    def text(self) -> str:
        head = f"{self.edit.label} {self.edit.field_label}"
        if self.clashes:
            others = "；".join(c.text() for c in self.clashes)
            return (f"{head}：本表第 {self.edit.row} 行为 {_shown(self.new)} ｜ {others} ｜ guihua 现为 "
                    f"{_shown(self.current)}（填报表之间不一致，都不导入）")
        if self.held_by_clash:
            return (f"{head}：{_shown(self.old)} → {_shown(self.new)}（同一项的{self.held_by}与其他填报表不一致，"
                    "一并不导入）")
        if self.held_by_doubt:
            return f"{head}：{_shown(self.old)} → {_shown(self.new)}（随同一项存疑的{self.held_by}，确认后一并导入）"
        if self.held_by:
            return f"{head}：{_shown(self.old)} → {_shown(self.new)}（同一项的{self.held_by}有冲突，一并暂不导入）"
        doubt = f"；数值存疑：{self.doubt}" if self.doubt else ""
        if self.conflict:
            return (f"{head}：下发时 {_shown(self.issued)} ｜ guihua 现为 {_shown(self.current)} ｜ "
                    f"表中 {_shown(self.new)}（第 {self.edit.row} 行{doubt}）")
        if self.doubt:
            return f"{head}：{_shown(self.old)} → {_shown(self.new)}（第 {self.edit.row} 行{doubt}）"
        remark = f"（{self.edit.remark}）" if self.edit.remark else ""
        return f"{head}：{_shown(self.old)} → {_shown(self.new)}{remark}"


def _shown(value: str | None) -> str:
    return "空" if value in (None, "") else value


@dataclass
class FormFileReview:
    path: Path
    name: str
    plan_id: int | None = None
    year: int | None = None
    unit: str = ""
    problems: list[Problem] = field(default_factory=list)
    edits: list[FieldEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    clashes: list[Change] = field(default_factory=list)  # given differently by another form: not imported
    doubtful: list[Change] = field(default_factory=list)  # likely typos (and what they hold back): if confirmed
    unchanged: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def clash_files(self) -> list[str]:
        return list(dict.fromkeys(name for c in self.clashes for name in c.clash_files))

    def problem(self, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        self.problems.append(Problem(self.name, message, sheet, row, column))


@dataclass
class FormsReview:
    files: list[FormFileReview]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def changes(self) -> list[Change]:
        return [c for f in self.files if not f.refused for c in f.changes]

    @property
    def conflicts(self) -> list[Change]:
        return [c for f in self.files if not f.refused for c in f.conflicts]

    @property
    def clashes(self) -> list[Change]:
        return [c for f in self.files if not f.refused for c in f.clashes]

    @property
    def doubtful(self) -> list[Change]:
        return [c for f in self.files if not f.refused for c in f.doubtful]

    @property
    def doubtful_conflicts(self) -> list[Change]:
        """Conflicts whose figure is also doubtful: overwritten only when confirmed as well."""
        return [c for c in self.conflicts if c.doubt]

    @property
    def refused(self) -> list[FormFileReview]:
        return [f for f in self.files if f.refused]

    def pending(self, *, overwrite_conflicts: bool = False, accept_doubtful: bool = False) -> list[Change]:
        """What apply_forms would write with these options, as the review sees it now."""
        return [c for f in self.files if not f.refused
                for c in _chosen(f.changes, f.conflicts, f.doubtful, overwrite_conflicts, accept_doubtful)]

    def pending_files(self, *, overwrite_conflicts: bool = False, accept_doubtful: bool = False) -> int:
        return sum(1 for f in self.files if not f.refused
                   and _chosen(f.changes, f.conflicts, f.doubtful, overwrite_conflicts, accept_doubtful))


def _chosen(changes: list[Change], conflicts: list[Change], doubtful: list[Change], overwrite_conflicts: bool,
            accept_doubtful: bool) -> list[Change]:
    """The changes written: plain changes, conflicts when overwriting, doubtful figures when confirmed (a
    conflict that is also doubtful needs both)."""
    return (changes + (doubtful if accept_doubtful else [])
            + [c for c in conflicts if overwrite_conflicts and (accept_doubtful or not c.doubt)])


@dataclass
class FileResult:
    """What became of one file: every file of an apply gets one, refused files included."""

    name: str
    applied: list[Change] = field(default_factory=list)
    skipped_conflicts: list[Change] = field(default_factory=list)
    skipped_clashes: list[Change] = field(default_factory=list)
    skipped_doubtful: list[Change] = field(default_factory=list)  # likely typos not confirmed
    already: list[Change] = field(default_factory=list)  # reviewed as changes, found in guihua by apply time
    error: str = ""  # the file's transaction was rolled back
    problems: int = 0  # refused for this many problems: nothing of it was written

    @property
    def skipped(self) -> list[Change]:
        return self.skipped_conflicts + self.skipped_clashes + self.skipped_doubtful

    def text(self) -> str:
        """One line: applied or not, and why."""
        if self.problems:
            return f"「{self.name}」没有导入：有 {self.problems} 处问题（见检查结果），整份文件不导入。"
        if self.error:
            return f"「{self.name}」没有导入：{self.error}"
        parts = [f"已导入「{self.name}」：{len(self.applied)} 处修改。" if self.applied else
                 f"「{self.name}」没有写入任何修改。"]
        reasons = []
        if self.skipped_conflicts:
            reasons.append(f"冲突 {len(self.skipped_conflicts)} 处（下发后 guihua 中的数值已被修改）")
        if self.skipped_doubtful:
            reasons.append(f"数值存疑 {len(self.skipped_doubtful)} 处（可能多打或少打了一位、不应为负数，未确认）")
        if self.skipped_clashes:
            others = "、".join(f"「{n}」" for n in dict.fromkeys(f for c in self.skipped_clashes for f in c.clash_files))
            reasons.append(f"与{others or '其他填报表'}不一致 {len(self.skipped_clashes)} 处（都不导入）")
        if reasons:
            parts.append(f"跳过{'；'.join(reasons)}。")
        if self.already:
            parts.append(f"另有 {len(self.already)} 处 guihua 中已是表中数值（如已由其他填报表导入），无需写入。")
        if len(parts) == 1 and not self.applied:
            parts.append("表中没有修改。")
        return "".join(parts)


@dataclass
class ApplyResult:
    files: list[FileResult] = field(default_factory=list)  # every file, in the review's order
    refused: list[str] = field(default_factory=list)  # files with problems: nothing of them was written

    @property
    def applied(self) -> list[Change]:
        return [c for f in self.files for c in f.applied]

    @property
    def skipped_conflicts(self) -> list[Change]:
        return [c for f in self.files for c in f.skipped_conflicts]

    @property
    def skipped_clashes(self) -> list[Change]:
        return [c for f in self.files for c in f.skipped_clashes]

    @property
    def skipped_doubtful(self) -> list[Change]:
        return [c for f in self.files for c in f.skipped_doubtful]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]


# ----------------------------------------------------------------------------------------------------------
# Which files


def form_paths(paths) -> list[Path]:
    """Files as given; a folder stands for the workbooks in it (old .xls/.et included, to be told about)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith(("~$", ".")) or not child.is_file():
                    continue  # Excel/WPS lock files and our own temporary files
                if child.suffix.lower() in FORM_SUFFIXES + OLD_SUFFIXES:
                    found.append(child)
        else:
            found.append(path)
    unique: dict[str, Path] = {}
    for path in found:
        try:
            key = str(path.resolve())
        except OSError:
            key = str(path)
        unique.setdefault(key, path)
    return list(unique.values())


def container_problem(path: Path) -> str | None:
    """Why a file is not a workbook guihua will open, or None. Looks at the bytes, not only the name."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "找不到文件。"
    except OSError as exc:
        return f"无法读取文件：{exc.strerror or exc}。"
    if not path.is_file():
        return "不是文件。"
    if size > MAX_FILE_BYTES:
        return f"文件太大（{size / 1024 / 1024:.1f} MB），填报表不应超过 {MAX_FILE_BYTES // 1024 // 1024} MB，已拒绝。"
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        return f"无法读取文件：{exc.strerror or exc}。"
    suffix = path.suffix.lower()
    if head == OLE2_MAGIC or suffix in OLD_SUFFIXES:
        return ("这是旧版 Excel/WPS 格式（.xls/.et）或设置了打开密码的文件，guihua 不读取。"
                "请在 Excel 或 WPS 中取消密码并“另存为” .xlsx 后再导入。")
    if suffix not in FORM_SUFFIXES:
        return "不是 .xlsx 文件。请导入 guihua 生成、由各单位填好的 .xlsx 填报表。"
    if not head.startswith(b"PK\x03\x04"):
        return "文件内容不是 Excel 工作簿（虽然扩展名是 .xlsx），可能已损坏或被改名，已拒绝。"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                return f"文件内部包含 {len(members)} 个部件，不像是填报表，已拒绝。"
            unpacked = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES:
                return (f"文件解压后达 {unpacked / 1024 / 1024:.0f} MB（上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB），"
                        "疑似“压缩炸弹”，已拒绝。")
            if unpacked > RATIO_FLOOR_BYTES and unpacked > MAX_RATIO * max(packed, 1):
                return f"文件压缩比异常（约 {unpacked // max(packed, 1)} 倍），疑似“压缩炸弹”，已拒绝。"
            if any(m.flag_bits & 0x1 for m in members):
                return "文件内容已加密，guihua 不读取。请取消密码后另存为 .xlsx 再导入。"
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                return "文件是压缩包但不是 Excel 工作簿（缺少工作簿内容），已拒绝。"
    except zipfile.BadZipFile:
        return "文件已损坏或不是 Excel 工作簿（.xlsx），已拒绝。"
    except OSError as exc:
        return f"无法读取文件：{exc.strerror or exc}。"
    return None


# ----------------------------------------------------------------------------------------------------------
# Reading cells


@dataclass(frozen=True)
class _Cell:
    value: object
    data_type: str
    number_format: str
    is_date: bool

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def formula(self) -> bool:
        # openpyxl gives formulas as "=…" text with data_type "f", array and data-table formulas as objects
        return self.data_type == "f" or type(self.value).__name__ in ("ArrayFormula", "DataTableFormula")


_EMPTY = _Cell(None, "n", "General", False)
_UNSAFE_XML = "文件含有不安全的 XML 内容（实体或 DTD 声明，可能是恶意构造的文件），已拒绝。"


def _is_xml_attack(exc: BaseException) -> bool:
    """defusedxml refused an entity or DTD (openpyxl may wrap that in its own ValueError)."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        return False
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class _Unreadable(Exception):
    pass


def _load(path: Path, data_only: bool):
    from openpyxl import load_workbook

    from importers.zipguard import ZipProblem, check_workbook

    try:
        check_workbook(path)
    except ZipProblem as exc:
        raise _Unreadable(_UNSAFE_XML if "XML" in exc.message else exc.message) from None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # data validation extensions, unknown parts: not our concern
        try:
            return load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
        except Exception as exc:  # noqa: BLE001 - any failure to parse an untrusted file is a refusal
            raise _Unreadable(_UNSAFE_XML if _is_xml_attack(exc) else
                              "无法作为 Excel 工作簿打开（文件可能已损坏），已拒绝。") from None


def _sheet_cells(workbook, title: str) -> dict[int, dict[int, _Cell]]:
    """The sheet's cells by row and column (1-based), at most MAX_ROWS rows."""
    sheet = workbook[title]
    sheet.reset_dimensions()  # do not trust the file's own idea of its size
    rows: dict[int, dict[int, _Cell]] = {}
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for row in sheet.iter_rows():
                count += 1
                if count > MAX_ROWS:
                    raise _Unreadable(f"工作表「{title}」超过 {MAX_ROWS} 行，不像是填报表，已拒绝。")
                for cell in row:
                    if getattr(cell, "value", None) is None or not hasattr(cell, "column"):
                        continue
                    if cell.column > 64:
                        continue
                    rows.setdefault(cell.row, {})[cell.column] = _Cell(
                        cell.value, cell.data_type, cell.number_format or "General", bool(cell.is_date)
                    )
        except _Unreadable:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _Unreadable(_UNSAFE_XML if _is_xml_attack(exc) else
                              f"工作表「{title}」无法读取（文件可能已损坏），已拒绝。") from None
    return rows


def _text(cell: _Cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# ----------------------------------------------------------------------------------------------------------
# Reading a form


def read_forms(database: Database, paths, *, plan_id: int | None = None, year: int | None = None) -> FormsReview:
    """Check every returned form (files or folders); nothing is written. `plan_id` / `year`, when given, are
    what the forms must have been issued for."""
    reviews = []
    for path in form_paths(paths):
        review = FormFileReview(path=path, name=path.name)
        reviews.append(review)
        refusal = container_problem(path)
        if refusal:
            review.problem(refusal)
            continue
        try:
            _read_form(database, review, plan_id, year)
        except _Unreadable as exc:
            review.problem(str(exc))
        order = {INDICATOR_SHEET: 0, MILESTONE_SHEET: 1}
        review.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0))
        if review.problems:
            review.edits, review.changes, review.conflicts, review.clashes, review.doubtful = [], [], [], [], []
            review.unchanged = 0
    readable = [r for r in reviews if not r.refused]
    clashes = find_clashes(readable)
    with database.session() as session:
        for review in readable:
            found = classify(session, review, clashes.get(id(review), {}))
            review.changes, review.conflicts, review.clashes, review.doubtful = found.lists()
            review.unchanged = found.unchanged
    return FormsReview(reviews)


def _read_form(database: Database, review: FormFileReview, plan_id: int | None, year: int | None) -> None:
    workbook = _load(review.path, data_only=False)
    target_year = 0
    try:
        if MARKER_SHEET not in workbook.sheetnames:
            review.problem("不是 guihua 生成的填报表（缺少“_guihua”标记）。请用 guihua forms 生成的表格填报。")
            return
        marker = _marker(review, _sheet_cells(workbook, MARKER_SHEET))
        if marker is None:
            return
        with database.session() as session:
            if not _check_marker(session, review, marker, plan_id, year):
                return
            target_year = _target_year(session, review.plan_id)
            sheets = [s for s in marker.get("sheets", "").split(",") if s]
            if not sheets:
                review.problem("填报表标记中没有工作表清单，无法读取。请使用原表填写。")
            formula_cells: list[tuple[str, int, int]] = []
            for title in sheets:
                if title not in (INDICATOR_SHEET, MILESTONE_SHEET):
                    review.problem(f"填报表标记中有未知的工作表“{title}”，无法读取。")
                    continue
                if title not in workbook.sheetnames:
                    review.problem(f"缺少工作表「{title}」（可能被删除或改名）。请使用原表填写。")
                    continue
                cells = _sheet_cells(workbook, title)
                shown_unit = _text(cells.get(UNIT_ROW, {}).get(1, _EMPTY))
                if shown_unit != unit_line(review.unit):
                    review.problem(f"表上的“{shown_unit or '空'}”与隐藏的填报表标记（{review.unit}）不符，"
                                   "可能被改动过，无法导入。请使用原表填写。", title, UNIT_ROW, "（A列）")
                    continue
                if title == INDICATOR_SHEET:
                    columns = indicator_columns(review.year, target_year)
                    _read_rows(session, review, title, cells, columns, _indicator_row, formula_cells)
                else:
                    columns = milestone_columns(review.year)
                    _fill_merged_down(cells, columns, "project")
                    _read_rows(session, review, title, cells, columns, _milestone_row, formula_cells)
    finally:
        workbook.close()
    if formula_cells:
        _report_formulas(review, formula_cells, target_year)


def _fill_merged_down(cells: dict[int, dict[int, _Cell]], columns: list[Column], key: str) -> None:
    """A project's rows share one merged 「项目」 cell: only its first row holds the text (the rows under it
    read empty). Give each row with an id the text shown for it."""
    position = {c.key: i for i, c in enumerate(columns, start=1)}
    shown = None
    for row_number in sorted(r for r in cells if r >= FIRST_ROW):
        row = cells[row_number]
        if row.get(position["id"], _EMPTY).empty:
            continue
        cell = row.get(position[key], _EMPTY)
        if cell.empty and shown is not None:
            row[position[key]] = shown
        else:
            shown = cell


def _marker(review: FormFileReview, cells: dict[int, dict[int, _Cell]]) -> dict[str, str] | None:
    facts = {}
    for row in sorted(cells)[:50]:
        key = _text(cells[row].get(1, _EMPTY))
        if key:
            facts[key] = _text(cells[row].get(2, _EMPTY))[:500]
    if facts.get("format") != FORMAT_NAME:
        review.problem("不是 guihua 生成的填报表（“_guihua”标记无效）。请用 guihua forms 生成的表格填报。")
        return None
    try:
        version = int(facts.get("version", ""))
        int(facts.get("plan_id", ""))
        int(facts.get("year", ""))
    except ValueError:
        review.problem("填报表的“_guihua”标记已损坏（规划编号或年份不可读），无法导入。请使用原表填写。")
        return None
    if version > FORMAT_VERSION:
        review.problem(f"这份填报表由更新版本的 guihua 生成（格式版本 {version}），请升级 guihua 后再导入。")
        return None
    if version < 1:
        review.problem("填报表的“_guihua”标记已损坏（格式版本无效），无法导入。")
        return None
    return facts


def _check_marker(session, review: FormFileReview, marker: dict, plan_id: int | None, year: int | None) -> bool:
    from db.plan_store import plan_by_id

    form_plan, form_year = int(marker["plan_id"]), int(marker["year"])
    plan = plan_by_id(session, form_plan)
    review.unit = marker.get("unit", "")
    if plan is None or plan.name != marker.get("plan_name"):
        review.problem(f"这份填报表属于另一个规划（「{marker.get('plan_name', '')}」），与本数据库中的规划不符，已拒绝。")
        return False
    if plan_id is not None and form_plan != plan_id:
        chosen = plan_by_id(session, plan_id)
        review.problem(f"这份填报表属于规划「{plan.name}」，不是本次选择的规划「{chosen.name if chosen else plan_id}」，已拒绝。")
        return False
    if year is not None and form_year != year:
        review.problem(f"这是 {form_year} 年的填报表，本次导入的是 {year} 年的数据，已拒绝。")
        return False
    if review.unit not in form_units(session, form_plan):
        review.problem(f"填报表标记中的填报单位“{review.unit or '空'}”在 guihua 中不存在（标记被改动，"
                       "或不是 guihua 为本规划生成的表），已拒绝。请使用原表填写。")
        return False
    review.plan_id, review.year = form_plan, form_year
    return True


def _target_year(session, plan_id: int) -> int:
    """The plan's target year: the 「YYYY年目标」 column the form was issued with (exports.forms)."""
    from db.plan_store import plan_period

    return plan_period(session, plan_id).target_year


def _where(columns: list[Column], key: str) -> str:
    from openpyxl.utils import get_column_letter

    index = next(i for i, c in enumerate(columns, start=1) if c.key == key)
    return f"“{columns[index - 1].header}”列（{get_column_letter(index)}列）"


def _read_rows(session, review, title, cells, columns, read_row, formula_cells) -> None:
    position = {c.key: i for i, c in enumerate(columns, start=1)}
    header = cells.get(HEADER_ROW, {})
    for index, column in enumerate(columns, start=1):
        if column.hidden or column.key == "target":
            continue
        found = _text(header.get(index, _EMPTY))
        if found != column.header:
            review.problem(
                f"表头与下发时不同（应为“{column.header}”，现为“{found or '空'}”），可能增删或移动过列。请使用原表填写。",
                title, HEADER_ROW,
            )
            return
    inputs = [c.key for c in columns if c.input]
    seen: dict[int, int] = {}
    for row_number in sorted(r for r in cells if r >= FIRST_ROW):
        row = cells[row_number]
        id_cell = row.get(position["id"], _EMPTY)
        filled = [key for key in inputs if not row.get(position[key], _EMPTY).empty]
        if id_cell.empty:
            if filled:
                review.problem("这一行没有隐藏编号，不是下发的行（请勿增加行或移动单元格），无法导入。",
                               title, row_number, _where(columns, filled[0]))
            continue
        entity_id = _id(id_cell)
        if entity_id is None:
            review.problem("隐藏的编号被改动，无法确定是哪一项。请使用原表填写。", title, row_number)
            continue
        if entity_id in seen:
            review.problem(f"与第 {seen[entity_id]} 行是同一项（行被复制），无法导入。", title, row_number)
            continue
        seen[entity_id] = row_number
        issued = _fingerprint(row.get(position["fingerprint"], _EMPTY))
        if issued is None:
            review.problem("隐藏的下发数值被改动，无法判断是否与 guihua 中的数值冲突。请使用原表填写。", title, row_number)
            continue
        for key in inputs:
            cell = row.get(position[key], _EMPTY)
            if not cell.empty and cell.formula:
                formula_cells.append((title, row_number, position[key]))
        read_row(session, review, title, row_number, row, columns, position, entity_id, issued)


def _agrees(session, shown: str, entity: str, entity_id: int, name: str, now: str | None) -> bool:
    """Whether the text a row shows is what guihua holds for the row's hidden id, or held before (a name or
    unit changed in guihua after the form was issued is still the same item; the change log knows)."""
    from db.audit import ever_held

    shown = shown.replace("\r\n", "\n")

    def same(text: str | None) -> bool:
        return (text or "").replace("\r\n", "\n").strip() == shown

    if same(now):
        return True
    return ever_held(session, entity, entity_id, name, shown)


def _id(cell: _Cell) -> int | None:
    value = cell.value
    if isinstance(value, bool) or cell.formula:
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


def _fingerprint(cell: _Cell) -> dict | None:
    if not isinstance(cell.value, str) or cell.formula or len(cell.value) > MAX_FINGERPRINT_CHARS:
        return None
    try:
        data = json.loads(cell.value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(v, (str, type(None))) for v in data.values()):
        return None
    return data


def _norm(value) -> str | None:
    return None if value in (None, "") else str(value)


def _value(cell: _Cell) -> tuple[str | None, str | None]:
    """(decimal text, problem). A number cell is taken as the number Excel shows: 8.5% formatted as percent
    is 8.5, the way parse_value reads 「8.5%」 (the unit lives on the indicator)."""
    value = cell.value
    if isinstance(value, bool):
        return None, "是“是/否”值，不是数值，请填写数字"
    if cell.is_date or isinstance(value, (date, datetime)):
        return None, "是日期，不是数值；请把单元格格式改为“常规”后填写数字"
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "不是有效数值"
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in (cell.number_format or ""):
            number *= 100
        if abs(number) > VALUE_LIMIT:
            return None, f"数值 {decimal_text(number)} 超出合理范围"
        text = decimal_text(number)
    elif isinstance(value, str):
        text = value
    else:
        return None, "无法识别的内容，请填写数字"
    try:
        parsed = parse_value(text)
    except ValueParseError as exc:
        return None, exc.reason
    if parsed is not None and abs(parsed) > VALUE_LIMIT:
        return None, f"数值 {decimal_text(parsed)} 超出合理范围"
    return (decimal_text(parsed) if parsed is not None else None), None


def _note(cell: _Cell) -> tuple[str | None, str | None]:
    if isinstance(cell.value, bool):
        return None, "不是文字"
    text = _text(cell).replace("\r\n", "\n")
    if len(text) > NOTE_MAX_CHARS:
        return None, f"备注超过 {NOTE_MAX_CHARS} 字"
    return (text or None), None


def _indicator_row(session, review, title, row_number, row, columns, position, entity_id, issued) -> None:
    from db.indicators import indicator_record

    indicator = indicator_record(session, entity_id)
    if indicator is None or indicator.plan_id != review.plan_id:
        review.problem("这一项指标在 guihua 中已不存在（可能已被删除），无法导入。", title, row_number)
        return
    shown = _text(row.get(position["name"], _EMPTY))
    if not _agrees(session, shown, "indicator", entity_id, "name", indicator.name):
        review.problem(f"隐藏的编号对应指标“{indicator.name}”，与本行显示的“{shown or '空'}”不符（编号或名称被改动），"
                       "本行无法导入。请使用原表填写。", title, row_number, _where(columns, "name"))
        return
    shown = _text(row.get(position["unit"], _EMPTY))
    if not _agrees(session, shown, "indicator", entity_id, "unit", indicator.unit):
        review.problem(f"本行显示的单位“{shown or '空'}”与 guihua 中指标“{indicator.name}”的单位“{indicator.unit or '空'}”"
                       "不符（编号或单位被改动），本行无法导入。请使用原表填写。", title, row_number, _where(columns, "unit"))
        return
    if not indicator.base_year < review.year <= indicator.target_year:
        review.problem(f"指标“{indicator.name}”的规划期不含 {review.year} 年。", title, row_number)
        return
    label = indicator.name

    def edit(name: str, value: str) -> None:
        review.edits.append(FieldEdit("indicator", entity_id, name, _norm(issued.get(name)), value, label, title,
                                      row_number, review.year))

    for key, name in (("actual", "actual"), ("note", "note"), ("stage", "stage")):
        cell = row.get(position[key], _EMPTY)
        if cell.empty or cell.formula:
            continue  # formulas are reported once the cached values are known
        if cell.data_type == "e":
            review.problem(f"单元格显示错误值 {cell.value}，请填写数值", title, row_number, _where(columns, key))
            continue
        if name == "actual":
            value, problem = _value(cell)
        elif name == "note":
            value, problem = _note(cell)
        else:
            value = _text(cell)
            problem = None if value in STAGES else f"“{value}”不是可选的数据阶段，应为：{'、'.join(STAGES)}"
        if problem:
            review.problem(problem.rstrip("。") + "。", title, row_number, _where(columns, key))
        elif value is not None:
            edit(name, value)


def _milestone_row(session, review, title, row_number, row, columns, position, entity_id, issued) -> None:
    from db.projects import milestone_and_project, today

    milestone, project = milestone_and_project(session, entity_id)
    if milestone is None or project is None or project.plan_id != review.plan_id:
        review.problem("这一项里程碑在 guihua 中已不存在（可能已被删除），无法导入。", title, row_number)
        return
    for key, entity, entity_id_, now in (("project", "project", project.id, project.title),
                                         ("milestone", "milestone", milestone.id, milestone.title)):
        shown = _text(row.get(position[key], _EMPTY))
        if not _agrees(session, shown, entity, entity_id_, "title", now):
            review.problem(f"隐藏的编号对应项目“{project.title}”的里程碑“{milestone.title}”，与本行显示的"
                           f"“{shown or '空'}”不符（编号或名称被改动），本行无法导入。请使用原表填写。",
                           title, row_number, _where(columns, key))
            return
    label = f"{project.title} — {milestone.title}"
    values: dict[str, str] = {}
    for key, name in (("new_status", "status"), ("done_date", "done_date"), ("note", "note")):
        cell = row.get(position[key], _EMPTY)
        if cell.empty or cell.formula:
            continue
        where = _where(columns, key)
        if cell.data_type == "e":
            review.problem(f"单元格显示错误值 {cell.value}。", title, row_number, where)
            continue
        if name == "status":
            text = _text(cell)
            if text not in MILESTONE_STATUSES:
                review.problem(f"“{text}”不是可选的状态，应为：{'、'.join(MILESTONE_STATUSES)}。", title, row_number, where)
                continue
            values[name] = text
        elif name == "done_date":
            day, problem = _day(cell, review.year)
            if problem:
                review.problem(problem, title, row_number, where)
                continue
            if day > today():
                review.problem(f"完成日期 {day.isoformat()} 晚于今天，请核对。", title, row_number, where)
                continue
            values[name] = day.isoformat()
        else:
            note, problem = _note(cell)
            if problem:
                review.problem(problem + "。", title, row_number, where)
            elif note is not None:
                values[name] = note
    if "done_date" in values:
        status = values.get("status")
        if status is None:
            values["status"] = "已完成"  # the notes say so: a done date alone means done
        elif status != "已完成":
            review.problem(f"填写了完成日期，但新状态为“{status}”；已完成的请选“已完成”，未完成的请删去完成日期。",
                           title, row_number, _where(columns, "done_date"))
            return
    for name in ("status", "done_date", "note"):
        if name in values:
            remark = "未填完成日期，按导入当天记录" if name == "status" and values[name] == "已完成" and "done_date" not in values else ""
            review.edits.append(FieldEdit("milestone", entity_id, name, _norm(issued.get(name)), values[name], label,
                                          title, row_number, review.year, remark))


def _day(cell: _Cell, year: int) -> tuple[date | None, str | None]:
    """A completion date; `year` (the form's) gives the example in the message."""
    value = cell.value
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = parse_day(value)
        except ValueParseError as exc:
            return None, exc.reason + "。"
    else:
        return None, f"“{_text(cell)}”不是日期，请写成 {year}-06-30。"
    if not 2000 <= day.year <= 2100:
        return None, f"完成日期 {day.isoformat()} 不合理。"
    return day, None


def _report_formulas(review: FormFileReview, cells: list[tuple[str, int, int]], target_year: int) -> None:
    """Formula cells are never evaluated nor applied: show what Excel cached, ask for a plain value."""
    cached: dict[tuple[str, int, int], object] = {}
    try:
        workbook = _load(review.path, data_only=True)
        try:
            for title in {c[0] for c in cells}:
                sheet_cells = _sheet_cells(workbook, title)
                for sheet, row, column in cells:
                    if sheet == title:
                        cached[(sheet, row, column)] = sheet_cells.get(row, {}).get(column, _EMPTY).value
        finally:
            workbook.close()
    except _Unreadable:
        pass
    for sheet, row, column in cells:
        columns = indicator_columns(review.year or 0, target_year) if sheet == INDICATOR_SHEET else milestone_columns(review.year or 0)
        key = columns[column - 1].key
        value = cached.get((sheet, row, column))
        shown = "没有保存计算结果" if value is None else f"保存的计算结果为“{_text(_Cell(value, 'n', 'General', False))}”"
        ask = "请改为数值" if key == "actual" else "请直接填写内容"
        review.problem(f"含公式，{ask}（guihua 不计算公式；{shown}）。", sheet, row, _where(columns, key))


# ----------------------------------------------------------------------------------------------------------
# Changes and conflicts


def _current(session, edit: FieldEdit) -> str | None:
    from db.indicators import year_record
    from db.projects import milestone_and_project

    if edit.kind == "indicator":
        row = year_record(session, edit.entity_id, edit.year)
        if row is None:
            return None
        value = getattr(row, edit.field)
        if edit.field == "actual" and value:
            try:
                return decimal_text(Decimal(value))
            except InvalidOperation:
                return value
        return _norm(value)
    milestone, _ = milestone_and_project(session, edit.entity_id)
    value = getattr(milestone, edit.field) if milestone is not None else None
    return value.isoformat() if isinstance(value, date) else _norm(value)


def _field_key(edit: FieldEdit) -> tuple:
    """What one edit sets: an indicator's field of one year, or a milestone's field (milestones have no year)."""
    return (edit.kind, edit.entity_id, edit.field, edit.year if edit.kind == "indicator" else None)


def find_clashes(forms: list[FormFileReview]) -> dict[int, dict[tuple, tuple[Clash, ...]]]:
    """Fields that two or more of `forms` give different values: {id(form): {field key: the other forms'
    values}}. Only what a department wrote counts (a value equal to the one issued is no statement); forms
    that agree are no clash (the first brings the value in, the others then find it there)."""
    given: dict[tuple, list[tuple[FormFileReview, FieldEdit]]] = defaultdict(list)
    for form in forms:
        for edit in form.edits:
            if edit.value != edit.issued:
                given[_field_key(edit)].append((form, edit))
    clashes: dict[int, dict[tuple, tuple[Clash, ...]]] = defaultdict(dict)
    for key, entries in given.items():
        if len({edit.value for _, edit in entries}) < 2:
            continue
        for form, edit in entries:
            others = tuple(Clash(other.name, e.sheet, e.row, e.value) for other, e in entries
                           if other is not form and e.value != edit.value)
            clashes[id(form)][key] = others
    return clashes


@dataclass
class Classified:
    """A form compared with guihua now: what would change, conflict, clash or wait for confirmation."""

    changes: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    clashes: list[Change] = field(default_factory=list)
    doubtful: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def lists(self) -> tuple[list[Change], list[Change], list[Change], list[Change]]:
        return self.changes, self.conflicts, self.clashes, self.doubtful


def classify(session, review: FormFileReview, clashes: dict[tuple, tuple[Clash, ...]] | None = None) -> Classified:
    """Compare the form with guihua as it is now, and with the other forms of the same import (`clashes`, as
    find_clashes gives them for this form). An actual value core.plausibility doubts is doubtful (a change) or
    carries its doubt (a conflict)."""
    clashes = clashes or {}
    found: list[tuple[FieldEdit, str | None, str, str]] = []
    unchanged = 0
    indicators: dict[int, IndicatorView] = {}
    for edit in review.edits:
        current = _current(session, edit)
        if _field_key(edit) in clashes:
            found.append((edit, current, "clash", ""))
            continue
        if edit.value == edit.issued or edit.value == current:
            unchanged += 1  # the department kept the value it was given, or guihua already holds it
            continue
        doubt = _doubt(session, edit, indicators)
        what = "conflict" if current != edit.issued else "doubt" if doubt else "change"
        found.append((edit, current, what, doubt))
    # A clash, a conflict or a doubtful figure on one of two linked fields holds back the other one of the same
    # item (the strictest wins: a clash is never imported, a conflict needs overwriting, a doubt confirming).
    held: dict[tuple, tuple[str, str]] = {}
    for kind in ("doubt", "conflict", "clash"):
        for edit, _, what, _ in found:
            if what == kind and edit.field in LINKED[edit.kind]:
                held[(edit.kind, edit.entity_id)] = (edit.field_label, kind)
    result = Classified(unchanged=unchanged)
    for edit, current, what, doubt in found:
        holder = held.get((edit.kind, edit.entity_id)) if edit.field in LINKED[edit.kind] else None
        if what == "clash":
            result.clashes.append(Change(edit, current, conflict=True, clashes=clashes[_field_key(edit)]))
        elif holder and holder[1] == "clash":
            result.clashes.append(Change(edit, current, conflict=True, held_by=holder[0], held_by_clash=True))
        elif what == "conflict":
            result.conflicts.append(Change(edit, current, conflict=True, doubt=doubt))
        elif holder and holder[1] == "conflict":
            result.conflicts.append(Change(edit, current, conflict=True, held_by=holder[0]))
        elif what == "doubt":
            result.doubtful.append(Change(edit, current, doubt=doubt))
        elif holder:
            result.doubtful.append(Change(edit, current, held_by=holder[0], held_by_doubt=True))
        else:
            result.changes.append(Change(edit, current))
    return result


def _doubt(session, edit: FieldEdit, indicators: dict[int, IndicatorView]) -> str:
    """Why an indicator's actual value from a form looks like a typo (core.plausibility), or ""."""
    if edit.kind != "indicator" or edit.field != "actual":
        return ""
    if edit.entity_id not in indicators:
        indicators[edit.entity_id] = get_indicator(session, edit.entity_id)
    return indicators[edit.entity_id].doubt(edit.year, Decimal(edit.value)) or ""


# ----------------------------------------------------------------------------------------------------------
# Applying


def apply_forms(
    database: Database,
    review: FormsReview,
    *,
    files=None,
    overwrite_conflicts: bool = False,
    accept_doubtful: bool = False,
) -> ApplyResult:
    """Apply each file without problems in its own transaction: all of its changes or none. `files` (paths or
    names) limits which files; conflicts are skipped unless `overwrite_conflicts`, figures that look like typos
    unless `accept_doubtful` (the office confirmed them, as `guihua set --force` does); fields the applied files
    give different values (clashes) are always skipped. Changes, conflicts and clashes are worked out again
    against guihua as it is now and among the files applied, so a value changed since the review, or by
    another of the files, is never overwritten silently. Every file gets a FileResult saying what came in
    and what was skipped and why."""
    from db.audit import is_write_conflict

    wanted = None if files is None else {str(f) for f in files} | {Path(f).name for f in files}
    chosen_forms = [f for f in review.files
                    if wanted is None or str(f.path) in wanted or f.name in wanted]
    clashes = find_clashes([f for f in chosen_forms if not f.refused])
    result = ApplyResult()
    for form in chosen_forms:
        if form.refused:
            result.refused.append(form.name)
            result.files.append(FileResult(form.name, problems=len(form.problems)))
            continue
        outcome = FileResult(form.name)
        result.files.append(outcome)
        with database.session() as session:
            try:
                now = classify(session, form, clashes.get(id(form), {}))
                chosen = _chosen(now.changes, now.conflicts, now.doubtful, overwrite_conflicts, accept_doubtful)
                if chosen:
                    _write(session, form, chosen)
                    session.commit()
                outcome.applied = chosen
                outcome.skipped_conflicts = [] if overwrite_conflicts else now.conflicts
                outcome.skipped_doubtful = [] if accept_doubtful else (
                    now.doubtful + [c for c in now.conflicts if c.doubt and overwrite_conflicts])
                outcome.skipped_clashes = now.clashes
                settled = {c.edit for c in chosen + now.conflicts + now.clashes + now.doubtful}
                outcome.already = [c for c in form.changes + form.conflicts + form.clashes + form.doubtful
                                   if c.edit not in settled]
            except GuihuaError as exc:
                session.rollback()
                outcome.error = exc.message
            except BaseException as exc:
                session.rollback()
                if not (isinstance(exc, Exception) and is_write_conflict(exc)):
                    raise
                # someone saved or created the same record while this file was being written
                outcome.error = "数据在导入过程中被他人修改，本文件没有导入，请重新导入。"
    return result


def _write(session, form: FormFileReview, changes: list[Change]) -> None:
    from db.indicators import get_indicator, record_actual
    from db.projects import today, update_milestone

    indicators: dict[int, dict[str, str]] = defaultdict(dict)
    milestones: dict[int, dict[str, str]] = defaultdict(dict)
    for change in changes:
        target = indicators if change.edit.kind == "indicator" else milestones
        target[change.edit.entity_id][change.edit.field] = change.new
    for indicator_id, fields in indicators.items():
        if "actual" in fields:
            value = Decimal(fields["actual"])
        else:
            value = get_indicator(session, indicator_id).values.get(form.year)  # keep the figure, change the rest
        record_actual(session, indicator_id, form.year, value, note=fields.get("note"), stage=fields.get("stage"),
                      origin="import", source_file=form.name, commit=False)
    for milestone_id, fields in milestones.items():
        cleaned = {k: (date.fromisoformat(v) if k == "done_date" else v) for k, v in fields.items()}
        if cleaned.get("status") == "已完成" and "done_date" not in cleaned:
            cleaned["done_date"] = today()  # as the review said: done on the day of the import
        update_milestone(session, milestone_id, origin="import", source_file=form.name, commit=False, **cleaned)
