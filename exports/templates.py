"""Filling an .xlsx template: the office's own workbook, or guihua's default one.

A template is an ordinary workbook whose cells hold placeholders:
- `{{plan.title}}`, `{{as_of_year}}`, `{{today}}` … are replaced wherever they occur in a cell's text;
- a row holding fields of a collection, such as `{{ind.name}}` or `{{proj.title}}`, is repeated once per item
  (the row's fonts, borders, fills and height are copied to every repetition; rows below it move down with
  their merged cells);
- `{{ind.category|merge}}` merges runs of equal values in that column (the 类别 column of the indicator table).
A cell holding nothing but one placeholder receives a typed value (numbers stay numbers); otherwise the text is
substituted. Everything else in the workbook (fonts, borders, merged cells, widths, print settings) is kept.
An unknown placeholder is refused with the sheet and cell named, before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserInputError

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z0-9_]+)?)(\|merge)?\s*\}\}")


@dataclass(frozen=True)
class Collection:
    """Items that repeat a template row. `fields` lists the names a template may use (after the prefix)."""

    prefix: str
    items: Sequence[Mapping[str, object]]
    fields: frozenset[str]
    # Optional per-cell styling after a value is written (status colours, overdue in red).
    style: Callable[[object, Mapping[str, object], str], None] | None = None


@dataclass(frozen=True)
class TemplateData:
    scalars: Mapping[str, object]
    collections: Mapping[str, Collection]
    hide_empty: frozenset[str] = frozenset()  # fields whose columns are hidden when every item leaves them blank
    drop_empty_sheets: frozenset[str] = frozenset()  # collections whose sheet is removed when they have no items


def _where(sheet, cell) -> str:
    return f"工作表“{sheet.title}”单元格 {cell.coordinate}"


def check_template(workbook, data: TemplateData, name: str) -> None:
    """Every placeholder must be known; a row may repeat one collection only."""
    problems = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            prefixes = set()
            for cell in row:
                if not isinstance(cell.value, str) or "{{" not in cell.value:
                    continue
                for match in PLACEHOLDER.finditer(cell.value):
                    key = match.group(1)
                    prefix, _, field = key.partition(".")
                    if prefix in data.collections:
                        if field not in data.collections[prefix].fields:
                            problems.append(f"{_where(sheet, cell)}：未知字段 {{{{{key}}}}}")
                        prefixes.add(prefix)
                    elif key not in data.scalars:
                        problems.append(f"{_where(sheet, cell)}：未知占位符 {{{{{key}}}}}")
                leftover = PLACEHOLDER.sub("", cell.value)
                if "{{" in leftover:
                    problems.append(f"{_where(sheet, cell)}：占位符写法不正确（“{cell.value}”）")
            if len(prefixes) > 1:
                problems.append(f"工作表“{sheet.title}”第 {row[0].row} 行：一行只能重复一种数据（{'、'.join(sorted(prefixes))}）")
    if problems:
        shown = "\n".join(problems[:20])
        raise UserInputError(f"模板 {name} 有 {len(problems)} 处问题，没有导出：\n{shown}\n可用的占位符见 docs/templates.md。")


def _repeat_row(sheet, collections: Mapping[str, Collection]) -> tuple[int, str] | None:
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                for match in PLACEHOLDER.finditer(cell.value):
                    prefix = match.group(1).partition(".")[0]
                    if prefix in collections:
                        return cell.row, prefix
    return None


def _substitute(text: str, lookup: Callable[[str], object]):
    matches = list(PLACEHOLDER.finditer(text))
    if len(matches) == 1 and matches[0].group(0) == text.strip():
        return lookup(matches[0].group(1))  # a typed value
    return PLACEHOLDER.sub(lambda m: _as_text(lookup(m.group(1))), text)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _write(cell, value) -> None:
    from exports.sheet_style import set_text

    if value is None or value == "":
        cell.value = None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
    else:
        set_text(cell, value)  # text from users and plans is never a formula


def _shift_below(sheet, row: int, count: int) -> None:
    """Insert `count` rows after `row`, moving merged cells and row heights below it (openpyxl's
    insert_rows moves values and styles only)."""
    if count <= 0:
        return
    below = [rng for rng in sheet.merged_cells.ranges if rng.min_row > row]
    for rng in below:
        sheet.unmerge_cells(str(rng))
    heights = {r: d.height for r, d in list(sheet.row_dimensions.items()) if r > row}
    sheet.insert_rows(row + 1, count)
    for rng in below:
        rng.shift(0, count)
        sheet.merge_cells(str(rng))
    for r in heights:
        sheet.row_dimensions[r].height = None
    for r, height in heights.items():
        sheet.row_dimensions[r + count].height = height
    for r in range(row + 1, row + count + 1):
        sheet.row_dimensions[r].height = sheet.row_dimensions[row].height


def fill_workbook(workbook, data: TemplateData) -> None:
    def scalar(key: str):
        return data.scalars.get(key, "")

    for sheet in list(workbook.worksheets):
        found = _repeat_row(sheet, data.collections)
        if found is not None:
            row, prefix = found
            collection = data.collections[prefix]
            if not collection.items and prefix in data.drop_empty_sheets and len(workbook.worksheets) > 1:
                workbook.remove(sheet)
                continue
            _fill_rows(sheet, row, collection, data)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and "{{" in cell.value:
                    _write(cell, _substitute(cell.value, scalar))


def _row_cells(sheet, row: int) -> list:
    """The cells of one row, read once: `sheet[row]` makes openpyxl scan the whole sheet for its bounds on
    every call, which made a long pack quadratic."""
    return list(next(sheet.iter_rows(min_row=row, max_row=row, max_col=sheet.max_column), ()))


def _fill_rows(sheet, row: int, collection: Collection, data: TemplateData) -> None:
    template = [(cell.column, cell.value, copy(cell._style)) for cell in _row_cells(sheet, row)]
    items = collection.items
    _shift_below(sheet, row, len(items) - 1)
    merge_columns: dict[int, str] = {}
    column_fields: dict[int, str] = {}
    filled: list[list] = []  # the cells written, row by row, for the height pass
    for offset, item in enumerate(items or [{}]):
        r = row + offset
        formats = item.get("_formats") or {}

        def lookup(key: str, item=item):
            prefix, _, field = key.partition(".")
            if prefix == collection.prefix:
                return item.get(field, "")
            return data.scalars.get(key, "")

        cells = []
        for column, value, style in template:
            cell = sheet.cell(row=r, column=column)
            cells.append(cell)
            cell._style = copy(style)
            if isinstance(value, str) and "{{" in value:
                for match in PLACEHOLDER.finditer(value):
                    if match.group(2):
                        merge_columns[column] = match.group(1)
                    if value.strip() == match.group(0):
                        column_fields[column] = match.group(1).partition(".")[2]
                written = _substitute(value, lookup) if items else None
                _write(cell, written)
                field = column_fields.get(column, "")
                if field in formats and isinstance(cell.value, (int, float)):
                    cell.number_format = formats[field]  # the indicator's own decimals (and 位, 亿元 …)
                if items and collection.style is not None:
                    collection.style(cell, item, field)
            else:
                cell.value = value
        filled.append(cells)
    runs: dict[tuple[int, int], int] = {}  # (row, column) -> rows its merged run spans
    for column in merge_columns:
        for first, last in _merge_runs(sheet, column, row, row + len(items) - 1):
            for r in range(first, last + 1):
                runs[(r, column)] = last - first + 1
    _fit_row_heights(sheet, row, filled, runs)
    for column, field in column_fields.items():
        if f"{collection.prefix}.{field}" in data.hide_empty and all(
            sheet.cell(row=r, column=column).value in (None, "") for r in range(row, row + max(len(items), 1))
        ):
            from openpyxl.utils import get_column_letter

            sheet.column_dimensions[get_column_letter(column)].hidden = True


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column `width` characters wide (CJK characters count two)."""
    import math

    from exports.sheet_style import display_width

    # 5% spare: digits and punctuation beside CJK text are set a little wider than half a character
    return sum(max(1, math.ceil(display_width(part) * 1.05 / max(width - 1, 1))) for part in str(text).split("\n"))


