"""Indicator catalogues in and out: an .xlsx or .csv laid out like the plan's main-indicator table
(类别 | 指标 | 单位 | YYYY年基数 | YYYY年目标 | 年均增速 | 属性, optionally 牵头单位 | 配合单位 | 分管领导 | 文中出处).

The base and target headers name the plan's own years (「<基期年>年基数」, 「<目标年>年目标」). Any
year is recognised by pattern; a year that is not the plan's base or target year is refused, naming both,
because a catalogue of another plan's period would put every figure under the wrong year.

Import is all or nothing: every row is checked first, and one bad cell means nothing is written. Messages name
the file, the row as Excel numbers it, and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from core.errors import UserInputError
from core.period import Period
from core.targets import ValueParseError, parse_value
from core.text_hygiene import clean_text
from db.engine import Database
from db.indicators import ATTRIBUTES, CATALOGUE_HEADERS, CatalogueEntry, CatalogueResult, catalogue_headers, load_catalogue
from db.plan_store import plan_period

BUNDLED_CATALOGUE = "taizhou_yyz_14th_indicators.csv"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL_CHARS = 500

# Column key -> header words that name it. Headers are matched after removing spaces and brackets, so
# 「类 别」, 「YYYY年基数（现状值）」 and 「指标名称」 all match; the first matching rule wins. A header that is only
# a year (「YYYY年」) is the base column when it is the plan's base year (see _column_key).
COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("lead_unit", ("牵头单位", "牵头部门", "责任单位")),
    ("partner_units", ("配合单位", "配合部门", "协同单位")),
    ("leader", ("分管领导", "分管区领导", "挂钩领导")),
    ("base_source", ("基数来源", "数据来源")),
    ("text_anchor", ("文中出处", "出处", "原文")),
    ("category", ("类别", "分类", "领域", "类型")),
    ("unit", ("计量单位", "单位")),
    ("base", ("基数", "基期值", "现状值")),
    ("target_text", ("目标值", "规划目标", "目标")),
    ("growth_text", ("年均增速", "年均增长", "增速", "累计")),
    ("attribute", ("属性", "指标属性", "性质")),
    ("name", ("指标名称", "指标", "名称")),
]
REQUIRED = ("name", "target_text")
_NOISE = re.compile(r"[\s()（）\[\]【】:：*＊]")
_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^（）()]{1,8})[）)]$")
_HEADER_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|2[0-9]{3})\s*年")
_YEAR_ONLY = re.compile(r"(1[89][0-9]{2}|2[0-9]{3})年")


@dataclass(frozen=True)
class ImportedCatalogue:
    path: str
    result: CatalogueResult
    rows: int


def _column_key(header: str, period: Period | None = None) -> str | None:
    text = _NOISE.sub("", header)
    if not text:
        return None
    for key, words in COLUMNS:
        if any(word in text for word in words):
            return key
    year_only = _YEAR_ONLY.fullmatch(text)
    if year_only and (period is None or int(year_only.group(1)) == period.base_year):
        return "base"  # 「YYYY年」 over the base values
    return None


def _check_years(headers: dict[str, str], period: Period | None, name: str) -> None:
    """The base and target headers, where they name a year, must name this plan's."""
    if period is None:
        return
    wanted = {"base": (period.base_year, "基数"), "target_text": (period.target_year, "目标")}
    for key, (year, what) in wanted.items():
        match = _HEADER_YEAR.search(headers.get(key, ""))
        if match and int(match.group(1)) != year:
            raise UserInputError(
                f"{name}：“{headers[key]}”列的年份与本规划不符：本规划的规划期是 {period.label}，"
                f"{what}应为 {year} 年（表头写作“{catalogue_headers(period)[key]}”）。"
                "这份目录可能属于另一个规划期的规划，请核对后再导入。没有导入任何内容。"
            )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # openpyxl gives 971.9 as a float; repr keeps the shortest exact form, never 971.8999999.
        return repr(value) if not value.is_integer() else str(int(value))
    return clean_text(str(value), multiline=True).strip()  # no control characters (core.text_hygiene)


# A text cell guihua's CSV export kept from running as a formula (exports.catalogue): 「'=…」 reads as 「=…」.
_PROTECTED_FORMULA = re.compile(r"^'(?=[=+\-@\t\r])")


def _csv_cell(text: str) -> str:
    return _PROTECTED_FORMULA.sub("", clean_text(text, multiline=True).strip()).strip()


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        return _unsupported(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UserInputError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise UserInputError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise UserInputError(f"{path.name}：文件太大（{size // 1024 // 1024} MB），指标目录不应超过 20 MB。")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path.read_bytes(), path.name)


def _unsupported(path: Path):
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et", ".wps"):
        raise UserInputError(f"{path.name}：这是旧版 Excel/WPS 格式，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。")
    raise UserInputError(f"{path.name}：不支持的文件类型，请使用 .xlsx 或 .csv 文件。")


def _read_xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    from importers.zipguard import ZipProblem, check_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            # A zip bomb inflates to gigabytes: refuse before openpyxl inflates anything.
            if sum(info.file_size for info in archive.infolist()) > 200 * 1024 * 1024:
                raise UserInputError(f"{path.name}：文件解压后过大，不像是指标目录。没有导入任何内容。")
        try:
            check_workbook(path)  # entity and DTD tricks, whatever XML parser openpyxl uses
        except ZipProblem as exc:
            raise UserInputError(f"{path.name}：{exc.message}没有导入任何内容。") from None
        workbook = load_workbook(path, read_only=True, data_only=True)
    except UserInputError:
        raise
    except Exception:
        raise UserInputError(f"{path.name}：无法作为 Excel 工作簿打开（文件可能已损坏，或不是 .xlsx 格式）。") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if len(rows) > MAX_ROWS + 20:
                break
        return rows
    finally:
        workbook.close()


