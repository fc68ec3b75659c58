"""The 「主要指标」 screen: every indicator of the plan in a grid, with Excel-like data entry.

Typing a digit on a year cell opens an editor over that cell (tui.grid_table); Enter saves and moves down, Tab
right. Nothing here waits for the database: reads and writes run through `fetch` (tui.base) in thread
workers and come back as messages. Writes go one after the other through a queue, so typing ahead while a
save is in flight keeps every key for the cell it was typed into: the cell shows the typed value at once, the
cursor moves on, and the stored value (or the reason it was refused) replaces it when the save returns. Only
the edited row (and rows judged against other indicators) is re-judged and repainted.

Judging comes from db/core (core.plan_years, core.indicator_filters, db.grid_views); the widgets are in
tui.grid_table (table and editor), tui.grid_detail (detail panel) and tui.grid_filters (unit filter bar);
this module decides which keys do what."""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from core.indicator_filters import IndicatorFilter, unit_names_for
from core.kinds import IndicatorKind
from core.period import Period
from core.plan_years import PasteTooLong, opening_status_year, paste_years, stepped_status_year
from core.progress import Assessment, ProgressSettings, Status
from core.targets import ValueParseError, parse_value
from db import grid_views
from db.grid_views import GridData, WriteOutcome
from db.indicators import Edit, HistoryEntry, IndicatorView, TextSource, decimal_text, view_expected_path
from tui import grid_render as render
from tui.base import DataFailed, GuihuaScreen
from tui.forms import ConfirmScreen, FormChanges, IndicatorForm
from tui.grid_detail import DETAIL_DELAY, DETAIL_HISTORY, DetailContext, DetailPanel
from tui.grid_table import CATEGORY_PREFIX, EDIT_STARTERS, EDITOR_KEYS, FINISH_KEYS, CellEditor, IndicatorTable
from db.unit_views import MyUnit, UnitChoice, read_my_unit
from tui.pickers import UnitPicker
from tui.widgets import StatusLine

__all__ = ["DETAIL_DELAY", "GridScreen"]

FIRST_ROWS = 80  # rows added before the first paint (more than a screenful); the rest follow in chunks
MORE_ROWS = 400
READ_GRID = grid_views.read_grid  # what a first show reads (bench/grid_keypress.py counts the calls)

_settled = False


def settle_memory() -> None:
    """Collect once, then exempt everything alive from later full collections (gc.freeze): the loaded grid,
    Textual and SQLAlchemy stay for the session, and a full collection scanning them all mid-typing is a
    visible pause. Runs once per process, after the grid is first painted."""
    global _settled
    if not _settled:
        _settled = True
        gc.collect()
        gc.freeze()


@dataclass(frozen=True)
class UndoItem:
    edit: Edit
    indicator_id: int
    year: int | None  # the year column to return the cursor to, for value edits
    label: str  # 「地区生产总值 YYYY年实际值」


# ----------------------------------------------------------------------------------------------------------
# Messages from the workers


class GridRead(Message):
    def __init__(self, data: GridData) -> None:
        super().__init__()
        self.data = data


class Judged(Message):
    def __init__(self, assessments: dict[int, Assessment], as_of: int, generation: int) -> None:
        super().__init__()
        self.assessments = assessments
        self.as_of = as_of
        self.generation = generation  # of the rows judged: a reload since makes the result stale


class HistoryRead(Message):
    def __init__(self, indicator_id: int, entries: list[HistoryEntry]) -> None:
        super().__init__()
        self.indicator_id = indicator_id
        self.entries = entries


class SourceRead(Message):
    def __init__(self, indicator_id: int, source: TextSource | None) -> None:
        super().__init__()
        self.indicator_id = indicator_id
        self.source = source


class UnitsRead(Message):
    """For 「我的单位」 (Ctrl+U): the unit list and who the user is bound to."""

    def __init__(self, my_unit: MyUnit) -> None:
        super().__init__()
        self.my_unit = my_unit


class MyUnitRead(Message):
    def __init__(self, my_unit: MyUnit, said: str = "", *, saved: bool = False) -> None:
        super().__init__()
        self.my_unit = my_unit
        self.said = said  # what to tell the user once it is in effect
        self.saved = saved  # read back after this screen saved it (a plain read may predate the save)


@dataclass(frozen=True)
class Write:
    """One queued write: `run` is the db call (made when its turn comes, with the versions known then);
    `done` takes its outcome on the event loop."""

    run: Callable[[], WriteOutcome]
    done: Callable[[WriteOutcome], None]


class Written(Message):
    def __init__(self, write: Write, outcome: WriteOutcome) -> None:
        super().__init__()
        self.write = write
        self.outcome = outcome