def _fit_row_heights(sheet, first: int, rows: list[list], runs: dict[tuple[int, int], int]) -> None:
    """Excel does not grow a row for wrapped text when a file is opened; WPS and LibreOffice differ again.
    A line is 1.5 × the font size: CJK fonts (Noto/Source Han, the usual stand-ins) set lines about 1.45 em apart.
    Set each filled row's height from the lines its longest wrapped cell needs, so all three print alike.
    A merged cell spreads its lines over the rows it spans (a run of one row still needs its own lines)."""
    import math

    from openpyxl.utils import get_column_letter

    widths = {}
    for offset, cells in enumerate(rows):
        r = first + offset
        lines, size = 1, 11.0
        for cell in cells:
            if cell.value is None:
                continue
            if cell.column not in widths:
                widths[cell.column] = sheet.column_dimensions[get_column_letter(cell.column)].width or 8.43
            size = max(size, float(cell.font.size or 11))
            needed = text_lines(_as_text(cell.value), widths[cell.column]) if cell.alignment.wrap_text else 1
            span = runs.get((r, cell.column), 1)
            lines = max(lines, math.ceil(needed / span))
        sheet.row_dimensions[r].height = round(lines * size * 1.5 + 4, 1)


def _merge_runs(sheet, column: int, first: int, last: int) -> list[tuple[int, int]]:
    """Merge runs of equal values in a column; returns every run (first row, last row), single rows too."""
    values = [c.value for (c,) in sheet.iter_rows(min_row=first, max_row=last, min_col=column, max_col=column)]
    runs = []
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[start]:
            if index - 1 > start:
                sheet.merge_cells(start_row=first + start, start_column=column, end_row=first + index - 1, end_column=column)
            runs.append((first + start, first + index - 1))
            start = index
    return runs


def load_template(path: str | Path):
    """Open an office's template (untrusted input: size-checked, read with defusedxml installed)."""
    import zipfile

    from openpyxl import load_workbook

    path = Path(path)
    if not path.exists():
        raise UserInputError(f"找不到模板文件：{path}")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UserInputError(f"模板 {path.name} 不是 .xlsx 文件。请在 Excel/WPS 中另存为 .xlsx。")
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(i.file_size for i in archive.infolist()) > 100 * 1024 * 1024:
                raise UserInputError(f"模板 {path.name} 解压后过大，不像是表格模板。")
        return load_workbook(path)
    except UserInputError:
        raise
    except Exception:
        raise UserInputError(f"模板 {path.name} 无法作为 Excel 工作簿打开（文件可能已损坏）。") from None
