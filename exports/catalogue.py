"""Writing an indicator catalogue in the layout the catalogue importer reads, so an export imports back
unchanged: 类别 | 指标 | 单位 | YYYY年基数 | YYYY年目标 | 年均增速 | 属性 | 牵头单位 | 配合单位 | 分管领导 | 文中出处,
the years being the plan's own base and target years (db.plan_store.plan_period).

Text never runs as a formula: in the .xlsx it is stored as text; in the .csv, which Excel and WPS open by
evaluating 「=…」 and its kin, a formula-like text is written with a leading 「'」 (the catalogue importer reads
it back without it). The file is made in memory and put on disk by exports.sheet_style.save_bytes."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from core.errors import UserInputError
from db.engine import Database
from db.indicators import catalogue_headers, list_indicators, text_anchors
from db.plan_store import plan_period


EXPORT_COLUMNS = ("category", "name", "unit", "base", "target_text", "growth_text", "attribute",
                  "lead_unit", "partner_units", "leader", "text_anchor")


def catalogue_table(database: Database, plan_id: int) -> list[list[str]]:
    with database.session() as session:
        views = list_indicators(session, plan_id)
        anchors = text_anchors(session, plan_id)
        headers = catalogue_headers(plan_period(session, plan_id))
    table = [[headers[k] for k in EXPORT_COLUMNS]]
    for view in views:
        base = view.values.get(view.base_year)
        table.append([
            view.category, view.name, view.unit, "" if base is None else format(base, "f"),
            view.target_text, view.growth_text, view.attribute,
            view.lead_unit, view.partner_units, view.leader, anchors.get(view.id, ""),
        ])
    return table


def export_catalogue_file(database: Database, plan_id: int, path: str | Path) -> int:
    """Write the catalogue as .xlsx or .csv (UTF-8 with BOM, which Excel opens correctly). Returns row count."""
    from exports.sheet_style import save_bytes

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UserInputError(f"{path.name}：请用 .xlsx 或 .csv 作为文件扩展名。")
    table = catalogue_table(database, plan_id)
    save_bytes(_csv_bytes(table) if suffix == ".csv" else _xlsx_bytes(table), path)
    return len(table) - 1


# What Excel, WPS and LibreOffice take as the start of a formula when they open a CSV file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?%?")


def csv_safe(text: str) -> str:
    """A CSV cell that cannot run as a formula: 「=cmd|'/c calc'!A1」 → 「'=cmd|'/c calc'!A1」; numbers such as
    「-3.5」 and 「-2%」 stay numbers."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_bytes(table: list[list[str]]) -> bytes:
    from core.text_hygiene import clean_text

    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[csv_safe(clean_text(cell, multiline=True)) for cell in row] for row in table])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_bytes(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    from exports.sheet_style import set_text, workbook_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "指标目录"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    numeric_column = EXPORT_COLUMNS.index("base")
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if r > 1 and c - 1 == numeric_column and value:
                cell.value = Decimal(value)
                cell.number_format = "General"
            else:
                set_text(cell, value)  # text from users is never a formula, even when it starts with "="
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if r == 1:
                cell.font = Font(bold=True)
    widths = (12, 36, 8, 12, 16, 16, 8, 14, 20, 10, 30)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "C2"
    return workbook_bytes(workbook, "导出指标目录")