class GridScreen(GuihuaScreen):
    """All indicators, their yearly values and status; data entry, filters, undo and the detail panel."""

    AUTO_FOCUS = "#grid"
    BINDINGS = [
        Binding("e", "form", "详细修改", id="grid.form"),
        Binding("o", "source", "原文", id="grid.source"),
        Binding("left_square_bracket", "year(-1)", "前一年", show=False, id="grid.year_previous"),
        Binding("right_square_bracket", "year(1)", "状态年份", key_display="[ ]", id="grid.year_next"),
        Binding("c", "filter_category", "类别", show=False, id="grid.filter_category"),
        Binding("s", "filter_status", "状态", show=False, id="grid.filter_status"),
        Binding("b", "filter_binding", "约束性", show=False, id="grid.filter_binding"),
        Binding("u", "filter_unit", "牵头单位", show=False, id="grid.filter_unit"),
        Binding("t", "toggle_kind", "文中指标", show=False, id="grid.kind"),
        Binding("ctrl+u", "my_unit", "我的单位", show=False, id="grid.my_unit"),
        Binding("x", "clear_filters", "清除筛选", show=False, id="grid.filter_clear"),
        Binding("r", "reload", "刷新", show=False, id="grid.reload"),
        Binding("ctrl+z", "undo", "撤销", id="grid.undo"),
        Binding("ctrl+y", "redo", "恢复", show=False, id="grid.redo"),
    ]

    def __init__(self) -> None:
        super().__init__(id="grid-screen")
        self.views: list[IndicatorView] = []
        self.reference_views: list[IndicatorView] = []  # main indicators, for the text targets' judging
        self.by_id: dict[int, int] = {}  # indicator id -> index in views
        self.assessments: dict[int, Assessment] = {}
        self.settings: ProgressSettings | None = None  # the plan's period and tolerances, read by load()
        self.period: Period | None = None
        self.relative: set[int] = set()  # rows judged against other rows: re-judged after every edit
        self.by_hand: set[int] = set()  # rows with a qualitative target (offered a manual status)
        self.years: list[int] = []
        self.as_of = 0
        self.categories: list[str] = []
        self.shown = 0  # indicators the filters let through
        self.filter = IndicatorFilter()
        self.kind = IndicatorKind.MAIN  # "text": the accepted quantified targets from the plan's text (文中指标)
        self.bound_unit = ""  # the unit the user's account is bound to: 「我的单位」 always
        self.units: list[UnitChoice] = []
        self.undo_stack: list[UndoItem] = []
        self.redo_stack: list[UndoItem] = []
        self._writes: deque[Write] = deque()
        self._writing = False
        self._generation = 0  # counts loads: a judging of older rows is dropped
        self._loaded = False
        self._loading = False
        self._said_on_load = ""  # a message that waits for the rows (after t or r)
        self._my_unit_saves = 0  # 「我的单位」 saves on their way
        self._build_generation = 0  # counts rebuilds: rows still being added for an older one stop
        self._rows_pending = False  # rows of the last rebuild still to be added

    # ------------------------------------------------------------------------------------------------------
    # Layout

    def compose(self) -> ComposeResult:
        yield IndicatorTable(id="grid")
        yield DetailPanel(self.detail_context, id="detail-panel")
        yield StatusLine("", id="grid-status")
        yield Footer(show_command_palette=False)
        yield CellEditor(id="cell-editor")

    @property
    def table(self) -> IndicatorTable:
        return self.query_one("#grid", IndicatorTable)

    @property
    def editor(self) -> CellEditor:
        return self.query_one("#cell-editor", CellEditor)

    @property
    def detail(self) -> DetailPanel:
        return self.query_one("#detail-panel", DetailPanel)

    @property
    def editing(self) -> tuple[int, int] | None:
        """(indicator id, year) while a cell is edited."""
        return self.editor.cell

    # the filters, as the status line and tests name them
    @property
    def my_unit(self) -> str:
        return self.filter.my_unit

    @property
    def filter_unit(self) -> str:
        return self.filter.unit_text

    @property
    def filter_status(self) -> Status | None:
        return self.filter.status

    @property
    def filter_category(self) -> str | None:
        return self.filter.category

    @property
    def busy(self) -> bool:
        """Whether data is still on its way in or out (a load, a judging, a queued write)."""
        return self._loading or self._rows_pending or self._writing or bool(self._writes) or bool(self._my_unit_saves) or (self._loaded and not self.assessments
                                                                           and bool(self.views))

    def on_mount(self) -> None:
        table = self.table
        table.key_router = self.table_key
        table.paste_router = self.table_paste
        self.load()

    def say(self, message: str, kind: str = "info") -> None:
        style = {"error": "bold red", "ok": "green", "info": ""}.get(kind, "")
        self.query_one("#grid-status", StatusLine).update(Text(message, style=style))

    # ------------------------------------------------------------------------------------------------------
    # Loading: rows first, statuses when judged

    def load(self) -> None:
        """Read every indicator (in a worker); the rows show when they arrive, the statuses when judged."""
        plan_id, kind = self.plan_id, self.kind
        if plan_id is None:
            self.say("没有打开的规划，无法显示主要指标。", "error")
            return
        self._loading = True
        database = self.database
        self.fetch(lambda: READ_GRID(database, plan_id, kind), GridRead, group="grid-read")

    @on(GridRead)
    def _grid_read(self, message: GridRead) -> None:
        data = message.data
        self._loading = False
        if data.kind != self.kind:
            return  # `t` was pressed again meanwhile; its own read is on the way
        views = data.views
        self._generation += 1
        self.views = views
        self.reference_views = data.reference_views
        self.by_id = {v.id: i for i, v in enumerate(views)}
        self.settings, self.period, self.units = data.settings, data.period, data.my_unit.units
        self.bound_unit = data.my_unit.bound
        self.filter = replace(self.filter, my_unit=data.my_unit.chosen)
        self.relative, self.by_hand = set(data.relative), set(data.by_hand)
        self.categories = list(dict.fromkeys(v.category for v in views))
        self.years = data.period.years  # the plan's years: every row shows the same columns
        table = self.table
        keep = (table.current_indicator(), table.cursor_column) if table.row_count else None
        if self._loaded:  # a reload keeps the year
            self.as_of = opening_status_year(data.period, self.as_of)
        else:
            self.as_of = opening_status_year(data.period, data.latest_year)
        self.assessments = {}
        table.build_columns(self.years, self._status_label(),
                            narrow=table.needs_narrow_layout(table.size.width, self._year_widths()))
        self.rebuild(keep)
        self._loaded = True
        self.call_after_refresh(self.judge_all)  # after the rows are painted: they come first
        self.call_after_refresh(settle_memory)
        if not views and self.kind != IndicatorKind.MAIN:
            self.say("还没有采纳的文中量化指标：在“审核”（F4）中采纳后在这里录入；按 t 回到主要指标。")
        elif not views:
            self.say("这个规划还没有指标。可在命令行用 guihua import-catalogue 导入指标目录。")
        elif self._said_on_load:
            self.say(self._said_on_load)
        else:
            self.say("输入数字直接录入，回车保存并移到下一个指标；e 修改详细信息；c/s/b/u 筛选；? 查看全部按键。")
        self._said_on_load = ""

    def judge_all(self) -> None:
        """Judge every row as of the status year, in a worker; the status column fills when it returns."""
        views, every, settings = list(self.views), self.views + self.reference_views, self.settings
        as_of, generation = self.as_of, self._generation
        if settings is None:
            return
        self.fetch(lambda: grid_views.judge_views(views, as_of, every, settings),
                   lambda judged: Judged(judged, as_of, generation), group="grid-judge")

    @on(Judged)
    def _judged(self, message: Judged) -> None:
        if message.generation != self._generation or message.as_of != self.as_of:
            return  # rows reloaded or the year changed meanwhile: a newer judging is on its way
        before, self.assessments = self.assessments, message.assessments
        changed = {i for i, a in message.assessments.items() if i not in before or before[i].label != a.label
                   or before[i].status != a.status or self._manual_anywhere(i)}
        if self.filter.status is not None:
            self.rebuild()
        elif changed:  # only the cells that read differently: repainting every row would make typing wait
            self.table.set_cells({str(i): {"status": self.status_text(self.view(i))} for i in changed
                                  if i in self.by_id})
        self.detail.follow(force=True)

    def _manual_anywhere(self, indicator_id: int) -> bool:
        """Whether a person set a status for any year of this row (its 「*」 depends on the status year)."""
        return indicator_id in self.by_id and any(r.manual_status for r in self.view(indicator_id).years.values())

    def judge(self, views: list[IndicatorView]) -> None:
        """Re-judge a few rows now (after an edit): cheap, and the status must follow the value at once."""
        if self.settings is None or not self.assessments:
            return  # the whole judging is still on its way and will include them
        every = self.views + self.reference_views
        self.assessments.update(grid_views.judge_views(views, self.as_of, every, self.settings))

    def _status_label(self) -> str:
        return f"{self.as_of}年状态"

    def visible(self, view: IndicatorView) -> bool:
        assessment = self.assessments.get(view.id)
        return self.filter.admits(view, assessment.status if assessment else None)

    def row_cells(self, view: IndicatorView) -> dict[str, Text]:
        return {
            "name": render.name_cell(view),
            "unit": render.plain_cell(view.unit),
            **{f"y{year}": render.value_cell(view.values.get(year)) for year in self.years},
            "status": self.status_text(view),
            "target": render.plain_cell(view.target_text),
            "growth": render.plain_cell(view.growth_text),
            "attribute": render.attribute_cell(view),
        }

    def _year_widths(self) -> list[int]:
        """The longest value shown per year column (the columns grow to it)."""
        return [max((len(render.number_text(v.values.get(year))) for v in self.views), default=0)
                for year in self.years]

    def on_resize(self, event: events.Resize) -> None:
        """Crossing 80-odd columns moves the status column beside the name (or back after the years)."""
        table = self.table
        if not self._loaded or not self.years:
            return
        narrow = table.needs_narrow_layout(event.size.width, self._year_widths())
        if narrow != table.narrow:
            indicator, year = table.current_indicator(), table.current_year()
            table.build_columns(self.years, self._status_label(), narrow=narrow)
            self.rebuild((indicator, 0))
            table.show_cell(indicator, year) if indicator is not None else None

    def status_text(self, view: IndicatorView) -> Text:
        return render.status_cell(self.assessments.get(view.id), view.binding, view.manual(self.as_of) is not None)

    def rebuild(self, keep: tuple[int | None, int] | None = None) -> None:
        """Fill the grid from the views (after loading or a filter change), keeping the cursor's indicator
        (or the given (indicator, column))."""
        table = self.table
        if keep is None and table.row_count:
            keep = (table.current_indicator(), table.cursor_column)
        keep_id, keep_column = keep if keep is not None else (None, None)
        table.clear()
        entries: list[IndicatorView | str] = []  # in order: a category's name, then its rows
        for category in self.categories:
            rows = [v for v in self.views if v.category == category and self.visible(v)]
            if rows:
                entries.append(category)
                entries.extend(rows)
        self.shown = sum(1 for entry in entries if not isinstance(entry, str))
        # The first screenful at once, the rest in chunks after each paint: 2,000 rows take 0.3 s to add.
        first = FIRST_ROWS
        if keep_id is not None:
            first = max(first, next((i + 1 for i, e in enumerate(entries)
                                     if not isinstance(e, str) and e.id == keep_id), 0))
        self._build_generation += 1
        self._add_rows(entries[:first])
        self._rows_pending = len(entries) > first
        if self._rows_pending:
            self.call_after_refresh(self._add_more_rows, entries, first, self._build_generation)
        self._update_title()
        if not table.row_count:
            self.detail.follow(force=True)
            return
        row = table.get_row_index(str(keep_id)) if keep_id is not None and str(keep_id) in table.rows else 0
        if keep_column is None:
            keep_column = table.year_column(self.as_of) or 0
        table.move_cursor(row=table.data_row(row, 1) or 0, column=keep_column, animate=False)
        self.detail.follow(force=True)

    def _add_rows(self, entries: list[IndicatorView | str]) -> None:
        table = self.table
        for entry in entries:
            if isinstance(entry, str):
                table.add_row(render.category_cell(entry), key=f"{CATEGORY_PREFIX}{entry}")
            else:
                table.add_indicator_row(self.row_cells(entry), key=str(entry.id))

    def _add_more_rows(self, entries: list[IndicatorView | str], start: int, generation: int) -> None:
        if generation != self._build_generation:
            return  # rebuilt meanwhile (a filter, a reload)
        end = start + MORE_ROWS
        self._add_rows(entries[start:end])
        self._rows_pending = end < len(entries)
        if self._rows_pending:
            self.call_after_refresh(self._add_more_rows, entries, end, generation)

    def _update_title(self) -> None:
        rule = self.filter
        parts = []
        if rule.category is not None:
            parts.append(rule.category)
        if rule.status is not None:
            parts.append(rule.status.label)
        if rule.binding_only:
            parts.append("约束性")
        if rule.unit_text:
            parts.append(f"牵头单位：{rule.unit_text}")
        if rule.my_unit:
            parts.append(f"我的单位：{rule.my_unit}")
        title = f"{'主要指标' if self.kind == 'main' else '文中量化指标'} · 状态截至{self.as_of}年"
        if parts:
            title += f" · 筛选：{'、'.join(parts)}（{self.shown}/{len(self.views)}）"
        self.table.border_title = title

    # ------------------------------------------------------------------------------------------------------
    # Updating rows after a change

    def view(self, indicator_id: int) -> IndicatorView:
        return self.views[self.by_id[indicator_id]]

    def apply(self, view: IndicatorView) -> None:
        """Take a freshly read indicator: re-judge it and the rows that depend on others, repaint their cells."""
        if view.id not in self.by_id:
            return  # the rows were reloaded (another list after t) since the write began
        self.views[self.by_id[view.id]] = view
        touched = [view] + [self.view(i) for i in self.relative if i != view.id]
        self.judge(touched)
        self.show_values(view.id, {year: view.values.get(year) for year in self.years})
        self.table.set_cells({str(other.id): {"status": self.status_text(other)} for other in touched})
        self.detail.forget({view.id})
        self.detail.follow(force=True)

    def show_values(self, indicator_id: int, values: dict[int, Decimal | None]) -> None:
        """Paint year cells (the stored values, or typed ones while their save is on its way)."""
        table = self.table
        if str(indicator_id) not in table.rows:
            return
        cells: dict[str, Text] = {}
        for year, value in values.items():
            cell = render.value_cell(value)
            if table.set_year_cell(indicator_id, year, cell):
                cells[f"y{year}"] = cell
        table.set_cells({str(indicator_id): cells})

    def rejudge_all(self) -> None:
        """The status year changed: the header and title now, the statuses when judged (a worker); repainting
        every row twice would make the key wait."""
        self.table.set_status_label(self._status_label())
        self._update_title()
        self.judge_all()

    # ------------------------------------------------------------------------------------------------------
    # The detail panel

    @on(DataTable.CellHighlighted, "#grid")
    def _cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.detail.follow()

    def detail_context(self) -> DetailContext | None:
        table = self.table
        indicator_id = table.current_indicator() if table.row_count else None
        if indicator_id is None or indicator_id not in self.by_id or self.settings is None:
            return None
        view = self.view(indicator_id)
        path = view_expected_path(view, self.views, self.settings)
        return DetailContext(view, self.assessments.get(view.id), self.as_of, table.current_year(), self.period,
                             path)

    @on(DetailPanel.HistoryWanted)
    def _history_wanted(self, message: DetailPanel.HistoryWanted) -> None:
        database, indicator_id = self.database, message.indicator_id
        self.fetch(lambda: grid_views.read_history(database, indicator_id, DETAIL_HISTORY),
                   partial(HistoryRead, indicator_id), group="grid-history")

    @on(HistoryRead)
    def _history_read(self, message: HistoryRead) -> None:
        self.detail.history_read(message.indicator_id, message.entries)

    # ------------------------------------------------------------------------------------------------------
    # The write queue: one write at a time, in the order the keys asked for them

    def enqueue(self, write: Write) -> None:
        self._writes.append(write)
        if not self._writing:
            self._next_write()

    def _next_write(self) -> None:
        if not self._writes:
            self._writing = False
            return
        self._writing = True
        write = self._writes.popleft()
        self.fetch(write.run, partial(Written, write), group="grid-write", exclusive=False)

    @on(Written)
    def _written(self, message: Written) -> None:
        try:
            message.write.done(message.outcome)
        finally:
            self._next_write()

    @on(DataFailed)
    def _data_failed(self, message: DataFailed) -> None:
        # the message is already shown; a failed read or write must not stall what comes after it
        if message.group == "grid-write":
            self._next_write()
        elif message.group == "grid-read":
            self._loading = False
        elif message.group == "grid-my-unit-save":
            self._my_unit_saves -= 1

    # ------------------------------------------------------------------------------------------------------
    # Data entry

    async def table_key(self, event: events.Key) -> bool:
        """A key on the grid. While editing, every key the editor understands goes to it; otherwise a digit,
        sign or point starts an edit. True when the key was used."""
        char = event.character if event.is_printable else None
        if self.editing is None:
            if char is not None and char in EDIT_STARTERS and self.table.current_year() is not None:
                self.start_edit(char)
                return True
            return False
        editor = self.editor
        if event.key in FINISH_KEYS:
            self.finish_edit(FINISH_KEYS[event.key])
        elif event.key == "escape":
            self.cancel_edit()
        elif char is not None:
            editor.type_text(char)
        else:
            bindings = EDITOR_KEYS.get(event.key, ())
            if not bindings:
                return False  # F1, F2, Ctrl+P …: the app's keys still work while editing
            await self.app.run_action(bindings[0].action, editor)
        return True

    def table_paste(self, text: str) -> None:
        """Pasted text goes into the open editor, or opens one on a year cell (saved only on Enter). A row
        copied from Excel or WPS (values separated by tabs) fills the year cells from here rightwards at once."""
        line = next((ln for ln in text.splitlines() if ln.strip()), "")
        cells = [cell.strip() for cell in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        text = line.strip()
        if not text:
            return
        if len(cells) > 1:
            self.paste_row(cells)
        elif self.editing is not None:
            self.editor.type_text(text)
        elif self.table.current_year() is not None:
            self.start_edit(text)

    def paste_row(self, cells: list[str]) -> None:
        """Spread pasted values over the year cells from the edited (or current) one rightwards, checked as a
        whole: one bad value refuses them all, naming it; values that look like typos are asked about once.
        Saved in one transaction, undone by one ctrl+z. An empty cell leaves its year as it is."""
        indicator_id, year = self.editing or (self.table.current_indicator(), self.table.current_year())
        if indicator_id is None or year is None:
            return
        view = self.view(indicator_id)
        try:
            years = paste_years(self.years, year, len(cells))
        except PasteTooLong as exc:
            self.say(f"没有粘贴：粘贴了 {exc.count} 个数值，{year}年起只有 {exc.room} 个年份"
                     f"（到 {self.years[-1]}年）。", "error")
            return
        new: dict[int, Decimal | None] = {}
        errors = []
        for y, cell in zip(years, cells):
            if not cell:
                continue
            try:
                new[y] = parse_value(cell)
            except ValueParseError as exc:
                errors.append(f"{y}年“{cell}”{exc.reason}")
        if errors:
            self.say(f"没有粘贴（一个也没有保存）：{'；'.join(errors)}。", "error")
            return
        new = {y: v for y, v in new.items() if v != view.values.get(y)}
        if not new:
            self.say(f"{view.name}：粘贴的数值与表中相同，没有修改。")
            return
        worries = list(view.doubts(new).values())
        worries += [f"将清除 {y}年的数值 {decimal_text(view.values[y])}" for y, v in new.items()
                    if v is None and view.values.get(y) is not None]
        if worries:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.save_row(indicator_id, new)
                else:
                    self.say("没有粘贴，数据未变。", "info")

            self.app.push_screen(ConfirmScreen("；\n".join(worries) + "。\n\n仍然粘贴这些数值？"), answered)
            return
        self.save_row(indicator_id, new)

    def save_row(self, indicator_id: int, values: dict[int, Decimal | None]) -> None:
        view = self.view(indicator_id)
        if self.editing is not None:
            self.close_editor()
        self.show_values(indicator_id, values)
        years = sorted(values)
        span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
        database = self.database

        def run() -> WriteOutcome:
            versions = {y: self.view(indicator_id).year_version(y) for y in values}
            return grid_views.save_actuals(database, indicator_id, values, expected_versions=versions)

        def done(outcome: WriteOutcome) -> None:
            self.apply(outcome.fresh or view)
            if outcome.refused:  # ConcurrentEditError included: nothing was saved
                self.say(f"没有粘贴：{outcome.refused}", "error")
                return
            if outcome.edit is not None and outcome.edit.changed:
                self.push_undo(UndoItem(outcome.edit, indicator_id, years[0], f"{view.name} {span}实际值（粘贴）"))
            shown = "、".join(f"{y}年 {decimal_text(v) if v is not None else '清除'}" for y, v in sorted(values.items()))
            self.say(f"已粘贴：{view.name} {shown} · {self.as_of}年状态：{self._status_word(indicator_id)}"
                     "（ctrl+z 撤销整行）", "ok")

        self.say(f"正在保存：{view.name} {span}……")
        self.enqueue(Write(run, done))

    def _status_word(self, indicator_id: int) -> str:
        assessment = self.assessments.get(indicator_id)
        return assessment.label if assessment else "正在判断"

    @on(IndicatorTable.EditRequested)
    def edit_or_form(self) -> None:
        if self.table.current_year() is not None:
            self.start_edit(None)
        elif self.table.current_indicator() is not None:
            self.action_form()

    def start_edit(self, first: str | None, cell: tuple[int, int] | None = None) -> None:
        table = self.table
        indicator_id, year = cell or (table.current_indicator(), table.current_year())
        if indicator_id is None or year is None:
            return
        value = self.view(indicator_id).values.get(year)
        text = decimal_text(value) or "" if first is None else first
        self.editor.open((indicator_id, year), table.cell_region(table.cursor_coordinate), text,
                         select=first is None)
        self.say(f"{self.view(indicator_id).name} {year}年：回车保存并下移，Tab 右移，Esc 放弃")

    def close_editor(self) -> None:
        self.editor.close()

    def cancel_edit(self) -> None:
        if self.editing is None:
            return
        self.close_editor()
        self.say("已放弃修改，数据未变。")

    def finish_edit(self, move: str) -> None:
        """Save the editor's value (after a confirmation when it clears one or looks like a typo) and move."""
        if self.editing is None:
            return
        indicator_id, year = self.editing
        view = self.view(indicator_id)
        text = self.editor.value
        try:
            value = parse_value(text)
        except ValueParseError as exc:
            self.say(f"没有保存：{exc.reason}。请改正后回车，Esc 放弃。", "error")
            return
        old = view.values.get(year)
        if value is None and old is not None:
            question = f"确定清除 {view.name} {year}年的数值？"
            refused = "没有清除。可继续修改，Esc 放弃。"
        else:
            reason = view.doubt(year, value) if value != old else None
            if not reason:
                self._save_and_move(indicator_id, year, value, move)
                return
            question = f"{reason}。\n\n确定保存 {decimal_text(value)}{view.unit}？"
            refused = "没有保存。可继续修改，Esc 放弃。"

        def answered(yes: bool | None) -> None:
            if yes:
                self._save_and_move(indicator_id, year, value, move)
            else:
                self.say(refused)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _save_and_move(self, indicator_id: int, year: int, value: Decimal | None, move: str) -> None:
        """Close the editor, show the value and move on at once; the save follows in the write queue."""
        view = self.view(indicator_id)
        typed = self.editor.value
        if self.editing is not None:
            self.close_editor()
        if value == view.values.get(year):
            self.say(f"{view.name} {year}年：数值未变。")
        else:
            self.show_values(indicator_id, {year: value})
            self.save_value(indicator_id, year, value, typed=typed)
        self.table.step(move)

    def save_value(self, indicator_id: int, year: int, value: Decimal | None, *, overwrite: bool = False,
                   typed: str = "") -> None:
        """Queue the save of one figure. `typed`: the editor's text, given back to the user if it is refused."""
        view = self.view(indicator_id)
        database = self.database

        def run() -> WriteOutcome:
            # The version this screen showed when the write's turn came (earlier writes applied by then): a
            # figure someone else saved since is never overwritten unasked.
            version = self.view(indicator_id).year_version(year)
            return grid_views.save_actual(database, indicator_id, year, value, expected_version=version,
                                          overwrite=overwrite)

        def done(outcome: WriteOutcome) -> None:
            self.apply(outcome.fresh or self.view(indicator_id))
            if outcome.conflict:
                self._offer_overwrite(indicator_id, year, value, outcome.conflict)
                return
            if outcome.refused:
                self.say(f"没有保存：{outcome.refused}", "error")
                self._edit_again(indicator_id, year, typed)
                return
            if outcome.edit is not None and outcome.edit.changed:
                self.push_undo(UndoItem(outcome.edit, indicator_id, year, f"{view.name} {year}年实际值"))
            if self.editing is not None:
                return  # the user is typing the next figure: the status line is theirs
            if value is None:
                said = f"已清除：{view.name} {year}年的数值"
            else:
                said = f"已保存：{view.name} {year}年 = {decimal_text(value)}{view.unit}"
            self.say(f"{said} · {self.as_of}年状态：{self._status_word(indicator_id)}", "ok")

        self.enqueue(Write(run, done))

    def _edit_again(self, indicator_id: int, year: int, typed: str) -> None:
        """A refused figure goes back into the editor on its cell, unless the user is already typing another."""
        if not typed or self.editing is not None or isinstance(self.app.screen, ModalScreen):
            return
        self.table.show_cell(indicator_id, year)
        if self.table.current_indicator() == indicator_id and self.table.current_year() == year:
            self.start_edit(typed)
            self.editor.select_all()

    def push_undo(self, item: UndoItem) -> None:
        self.undo_stack.append(item)
        self.redo_stack.clear()

    def _offer_overwrite(self, indicator_id: int, year: int, value: Decimal | None, conflict: str) -> None:
        """Someone else saved this figure after it was shown (their figure now shows): ask before overwriting."""
        if self.editing is not None:
            self.close_editor()
        self.say(conflict, "error")
        mine = "清除" if value is None else decimal_text(value)

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self.show_values(indicator_id, {year: value})
                self.save_value(indicator_id, year, value, overwrite=True)
            else:
                self.say("已保留对方的修改（表中已显示最新数值）。", "info")

        self.app.push_screen(ConfirmScreen(f"{conflict}\n\n用你的数值（{mine}）覆盖吗？"), answered)

    @on(IndicatorTable.ClearRequested)
    def clear_cell(self) -> None:
        indicator_id, year = self.table.current_indicator(), self.table.current_year()
        if indicator_id is None or year is None:
            return
        view = self.view(indicator_id)
        if view.values.get(year) is None:
            self.say(f"{view.name} {year}年没有数值。")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.show_values(indicator_id, {year: None})
                self.save_value(indicator_id, year, None)

        self.app.push_screen(ConfirmScreen(f"确定清除 {view.name} {year}年的数值？"), answered)

    def on_screen_suspend(self) -> None:
        # an open edit survives a modal on top (the clear confirmation, help) but not leaving the screen (F2)
        if self.editing is not None and not isinstance(self.app.screen, ModalScreen):
            self.close_editor()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self.editing is not None and event.widget is not self.editor:
            self.cancel_edit()

    # ------------------------------------------------------------------------------------------------------
    # Undo and redo

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("undo", "redo"):
            return self.editing is None
        return True

    def _restore(self, *, redo: bool) -> None:
        """Queue an undo (or redo) of the latest edit on the stack when its turn comes: edits queued before it
        are on the stack by then."""
        stack_from, stack_to = (self.redo_stack, self.undo_stack) if redo else (self.undo_stack, self.redo_stack)
        word = "恢复" if redo else "撤销"
        if not stack_from and not self._writing and not self._writes:
            self.say(f"没有可{word}的修改。")
            return
        database = self.database
        taken: list[UndoItem] = []

        def run() -> WriteOutcome:
            if not stack_from:
                return WriteOutcome(0, None, refused=f"没有可{word}的修改。")
            item = stack_from[-1]
            taken.append(item)
            return grid_views.undo(database, item.edit, item.indicator_id)

        def done(outcome: WriteOutcome) -> None:
            if not taken:
                self.say(outcome.refused)
                return
            item = taken[0]
            if outcome.fresh is not None:
                self.apply(outcome.fresh)
            if outcome.refused:
                if outcome.lasting and item in stack_from:
                    stack_from.remove(item)  # it can never succeed now: someone changed the field since
                self.say(f"不能{word}：{outcome.refused}", "error")
                return
            if item in stack_from:
                stack_from.remove(item)
            if outcome.edit is not None:
                stack_to.append(replace(item, edit=outcome.edit))
            self.table.show_cell(item.indicator_id, item.year)
            self.say(f"已{word}：{item.label}", "ok")

        self.enqueue(Write(run, done))

    def action_undo(self) -> None:
        self._restore(redo=False)

    def action_redo(self) -> None:
        self._restore(redo=True)

    # ------------------------------------------------------------------------------------------------------
    # The edit form

    def action_form(self) -> None:
        indicator_id = self.table.current_indicator()
        if indicator_id is None:
            return
        view = self.view(indicator_id)
        year = self.table.current_year() or self.as_of

        def save(changes: FormChanges) -> asyncio.Future[str | None]:
            return self.save_form(indicator_id, year, changes)

        self.app.push_screen(IndicatorForm(view, year, save, judged_by_hand=indicator_id in self.by_hand))

    def save_form(self, indicator_id: int, year: int, changes: FormChanges) -> asyncio.Future[str | None]:
        """Queue the form's save; the future gives the form None when saved, or the reason it was refused
        (the form then stays open)."""
        answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        view = self.view(indicator_id)
        database = self.database

        def run() -> WriteOutcome:
            shown = self.view(indicator_id)
            return grid_views.save_details(database, indicator_id, year, indicator_fields=changes.indicator,
                                           year_fields=changes.year, indicator_version=shown.version,
                                           year_version=shown.year_version(year))

        def done(outcome: WriteOutcome) -> None:
            if outcome.edit is not None and outcome.edit.changed:
                # both parts undo as one action
                self.push_undo(UndoItem(outcome.edit, indicator_id, None, f"{view.name} 的详细信息"))
            if outcome.fresh is not None and (not outcome.refused or outcome.edit is not None):
                self.apply(outcome.fresh)
            if outcome.refused:
                answer.set_result(f"没有保存：{outcome.refused}")
                return
            self.say("；".join(outcome.labels) if outcome.labels else "没有变化。", "ok")
            answer.set_result(None)

        self.enqueue(Write(run, done))
        return answer

    # ------------------------------------------------------------------------------------------------------
    # Plan text, year, filters

    def action_source(self) -> None:
        indicator_id = self.table.current_indicator()
        if indicator_id is None:
            return
        database = self.database
        self.fetch(lambda: grid_views.read_source(database, indicator_id), partial(SourceRead, indicator_id),
                   group="grid-source")

    @on(SourceRead)
    def _source_read(self, message: SourceRead) -> None:
        if message.source is None:
            name = self.view(message.indicator_id).name if message.indicator_id in self.by_id else "这个指标"
            self.say(f"{name} 没有关联到规划原文。", "error")
            return
        self.run_worker(self.guihua.show_source(message.source), group="open")

    def action_year(self, step: int) -> None:
        if self.period is None:
            return
        year = stepped_status_year(self.period, self.as_of, step)
        if year is None:
            self.say(f"状态年份只能在 {self.period.first_year}—{self.period.target_year} 年之间。")
            return
        self.as_of = year
        self.rejudge_all()
        self.say(f"状态列按截至{year}年的数据判断。")

    def _refilter(self, message: str) -> None:
        self.rebuild()
        self.say(message if self.shown else f"{message}：没有符合条件的指标，按 x 清除筛选。")

    def action_filter_category(self) -> None:
        options: list[str | None] = [None, *self.categories]
        category = options[(options.index(self.filter.category) + 1) % len(options)]
        self.filter = replace(self.filter, category=category)
        self._refilter(f"类别：{category or '全部'}")

    def action_filter_status(self) -> None:
        present = [s for s in Status if any(a.status == s for a in self.assessments.values())]
        options: list[Status | None] = [None, *present]
        current = self.filter.status if self.filter.status in options else None
        status = options[(options.index(current) + 1) % len(options)]
        self.filter = replace(self.filter, status=status)
        self._refilter(f"状态：{status.label if status else '全部'}")

    def action_filter_binding(self) -> None:
        self.filter = replace(self.filter, binding_only=not self.filter.binding_only)
        self._refilter("只看约束性指标" if self.filter.binding_only else "约束性和预期性指标都显示")

    def action_filter_unit(self) -> None:
        """Pick the 牵头单位 to show from the unit list (typing 发改委 finds 区发展改革委, as everywhere)."""
        current = self.filter.unit_text

        def chosen(names: list[str] | None) -> None:
            if names is None:
                return
            self.filter_by_unit(names[0] if names else "")

        self.app.push_screen(UnitPicker(self.units, [current] if current else [], title="按牵头单位筛选",
                                        none_label="（不限牵头单位：显示全部）"), chosen)

    def filter_by_unit(self, text: str) -> None:
        """Rows led by the unit(s) `text` names by core.units' rules, or whose 牵头单位 contains it."""
        self.filter = replace(self.filter, unit_text=text, unit_names=unit_names_for(text, self.units))
        self._refilter(f"牵头单位：{text}" if text else "牵头单位：全部")

    def action_my_unit(self) -> None:
        """Pick 「我的单位」 (or none); the grid then shows only that unit's rows (and so do the other screens)."""
        database = self.database
        self.fetch(lambda: read_my_unit(database, with_units=True), UnitsRead, group="grid-my-unit")

    @on(UnitsRead)
    def _units_read(self, message: UnitsRead) -> None:
        bound, current = message.my_unit.bound, message.my_unit.chosen
        if bound:
            self.say(f"你的账号绑定了“{bound}”，只能查看和修改本单位的条目；如需更改请联系规划办。", "error")
            return

        def chosen(names: list[str] | None) -> None:
            if names is None:
                return
            name = names[0] if names else ""
            said = f"我的单位：{name}（只显示本单位牵头或配合的条目）" if name else "已取消“我的单位”，显示全部。"
            self.save_my_unit(name, said)

        self.app.push_screen(UnitPicker(message.my_unit.units, [current] if current else [],
                                        title="我的单位（只看本单位牵头或配合的）", none_label="（不限单位：显示全部）"),
                             chosen)

    def save_my_unit(self, name: str, said: str = "") -> None:
        database = self.database
        self._my_unit_saves += 1
        self.fetch(lambda: grid_views.choose_my_unit(database, name), partial(MyUnitRead, said=said, saved=True),
                   group="grid-my-unit-save", exclusive=False)

    @on(MyUnitRead)
    def _my_unit_read(self, message: MyUnitRead) -> None:
        if message.saved:
            self._my_unit_saves -= 1
        elif self._my_unit_saves:
            return  # read while a save was on its way: the save's own read-back decides
        self.bound_unit = message.my_unit.bound
        if message.my_unit.chosen != self.filter.my_unit:
            self.filter = replace(self.filter, my_unit=message.my_unit.chosen)
            self.rebuild()
        if message.said:
            self.say(message.said, "ok")

    def on_screen_resume(self) -> None:
        # 「我的单位」 may have been changed on another screen meanwhile (a quick read; the rows stay as they are).
        if self._loaded:
            database = self.database
            self.fetch(lambda: read_my_unit(database), MyUnitRead, group="grid-my-unit")

    def action_toggle_kind(self) -> None:
        """Switch between the plan's main indicators and the accepted quantified targets of its text."""
        self.kind = IndicatorKind.TEXT if self.kind == IndicatorKind.MAIN else IndicatorKind.MAIN
        self.detail.forget()
        self.undo_stack.clear()  # undo and redo belong to the rows on screen
        self.redo_stack.clear()
        self.filter = replace(self.filter, category=None)
        self._loaded = False  # a fresh status year for the other list
        self._said_on_load = f"{'文中量化指标' if self.kind == 'text' else '主要指标'}：按 t 切换。"
        self.load()

    def action_reload(self) -> None:
        """Read everything again (someone may have changed figures from the command line or an import)."""
        self.detail.forget()
        self._said_on_load = "已重新读取全部指标。"
        self.load()

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "撤销", "撤销本界面上一次修改（Ctrl+Z）", self.action_undo
        yield "恢复", "恢复刚撤销的修改（Ctrl+Y）", self.action_redo
        yield "修改详细信息", "牵头单位、配合单位、分管领导、年度目标、数据阶段、来源、备注（e）", self.action_form
        yield "查看规划原文", "到当前指标在规划中的段落（o）", self.action_source
        yield "按类别筛选", "依次切换类别（c）", self.action_filter_category
        yield "按状态筛选", "依次切换状态（s）", self.action_filter_status
        yield "只看约束性指标", "再选一次取消（b）", self.action_filter_binding
        yield "按牵头单位筛选", "从单位列表中选择，可输入简称（u）", self.action_filter_unit
        yield "清除筛选", "显示全部指标（x）", self.action_clear_filters
        yield "刷新", "重新读取数据库中的指标和数值（r）", self.action_reload
        yield "状态看前一年", "状态列按前一年判断（[）", partial(self.action_year, -1)
        yield "状态看后一年", "状态列按后一年判断（]）", partial(self.action_year, 1)

    def action_clear_filters(self) -> None:
        """Every filter, 「我的单位」 included (it hid the rows as much as the others), unless the user's account is
        bound to the unit: then only that unit's rows can show, and the message says so."""
        bound = self.bound_unit
        had_my_unit = self.filter.my_unit and not bound
        self.filter = IndicatorFilter(my_unit=bound)
        if bound:
            self._refilter(f"已清除筛选；你的账号绑定了“{bound}”，只显示本单位牵头或配合的指标")
        else:
            self._refilter("已清除筛选")
        if had_my_unit:
            self.save_my_unit("")
