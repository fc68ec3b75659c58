"""The summary screen's spread of statuses: one bar per indicator category, split by status, with the counts.

Each status has its own fill character as well as its colour (█ achieved, ▓ ahead, ▒ on track, ░ behind,
╳ at risk, ▞ needs a person, · no data), so the bars read without colour too. The counting is
core.chart_series.plan_status_spread (main indicators by 类别, then the text targets in one row); this module
only draws it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from core.chart_series import STATUS_ORDER, StatusCount
from core.progress import Status, status_word

GLYPHS = {
    Status.ACHIEVED: "█",
    Status.AHEAD: "▓",
    Status.ON_TRACK: "▒",
    Status.BEHIND: "░",
    Status.AT_RISK: "╳",
    Status.MANUAL: "▞",
    Status.NO_DATA: "·",
}
STYLES = {
    Status.ACHIEVED: "green",
    Status.AHEAD: "green",
    Status.ON_TRACK: "green",
    Status.BEHIND: "yellow",
    Status.AT_RISK: "bold red",
    Status.MANUAL: "cyan",
    Status.NO_DATA: "dim",
}
NAME_WIDTH = 14


def _clip(text: str, width: int) -> str:
    out = ""
    for char in text:
        if cell_len(out + char) > width - (1 if cell_len(text) > width else 0):
            return out + "…"
        out += char
    return out


def _segments(counts: list[tuple[Status, int]], width: int) -> list[tuple[Status, int]]:
    """Cells per status for a bar `width` cells long: proportional, every status present gets at least one."""
    total = sum(n for _, n in counts)
    if total == 0:
        return []
    cells = [(s, max(1, round(n * width / total))) for s, n in counts]
    while sum(c for _, c in cells) > width and any(c > 1 for _, c in cells):
        index = max(range(len(cells)), key=lambda i: cells[i][1])
        cells[index] = (cells[index][0], cells[index][1] - 1)
    return cells


def spread_text(spread: list[StatusCount], final: bool, width: int) -> Text:
    """A legend line, then one line per category: name, bar, counts."""
    out = Text(no_wrap=True, overflow="ellipsis")
    present = [s for s in STATUS_ORDER if any(c.count(s) for c in spread)]
    words: dict[str, list[Status]] = {}
    for status in present:  # in the target year several statuses share a word (已完成)
        words.setdefault(status_word(status, final), []).append(status)
    for word, statuses in words.items():
        for status in statuses:
            out.append(GLYPHS[status], style=STYLES[status])
        out.append(f"{word}  ")
    out.append("\n")
    largest = max((c.total for c in spread), default=1)
    bar_room = max(width - NAME_WIDTH - 1 - 2 - 4 * len(present) - 4, 10)
    # one scale for every bar (an indicator is as wide in each row): up to 3 cells, less when the largest
    # category would not fit
    per_indicator = min(3.0, bar_room / largest)
    counts_at = max(round(largest * per_indicator), max(len(c.counts) for c in spread))
    for index, row in enumerate(spread):
        name = _clip(row.category, NAME_WIDTH)
        out.append(name + " " * (NAME_WIDTH - cell_len(name) + 1))
        length = max(len(row.counts), round(row.total * per_indicator))
        drawn = 0
        for status, cells in _segments(list(row.counts), length):
            out.append(GLYPHS[status] * cells, style=STYLES[status])
            drawn += cells
        out.append(" " * (counts_at - drawn + 1))
        out.append("  ".join(f"{GLYPHS[s]}{n}" for s, n in row.counts))
        out.append(f"  共{row.total}", style="dim")
        if index < len(spread) - 1:
            out.append("\n")
    return out


class StatusSpread(Widget):
    """The bars, above the summary's tables (tui.projects SummaryScreen)."""

    DEFAULT_CSS = """
    StatusSpread { height: auto; padding: 0 1; border-bottom: solid $panel-lighten-2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spread: list[StatusCount] = []
        self.final = False
        self.judged = False  # until the screen's assessment arrives

    def show(self, spread: list[StatusCount], final: bool = False) -> None:
        """The counts (core.chart_series.plan_status_spread); `final`: judged in the target year (已完成 / 未完成)."""
        self.spread, self.final, self.judged = spread, final, True
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.spread) + 1 if self.spread else 1

    def render(self) -> Text:
        if not self.spread:
            return Text("各类指标完成情况：" + ("尚无指标。" if self.judged else "正在判断…"), style="dim")
        return spread_text(self.spread, self.final, self.content_size.width or 100)
