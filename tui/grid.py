"""The 「主要指标」 screen: every indicator of the plan in a grid, with Excel-like data entry.

Typing a digit on a year cell opens an editor over that cell; Enter saves and moves down, Tab right. Nothing
here waits for the database: reads and writes run through `fetch` (tui.base) in thread workers and come back
as messages. Only the edited row (and rows judged against other indicators) is re-judged and repainted.

This screen holds the rows and their judging and wires the parts, each with its own state: tui.grid_table
(table, cell editor), tui.grid_detail (detail panel), tui.grid_entry (typing, pasting, plausibility
questions), tui.grid_saves (the ordered write queue, undo/redo), tui.grid_filters (filters, 「我的单位」).
The rules are in core (core.plan_years, core.indicator_filters) and db.grid_views."""

from __future__ import annotations

import gc
from dataclasses import replace
from decimal import Decimal
from functools import partial

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from core.indicator_filters import IndicatorFilter
from core.kinds import IndicatorKind
from core.period import Period
from core.plan_years import opening_status_year, stepped_status_year
from core.progress import Assessment, ProgressSettings, Status
from db import grid_views
from db.grid_views import GridData
from db.indicators import HistoryEntry, IndicatorView, TextSource, view_expected_path
from tui import grid_render as render
from tui.base import DataFailed, GuihuaScreen
from tui.grid_detail import DETAIL_DELAY, DETAIL_HISTORY, DetailContext, DetailPanel
from tui.grid_entry import GridEntry
from tui.grid_filters import MY_UNIT_SAVE_GROUP, GridFilters, MyUnitRead, UnitsRead
from tui.grid_saves import WRITE_GROUP, GridSaves, RestoreHooks, UndoItem, Write, Written
from tui.grid_table import FIRST_ROWS, CellEditor, IndicatorTable
from tui.widgets import StatusLine

__all__ = ["DETAIL_DELAY", "GridScreen"]

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
        self.kind = IndicatorKind.MAIN  # "text": the accepted quantified targets from the plan's text (文中指标)
        self._generation = 0  # counts loads: a judging of older rows is dropped
        self._loaded = False
        self._loading = False
        self._said_on_load = ""  # a message that waits for the rows (after t or r)
        self.filters = GridFilters(self)
        self.saves = GridSaves(self._start_write)
        self.entry = GridEntry(self)

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
        return (self._loading or self.table.rows_pending or self.saves.pending or bool(self.filters.my_unit_saves)
                or (self._loaded and not self.assessments and bool(self.views)))

    def on_mount(self) -> None:
        table = self.table
        table.key_router = self.entry.key
        table.paste_router = self.entry.paste
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
        self.settings, self.period = data.settings, data.period
        self.filters.loaded(data.my_unit)
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
        return render.row_cells(view, self.years, self.assessments.get(view.id), self.as_of)

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
        first = FIRST_ROWS  # the kept row is among the rows added at once
        if keep_id is not None:
            first = max(first, next((i + 1 for i, e in enumerate(entries)
                                     if not isinstance(e, str) and e.id == keep_id), 0))
        table.fill(entries, self.row_cells, first)
        self._update_title()
        if not table.row_count:
            self.detail.follow(force=True)
            return
        row = table.get_row_index(str(keep_id)) if keep_id is not None and str(keep_id) in table.rows else 0
        if keep_column is None:
            keep_column = table.year_column(self.as_of) or 0
        table.move_cursor(row=table.data_row(row, 1) or 0, column=keep_column, animate=False)
        self.detail.follow(force=True)

    def _update_title(self) -> None:
        parts = self.filters.title_parts()
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
    # Writes (tui.grid_saves: one at a time, in key order) and data entry (tui.grid_entry)

    @property
    def undo_stack(self) -> list[UndoItem]:
        return self.saves.undo_stack

    def _start_write(self, write: Write) -> None:
        self.fetch(write.run, partial(Written, write), group=WRITE_GROUP, exclusive=False)

    @on(Written)
    def _written(self, message: Written) -> None:
        self.saves.written(message)

    @on(DataFailed)
    def _data_failed(self, message: DataFailed) -> None:
        # the message is already shown; a failed read or write must not stall what comes after it
        if message.group == WRITE_GROUP:
            self.saves.failed()
        elif message.group == "grid-read":
            self._loading = False
        elif message.group == MY_UNIT_SAVE_GROUP:
            self.filters.my_unit_saves -= 1

    def status_word(self, indicator_id: int) -> str:
        assessment = self.assessments.get(indicator_id)
        return assessment.label if assessment else "正在判断"

    @on(IndicatorTable.EditRequested)
    def edit_or_form(self) -> None:
        if self.table.current_year() is not None:
            self.entry.start_edit(None)
        elif self.table.current_indicator() is not None:
            self.action_form()

    @on(IndicatorTable.ClearRequested)
    def clear_cell(self) -> None:
        self.entry.clear_cell()

    def close_editor(self) -> None:
        self.editor.close()

    def on_screen_suspend(self) -> None:
        # an open edit survives a modal on top (the clear confirmation, help) but not leaving the screen (F2)
        if self.editing is not None and not isinstance(self.app.screen, ModalScreen):
            self.close_editor()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self.editing is not None and event.widget is not self.editor:
            self.entry.cancel_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("undo", "redo"):
            return self.editing is None
        return True

    def _restore(self, *, redo: bool) -> None:
        database = self.database
        hooks = RestoreHooks(undo=lambda item: grid_views.undo(database, item.edit, item.indicator_id),
                             apply=self.apply, show_cell=self.table.show_cell, say=self.say)
        self.saves.restore(hooks, redo=redo)

    def action_undo(self) -> None:
        self._restore(redo=False)

    def action_redo(self) -> None:
        self._restore(redo=True)

    def action_form(self) -> None:
        self.entry.open_form()

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

    # the filters (tui.grid_filters): the keys step them, the rows are rebuilt here

    @property
    def filter(self) -> IndicatorFilter:
        return self.filters.rule

    def refilter(self, message: str) -> None:
        self.rebuild()
        self.say(message if self.shown else f"{message}：没有符合条件的指标，按 x 清除筛选。")

    def action_filter_category(self) -> None:
        self.filters.next_category()

    def action_filter_status(self) -> None:
        self.filters.next_status()

    def action_filter_binding(self) -> None:
        self.filters.toggle_binding()

    def action_filter_unit(self) -> None:
        self.filters.pick_unit()

    def action_clear_filters(self) -> None:
        self.filters.clear()

    def action_my_unit(self) -> None:
        self.filters.ask_my_unit()

    @on(UnitsRead)
    def _units_read(self, message: UnitsRead) -> None:
        self.filters.units_read(message)

    @on(MyUnitRead)
    def _my_unit_read(self, message: MyUnitRead) -> None:
        self.filters.my_unit_read(message)

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.filters.reread_my_unit()

    def action_toggle_kind(self) -> None:
        """Switch between the plan's main indicators and the accepted quantified targets of its text."""
        self.kind = IndicatorKind.TEXT if self.kind == IndicatorKind.MAIN else IndicatorKind.MAIN
        self.detail.forget()
        self.saves.forget()
        self.filters.rule = replace(self.filters.rule, category=None)
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
