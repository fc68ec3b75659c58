"""The indicator grid's detail panel: the cursor's indicator in full — who leads it, its targets, expected (序时)
against actual values, the status and why, the year's notes and the last few changes.

The panel follows the cursor after a short pause (DETAIL_DELAY), so typing a column of figures or holding ↓
repaints only the grid per key. It reads nothing itself: the screen hands it a DetailContext, and the change
history arrives later (the panel asks with HistoryWanted and is given it by `history_read`). To show more (a
chart), add a widget in `compose` and fill it in `show`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from core.chart_series import series_on_path
from core.period import Period
from core.progress import Assessment
from core.targets import TargetKind
from db.indicators import HistoryEntry, IndicatorView, decimal_text, status_label
from tui import grid_render as render
from tui.indicator_chart import DetailRow, IndicatorChart

DETAIL_HISTORY = 4
DETAIL_DELAY = 0.08


@dataclass(frozen=True)
class DetailContext:
    """What the panel shows: the cursor's indicator, judged as of `as_of`, and the year column it is on."""

    view: IndicatorView
    assessment: Assessment | None
    as_of: int
    year: int | None
    period: Period | None
    path: dict[int, float | None]  # the 序时 value expected each plan year


class DetailPanel(Vertical):
    DEFAULT_CSS = """
    DetailPanel { height: auto; }
    """

    class HistoryWanted(Message):
        """The panel has no change history for this indicator yet."""

        def __init__(self, indicator_id: int) -> None:
            super().__init__()
            self.indicator_id = indicator_id

    def __init__(self, context: Callable[[], DetailContext | None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._context_of = context
        self._shown: tuple[int | None, int | None] | None = None  # (indicator, year column) on show
        self._timer: Timer | None = None
        self._history: dict[int, list[HistoryEntry]] = {}  # last few changes per indicator
        self._asked: set[int] = set()

    def compose(self) -> ComposeResult:
        with DetailRow():
            yield Static("", id="detail")
            yield IndicatorChart(id="indicator-chart")

    def follow(self, *, force: bool = False) -> None:
        """Refresh for the cursor's cell after DETAIL_DELAY (a later call restarts the wait); `force`: even
        when it is the cell already shown (its data changed)."""
        if force:
            self._shown = None
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DETAIL_DELAY, self.show)

    def forget(self, indicator_ids: set[int] | None = None) -> None:
        """Drop the change history read for these indicators (all when None): they changed."""
        if indicator_ids is None:
            self._history.clear()
            self._asked.clear()
        else:
            for indicator_id in indicator_ids:
                self._history.pop(indicator_id, None)
                self._asked.discard(indicator_id)

    def history_read(self, indicator_id: int, entries: list[HistoryEntry]) -> None:
        self._history[indicator_id] = entries
        self._asked.discard(indicator_id)
        if self._shown is not None and self._shown[0] == indicator_id:
            self._shown = None
            self.show()

    def show(self) -> None:
        """Refresh now, if the cursor's cell or its data changed since it was drawn."""
        self._timer = None
        context = self._context_of()
        shown = (context.view.id, context.year) if context is not None else (None, None)
        if shown == self._shown:
            return
        self._shown = shown
        detail = self.query_one("#detail", Static)
        if context is None:
            detail.update("")
            self.query_one(IndicatorChart).show(None, indicator=False)
            return
        entries = self._history.get(context.view.id)
        if entries is None and context.view.id not in self._asked:
            self._asked.add(context.view.id)
            self.post_message(self.HistoryWanted(context.view.id))
        detail.update(detail_renderable(context, entries))
        view = context.view
        self.query_one(IndicatorChart).show(series_on_path(view.spec(), view.values, context.path, context.period))


def detail_renderable(context: DetailContext, entries: list[HistoryEntry] | None) -> Group:
    view, assessment = context.view, context.assessment
    head = Text()
    head.append(view.name, style="bold")
    if view.unit:
        head.append(f"（{view.unit}）")
    head.append(f"  {view.category} · ")
    head.append(view.attribute or "未定属性", style="bold red" if view.binding else "")
    people = [(label, value) for label, value in (("牵头", view.lead_unit), ("配合", view.partner_units),
                                                    ("分管", view.leader)) if value]
    for label, value in people:
        head.append(f"  {label}：", style="dim")
        head.append(value)
    targets = Text("目标：", style="dim")
    words = [t.describe(context.period) for t in view.targets() if t.kind != TargetKind.NONE]
    targets.append("；".join(words) or "未设目标", style="")
    status = Text(f"{context.as_of}年：", style="dim")
    if assessment is None:
        status.append("正在判断…", style="dim")
    else:
        status.append(assessment.label, style=render.status_style(assessment.status, view.binding))
        needed = next((r.growth_needed_from_here for r in assessment.readings
                       if r.firm and r.growth_needed_from_here is not None), None)
        if needed is not None:
            words = f"此后需年均增长{needed:.1f}%" if needed >= 0 else f"此后需年均下降{-needed:.1f}%"
            status.append(f"  {words}", style="bold")
        status.append("  " + assessment.explanation)
    notes = Text()
    if view.note:
        notes.append("备注：", style="dim")
        notes.append(view.note)
    record = view.years.get(context.year or context.as_of)
    if record is not None:
        manual = "，".join(filter(None, (status_label(record.manual_status), record.manual_note)))
        bits = [(label, value) for label, value in (("阶段", record.stage), ("来源", record.source),
                                                    ("备注", record.note), ("年度目标", decimal_text(record.target)),
                                                    ("人工判断", manual)) if value]
        if bits:
            if notes:
                notes.append("  ")
            notes.append(f"{record.year}年 ", style="dim")
            notes.append("  ".join(f"{label}：{value}" for label, value in bits))
    parts = [head, targets, render.path_table(view, context.path), status]
    if notes:
        parts.append(notes)
    parts.append(render.history_text(entries) if entries is not None else Text("正在读取修改记录…", style="dim"))
    return Group(*parts)
