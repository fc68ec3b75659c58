"""The 「主要指标」 screen: every indicator of the plan in a grid, with Excel-like data entry.

Typing a digit on a year cell opens an editor (an `Input`, so the real terminal cursor and a pinyin IME's
candidate window sit in the cell) over that cell; Enter saves and moves down, Tab right. Every save goes
through db.indicators and is committed before the status line says 已保存. Only the edited row (and rows
judged against other indicators) is re-judged and repainted, so a keypress stays cheap with many rows.

All judging comes from db/core; this module decides what is shown where and which keys do what."""

from __future__ import annotations

import gc
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from rich.console import Group
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from core.errors import GuihuaError
from core.period import Period
from core.progress import Assessment, ProgressSettings, Status
from core.targets import TargetKind, ValueParseError, parse_value
from core.units import involves
from db.audit import ConcurrentEditError
from db.indicators import (
    Edit,
    IndicatorView,
    assess_view,
    decimal_text,
    get_indicator,
    history,
    indicator_source,
    judged_against_others,
    latest_year,
    list_indicators,
    progress_settings,
    record_actual,
    record_actuals,
    set_indicator_fields,
    set_year_fields,
    status_label,
    undo_edit,
    view_expected_path,
)
from db.plan_store import plan_period
from tui import grid_render as render
from tui.forms import ConfirmScreen, FormChanges, IndicatorForm
from tui.pickers import bound_unit, choose_my_unit, db_error, load_my_unit, save_my_unit
from tui.widgets import SeparatorRowsTable, StatusLine

# Keys that start editing a year cell, and go into the editor as its first character: digits (also
# full-width, as a Chinese IME in full-width mode types them), signs, the decimal point, and 「—」 (clear).
EDIT_STARTERS = frozenset("0123456789+-.０１２３４５６７８９＋－．—")
CATEGORY_PREFIX = "cat:"
NAME_WIDTH = 24  # with the other columns, fills a 140-column terminal exactly
YEAR_WIDTH = 6  # grows when a longer value is typed
DETAIL_HISTORY = 4
# The detail panel follows the cursor after this pause, so typing a column of figures or holding ↓ repaints
# only the grid per key; the panel catches up as soon as the keys stop.
DETAIL_DELAY = 0.08


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


class CellEditor(Input):
    """The editor laid over a grid cell: an `Input` the grid drives while keeping focus itself.

    Focus stays on the grid during an edit because a DataTable that loses or regains focus re-renders every
    visible cell (its render caches are keyed by its focus state and cleared on restyle): about 30 ms per
    edit, twice. The grid hands the editor the keys; the editor shows its text cursor as if focused and puts
    the real terminal cursor there (`app.cursor_position`, as Input does), where a pinyin IME opens its
    candidate window."""

    can_focus = False

    def activate(self, active: bool) -> None:
        # draws the cursor and selection, which Input only does when it has focus
        self.has_focus = active

    def place_terminal_cursor(self) -> None:
        if self.display:
            self.app.cursor_position = self.cursor_screen_offset


# Keys that end an edit while the editor is open: save and move that way (Escape: drop).
FINISH_KEYS = {"enter": "down", "tab": "right", "shift+tab": "left", "down": "down", "up": "up"}
# The editing keys Input binds (← → Home End Backspace Delete Ctrl+A/E/K/U/W, Shift+← → …), by key.
EDITOR_KEYS = BindingsMap(Input.BINDINGS).key_to_bindings


