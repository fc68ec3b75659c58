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
    # Optional per-cell change of look after a value is written (status colours, overdue in red): given the item
    # and the cell's field, an Emphasis or None.
    style: Callable[[Mapping[str, object], str], "Emphasis | None"] | None = None


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
    elif type(value) in (int, float):  # what the cell.value setter does for them, without its type dispatch
        cell._value, cell.data_type = value, "n"
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

    styles = _StyleCache()
    for sheet in list(workbook.worksheets):
        found = _repeat_row(sheet, data.collections)
        filled = range(0)
        if found is not None:
            row, prefix = found
            collection = data.collections[prefix]
            if not collection.items and prefix in data.drop_empty_sheets and len(workbook.worksheets) > 1:
                workbook.remove(sheet)
                continue
            _fill_rows(sheet, row, collection, data, styles)
            filled = range(row, row + max(len(collection.items), 1))
        # the rest of the sheet; the repeated rows already have their scalars, and an item's own text that
        # happens to hold 「{{…}}」 is data, not a placeholder
        for cell in list(sheet._cells.values()):
            if isinstance(cell.value, str) and "{{" in cell.value and cell.row not in filled:
                _write(cell, _substitute(cell.value, scalar))


def _row_cells(sheet, row: int) -> list:
    """The cells of one row, read once: `sheet[row]` makes openpyxl scan the whole sheet for its bounds on
    every call, which made a long pack quadratic."""
    return list(next(sheet.iter_rows(min_row=row, max_row=row, max_col=sheet.max_column), ()))


@dataclass(frozen=True)
class _TemplateCell:
    """One cell of a repeated row, its placeholders parsed once for every item."""

    column: int
    value: object
    style: object  # openpyxl's StyleArray, copied to every repetition
    key: str = ""  # the placeholder when the cell holds nothing else (a typed value)
    field: str = ""  # the collection field of `key`
    merge: bool = False

    @property
    def placeholder(self) -> bool:
        return isinstance(self.value, str) and "{{" in self.value


def _template_cells(sheet, row: int) -> list[_TemplateCell]:
    from openpyxl.styles.cell_style import StyleArray

    cells = []
    for cell in _row_cells(sheet, row):
        value, key, merge = cell.value, "", False
        if isinstance(value, str) and "{{" in value:
            matches = list(PLACEHOLDER.finditer(value))
            merge = any(m.group(2) for m in matches)
            if len(matches) == 1 and matches[0].group(0) == value.strip():
                key = matches[0].group(1)
        style = StyleArray(cell._style) if cell._style is not None else StyleArray()  # None: never styled
        cells.append(_TemplateCell(cell.column, value, style, key, key.partition(".")[2], merge))
    return cells


class _StyleCache:
    """Styles computed once per distinct (template style, change) and copied to every cell that needs them:
    openpyxl dedups styles by value, but building and hashing a Font or Border for each of tens of thousands of
    cells took seconds at district scale."""

    def __init__(self) -> None:
        self.emphasised: dict[tuple, object] = {}
        self.merged: dict[tuple, tuple] = {}

    def emphasise(self, cell, emphasis: "Emphasis") -> None:
        key = (tuple(cell._style), emphasis)
        if key not in self.emphasised:
            emphasis.apply(cell)
            self.emphasised[key] = copy(cell._style)
        cell._style = copy(self.emphasised[key])

    def merged_styles(self, sheet, start, end) -> tuple:
        """(first, middle, last) styles of a merged vertical run whose first and last cells look like `start`
        and `end`: what openpyxl's merge_cells gives them (borders kept on the run's outline), computed by
        merging three cells of a scratch sheet."""
        key = (tuple(start._style), tuple(end._style))
        if key not in self.merged:
            from openpyxl.worksheet.worksheet import Worksheet

            scratch = Worksheet(sheet.parent, title="scratch")
            scratch.cell(row=1, column=1)._style = copy(start._style)
            scratch.cell(row=3, column=1)._style = copy(end._style)
            scratch.merge_cells(start_row=1, start_column=1, end_row=3, end_column=1)
            self.merged[key] = tuple(copy(scratch._cells[(r, 1)]._style) for r in (1, 2, 3))
        return self.merged[key]


@dataclass(frozen=True)
class Emphasis:
    """A cell's change of look for its item (status colours, overdue in red): the fill, and the font in the
    template's face and size with this colour; `bold` None keeps the template's weight."""

    color: str
    fill: str | None = None
    bold: bool | None = None

    def apply(self, cell) -> None:
        from openpyxl.styles import Font, PatternFill

        if self.fill:
            cell.fill = PatternFill("solid", start_color=self.fill, end_color=self.fill)
        base = cell.font
        bold = bool(base.bold) if self.bold is None else self.bold
        cell.font = Font(name=base.name, size=base.size, bold=bold, color=self.color)


