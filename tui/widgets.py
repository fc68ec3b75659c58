"""Widgets of the main screen: the chapter tree, the reader, the search panel and the status line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from rich import box
from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static, Tree
from textual.widgets.tree import TreeNode
from textual.widgets.data_table import CellDoesNotExist

from core.kinds import BlockKind, NodeKind
from tui.render import INDENT, marked_text, note_text

if TYPE_CHECKING:  # types only: the reader paints before db (SQLAlchemy) is imported
    from db.plan_store import ContentItem, NodeContent, SearchHit

HitKey = tuple  # ("block", id) | ("note", block_id, number) | ("node", node_id)
Span = tuple[int, int]


class OutlineTree(Tree[int]):
    """The plan's outline; each node's data is the plan node id."""

    class OpenRequested(Message):
        """→ on a part: show it in the reader now (the cursor resting there would only preview it)."""

        def __init__(self, node: TreeNode[int]) -> None:
            super().__init__()
            self.node = node

    BINDINGS = [
        Binding("j", "cursor_down", "下移", show=False, id="tree.down_j"),
        Binding("k", "cursor_up", "上移", show=False, id="tree.up_k"),
        Binding("right,l", "open_node", "展开", show=False, id="tree.open"),
        Binding("left,h", "close_node", "收起", show=False, id="tree.close"),
    ]

    def action_open_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        self.post_message(self.OpenRequested(node))

    def render_label(self, node: TreeNode[int], base_style: Style, style: Style) -> Text:
        """The label cut to the tree's width with 「…」, so a long title shows it was cut (no sideways scrolling)."""
        label = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        # the scrollbar's column counted always: it appears after the labels were measured (expanding)
        room = self.size.width - self.styles.scrollbar_size_vertical - depth * self.guide_depth
        if room > 1 and label.cell_len > room:
            whole = label.copy()
            label.truncate(room, overflow="ellipsis")
            if label.plain.endswith(" …") and not whole.plain[len(label.plain) - 2:].startswith(" "):
                label = whole  # a wide character did not fit before 「…」: cut one cell earlier, no gap
                label.truncate(room - 1, overflow="ellipsis")
        return label

    def action_close_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


def hit_key(hit: SearchHit) -> HitKey:
    if hit.footnote_number is not None and hit.block_id is not None:
        return ("note", hit.block_id, hit.footnote_number)
    if hit.block_id is not None:
        return ("block", hit.block_id)
    return ("node", hit.node_id)


class ItemView(Static):
    """One piece of the reader (a paragraph, heading, note, table...) that can highlight a search hit."""

    def __init__(self, keys: list[HitKey], render: Callable[[HitKey | None, Span | None], RenderableType],
                 **kwargs) -> None:
        self.keys = keys
        self._make = render
        self.hit_span: Span | None = None
        super().__init__(render(None, None), **kwargs)

    @property
    def plain(self) -> str:
        rendered = self._make(None, None)
        return rendered.plain if isinstance(rendered, Text) else str(rendered)

    def set_hit(self, key: HitKey | None, span: Span | None) -> None:
        self.hit_span = span if key is not None else None
        self.set_class(key is not None, "-hit")
        self.update(self._make(key, span))


class BoxView(Vertical):
    """A 专栏 set off with a border; its title is the border title."""

    def __init__(self, title: str, node_id: int, *children: Widget) -> None:
        super().__init__(*children, classes="box")
        self.keys: list[HitKey] = [("node", node_id)]
        self.border_title = f"专栏：{title}"
        self.hit_span: Span | None = None

    def set_hit(self, key: HitKey | None, span: Span | None) -> None:
        self.hit_span = span if key is not None else None
        self.set_class(key is not None, "-hit")


def _title_span(label: str, title: str, span: Span | None) -> Span | None:
    """Hits in titles count from the title; the label may carry a 「第一节 」 prefix in front."""
    if span is None:
        return None
    shift = len(label) - len(title) if label.endswith(title) else 0
    return (span[0] + shift, span[1] + shift)