class IndicatorTable(SeparatorRowsTable):
    """The grid: rows keyed by indicator id (category rows keyed 「cat:…」, never holding the cursor)."""

    SEPARATOR_PREFIX = CATEGORY_PREFIX

    BINDINGS = [
        Binding("enter", "edit_cell", "编辑", id="grid.edit"),
        Binding("delete,backspace", "clear_cell", "清除", show=False, id="grid.clear"),
        Binding("right", "cursor_right", show=False, id="grid.right"),
        Binding("left", "cursor_left", show=False, id="grid.left"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, cell_padding=1, **kwargs)
        self.fixed_columns = 1
        self.year_columns: dict[str, int] = {}  # column key -> year
        # DataTable keeps up to 10,000 rendered cells; a screenful is ~400. Smaller caches keep the heap, and
        # so Python's full garbage collections (pauses of 50-150 ms with big tables), small.
        for name, size in (("_cell_render_cache", 2000), ("_row_render_cache", 400), ("_line_cache", 400)):
            cache = getattr(self, name, None)
            if cache is not None and hasattr(cache, "maxsize"):
                cache.maxsize = size

    def is_category(self, row: int) -> bool:
        return self.is_separator(row)

    # no animation: the editor is placed from the scroll position right after a move
    def action_cursor_right(self) -> None:
        self._set_hover_cursor(False)
        self.cursor_coordinate = self.cursor_coordinate.right()

    def action_cursor_left(self) -> None:
        self._set_hover_cursor(False)
        self.cursor_coordinate = self.cursor_coordinate.left()

    def current_year(self) -> int | None:
        try:
            column = self.coordinate_to_cell_key(self.cursor_coordinate).column_key
        except CellDoesNotExist:
            return None
        return self.year_columns.get(str(column.value))

    def current_indicator(self) -> int | None:
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        value = str(key.value)
        return None if value.startswith(CATEGORY_PREFIX) else int(value)

    def set_cells(self, changes: dict[str, dict[str, Text]]) -> None:
        """Replace cells ({row key: {column key: cell}}) and repaint only those rows.

        DataTable.update_cell bumps a counter that every render cache is keyed by, so one changed cell
        re-renders every visible cell (about 30 ms for this table). Here only the changed rows' cache entries
        are dropped. That touches DataTable internals; if they are not as expected, the public (slow) way."""
        try:
            rows = {RowKey(key): self._row_locations.get(RowKey(key)) for key in changes}
            header = self.header_height if self.show_header else 0
            caches = (self._cell_render_cache, self._row_render_cache)
            lines, renderables, data = self._line_cache, self._row_renderable_cache, self._data
        except AttributeError:  # pragma: no cover - a Textual release reorganised DataTable
            for row_key, cells in changes.items():
                for column_key, value in cells.items():
                    self.update_cell(row_key, column_key, value)
            return
        for row_key, cells in changes.items():
            row = data[RowKey(row_key)]
            for column_key, value in cells.items():
                row[ColumnKey(column_key)] = value
        indices = {index for index in rows.values() if index is not None}
        for cache in caches:
            for key in [key for key in cache.keys() if key[0] in rows]:
                cache.discard(key)
        for key in [key for key in lines.keys() if key[0] - header in indices]:
            lines.discard(key)
        for index in indices:
            renderables.discard((self._update_count, index))
            self.refresh_row(index)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # While a cell is edited, _on_key hands every typed character to the editor before any binding is
        # looked at; saying so here would also drop the grid's letter keys from the footer mid-edit.
        return character in EDIT_STARTERS and self.current_year() is not None

    async def _on_key(self, event: events.Key) -> None:
        if await self.screen.table_key(event):  # type: ignore[attr-defined]
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        self.screen.table_paste(event)  # type: ignore[attr-defined]

    def action_edit_cell(self) -> None:
        self.screen.edit_or_form()  # type: ignore[attr-defined]

    def action_clear_cell(self) -> None:
        self.screen.clear_cell()  # type: ignore[attr-defined]


class GridScreen(Screen):
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
        Binding("escape", "close_unit_bar", "关闭", show=False, id="grid.unit_close"),
        Binding("r", "reload", "刷新", show=False, id="grid.reload"),
        Binding("ctrl+z", "undo", "撤销", id="grid.undo"),
        Binding("ctrl+y", "redo", "恢复", show=False, id="grid.redo"),
    ]

    def __init__(self) -> None:
        super().__init__(id="grid-screen")
        self.views: list[IndicatorView] = []
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
        self.filter_category: str | None = None
        self.filter_status: Status | None = None
        self.filter_binding = False
        self.kind = "main"  # "text": the accepted quantified targets from the plan's text (文中指标)
        self.my_unit = ""  # 「我的单位」, shared with the other screens (app_state ui.my_unit)
        self.filter_unit = ""
        self.undo_stack: list[UndoItem] = []
        self.redo_stack: list[UndoItem] = []
        self.editing: tuple[int, int] | None = None  # (indicator id, year) while the editor is open
        self._pending_move = "down"
        self._detail_for: tuple[int | None, int | None] | None = None  # (indicator, year column) shown
        self._detail_timer: Timer | None = None
        self._history: dict[int, list] = {}  # last few changes per indicator, read once per change
        self._loaded = False

    # ------------------------------------------------------------------------------------------------------
    # Layout and loading

    def compose(self) -> ComposeResult:
        yield IndicatorTable(id="grid")
        yield Static("", id="detail")
        with Horizontal(id="unit-bar"):
            yield Static("牵头单位包含：", id="unit-label")
            yield Input(placeholder="输入单位名称中的字，回车筛选；留空回车取消，Esc 关闭", id="unit-input", compact=True)
        yield StatusLine("", id="grid-status")
        yield Footer(show_command_palette=False)
        yield CellEditor(id="cell-editor", compact=True, select_on_focus=False)

    @property
    def table(self) -> IndicatorTable:
        return self.query_one("#grid", IndicatorTable)

    @property
    def editor(self) -> CellEditor:
        return self.query_one("#cell-editor", CellEditor)

    def on_mount(self) -> None:
        # a solid cursor: a blinking one would repaint the screen twice a second while editing
        self.editor.cursor_blink = False
        self.query_one("#unit-input", Input).cursor_blink = getattr(self.app, "CURSOR_BLINK", True)
        self.editor.display = False
        self.query_one("#unit-bar").display = False
        self.load()

    def load(self) -> None:
        """Read every indicator and judge it; build the grid."""
        plan_id = getattr(self.app, "plan_id", None)
        try:
            if plan_id is None:
                raise GuihuaError("没有打开的规划，无法显示主要指标。")
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                views = list_indicators(session, plan_id, kind=self.kind)
                if self.kind != "main":
                    # 与经济发展同步 and the like are judged against main indicators: keep them at hand.
                    self.reference_views = list_indicators(session, plan_id)
                else:
                    self.reference_views = []
                settings = progress_settings(session, plan_id)
                period = plan_period(session, plan_id)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.say(getattr(exc, "message", str(exc)), "error")
            return
        self.my_unit = load_my_unit(self.app)
        self.views = views
        self.by_id = {v.id: i for i, v in enumerate(views)}
        self.settings = settings
        self.period = period
        self.relative = {v.id for v in views if judged_against_others(v)}
        self.by_hand = {v.id for v in views if any(t.kind == TargetKind.QUALITATIVE for t in v.targets())}
        self.categories = list(dict.fromkeys(v.category for v in views))
        base, last = period.base_year, period.target_year  # the plan's years: every row shows the same columns
        self.years = period.years
        table = self.table
        keep = (table.current_indicator(), table.cursor_column) if table.row_count else None
        as_of = self.as_of if self._loaded else (latest_year(views) or base + 1)  # a reload keeps the year
        self.as_of = min(max(as_of, base + 1), last)
        self.assessments = {}
        self.judge(self.views)
        self._build_columns()
        self.rebuild(keep)
        self._loaded = True
        self.call_after_refresh(settle_memory)
        if not views and self.kind != "main":
            self.say("还没有采纳的文中量化指标：在“审核”（F4）中采纳后在这里录入；按 t 回到主要指标。")
        elif not views:
            self.say("这个规划还没有指标。可在命令行用 guihua import-catalogue 导入指标目录。")
        else:
            self.say("输入数字直接录入，回车保存并移到下一个指标；e 修改详细信息；c/s/b/u 筛选；? 查看全部按键。")

    def judge(self, views: list[IndicatorView]) -> None:
        for view in views:
            self.assessments[view.id] = assess_view(
                view, self.as_of, self.views + getattr(self, "reference_views", []), self.settings, as_of=True
            )

    def _build_columns(self) -> None:
        table = self.table
        table.clear(columns=True)
        table.add_column("指标", key="name", width=NAME_WIDTH)
        table.add_column("单位", key="unit", width=6)
        table.year_columns = {}
        for year in self.years:
            key = f"y{year}"
            # auto width from a padded label: the column starts at YEAR_WIDTH and widens for longer values
            table.add_column(Text(str(year).rjust(YEAR_WIDTH), justify="right"), key=key)
            table.year_columns[key] = year
        table.add_column(f"{self.years[-1]}目标" if self.years else "目标", key="target", width=14)
        table.add_column("年均增速", key="growth", width=14)
        table.add_column("属性", key="attribute", width=6)
        table.add_column(self._status_label(), key="status", width=13)

    def _status_label(self) -> str:
        return f"{self.as_of}年状态"

    def visible(self, view: IndicatorView) -> bool:
        if self.filter_category is not None and view.category != self.filter_category:
            return False
        if self.filter_binding and not view.binding:
            return False
        if self.filter_status is not None and self.assessments[view.id].status != self.filter_status:
            return False
        if self.filter_unit and self.filter_unit not in view.lead_unit:
            return False
        if self.my_unit and not involves(self.my_unit, view.lead_unit, view.partner_units):
            return False
        return True

    def row_cells(self, view: IndicatorView) -> list[Text]:
        return [
            render.name_cell(view),
            render.plain_cell(view.unit),
            *[render.value_cell(view.values.get(year)) for year in self.years],
            render.plain_cell(view.target_text),
            render.plain_cell(view.growth_text),
            render.attribute_cell(view),
            self.status_text(view),
        ]

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
        shown = 0
        for category in self.categories:
            rows = [v for v in self.views if v.category == category and self.visible(v)]
            if not rows:
                continue
            table.add_row(render.category_cell(category), key=f"{CATEGORY_PREFIX}{category}")
            for view in rows:
                table.add_row(*self.row_cells(view), key=str(view.id))
                shown += 1
        self.shown = shown
        self._update_title()
        if not table.row_count:
            self.update_detail(force=True)
            return
        row = table.get_row_index(str(keep_id)) if keep_id is not None and str(keep_id) in table.rows else 0
        if keep_column is None:
            keep_column = self.years.index(self.as_of) + 2 if self.as_of in self.years else 0
        table.move_cursor(row=table.data_row(row, 1) or 0, column=keep_column, animate=False)
        self.update_detail(force=True)

    def _update_title(self) -> None:
        parts = []
        if self.filter_category is not None:
            parts.append(self.filter_category)
        if self.filter_status is not None:
            parts.append(self.filter_status.label)
        if self.filter_binding:
            parts.append("约束性")
        if self.filter_unit:
            parts.append(f"牵头单位含“{self.filter_unit}”")
        if self.my_unit:
            parts.append(f"我的单位：{self.my_unit}")
        title = f"{'主要指标' if self.kind == 'main' else '文中量化指标'} · 状态截至{self.as_of}年"
        if parts:
            title += f" · 筛选：{'、'.join(parts)}（{self.shown}/{len(self.views)}）"
        self.table.border_title = title

    def say(self, message: str, kind: str = "info") -> None:
        style = {"error": "bold red", "ok": "green", "info": ""}.get(kind, "")
        self.query_one("#grid-status", StatusLine).update(Text(message, style=style))

    # ------------------------------------------------------------------------------------------------------
    # Updating rows after a change

    def view(self, indicator_id: int) -> IndicatorView:
        return self.views[self.by_id[indicator_id]]

    def apply(self, view: IndicatorView) -> None:
        """Take a freshly read indicator: re-judge it and the rows that depend on others, repaint their cells."""
        self.views[self.by_id[view.id]] = view
        touched = [view] + [self.view(i) for i in self.relative if i != view.id]
        self.judge(touched)
        table = self.table
        changes: dict[str, dict[str, Text]] = {}
        if str(view.id) in table.rows:
            cells = changes.setdefault(str(view.id), {})
            for year in self.years:
                cell = render.value_cell(view.values.get(year))
                column = f"y{year}"
                if cell.cell_len > table.columns[ColumnKey(column)].content_width:
                    # a longer value than the column holds: widen it (re-measures the column, O(rows), rare)
                    table.update_cell(str(view.id), column, cell, update_width=True)
                else:
                    cells[column] = cell
        for other in touched:
            if str(other.id) in table.rows:
                changes.setdefault(str(other.id), {})["status"] = self.status_text(other)
        table.set_cells(changes)
        self._history.pop(view.id, None)
        if self._detail_for and self._detail_for[0] in {v.id for v in touched}:
            self.update_detail(force=True)

    def rejudge_all(self) -> None:
        self.judge(self.views)
        table = self.table
        # the header changes with the year; the cell updates below repaint it
        table.columns[ColumnKey("status")].label = Text(self._status_label())
        for view in self.views:
            if str(view.id) in table.rows:
                table.update_cell(str(view.id), "status", self.status_text(view))
        self._update_title()
        self.update_detail(force=True)

    # ------------------------------------------------------------------------------------------------------
    # The detail panel

    @on(DataTable.CellHighlighted, "#grid")
    def _cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.update_detail()

    def update_detail(self, force: bool = False) -> None:
        """Refresh the panel for the cursor's cell, after DETAIL_DELAY (a later call restarts the wait)."""
        if force:
            self._detail_for = None
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self.show_detail)

    def show_detail(self) -> None:
        """Refresh the panel now, if the cursor's cell or its data changed since it was drawn."""
        self._detail_timer = None
        table = self.table
        indicator_id = table.current_indicator() if table.row_count else None
        shown = (indicator_id, table.current_year())
        if shown == self._detail_for:
            return
        self._detail_for = shown
        detail = self.query_one("#detail", Static)
        if indicator_id is None:
            detail.update("")
            return
        view = self.view(indicator_id)
        entries = self._history.get(view.id)
        if entries is None:
            try:
                with self.app.database.session() as session:  # type: ignore[attr-defined]
                    entries = history(session, view.id, limit=DETAIL_HISTORY)
            except SQLAlchemyError:
                entries = []
            self._history[view.id] = entries
        detail.update(self.detail_renderable(view, entries))

    def detail_renderable(self, view: IndicatorView, entries) -> Group:
        assessment = self.assessments.get(view.id)
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
        words = [t.describe(self.period) for t in view.targets() if t.kind != TargetKind.NONE]
        targets.append("；".join(words) or "未设目标", style="")
        status = Text(f"{self.as_of}年：", style="dim")
        if assessment is not None:
            status.append(assessment.label, style=render.status_style(assessment.status, view.binding))
            needed = next((r.growth_needed_from_here for r in assessment.readings
                           if r.firm and r.growth_needed_from_here is not None), None)
            if needed is not None:
                words = f"此后需年均增长{needed:.1f}%" if needed >= 0 else f"此后需年均下降{-needed:.1f}%"
                status.append(f"  {words}", style="bold")
            status.append("  " + assessment.explanation)
        path = view_expected_path(view, self.views, self.settings)
        notes = Text()
        if view.note:
            notes.append("备注：", style="dim")
            notes.append(view.note)
        record = view.years.get(self.table.current_year() or self.as_of)
        if record is not None:
            bits = [(label, value) for label, value in (("阶段", record.stage), ("来源", record.source),
                                                        ("备注", record.note), ("年度目标", decimal_text(record.target)),
                                                        ("人工判断", "，".join(filter(None, (
                                                            status_label(record.manual_status),
                                                            record.manual_note))))) if value]
            if bits:
                if notes:
                    notes.append("  ")
                notes.append(f"{record.year}年 ", style="dim")
                notes.append("  ".join(f"{label}：{value}" for label, value in bits))
        parts = [head, targets, render.path_table(view, path), status]
        if notes:
            parts.append(notes)
        parts.append(render.history_text(entries))
        return Group(*parts)

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
            if editor.selection.is_empty:
                editor.insert_text_at_cursor(char)
            else:
                editor.replace(char, *editor.selection)
        else:
            bindings = EDITOR_KEYS.get(event.key, ())
            if not bindings:
                return False  # F1, F2, Ctrl+P …: the app's keys still work while editing
            await self.app.run_action(bindings[0].action, editor)
        return True

    def table_paste(self, event: events.Paste) -> None:
        """Pasted text goes into the open editor, or opens one on a year cell (saved only on Enter). A row
        copied from Excel or WPS (values separated by tabs) fills the year cells from here rightwards at once."""
        line = next((ln for ln in event.text.splitlines() if ln.strip()), "")
        cells = [cell.strip() for cell in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        text = line.strip()
        if not text:
            return
        event.stop()
        if len(cells) > 1:
            self.paste_row(cells)
        elif self.editing is not None:
            editor = self.editor
            if editor.selection.is_empty:
                editor.insert_text_at_cursor(text)
            else:
                editor.replace(text, *editor.selection)
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
        years = [y for y in self.years if y >= year]
        if len(cells) > len(years):
            self.say(f"没有粘贴：粘贴了 {len(cells)} 个数值，{year}年起只有 {len(years)} 个年份"
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

    def save_row(self, indicator_id: int, values: dict[int, Decimal | None]) -> bool:
        view = self.view(indicator_id)
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                edit = record_actuals(session, indicator_id, values, origin="tui",
                                      expected_versions={y: view.year_version(y) for y in values})
                fresh = get_indicator(session, indicator_id)
        except GuihuaError as exc:  # ConcurrentEditError included: nothing was saved
            self.say(f"没有粘贴：{exc.message}", "error")
            return False
        except SQLAlchemyError as exc:
            self.say(f"没有粘贴：数据库出错（{exc.__class__.__name__}），请稍后重试。", "error")
            return False
        years = sorted(values)
        span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
        if edit.changed:
            self.undo_stack.append(UndoItem(edit, indicator_id, years[0], f"{view.name} {span}实际值（粘贴）"))
            self.redo_stack.clear()
        if self.editing is not None:
            self.close_editor()
        self.apply(fresh)
        shown = "、".join(f"{y}年 {decimal_text(v) if v is not None else '清除'}" for y, v in sorted(values.items()))
        self.say(f"已粘贴：{view.name} {shown} · {self.as_of}年状态：{self.assessments[indicator_id].label}"
                 "（ctrl+z 撤销整行）", "ok")
        return True

    def edit_or_form(self) -> None:
        if self.table.current_year() is not None:
            self.start_edit(None)
        elif self.table.current_indicator() is not None:
            self.action_form()

    def _cell_region(self, coordinate: Coordinate) -> Region:
        """Where a cell is on the screen now (columns left of `fixed_columns` do not scroll sideways)."""
        table = self.table
        columns = table.ordered_columns
        x = sum(column.get_render_width(table) for column in columns[: coordinate.column])
        if coordinate.column >= table.fixed_columns:
            x -= round(table.scroll_x)
        y = coordinate.row + (table.header_height if table.show_header else 0) - round(table.scroll_y)
        origin = table.content_region
        return Region(origin.x + x, origin.y + y, columns[coordinate.column].get_render_width(table), 1)

    def start_edit(self, first: str | None) -> None:
        table = self.table
        indicator_id, year = table.current_indicator(), table.current_year()
        if indicator_id is None or year is None:
            return
        value = self.view(indicator_id).values.get(year)
        editor = self.editor
        self.editing = (indicator_id, year)
        region = self._cell_region(table.cursor_coordinate)
        editor.styles.offset = (region.x, region.y)
        editor.styles.width = max(region.width, 12)
        editor.display = True
        editor.activate(True)
        if first is None:
            editor.value = decimal_text(value) or ""
            editor.cursor_position = len(editor.value)
            editor.select_all()  # typing replaces, arrows and End keep it
        else:
            editor.value = first
            editor.cursor_position = len(first)
        # the editor's screen position is known after the next layout; the IME needs the cursor there
        self.call_after_refresh(editor.place_terminal_cursor)
        self.say(f"{self.view(indicator_id).name} {year}年：回车保存并下移，Tab 右移，Esc 放弃")

    def close_editor(self) -> None:
        self.editing = None
        editor = self.editor
        editor.activate(False)
        editor.display = False
        editor.value = ""

    def cancel_edit(self) -> None:
        if self.editing is None:
            return
        self.close_editor()
        self.say("已放弃修改，数据未变。")

    def finish_edit(self, move: str) -> None:
        """Save the editor's value (after a confirmation when it clears one) and move the cursor."""
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
            self._pending_move = move

            def answered(yes: bool | None) -> None:
                if yes:
                    self._save_and_move(indicator_id, year, None, self._pending_move)
                else:
                    self.say("没有清除。可继续修改，Esc 放弃。")

            self.app.push_screen(ConfirmScreen(f"确定清除 {view.name} {year}年的数值？"), answered)
            return
        reason = view.doubt(year, value) if value != old else None
        if reason:
            self._pending_move = move

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._save_and_move(indicator_id, year, value, self._pending_move)
                else:
                    self.say("没有保存。可继续修改，Esc 放弃。")

            self.app.push_screen(ConfirmScreen(f"{reason}。\n\n确定保存 {decimal_text(value)}{view.unit}？"), confirmed)
            return
        self._save_and_move(indicator_id, year, value, move)

    def _save_and_move(self, indicator_id: int, year: int, value: Decimal | None, move: str) -> None:
        view = self.view(indicator_id)
        old = view.values.get(year)
        if value != old:
            if not self.save_value(indicator_id, year, value):
                return  # refused: the editor stays open with the message in the status line
        else:
            self.say(f"{view.name} {year}年：数值未变。")
        if self.editing is not None:
            self.close_editor()
        self.move(move)

    def save_value(self, indicator_id: int, year: int, value: Decimal | None, overwrite: bool = False) -> bool:
        view = self.view(indicator_id)
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                # The version this screen showed: a figure someone saved since is never overwritten unasked.
                edit = record_actual(session, indicator_id, year, value, origin="tui",
                                     expected_version=view.year_version(year), overwrite=overwrite)
                fresh = get_indicator(session, indicator_id)
        except ConcurrentEditError as exc:
            self._offer_overwrite(indicator_id, year, value, exc)
            return False
        except GuihuaError as exc:
            self.say(f"没有保存：{exc.message}", "error")
            return False
        except SQLAlchemyError as exc:
            self.say(f"没有保存：数据库出错（{exc.__class__.__name__}），请稍后重试。", "error")
            return False
        if edit.changed:
            self.undo_stack.append(UndoItem(edit, indicator_id, year, f"{view.name} {year}年实际值"))
            self.redo_stack.clear()
        self.apply(fresh)
        if value is None:
            message = f"已清除：{view.name} {year}年的数值"
        else:
            message = f"已保存：{view.name} {year}年 = {decimal_text(value)}{view.unit}"
        self.say(f"{message} · {self.as_of}年状态：{self.assessments[indicator_id].label}", "ok")
        return True

    def _offer_overwrite(self, indicator_id: int, year: int, value: Decimal | None, exc: ConcurrentEditError) -> None:
        """Someone else saved this figure after it was shown: show theirs, then ask before overwriting it."""
        if self.editing is not None:
            self.close_editor()
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                self.apply(get_indicator(session, indicator_id))
        except (GuihuaError, SQLAlchemyError):
            pass  # the question below still stands; the row shows what was read before
        self.say(exc.message, "error")
        mine = "清除" if value is None else decimal_text(value)

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self.save_value(indicator_id, year, value, overwrite=True)
            else:
                self.say("已保留对方的修改（表中已显示最新数值）。", "info")

        self.app.push_screen(ConfirmScreen(f"{exc.message}\n\n用你的数值（{mine}）覆盖吗？"), answered)

    def move(self, move: str) -> None:
        table = self.table
        row, column = table.cursor_coordinate
        if move == "down":
            target = table.data_row(row + 1, 1)
            if target is not None:
                table.move_cursor(row=target, animate=False)
        elif move == "up":
            target = table.data_row(row - 1, -1)
            if target is not None:
                table.move_cursor(row=target, animate=False)
        elif move == "right":
            table.move_cursor(column=min(column + 1, len(table.columns) - 1), animate=False)
        elif move == "left":
            table.move_cursor(column=max(column - 1, 0), animate=False)

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
        if action == "close_unit_bar":
            return bool(self.query("#unit-bar") and self.query_one("#unit-bar").display)
        return True

    def _restore(self, item: UndoItem, *, redo: bool) -> None:
        stack_from, stack_to = (self.redo_stack, self.undo_stack) if redo else (self.undo_stack, self.redo_stack)
        word = "恢复" if redo else "撤销"
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                done = undo_edit(session, item.edit, origin="tui")
                fresh = get_indicator(session, item.indicator_id)
        except GuihuaError as exc:
            stack_from.remove(item)  # it can never succeed now: someone changed the field since
            self.say(f"不能{word}：{exc.message}", "error")
            return
        except SQLAlchemyError as exc:
            self.say(f"不能{word}：数据库出错（{exc.__class__.__name__}），请稍后重试。", "error")
            return
        stack_from.remove(item)
        stack_to.append(replace(item, edit=done))
        self.apply(fresh)
        self._show_cell(item)
        self.say(f"已{word}：{item.label}", "ok")

    def _show_cell(self, item: UndoItem) -> None:
        table = self.table
        key = str(item.indicator_id)
        if key not in table.rows:
            return
        column = table.get_column_index(f"y{item.year}") if item.year is not None else table.cursor_column
        table.move_cursor(row=table.get_row_index(key), column=column, animate=False)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.say("没有可撤销的修改。")
            return
        self._restore(self.undo_stack[-1], redo=False)

    def action_redo(self) -> None:
        if not self.redo_stack:
            self.say("没有可恢复的修改。")
            return
        self._restore(self.redo_stack[-1], redo=True)

    # ------------------------------------------------------------------------------------------------------
    # The edit form

    def action_form(self) -> None:
        indicator_id = self.table.current_indicator()
        if indicator_id is None:
            return
        view = self.view(indicator_id)
        year = self.table.current_year() or self.as_of

        def save(changes: FormChanges) -> str | None:
            return self.save_form(indicator_id, year, changes)

        self.app.push_screen(IndicatorForm(view, year, save, judged_by_hand=indicator_id in self.by_hand))

    def save_form(self, indicator_id: int, year: int, changes: FormChanges) -> str | None:
        view = self.view(indicator_id)
        ids: list[int] = []
        labels: list[str] = []
        refused = None
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                if changes.indicator:
                    edit = set_indicator_fields(session, indicator_id, origin="tui", expected_version=view.version,
                                                **changes.indicator)
                    ids.extend(edit.change_ids)
                    labels.append(edit.message)
                if changes.year:
                    edit = set_year_fields(session, indicator_id, year, origin="tui",
                                           expected_version=view.year_version(year), **changes.year)
                    ids.extend(edit.change_ids)
                    labels.append(edit.message)
                fresh = get_indicator(session, indicator_id)
        except GuihuaError as exc:
            refused = f"没有保存：{exc.message}"
        except SQLAlchemyError as exc:
            refused = f"没有保存：数据库出错（{exc.__class__.__name__}），请稍后重试。"
        if ids:
            # both parts undo as one action
            self.undo_stack.append(UndoItem(Edit(tuple(ids), "；".join(labels)), indicator_id, None,
                                            f"{view.name} 的详细信息"))
            self.redo_stack.clear()
        if refused:
            if ids:
                self._reload(indicator_id)
            return refused
        self.apply(fresh)
        self.say("；".join(labels) if labels else "没有变化。", "ok")
        return None

    def _reload(self, indicator_id: int) -> None:
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                self.apply(get_indicator(session, indicator_id))
        except (GuihuaError, SQLAlchemyError):
            pass

    # ------------------------------------------------------------------------------------------------------
    # Plan text, year, filters

    def action_source(self) -> None:
        indicator_id = self.table.current_indicator()
        if indicator_id is None:
            return
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                source = indicator_source(session, indicator_id)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.say(getattr(exc, "message", str(exc)), "error")
            return
        if source is None:
            self.say(f"{self.view(indicator_id).name} 没有关联到规划原文。", "error")
            return
        self.app.run_worker(self.app.show_source(source), group="open")  # type: ignore[attr-defined]

    def action_year(self, step: int) -> None:
        if not self.years:
            return
        year = self.as_of + step
        if not self.years[0] < year <= self.years[-1]:
            self.say(f"状态年份只能在 {self.years[0] + 1}—{self.years[-1]} 年之间。")
            return
        self.as_of = year
        self.rejudge_all()
        self.say(f"状态列按截至{year}年的数据判断。")

    def _refilter(self, message: str) -> None:
        self.rebuild()
        self.say(message if self.shown else f"{message}：没有符合条件的指标，按 x 清除筛选。")

    def action_filter_category(self) -> None:
        options: list[str | None] = [None, *self.categories]
        self.filter_category = options[(options.index(self.filter_category) + 1) % len(options)]
        self._refilter(f"类别：{self.filter_category or '全部'}")

    def action_filter_status(self) -> None:
        present = [s for s in Status if any(a.status == s for a in self.assessments.values())]
        options: list[Status | None] = [None, *present]
        current = self.filter_status if self.filter_status in options else None
        self.filter_status = options[(options.index(current) + 1) % len(options)]
        self._refilter(f"状态：{self.filter_status.label if self.filter_status else '全部'}")

    def action_filter_binding(self) -> None:
        self.filter_binding = not self.filter_binding
        self._refilter("只看约束性指标" if self.filter_binding else "约束性和预期性指标都显示")

    def action_filter_unit(self) -> None:
        bar = self.query_one("#unit-bar")
        bar.display = True
        box = self.query_one("#unit-input", Input)
        box.value = self.filter_unit
        box.focus()
        box.select_all()

    @on(Input.Submitted, "#unit-input")
    def _unit_submitted(self, event: Input.Submitted) -> None:
        self.filter_unit = event.value.strip()
        self._close_unit_bar()
        self._refilter(f"牵头单位含“{self.filter_unit}”" if self.filter_unit else "牵头单位：全部")

    def _close_unit_bar(self) -> None:
        self.query_one("#unit-bar").display = False
        self.table.focus()

    def action_close_unit_bar(self) -> None:
        if self.query_one("#unit-bar").display:
            self._close_unit_bar()

    def action_my_unit(self) -> None:
        choose_my_unit(self)

    def push(self, screen, callback=None) -> None:
        """For the shared pickers (tui.pickers), which open their modal through the screen."""
        self.app.push_screen(screen, callback)

    def on_screen_resume(self) -> None:
        # 「我的单位」 may have been changed on another screen meanwhile.
        if self._loaded and load_my_unit(self.app) != self.my_unit:
            self.my_unit = load_my_unit(self.app)
            self.rebuild()

    def action_toggle_kind(self) -> None:
        """Switch between the plan's main indicators and the accepted quantified targets of its text."""
        self.kind = "text" if self.kind == "main" else "main"
        self._history.clear()
        self.undo_stack.clear()  # undo and redo belong to the rows on screen
        self.redo_stack.clear()
        self.filter_category = None
        self._loaded = False  # a fresh as-of year for the other list
        self.load()
        if self.views:
            self.say(f"{'文中量化指标' if self.kind == 'text' else '主要指标'}：{len(self.views)} 个。按 t 切换。")

    def action_reload(self) -> None:
        """Read everything again (someone may have changed figures from the command line or an import)."""
        self._history.clear()
        self.load()
        if self.views:
            self.say(f"已重新读取 {len(self.views)} 个指标。")

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "撤销", "撤销本界面上一次修改（Ctrl+Z）", self.action_undo
        yield "恢复", "恢复刚撤销的修改（Ctrl+Y）", self.action_redo
        yield "修改详细信息", "牵头单位、配合单位、分管领导、年度目标、数据阶段、来源、备注（e）", self.action_form
        yield "查看规划原文", "到当前指标在规划中的段落（o）", self.action_source
        yield "按类别筛选", "依次切换类别（c）", self.action_filter_category
        yield "按状态筛选", "依次切换状态（s）", self.action_filter_status
        yield "只看约束性指标", "再选一次取消（b）", self.action_filter_binding
        yield "按牵头单位筛选", "输入单位名称中的字（u）", self.action_filter_unit
        yield "清除筛选", "显示全部指标（x）", self.action_clear_filters
        yield "刷新", "重新读取数据库中的指标和数值（r）", self.action_reload
        yield "状态看前一年", "状态列按前一年判断（[）", partial(self.action_year, -1)
        yield "状态看后一年", "状态列按后一年判断（]）", partial(self.action_year, 1)

    def action_clear_filters(self) -> None:
        """Every filter, 「我的单位」 included (it hid the rows as much as the others), unless the user's account is
        bound to the unit: then only that unit's rows can show, and the message says so."""
        self.filter_category = self.filter_status = None
        self.filter_binding = False
        self.filter_unit = ""
        bound = bound_unit(self.app)
        if self.my_unit and not bound:
            try:
                save_my_unit(self.app, "")
            except SQLAlchemyError as exc:
                self.say(db_error(exc), "error")
                return
        self.my_unit = bound
        if bound:
            self._refilter(f"已清除筛选；你的账号绑定了“{bound}”，只显示本单位牵头或配合的指标")
        else:
            self._refilter("已清除筛选")