def _read_csv(data: bytes, name: str) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserInputError(f"{name}：无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。")
    if "\x00" in text:
        raise UserInputError(f"{name}：不是文本格式的 CSV 文件。")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        # newline="" lets the csv module see line endings itself: a bare \r inside a field is then data.
        return [[_csv_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise UserInputError(f"{name}：不是有效的 CSV 文件（{exc}）。没有导入任何内容。") from None


def _find_header(rows: list[list[str]], name: str, period: Period | None = None) -> tuple[int, dict[str, int]]:
    """The header is the first row (among the first ten) naming both the indicator and the target column."""
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = _column_key(cell, period)
            if key and key not in columns:
                columns[key] = position
        if all(key in columns for key in REQUIRED):
            return index, columns
    headers = catalogue_headers(period)
    wanted = "、".join(headers[k] for k in REQUIRED)
    raise UserInputError(
        f"{name}：找不到表头。前 10 行中应有一行列名包含“{wanted}”"
        f"（完整格式：{' | '.join(headers[k] for k in list(headers)[:7])}）。没有导入任何内容。"
    )


def _attribute(text: str) -> str | None:
    if not text:
        return ""
    for attribute in ATTRIBUTES:
        if text.replace(" ", "") in (attribute, attribute[:2]):
            return attribute
    return None


def parse_catalogue_rows(rows: list[list[str]], name: str, period: Period | None = None) -> list[CatalogueEntry]:
    """Read and check every row. `period`: the plan's, whose years the base and target headers must name
    (None: any year, for the bundled catalogue read before its plan is stored)."""
    header_index, columns = _find_header(rows, name, period)
    headers = {key: rows[header_index][position].strip() for key, position in columns.items()}
    _check_years(headers, period, name)
    body = rows[header_index + 1 :]
    if len(body) > MAX_ROWS:
        raise UserInputError(f"{name}：行数超过 {MAX_ROWS}，不像是指标目录。没有导入任何内容。")
    errors: list[str] = []
    entries: list[CatalogueEntry] = []
    seen: dict[str, int] = {}
    category = ""

    def cell(row: list[str], key: str) -> str | None:
        position = columns.get(key)
        if position is None:
            return None
        return row[position].strip() if position < len(row) else ""

    for offset, row in enumerate(body):
        line = header_index + offset + 2  # the row number Excel shows
        if not any(c.strip() for c in row):
            continue
        where = f"{name} 第 {line} 行"
        too_long = [headers[k] or CATALOGUE_HEADERS[k] for k in columns if len(cell(row, k) or "") > MAX_CELL_CHARS]
        if too_long:
            errors.append(f"{where}“{too_long[0]}”列：内容超过 {MAX_CELL_CHARS} 字。")
            continue
        # Merged category cells read as empty below their first row: carry the category down.
        category = cell(row, "category") or category
        indicator = (cell(row, "name") or "").replace("\n", "")
        unit = cell(row, "unit")
        if unit is None or not unit:
            match = _UNIT_SUFFIX.match(indicator)
            if match:
                indicator, unit = match.group("name").strip(), match.group("unit").strip()
        if not indicator:
            errors.append(f"{where}“指标”列：指标名称为空。")
            continue
        if indicator in seen:
            errors.append(f"{where}“指标”列：“{indicator}”与第 {seen[indicator]} 行重复。")
            continue
        seen[indicator] = line
        attribute = _attribute(cell(row, "attribute") or "")
        if attribute is None:
            errors.append(f"{where}“属性”列：“{cell(row, 'attribute')}”应为“预期性”或“约束性”。")
            continue
        base = None
        base_text = cell(row, "base") or ""
        if base_text:
            try:
                base = parse_value(base_text)
            except ValueParseError as exc:
                errors.append(f"{where}“{headers['base']}”列：{exc.reason}。")
                continue
        entries.append(
            CatalogueEntry(
                category=category,
                name=indicator,
                unit=unit or "",
                target_text=cell(row, "target_text") or "",
                growth_text=cell(row, "growth_text") or "",
                attribute=attribute,
                base=base,
                base_source=cell(row, "base_source") or "",
                lead_unit=cell(row, "lead_unit"),
                partner_units=cell(row, "partner_units"),
                leader=cell(row, "leader"),
                text_anchor=cell(row, "text_anchor"),
            )
        )
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n……另有 {len(errors) - 20} 处错误" if len(errors) > 20 else ""
        raise UserInputError(f"指标目录有 {len(errors)} 处错误，没有导入任何内容：\n{shown}{more}")
    if not entries:
        raise UserInputError(f"{name}：表头下面没有指标。没有导入任何内容。")
    return entries


def import_catalogue_file(database: Database, plan_id: int, path: str | Path, *, origin: str = "import") -> ImportedCatalogue:
    path = Path(path)
    with database.session() as session:
        period = plan_period(session, plan_id)
    entries = parse_catalogue_rows(_read_rows(path), path.name, period)
    with database.session() as session:
        result = load_catalogue(session, plan_id, entries, origin=origin)
    return ImportedCatalogue(path=str(path), result=result, rows=len(entries))


def bundled_catalogue_entries() -> list[CatalogueEntry]:
    data = resources.files("importers").joinpath("data", BUNDLED_CATALOGUE).read_bytes()
    return parse_catalogue_rows(_read_csv(data, BUNDLED_CATALOGUE), BUNDLED_CATALOGUE)