def build_reader_widgets(content: NodeContent) -> list[Widget]:
    """Widgets for everything in a node, in reading order."""
    node = content.node
    label = f"{node.number} {node.title}" if node.number else node.title
    out: list[Widget] = []

    def titled(text: str, title: str, prefix: str = "") -> Callable:
        return lambda key, span: marked_text(text, hit=_title_span(text, title, span), prefix=prefix)

    out.append(ItemView([("node", node.id)], titled(label, node.title), classes="node-title"))

    items = list(content.items)
    box: tuple[str, int] | None = (node.title, node.id) if node.kind == NodeKind.BOX else None
    box_children: list[Widget] = []
    i = 0

    def flush_box() -> None:
        nonlocal box, box_children
        if box is not None:
            out.append(BoxView(box[0], box[1], *box_children))
        box, box_children = None, []

    if node.kind == NodeKind.FIGURE and not items:
        out.append(ItemView([], lambda key, span: Text("〔图〕" + node.title), classes="figure"))
    if node.kind == NodeKind.TABLE:
        cells = [it for it in items if it.kind == BlockKind.TABLE_CELL]
        items = [it for it in items if it.kind != BlockKind.TABLE_CELL]
        out.extend(_table_widgets(None, cells, node.title))

    while i < len(items):
        item = items[i]
        if box is not None and item.kind not in (BlockKind.BOX_GROUP, BlockKind.BOX_ITEM) and item.node_id != box[1]:
            flush_box()
        target = box_children if box is not None else out
        if item.kind == "box_title":
            flush_box()
            box = (item.text, item.node_id)
            i += 1
            continue
        if item.kind == "table_title":
            cells = []
            j = i + 1
            while j < len(items) and items[j].kind == BlockKind.TABLE_CELL:
                cells.append(items[j])
                j += 1
            out.extend(_table_widgets(item, cells))
            i = j
            continue
        if item.kind == BlockKind.TABLE_CELL:  # stray cells without a title
            cells = []
            while i < len(items) and items[i].kind == BlockKind.TABLE_CELL:
                cells.append(items[i])
                i += 1
            out.extend(_table_widgets(None, cells))
            continue
        target.extend(_item_widgets(item))
        i += 1
    flush_box()
    if len(out) == 1:
        out.append(Static("（本节没有正文）", classes="empty"))
    return out


def _item_widgets(item: ContentItem) -> list[Widget]:
    kind = item.kind
    text = item.text
    if kind == BlockKind.PARAGRAPH:
        render = lambda key, span: marked_text(text, item.footnotes, span if key else None, prefix=INDENT)  # noqa: E731
        views: list[Widget] = [ItemView([("block", item.block_id)], render, classes="paragraph")]
    elif kind == BlockKind.LEAD_IN:
        def render(key, span):
            out = Text("篇首语 ", style="bold")
            out.append_text(marked_text(text, item.footnotes, span if key else None, style="italic"))
            return out

        views = [ItemView([("block", item.block_id)], render, classes="lead-in")]
    elif kind == "heading":
        title = text.split(" ", 1)[1] if " " in text and text.startswith("第") else text
        views = [
            ItemView(
                [("node", item.node_id)],
                lambda key, span: marked_text(text, hit=_title_span(text, title, span)),
                classes=f"heading depth-{min(item.depth, 3)}",
            )
        ]
    elif kind == NodeKind.FIGURE:
        views = [
            ItemView(
                [("node", item.node_id)],
                lambda key, span: marked_text(text, hit=_title_span(text, text, span), prefix="〔图〕"),
                classes="figure",
            )
        ]
    elif kind in (BlockKind.BOX_GROUP, BlockKind.BOX_ITEM):
        prefix = "" if kind == BlockKind.BOX_GROUP else "· "
        views = [
            ItemView(
                [("block", item.block_id)],
                lambda key, span: marked_text(text, item.footnotes, span if key else None, prefix=prefix),
                classes=kind.replace("_", "-"),
            )
        ]
    else:  # subheading, fragment, title, draft_mark and anything new
        views = [
            ItemView(
                [("block", item.block_id)] if item.block_id else [],
                lambda key, span: marked_text(text, item.footnotes, span if key else None),
                classes=kind.replace("_", "-"),
            )
        ]
    for note in item.footnotes:
        views.append(
            ItemView(
                [("note", item.block_id, note.number)],
                lambda key, span, note=note: note_text(note, span if key else None),
                classes="note",
            )
        )
    return views


def _table_widgets(title: ContentItem | None, cells: list[ContentItem], table_title: str = "") -> list[Widget]:
    views: list[Widget] = []
    if title is not None:
        views.append(
            ItemView(
                [("node", title.node_id)],
                lambda key, span: marked_text(title.text, hit=_title_span(title.text, title.text, span), prefix="〔表〕"),
                classes="table-title",
            )
        )
    if cells:
        notes = []
        if not any("\t" in cell.text for cell in cells):
            notes.append("此表由 PDF 提取，每行是提取出的一行，行列关系可能与原表不同")
        if is_main_indicator_table(title.text if title is not None else table_title):
            notes.append("主要指标的数据和进度按 F3 查看")
        if notes:  # above the table: the way to the indicators' figures is seen before a long PDF table
            views.append(Static("（" + "；".join(notes) + "）", classes="table-note"))
        views.append(TableView(cells, classes="table-cells"))
    return views


def is_main_indicator_table(title: str) -> bool:
    from core.indicator_table import main_indicator_title  # the reader's start-up does not pay for it

    return main_indicator_title(title) is not None


