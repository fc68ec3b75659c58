"""The meeting pack's sheet of charts: one native Excel line chart per main indicator with a numeric target.

Each chart draws three lines from core.chart_series (the same numbers as the TUI's detail panel): 实际值
(solid, filled circles), 序时进度 (dashed, open triangles) and 目标 (dotted, no markers), all in black or grey,
so a black-and-white printout tells them apart by line style and marker, not by colour.

Layout: every chart fills one cell of a grid, two charts per row; a row is as high as a chart and a column as
wide, so the printed page is predictable in Excel, WPS and LibreOffice alike. Four charts to an A4 landscape
page (two rows), or, with `per_page=2`, two larger charts to an A4 portrait page (one column). The numbers the
charts plot are written to the right of the grid (outside the print area) as ordinary cells, one block of four
rows per indicator: the year row, then 实际值, 序时进度 and 目标.

An office template places the sheet with a cell holding `{{charts}}` (see docs/templates.md): the grid starts
at that cell; rows above it (a title) are kept and repeated on every printed page.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from core.chart_series import IndicatorSeries, axis_bounds

SHEET_TITLE = "指标走势图"
PLACEHOLDER = "{{charts}}"
# What the placeholder is turned into before the template is checked and filled, so that it travels with its
# cell when repeated rows above it push it down; it is removed when the charts are placed.
MARKER = "〔guihua:charts〕"

ACTUAL, SCHEDULE, TARGET = "实际值", "序时进度", "目标"


@dataclass(frozen=True)
class Layout:
    """Chart and cell sizes for a number of charts per A4 page."""

    per_page: int  # 2 or 4
    columns: int  # charts side by side
    landscape: bool
    width_cm: float
    height_cm: float

    @classmethod
    def for_page(cls, per_page: int) -> "Layout":
        if per_page == 2:  # A4 portrait: 18.4 cm × 26 cm inside the margins, two charts one above the other
            return cls(2, 1, False, 17.6, 11.8)
        # A4 landscape: 27 cm × 17.4 cm inside the margins, less the title rows: two rows of two
        return cls(4, 2, True, 13.0, 7.0)

    @property
    def rows_per_page(self) -> int:
        return self.per_page // self.columns

    @property
    def column_width(self) -> float:
        """Excel's column width (characters of the default font) for the chart width plus a small gutter:
        a width w is 7w + 5 pixels at 96 dpi."""
        pixels = (self.width_cm + 0.4) / 2.54 * 96
        return round((pixels - 5) / 7, 2)

    @property
    def row_height(self) -> float:
        """Row height in points for the chart height plus a small gutter."""
        return round((self.height_cm + 0.3) / 2.54 * 72, 1)


@dataclass(frozen=True)
class ChartItem:
    series: IndicatorSeries
    number_format: str = "General"  # the indicator's own (exports.meeting_pack.number_format)


def find_placeholder(workbook):
    """Turn the template's `{{charts}}` cell into MARKER (checked and filled like any other cell) and return
    its sheet, or None. Only the first one counts; further ones are emptied."""
    found = None
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.replace(" ", "") == PLACEHOLDER:
                    cell.value = MARKER if found is None else None
                    found = found or sheet
    return found


def _marker_cell(sheet):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == MARKER:
                return cell
    return None


def remove_placeholder(workbook, sheet) -> None:
    """Charts are off: the template's chart sheet is left out (unless it is the only sheet, then emptied)."""
    if len(workbook.worksheets) > 1:
        workbook.remove(sheet)
        return
    cell = _marker_cell(sheet)
    if cell is not None:
        cell.value = None


