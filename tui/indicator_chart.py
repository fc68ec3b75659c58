"""The indicator detail panel's chart: the indicator's path in the terminal, beside the panel's text.

Three lines from core.chart_series (the same numbers as the meeting pack's Excel charts): 实际 as 「●」 joined
by 「•」, 序时 as 「△」 joined by 「·」, and the target as a row of 「┄」; a year without a figure is a gap. Each line has its own glyph, so the
chart reads the same without colour (a monochrome terminal, a screenshot pasted into a report); colour only
adds emphasis. Drawn with characters of our own (no plotting library): one character cell per point.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget

from core.chart_series import IndicatorSeries, axis_bounds

ACTUAL_POINT, ACTUAL_LINE = "●", "•"
SCHEDULE_POINT, SCHEDULE_LINE = "△", "·"
TARGET_LINE = "┄"
STYLES = {ACTUAL_POINT: "bold", ACTUAL_LINE: "bold", SCHEDULE_POINT: "cyan", SCHEDULE_LINE: "cyan",
          TARGET_LINE: "yellow"}
# Drawn later wins a cell: the actual values matter most, the flat target least.
_RANK = {" ": 0, TARGET_LINE: 1, SCHEDULE_LINE: 2, ACTUAL_LINE: 3, SCHEDULE_POINT: 4, ACTUAL_POINT: 5}


def axis_text(value: float, step: float) -> str:
    """An axis label with as many decimals as the step needs: 1500, 97.5, 0.25."""
    decimals = 0 if step >= 1 else (1 if step * 10 >= 1 else 2)
    return f"{value:,.{decimals}f}"


def _line(canvas: list[list[str]], x0: int, y0: int, x1: int, y1: int, glyph: str) -> None:
    """The cells between two points (ends excluded), one per column."""
    for x in range(x0 + 1, x1):
        y = round(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
        _put(canvas, x, y, glyph)


def _put(canvas: list[list[str]], x: int, y: int, glyph: str) -> None:
    if 0 <= y < len(canvas) and 0 <= x < len(canvas[0]) and _RANK[glyph] >= _RANK[canvas[y][x]]:
        canvas[y][x] = glyph


def chart_text(series: IndicatorSeries, width: int, height: int) -> Text:
    """The chart in `width` × `height` cells: plot rows, the year axis, then the legend."""
    plot_rows = max(height - 2, 2)
    points = series.points()
    low, high, step = axis_bounds(points, ticks=max(plot_rows - 1, 1))
    labels = [axis_text(high, step), axis_text(low, step)]
    label_width = max(len(label) for label in labels)
    plot_width = max(width - label_width - 1, len(series.years))
    count = len(series.years)
    xs = [round(i * (plot_width - 1) / max(count - 1, 1)) for i in range(count)]

    def row_of(value: float) -> int:
        return round((high - value) / (high - low) * (plot_rows - 1)) if high > low else plot_rows // 2

    canvas = [[" "] * plot_width for _ in range(plot_rows)]
    if series.target_value is not None:
        for x in range(plot_width):
            _put(canvas, x, row_of(series.target_value), TARGET_LINE)
    for values, point, joint in ((series.schedule, SCHEDULE_POINT, SCHEDULE_LINE),
                                 (series.actual, ACTUAL_POINT, ACTUAL_LINE)):
        placed = {i: (xs[i], row_of(v)) for i, v in enumerate(values) if v is not None}
        for i, (x0, y0) in placed.items():
            if i + 1 in placed:  # a year without a figure is a gap, as in the pack's Excel charts
                _line(canvas, x0, y0, *placed[i + 1], joint)
        for x, y in placed.values():
            _put(canvas, x, y, point)

    out = Text(no_wrap=True, overflow="crop")
    for index, cells in enumerate(canvas):
        label = labels[0] if index == 0 else labels[1] if index == plot_rows - 1 else ""
        out.append(label.rjust(label_width) + "┤", style="dim")
        for glyph in cells:
            out.append(glyph, style=STYLES.get(glyph, ""))
        out.append("\n")
    out.append(" " * label_width + "└", style="dim")
    out.append(_year_axis(series.years, xs, plot_width), style="dim")
    out.append("\n")
    out.append_text(legend(series))
    return out


def _year_axis(years: tuple[int, ...], xs: list[int], width: int) -> str:
    """Years under their points: in full where there is room, else their last two digits."""
    spacing = min((b - a for a, b in zip(xs, xs[1:])), default=width)
    texts = [str(y) if spacing >= 5 else f"{y % 100:02d}" for y in years]
    axis = [" "] * width
    for x, text in zip(xs, texts):
        start = max(0, min(x - len(text) // 2, len(axis) - len(text)))
        if all(c == " " for c in axis[max(start - 1, 0):start + len(text)]):
            axis[start:start + len(text)] = list(text)
    return "".join(axis).rstrip()


def legend(series: IndicatorSeries) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f"{ACTUAL_POINT}{ACTUAL_LINE}", style=STYLES[ACTUAL_POINT])
    out.append("累计实际 " if series.cumulative else "实际 ")
    out.append(f"{SCHEDULE_POINT}{SCHEDULE_LINE}", style=STYLES[SCHEDULE_POINT])
    out.append("序时 ")
    out.append(TARGET_LINE * 2, style=STYLES[TARGET_LINE])
    out.append("目标")
    if series.target_value is not None:
        out.append(short_number(series.target_value))
    return out


def short_number(value: float) -> str:
    """1,429.4 → 「1,429」; 4.0 → 「4」; 8.25 → 「8.25」."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def placeholder(series: IndicatorSeries | None) -> str:
    """What the chart's place says when there is nothing to draw."""
    if series is None:
        return "走势图：该指标的目标不是数值（定性目标或与经济发展同步），不绘制走势图。"
    first = series.years[1] if len(series.years) > 1 else series.years[0]
    return f"走势图：尚未录入{first}年以来的实际值，录入后在此显示实际值与序时进度、目标的对比。"


class IndicatorChart(Widget):
    """The chart beside the detail panel's text (tui.grid), redrawn by `show` whenever the panel is."""

    SCOPED_CSS = False  # the short-screen rule below names the grid screen
    DEFAULT_CSS = """
    IndicatorChart { width: 46; height: 11; padding: 0 1; border-top: solid $panel-lighten-2; }
    #grid-screen.-short IndicatorChart { height: 6; }
    DetailRow { height: auto; }
    DetailRow > #detail { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: IndicatorSeries | None = None
        self.empty = True  # no indicator under the cursor

    def show(self, series: IndicatorSeries | None, *, indicator: bool = True) -> None:
        self.series, self.empty = series, not indicator
        self.refresh()

    @property
    def drawn(self) -> bool:
        """Whether a chart (not a placeholder) is showing."""
        return not self.empty and self.series is not None and self.series.has_actuals

    def render(self) -> Text:
        if self.empty:
            return Text("")
        if not self.drawn:
            return Text(placeholder(self.series), style="dim")
        size = self.content_size
        return chart_text(self.series, max(size.width, 20), max(size.height, 4))


class DetailRow(Horizontal):
    """The detail panel's text and its chart, side by side."""
