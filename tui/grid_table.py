"""The indicator grid's table and the editor laid over one of its cells.

The table knows its columns (which column is which year), paints rows from what the screen gives it and
repaints single rows cheaply; the editor is an `Input` the table drives while keeping focus itself. Which keys
edit what is decided by the screen (tui.grid), which the table asks through `key_router`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingsMap
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.message import Message
from textual.render import measure
from textual.widgets import Input
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from db.indicators import IndicatorView
from tui.grid_render import category_cell
from tui.widgets import SeparatorRowsTable

# Keys that start editing a year cell, and go into the editor as its first character: digits (also
# full-width, as a Chinese IME in full-width mode types them), signs, the decimal point, and 「—」 (clear).
EDIT_STARTERS = frozenset("0123456789+-.０１２３４５６７８９＋－．—")
CATEGORY_PREFIX = "cat:"
FIRST_ROWS = 80  # rows added before the first paint (more than a screenful); the rest follow in chunks
MORE_ROWS = 400
NAME_WIDTH = 24  # with the other columns, fills a 140-column terminal exactly
YEAR_WIDTH = 6  # grows when a longer value is typed
# Keys that end an edit while the editor is open: save and move that way (Escape: drop).
FINISH_KEYS = {"enter": "down", "tab": "right", "shift+tab": "left", "down": "down", "up": "up"}
# The editing keys Input binds (← → Home End Backspace Delete Ctrl+A/E/K/U/W, Shift+← → …), by key.
EDITOR_KEYS = BindingsMap(Input.BINDINGS).key_to_bindings


class CellEditor(Input):
    """The editor laid over a grid cell: an `Input` the grid drives while keeping focus itself.

    Focus stays on the grid during an edit because a DataTable that loses or regains focus re-renders every
    visible cell (its render caches are keyed by its focus state and cleared on restyle): about 30 ms per
    edit, twice. The grid hands the editor the keys; the editor shows its text cursor as if focused and puts
    the real terminal cursor there (`app.cursor_position`, as Input does), where a pinyin IME opens its
    candidate window. `cell`: (indicator id, year) while open."""

    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, select_on_focus=False, **kwargs)
        self.cell: tuple[int, int] | None = None

    def on_mount(self) -> None:
        # a solid cursor: a blinking one would repaint the screen twice a second while editing
        self.cursor_blink = False
        self.display = False

    def activate(self, active: bool) -> None:
        # draws the cursor and selection, which Input only does when it has focus
        self.has_focus = active

    def place_terminal_cursor(self) -> None:
        if self.display:
            self.app.cursor_position = self.cursor_screen_offset

    def open(self, cell: tuple[int, int], region: Region, text: str, *, select: bool) -> None:
        """Lay the editor over `region` (the cell on screen) holding `text`; `select`: typing replaces it."""
        self.cell = cell
        self.styles.offset = (region.x, region.y)
        self.styles.width = max(region.width, 12)
        self.display = True
        self.activate(True)
        self.value = text
        self.cursor_position = len(text)
        if select:
            self.select_all()  # typing replaces, arrows and End keep it
        # the editor's screen position is known after the next layout; the IME needs the cursor there
        self.call_after_refresh(self.place_terminal_cursor)

    def close(self) -> None:
        self.cell = None
        self.activate(False)
        self.display = False
        self.value = ""

    def type_text(self, text: str) -> None:
        """Insert typed or pasted text, replacing the selection."""
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


class IndicatorTable(SeparatorRowsTable):
    """The grid: rows keyed by indicator id (category rows keyed 「cat:…」, never holding the cursor)."""

    SEPARATOR_PREFIX = CATEGORY_PREFIX

    BINDINGS = [
        Binding("enter", "edit_cell", "编辑", id="grid.edit"),
        Binding("delete,backspace", "clear_cell", "清除", show=False, id="grid.clear"),
        Binding("right", "cursor_right", show=False, id="grid.right"),
        Binding("left", "cursor_left", show=False, id="grid.left"),
    ]

    class EditRequested(Message):
        """Enter on a cell: edit its value (a year cell) or the indicator's details."""

    class ClearRequested(Message):
        """Delete or Backspace on a year cell."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, cell_padding=1, **kwargs)
        self.fixed_columns = 1
        self.year_columns: dict[str, int] = {}  # column key -> year
        self.narrow = False  # the status column frozen beside the name (build_columns)
        self.rows_pending = False  # rows of the last fill still to be added
        self._fill_generation = 0  # counts fills: rows still being added for an older one stop
        # Asked first about every key; True when it used the key (the editor's keys while editing).
        self.key_router: Callable[[events.Key], Awaitable[bool]] | None = None
        # Pasted text, handled at once (like a key: what is typed after it must come after it).
        self.paste_router: Callable[[str], None] | None = None
        # DataTable keeps up to 10,000 rendered cells; a screenful is ~400. Smaller caches keep the heap, and
        # so Python's full garbage collections (pauses of 50-150 ms with big tables), small.
        for name, size in (("_cell_render_cache", 2000), ("_row_render_cache", 400), ("_line_cache", 400)):
            cache = getattr(self, name, None)
            if cache is not None and hasattr(cache, "maxsize"):
                cache.maxsize = size

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Column widths from the new rows' cells. Every cell of this table is a one-line Text, whose width is
        its cell length: DataTable measures each new cell with Rich instead (24,000 cells, about 1.5 s, for
        2,000 indicators). Touches DataTable internals; if they are not as expected, DataTable's own way."""
        try:
            data, columns = self._data, self.ordered_columns
        except AttributeError:  # pragma: no cover - a Textual release reorganised DataTable
            super()._update_dimensions(new_rows)
            return
        if any(self.rows[key].auto_height for key in new_rows if key in self.rows):
            super()._update_dimensions(new_rows)  # pragma: no cover - every row here is one line high
            return
        widths = [column.content_width for column in columns]
        for row_key in new_rows:
            row = data.get(row_key)
            if row is None:
                continue  # removed before the table was idle
            for index, column in enumerate(columns):
                cell = row.get(column.key)
                if cell is None:
                    continue
                width = cell.cell_len if isinstance(cell, Text) else measure(self.app.console, cell, 1)
                if width > widths[index]:
                    widths[index] = width
        for column, width in zip(columns, widths):
            column.content_width = width
        # as DataTable ends its own: the scrollable size from the widths and the rows' heights
        header_height = self.header_height if self.show_header else 0
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header_height)

    @staticmethod
    def needs_narrow_layout(width: int, year_widths: Sequence[int]) -> bool:
        """Whether `width` columns cannot show 指标, 单位, the years (each as wide as its longest value) and the
        status side by side (an 80-column terminal): then the status is frozen beside the name instead."""
        padding = 2
        years = sum(max(w, YEAR_WIDTH) for w in year_widths)
        wanted = NAME_WIDTH + 6 + 13 + years + (3 + len(year_widths)) * padding + 1  # + the scrollbar
        return 0 < width < wanted

    def build_columns(self, years: Sequence[int], status_label: str, *, narrow: bool = False) -> None:
        """指标, 单位, one column per plan year, then the status (right after the years, so a 120-column
        terminal still shows it), 目标, 年均增速, 属性. `narrow`: the status right after the name, both
        frozen, the rest scrolling sideways."""
        self.clear(columns=True)
        self.narrow = narrow
        self.fixed_columns = 2 if narrow else 1
        self.add_column("指标", key="name", width=NAME_WIDTH)
        if narrow:
            self.add_column(status_label, key="status", width=13)
        self.add_column("单位", key="unit", width=6)
        self.year_columns = {}
        for year in years:
            key = f"y{year}"
            # auto width from a padded label: the column starts at YEAR_WIDTH and widens for longer values
            self.add_column(Text(str(year).rjust(YEAR_WIDTH), justify="right"), key=key)
            self.year_columns[key] = year
        if not narrow:
            self.add_column(status_label, key="status", width=13)
        self.add_column(f"{years[-1]}目标" if years else "目标", key="target", width=14)
        self.add_column("年均增速", key="growth", width=14)
        self.add_column("属性", key="attribute", width=6)

    def add_indicator_row(self, cells: dict[str, Text], key: str) -> None:
        """A row from its cells by column key, in whatever order the columns are."""
        self.add_row(*[cells[str(column.key.value)] for column in self.ordered_columns], key=key)

    def fill(self, entries: list[IndicatorView | str], row_cells: Callable[[IndicatorView], dict[str, Text]],
             first: int = FIRST_ROWS) -> None:
        """Add rows (a category's name, or an indicator's cells): `first` at once, the rest in chunks after
        each paint, since 2,000 rows take 0.3 s to add. A later fill stops the chunks of an earlier one."""
        self._fill_generation += 1
        self._fill_more(entries, row_cells, 0, first, self._fill_generation)

    def _fill_more(self, entries: list[IndicatorView | str], row_cells: Callable[[IndicatorView], dict[str, Text]],
                   start: int, count: int, generation: int) -> None:
        if generation != self._fill_generation:
            return  # filled again meanwhile (a filter, a reload)
        end = start + count
        for entry in entries[start:end]:
            if isinstance(entry, str):
                self.add_row(category_cell(entry), key=f"{CATEGORY_PREFIX}{entry}")
            else:
                self.add_indicator_row(row_cells(entry), key=str(entry.id))
        self.rows_pending = end < len(entries)
        if self.rows_pending:
            self.call_after_refresh(self._fill_more, entries, row_cells, end, MORE_ROWS, generation)

    def set_status_label(self, label: str) -> None:
        """Rename the status column, repainting only the header (as set_cells does for rows)."""
        self.columns[ColumnKey("status")].label = Text(label)
        try:
            header_key, header_lines = self._header_row_key, self.header_height
            for cache in (self._cell_render_cache, self._row_render_cache):
                for key in [key for key in cache.keys() if key[0] == header_key]:
                    cache.discard(key)
            for key in [key for key in self._line_cache.keys() if key[0] < header_lines]:
                self._line_cache.discard(key)
            self._row_renderable_cache.discard((self._update_count, -1))
        except AttributeError:  # pragma: no cover - a Textual release reorganised DataTable
            self._update_count += 1
        self.refresh()

    def year_column(self, year: int) -> int | None:
        key = f"y{year}"
        return self.get_column_index(key) if key in self.year_columns else None

    def on_resize(self) -> None:
        # The detail panel below may grow (a chart drawn) and shrink the table: keep the cursor's row in view.
        scroll = getattr(self, "_scroll_cursor_into_view", None)
        if scroll is not None and self.row_count:
            self.call_after_refresh(scroll, animate=False)

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

    def show_cell(self, indicator_id: int, year: int | None) -> None:
        """Put the cursor on the indicator's cell of `year` (its current column when None), if it is shown."""
        key = str(indicator_id)
        if key not in self.rows:
            return
        column = self.year_column(year) if year is not None else None
        self.move_cursor(row=self.get_row_index(key), column=self.cursor_column if column is None else column,
                         animate=False)

    def step(self, move: str) -> None:
        """Move the cursor one cell (rows skip the category rows)."""
        row, column = self.cursor_coordinate
        if move in ("down", "up"):
            target = self.data_row(row + 1, 1) if move == "down" else self.data_row(row - 1, -1)
            if target is not None:
                self.move_cursor(row=target, animate=False)
        elif move == "right":
            self.move_cursor(column=min(column + 1, len(self.columns) - 1), animate=False)
        elif move == "left":
            self.move_cursor(column=max(column - 1, 0), animate=False)

    def cell_region(self, coordinate: Coordinate) -> Region:
        """Where a cell is on the screen now (columns left of `fixed_columns` do not scroll sideways)."""
        columns = self.ordered_columns
        x = sum(column.get_render_width(self) for column in columns[: coordinate.column])
        if coordinate.column >= self.fixed_columns:
            x -= round(self.scroll_x)
        y = coordinate.row + (self.header_height if self.show_header else 0) - round(self.scroll_y)
        origin = self.content_region
        return Region(origin.x + x, origin.y + y, columns[coordinate.column].get_render_width(self), 1)

    def set_cells(self, changes: dict[str, dict[str, Text]]) -> None:
        """Replace cells ({row key: {column key: cell}}) and repaint only those rows.

        DataTable.update_cell bumps a counter that every render cache is keyed by, so one changed cell
        re-renders every visible cell (about 30 ms for this table). Here only the changed rows' cache entries
        are dropped. That touches DataTable internals; if they are not as expected, the public (slow) way."""
        changes = {key: cells for key, cells in changes.items() if key in self.rows}
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

    def set_year_cell(self, indicator_id: int, year: int, cell: Text) -> bool:
        """Show a year's value; False when the column had to widen (then it is already repainted)."""
        column = f"y{year}"
        if cell.cell_len > self.columns[ColumnKey(column)].content_width:
            # a longer value than the column holds: widen it (re-measures the column, O(rows), rare)
            self.update_cell(str(indicator_id), column, cell, update_width=True)
            return False
        return True

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # While a cell is edited, _on_key hands every typed character to the editor before any binding is
        # looked at; saying so here would also drop the grid's letter keys from the footer mid-edit.
        return character in EDIT_STARTERS and self.current_year() is not None

    async def _on_key(self, event: events.Key) -> None:
        if self.key_router is not None and await self.key_router(event):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        if self.paste_router is not None:
            event.stop()
            self.paste_router(event.text)

    def action_edit_cell(self) -> None:
        self.post_message(self.EditRequested())

    def action_clear_cell(self) -> None:
        self.post_message(self.ClearRequested())