def place_charts(workbook, items: Sequence[ChartItem], *, title: str, note: str, per_page: int = 4,
                 sheet=None, fonts=None):
    """Add the charts: on `sheet` at its placeholder (a template's), else on a new last sheet. Returns the sheet."""
    from openpyxl.styles import Alignment

    from exports.sheet_style import Fonts, font, print_setup

    layout = Layout.for_page(per_page)
    fonts = fonts or Fonts()
    own = sheet is None
    if own:
        sheet = workbook.create_sheet(SHEET_TITLE)
        first_row, first_column = 3, 1
        sheet.cell(row=1, column=1, value=title).font = font(fonts.title, min(fonts.title_size, 16))
        sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=layout.columns)
        sheet.row_dimensions[1].height = 30
        sheet.cell(row=2, column=1, value=note).font = font(fonts.body, fonts.note_size)
        sheet.cell(row=2, column=1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=layout.columns)
        sheet.row_dimensions[2].height = 20 if layout.landscape else 32  # the note takes two lines upright
    else:
        cell = _marker_cell(sheet)
        first_row, first_column = (cell.row, cell.column) if cell is not None else (sheet.max_row + 2, 1)
        if cell is not None:
            cell.value = None
    if not items:
        sheet.cell(row=first_row, column=first_column, value="没有可绘制走势图的主要指标（需有数值目标）。")
        return sheet
    _size_grid(sheet, layout, first_row, first_column, len(items))
    data_column = first_column + layout.columns + 1
    for index, item in enumerate(items):
        data_row = first_row + index * 4
        _write_data(sheet, item, data_row, data_column)
        chart = _line_chart(sheet, item, data_row, data_column, layout, fonts)
        chart.anchor = _cell_anchor(first_row + index // layout.columns, first_column + index % layout.columns)
        sheet.add_chart(chart)
    last_row = first_row + (len(items) - 1) // layout.columns
    _print_layout(sheet, layout, first_row, first_column, last_row, own, print_setup)
    return sheet


GUTTER_EMU = 108000  # 3 mm left of and above each chart: the gap to its neighbours (360,000 EMU to the cm)


def _cell_anchor(row: int, column: int):
    """Anchor a chart to the corners of one cell (1-based), so that it fills the cell in every reader
    whatever width it gives a column (readers turn Excel's character widths into centimetres differently)."""
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

    return TwoCellAnchor(editAs="twoCell",
                         _from=AnchorMarker(col=column - 1, colOff=GUTTER_EMU, row=row - 1, rowOff=GUTTER_EMU),
                         to=AnchorMarker(col=column, colOff=0, row=row, rowOff=0))


def _size_grid(sheet, layout: Layout, first_row: int, first_column: int, count: int) -> None:
    from openpyxl.utils import get_column_letter

    for column in range(first_column, first_column + layout.columns):
        sheet.column_dimensions[get_column_letter(column)].width = layout.column_width
    for row in range(first_row, first_row + (count + layout.columns - 1) // layout.columns):
        sheet.row_dimensions[row].height = layout.row_height


def _write_data(sheet, item: ChartItem, row: int, column: int) -> None:
    """The block a chart plots: years across, one row per line. Written as plain values (no formulas)."""
    from exports.sheet_style import set_text

    series = item.series
    label = f"{series.name}（{series.unit}）" if series.unit else series.name
    set_text(sheet.cell(row=row, column=column), label)
    for offset, year in enumerate(series.years, start=1):
        sheet.cell(row=row, column=column + offset, value=f"{year}年")
    target_name = f"{TARGET}（{series.target_text}）" if series.target_text else TARGET
    lines = ((ACTUAL + ("（累计）" if series.cumulative else ""), series.actual), (SCHEDULE, series.schedule),
             (target_name, series.target))
    for line_offset, (name, values) in enumerate(lines, start=1):
        set_text(sheet.cell(row=row + line_offset, column=column), name)
        for offset, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row + line_offset, column=column + offset, value=value)
            cell.number_format = item.number_format


# (line dash, width in EMU, colour, marker symbol, marker filled) per line: told apart without colour
_STYLES = {
    ACTUAL: ("solid", 28575, "000000", "circle", True),
    SCHEDULE: ("dash", 19050, "404040", "triangle", False),
    TARGET: ("sysDot", 22225, "000000", "none", False),
}


@functools.lru_cache(maxsize=8)
def text_properties(size: float, typeface: str):
    """Axis and legend text (shared by every chart: building them was a fifth of the sheet's time)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    face = Font(typeface=typeface)
    run = CharacterProperties(sz=int(size * 100), latin=face, ea=face)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=run), endParaRPr=run)])


def _line_chart(sheet, item: ChartItem, row: int, column: int, layout: Layout, fonts):
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.layout import Layout as PlotLayout
    from openpyxl.chart.layout import ManualLayout
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.chart.marker import Marker
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties
    from openpyxl.drawing.text import CharacterProperties, Font, ParagraphProperties

    series = item.series
    count = len(series.years)
    chart = LineChart()
    chart.width, chart.height = layout.width_cm, layout.height_cm
    values = Reference(sheet, min_col=column, max_col=column + count, min_row=row + 1, max_row=row + 3)
    chart.add_data(values, from_rows=True, titles_from_data=True)
    years = Reference(sheet, min_col=column + 1, max_col=column + count, min_row=row, max_row=row)
    for line in chart.series:  # the years are text (「2025年」): a string reference, as Excel writes one
        line.cat = AxDataSource(strRef=StrRef(f=str(years)))

    for line, kind in zip(chart.series, (ACTUAL, SCHEDULE, TARGET)):
        dash, width, colour, symbol, filled = _STYLES[kind]
        line.smooth = False
        line.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=colour, w=width, prstDash=dash))
        line.marker = Marker(symbol=symbol, size=7 if symbol != "none" else None)
        if symbol != "none":
            line.marker.graphicalProperties = GraphicalProperties(
                solidFill=colour if filled else "FFFFFF", ln=LineProperties(solidFill=colour, w=12700))
    chart.title = f"{series.name}（{series.unit}）" if series.unit else series.name
    chart.title.tx.rich.p[0].pPr = ParagraphProperties(defRPr=CharacterProperties(
        sz=1100, b=True, latin=Font(typeface=fonts.heading), ea=Font(typeface=fonts.heading)))
    chart.legend.position = "b"
    chart.legend.txPr = text_properties(9, fonts.body)
    chart.display_blanks = "gap"  # a year without a figure is a gap, not a drop to zero
    low, high, step = axis_bounds(series.points())
    chart.y_axis.scaling.min, chart.y_axis.scaling.max, chart.y_axis.majorUnit = low, high, step
    chart.y_axis.number_format = item.number_format
    chart.y_axis.majorGridlines.spPr = GraphicalProperties(ln=LineProperties(solidFill="D9D9D9", w=6350))
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
        axis.txPr = text_properties(9, fonts.body)
    chart.layout = PlotLayout(manualLayout=ManualLayout(x=0.02, y=0.12, w=0.96, h=0.68))
    return chart


def _print_layout(sheet, layout: Layout, first_row: int, first_column: int, last_row: int, own: bool,
                  print_setup) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break, RowBreak

    header_rows = f"1:{first_row - 1}" if first_row > 1 else None
    if own or not sheet.print_title_rows:
        print_setup(sheet, header_rows or "1:1", landscape=layout.landscape)
        if header_rows is None:
            sheet.print_title_rows = None
    else:
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if layout.landscape else "portrait"
    last_column = get_column_letter(first_column + layout.columns - 1)
    sheet.print_area = f"A1:{last_column}{last_row}"
    breaks = RowBreak()
    for row in range(first_row + layout.rows_per_page - 1, last_row, layout.rows_per_page):
        breaks.append(Break(id=row))
    sheet.row_breaks = breaks