def _fill_rows(sheet, row: int, collection: Collection, data: TemplateData, styles: _StyleCache) -> None:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles.cell_style import StyleArray

    template = _template_cells(sheet, row)
    items = collection.items
    _shift_below(sheet, row, len(items) - 1)
    merge_columns = [t.column for t in template if t.merge]
    column_fields = {t.column: t.field for t in template if t.key}
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
        for spot in template:
            cell = sheet._cells.get((r, spot.column))  # sheet.cell() checks its arguments: slow for 10⁵ cells
            if cell is None:
                cell = sheet._cells[(r, spot.column)] = Cell(sheet, row=r, column=spot.column)
            cells.append(cell)
            cell._style = StyleArray(spot.style)
            if not spot.placeholder:
                cell.value = spot.value
                continue
            if not items:
                written = None
            elif spot.key:
                written = lookup(spot.key)  # a typed value
            else:
                written = PLACEHOLDER.sub(lambda m: _as_text(lookup(m.group(1))), spot.value)
            _write(cell, written)
            if spot.field in formats and isinstance(cell.value, (int, float)):
                cell.number_format = formats[spot.field]  # the indicator's own decimals (and 位, 亿元 …)
            if items and collection.style is not None:
                emphasis = collection.style(item, spot.field)
                if emphasis is not None:
                    styles.emphasise(cell, emphasis)
        filled.append(cells)
    runs: dict[tuple[int, int], int] = {}  # (row, column) -> rows its merged run spans
    for column in merge_columns:
        for first, last in _merge_runs(sheet, column, row, row + len(items) - 1, styles):
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
    looks: dict[tuple[int, int], tuple[float, bool]] = {}  # (font, alignment) ids -> (size, wraps)
    measured: dict[tuple[str, int], int] = {}  # (text, column) -> lines
    for offset, cells in enumerate(rows):
        r = first + offset
        lines, size = 1, 11.0
        for cell in cells:
            if cell.value is None:
                continue
            if cell.column not in widths:
                widths[cell.column] = sheet.column_dimensions[get_column_letter(cell.column)].width or 8.43
            style = cell._style
            look = (style[0], style[5])  # StyleArray's fontId and alignmentId, without its Python descriptors
            if look not in looks:
                looks[look] = (float(cell.font.size or 11), bool(cell.alignment.wrap_text))
            font_size, wraps = looks[look]
            size = max(size, font_size)
            needed = 1
            if wraps:
                measure = (_as_text(cell.value), cell.column)  # units, statuses, chapters repeat row after row
                if measure not in measured:
                    measured[measure] = text_lines(measure[0], widths[cell.column])
                needed = measured[measure]
            span = runs.get((r, cell.column), 1)
            lines = max(lines, math.ceil(needed / span))
        sheet.row_dimensions[r].height = round(lines * size * 1.5 + 4, 1)


def _merge_runs(sheet, column: int, first: int, last: int, styles: _StyleCache) -> list[tuple[int, int]]:
    """Merge runs of equal values in a column; returns every run (first row, last row), single rows too."""
    values = [c.value for (c,) in sheet.iter_rows(min_row=first, max_row=last, min_col=column, max_col=column)]
    runs = []
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[start]:
            if index - 1 > start:
                _merge_run(sheet, column, first + start, first + index - 1, styles)
            runs.append((first + start, first + index - 1))
            start = index
    return runs


def _merge_run(sheet, column: int, top: int, bottom: int, styles: _StyleCache) -> None:
    """What sheet.merge_cells does for one column's run, with the styles of its cells computed once per look
    (merge_cells rebuilds and hashes a Border for every cell of the run: seconds for a 5,000-row sheet)."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.worksheet.merge import MergedCellRange
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    start, end = sheet._cells[(top, column)], sheet._cells[(bottom, column)]
    first_style, middle_style, last_style = styles.merged_styles(sheet, start, end)
    merged = MergedCellRange(sheet, f"{letter}{top}:{letter}{bottom}")
    sheet.merged_cells.add(merged)
    start._style = copy(first_style)
    for r in range(top + 1, bottom + 1):
        cell = MergedCell(sheet, row=r, column=column)
        cell._style = copy(last_style if r == bottom else middle_style)
        sheet._cells[(r, column)] = cell


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