def table_cells(line: str) -> list[tuple[int, str]]:
    """A stored table line's cells (separated by tabs, core.plan_text) with each cell's offset in the line."""
    cells, offset = [], 0
    for cell in line.split("\t"):
        cells.append((offset, cell))
        offset += len(cell) + 1
    return cells


class TableView(ItemView):
    """A table's lines as the rows of a table, one column per tab-separated cell; a search hit is marked in
    its cell."""

    def __init__(self, lines: list[ContentItem], **kwargs) -> None:
        self.lines = lines
        super().__init__([("block", line.block_id) for line in lines], self._table, **kwargs)

    def _table(self, key: HitKey | None, span: Span | None) -> Table:
        rows = [table_cells(line.text) for line in self.lines]
        width = max(len(row) for row in rows)
        table = Table(box=box.SQUARE, show_header=False, show_lines=width > 1, expand=False, padding=(0, 1))
        for _ in range(width):
            table.add_column(overflow="fold")
        for line, row in zip(self.lines, rows):
            hit = span if key == ("block", line.block_id) else None
            # a short row leaves out its leading cells (分类, 序号 written only on the group's first row)
            table.add_row(*[""] * (width - len(row)), *(
                marked_text(cell, hit=(hit[0] - offset, hit[1] - offset) if hit and offset <= hit[0] <= offset + len(cell)
                            else None)
                for offset, cell in row
            ))
        return table

    @property
    def plain(self) -> str:
        return "\n".join(line.text for line in self.lines)


class Reader(VerticalScroll):
    """The selected node's text."""

    BINDINGS = [
        Binding("j", "scroll_down", "下滚", show=False, id="reader.down_j"),
        Binding("k", "scroll_up", "上滚", show=False, id="reader.up_k"),
        Binding("space", "page_down", "下一页", show=False, id="reader.page_down"),
        Binding("b", "page_up", "上一页", show=False, id="reader.page_up"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.node_id: int | None = None
        self._views: dict[HitKey, ItemView | BoxView] = {}
        self._lit: ItemView | BoxView | None = None

    async def show(self, content: NodeContent) -> None:
        widgets = build_reader_widgets(content)
        self.node_id = content.node.id
        self._lit = None
        await self.remove_children()
        await self.mount_all(widgets)
        self._views = {}
        for widget in self.query("ItemView, BoxView"):
            if isinstance(widget, (ItemView, BoxView)):
                for key in widget.keys:
                    self._views.setdefault(key, widget)
        self.scroll_home(animate=False)

    async def show_message(self, text: str) -> None:
        self.node_id = None
        self._views = {}
        self._lit = None
        await self.remove_children()
        await self.mount(Static(text, classes="empty"))

    @property
    def lit(self) -> ItemView | BoxView | None:
        """The widget holding the highlighted search hit."""
        return self._lit

    def highlight(self, hit: SearchHit | None) -> Widget | None:
        """Highlight `hit` (or clear the highlight) and scroll it into view."""
        if self._lit is not None:
            self._lit.set_hit(None, None)
            self._lit = None
        if hit is None:
            return None
        key = hit_key(hit)
        widget = self._views.get(key)
        if widget is None and key[0] == "note":
            key = ("block", hit.block_id)
            widget = self._views.get(key)
        if widget is None:
            return None
        widget.set_hit(key, (hit.start, hit.end))
        self._lit = widget
        self.call_after_refresh(self.scroll_to_widget, widget, animate=False, center=True)
        return widget


class StatusLine(Static):
    """Plan name, where the reader is, and the search position."""


class SeparatorRowsTable(DataTable):
    """A DataTable whose heading rows (chapters, categories; row keys starting with SEPARATOR_PREFIX) never
    hold the cursor: moving onto one skips to the next data row in the direction of travel."""

    SEPARATOR_PREFIX = "sep:"

    def is_separator(self, row: int) -> bool:
        try:
            key = self.coordinate_to_cell_key(Coordinate(row, 0)).row_key
        except CellDoesNotExist:
            return False
        return str(key.value).startswith(self.SEPARATOR_PREFIX)

    def data_row(self, row: int, step: int) -> int | None:
        """The nearest row at or after `row` in direction `step` that is not a separator."""
        while 0 <= row < self.row_count:
            if not self.is_separator(row):
                return row
            row += step
        return None

    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        value = super().validate_cursor_coordinate(value)
        if self.row_count and self.is_separator(value.row):
            step = -1 if value.row < self.cursor_coordinate.row else 1
            row = self.data_row(value.row, step)
            if row is None:
                row = self.data_row(value.row, -step)
            if row is not None:
                value = Coordinate(row, value.column)
        return value
