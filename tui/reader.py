"""The plan reader (F2, the default mode): the chapter tree, the text of the part chosen, and full-text search.

Everything it reads comes through `fetch` (tui.base) from db.reader_views in a worker thread, so a slow
database delays only the text it fills, never the keys: moving in the tree previews a part once the cursor
rests (a newer move replaces an older request), search runs as you type (the newer query wins), and the place
read is remembered in the background. The App holds only what every screen shares; opening a plan (at start-up
or F7) goes through `load_plan`, which tells the App once the plan has been read."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from core.kinds import NodeKind
from tui.base import DataFailed, GuihuaScreen
from tui.render import hit_context, tree_label
from tui.widgets import OutlineTree, Reader, StatusLine

if TYPE_CHECKING:  # db (and SQLAlchemy) is imported after the first paint: the screen's workers import it
    from db.plan_store import NodeContent, OutlineNode, SearchHit
    from db.reader_views import PlanOutline

OPENING_TEXT = "正在打开数据库…"  # the reader's text until the App's first worker has opened the database
PREVIEW_DELAY = 0.25  # seconds the tree cursor must rest before the reader follows it
SEARCH_DELAY = 0.2  # typing pause before a live search


class ShowSource(Message):
    """Show where the plan states something (a db.indicators.TextSource: node, block, span) in the reader.
    Posted by any screen; it bubbles to the App, which switches to the reader."""

    def __init__(self, source) -> None:
        super().__init__()
        self.source = source


class PlanLoaded(Message):
    def __init__(self, plan: PlanOutline) -> None:
        super().__init__()
        self.plan = plan


class NodeLoaded(Message):
    def __init__(self, content: NodeContent, hit: SearchHit | None, preview: bool) -> None:
        super().__init__()
        self.content = content
        self.hit = hit
        self.preview = preview


class HitsFound(Message):
    def __init__(self, query: str, hits: list[SearchHit]) -> None:
        super().__init__()
        self.query = query
        self.hits = hits


class PlaceRemembered(Message):
    def __init__(self, node_id: int, stored: bool) -> None:
        super().__init__()
        self.node_id = node_id
        self.stored = stored


class OutlineCommands(Provider):
    """Jump to any chapter, section, 专栏, figure or table from the command palette."""

    def _reader(self) -> ReaderScreen | None:
        screen = self.screen
        return screen if isinstance(screen, ReaderScreen) else None

    async def search(self, query: str) -> Hits:
        reader = self._reader()
        if reader is None:
            return
        matcher = self.matcher(query)
        for node in reader.outline_nodes:
            label = tree_label(node)
            score = matcher.match(label)
            if score > 0:
                where = reader.outline_parents.get(node.id) or "转到这一部分"
                yield Hit(score, matcher.highlight(label), partial(reader.jump_to_node, node.id), help=where)

    async def discover(self) -> Hits:
        reader = self._reader()
        if reader is None:
            return
        for node in reader.outline_nodes:
            if node.kind in (NodeKind.FRONT, NodeKind.CHAPTER):
                yield DiscoveryHit(tree_label(node), partial(reader.jump_to_node, node.id), help="转到这一章")


class ReaderScreen(GuihuaScreen):
    """The chapter tree, the reader and the search panel over the open plan."""

    COMMANDS = {OutlineCommands}
    BINDINGS = [
        Binding("slash", "search", "搜索", id="search.open"),
        Binding("n", "next_hit", "下一处", id="search.next"),
        Binding("N,shift+n", "previous_hit", "上一处", key_display="N", id="search.previous"),
        Binding("escape", "escape", "关闭", id="search.close"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.outline_nodes: list[OutlineNode] = []
        self.outline_parents: dict[int, str] = {}  # node id -> its chapter's label, for the palette
        self.location = ""
        self.hits: list[SearchHit] = []
        self.hit_index = -1
        self.hit_query = ""
        self._tree_nodes: dict[int, TreeNode[int]] = {}
        self._preview_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._remembered: int | None = None
        self._loading_node: int | None = None  # the node a fetch is reading now

    # ------------------------------------------------------------------------------------------------------
    # Layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            tree = OutlineTree("规划", id="outline")
            tree.show_root = False
            tree.guide_depth = 2
            tree.border_title = "目录"
            yield tree
            reader = Reader(id="reader")
            reader.border_title = "正文"
            yield reader
        with Vertical(id="search"):
            with Horizontal(id="search-bar"):
                yield Static("搜索：", id="search-label")
                yield Input(placeholder="输入要查找的词，回车查看结果，Esc 关闭", id="search-input", compact=True)
            yield Static("", id="search-info")
            yield OptionList(id="search-results")
        yield StatusLine("", id="status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).cursor_blink = self.guihua.CURSOR_BLINK
        self.query_one("#search").display = False
        self.query_one(OutlineTree).focus()
        self._update_status()
        if self.guihua.database_open:
            self.load_plan(self.guihua.requested_plan_id, chosen=False)
        else:  # the App opens it in its first worker and then calls load_plan
            self.call_later(self._show_problem, OPENING_TEXT)

    # ------------------------------------------------------------------------------------------------------
    # Opening a plan

    def load_plan(self, plan_id: int | None, *, chosen: bool) -> None:
        """Read the plan (None: the default one) in a worker; `on_plan_loaded` shows it."""
        database = self.database

        def read() -> PlanOutline:
            from db.reader_views import open_plan_outline

            return open_plan_outline(database, plan_id, chosen=chosen)

        self.fetch(read, PlanLoaded, group="plan")

    def show_plan(self, plan: PlanOutline) -> None:
        """Show a plan read elsewhere (the App's opening worker reads the first one right after opening)."""
        self.post_message(PlanLoaded(plan))

    async def on_plan_loaded(self, message: PlanLoaded) -> None:
        plan = message.plan
        self.guihua.plan_opened(plan.plan_id, plan.name, plan.plans_in_database)
        self._cancel_preview()
        if self._search_timer is not None:
            self._search_timer.stop()
        self.close_search()
        self.query_one("#search-input", Input).value = ""
        self.query_one("#search-results", OptionList).clear_options()
        self.query_one("#search-info", Static).update("")
        self.hits, self.hit_index, self.hit_query = [], -1, ""
        self.location = ""
        self._remembered = None
        self._fill_tree(plan.roots)
        start = plan.last_node if plan.last_node in self._tree_nodes else None
        if start is None and plan.roots:
            start = plan.roots[0].id
        self._update_status()
        if start is not None:
            self.jump_to_node(start)
        else:
            await self._show_problem("这个规划没有可显示的章节。")
        self.refresh_bindings()

    async def on_data_failed(self, message: DataFailed) -> None:
        if message.group == "open":
            self._loading_node = None  # nothing is reading it now: a preview of it must read it again
            return
        if message.group != "plan":
            return
        self.guihua.plan_not_opened()
        if self.plan_id is None:  # nothing open to fall back on: say why
            await self._show_problem(message.text)

    async def _show_problem(self, message: str) -> None:
        await self.query_one(Reader).show_message(message)
        self.query_one(StatusLine).update(message.splitlines()[0] if message else "")

    def _fill_tree(self, roots: list[OutlineNode]) -> None:
        tree = self.query_one(OutlineTree)
        tree.clear()
        self.outline_nodes, self.outline_parents, self._tree_nodes = [], {}, {}

        def add(parent, node: OutlineNode, above: str = "") -> None:
            self.outline_nodes.append(node)
            if above:
                self.outline_parents[node.id] = above
            if node.children:
                branch = parent.add(tree_label(node), data=node.id)
                self._tree_nodes[node.id] = branch
                for child in node.children:
                    add(branch, child, f"{above} › {node.label}" if above else node.label)
            else:
                self._tree_nodes[node.id] = parent.add_leaf(tree_label(node), data=node.id)

        for root in roots:
            add(tree.root, root)

    # ------------------------------------------------------------------------------------------------------
    # Opening nodes

    def open_node(self, node_id: int, hit: SearchHit | None = None, *, preview: bool = False) -> None:
        """Show `node_id` in the reader (reading it only if it changed) and highlight `hit`."""
        try:
            reader = self.query_one(Reader)
        except NoMatches:  # a late preview timer while the app closes
            return
        if node_id == reader.node_id:
            if not preview:
                self._loading_node = None  # a slower read of another part, still running, is dropped
                self._highlight(hit)
            return
        if preview and node_id == self._loading_node:
            return  # a jump is reading it already: a second read would cancel it, and the hit it marks
        self._loading_node = node_id
        database = self.database

        def read() -> NodeContent:
            from db.reader_views import read_node

            return read_node(database, node_id)

        self.fetch(read, partial(NodeLoaded, hit=hit, preview=preview), group="open")

    async def on_node_loaded(self, message: NodeLoaded) -> None:
        node_id = message.content.node.id
        if node_id != self._loading_node:
            return  # overtaken by a later request (its result arrives next)
        self._loading_node = None
        if message.preview and self._tree_cursor_id() != node_id:
            return  # a preview overtaken by a later cursor move or jump
        reader = self.query_one(Reader)
        if node_id != reader.node_id:
            await reader.show(message.content)
            self.location = _location(message.content)
            self._remember(node_id)
        self._highlight(message.hit)
        if message.hit is not None:
            self._centre_hit()

    def _highlight(self, hit: SearchHit | None) -> None:
        self.query_one(Reader).highlight(hit)
        self._update_status()
        self.refresh_bindings()

    def _centre_hit(self) -> None:
        """Centre the mark once the node's new paragraphs have been laid out (a freshly mounted widget has an
        empty region until then; a refresh may pass before the layout does)."""
        reader = self.query_one(Reader)

        def centre(tries: int) -> None:
            lit = reader.lit
            if lit is None:
                return
            if lit.virtual_region.height:
                reader.scroll_to_widget(lit, animate=False, center=True)
            elif tries:
                self.call_after_refresh(centre, tries - 1)

        self.call_after_refresh(centre, 20)

    def _remember(self, node_id: int) -> None:
        """Store the place read, only when it changes (in the background)."""
        plan_id = self.plan_id
        if plan_id is None or self._remembered == node_id:
            return
        database, first = self.database, self._remembered is None
        self._remembered = node_id

        def store() -> bool:
            from db.reader_views import remember_place

            return remember_place(database, plan_id, node_id, first=first)

        self.fetch(store, partial(PlaceRemembered, node_id), group="remember", exclusive=False)

    def on_place_remembered(self, message: PlaceRemembered) -> None:
        if not message.stored:
            self.log.warning("could not remember the place read")  # a read-only DB must not stop reading

    def _tree_cursor_id(self) -> int | None:
        cursor = self.query_one(OutlineTree).cursor_node
        return cursor.data if cursor is not None else None

    def select_in_tree(self, node_id: int) -> None:
        """Put the tree cursor on a node, expanding its ancestors."""
        tree = self.query_one(OutlineTree)
        node = self._tree_nodes.get(node_id)
        if node is None:
            return
        parent = node.parent
        while parent is not None and parent is not tree.root:
            parent.expand()
            parent = parent.parent
        _ = tree.last_line  # rebuilds the tree's lines so the node knows its line
        tree.move_cursor(node)

    def jump_to_node(self, node_id: int, hit: SearchHit | None = None) -> None:
        self.select_in_tree(node_id)
        self._cancel_preview()  # the cursor move must not schedule a preview that drops the hit
        self.open_node(node_id, hit)

    def show_source(self, source) -> None:
        """Show where the plan states an indicator (a db.indicators.TextSource): its node, the span marked."""
        from db.plan_store import SearchHit

        hit = SearchHit(node_id=source.node_id, block_id=source.block_id, footnote_number=None, location="",
                        text=source.text, start=source.start, end=source.end)
        self.jump_to_node(source.node_id, hit)
        self.query_one(Reader).focus()

    def open_node_from_tree(self, node) -> None:
        if node.data is not None:
            self.open_node(node.data)

    @on(OutlineTree.OpenRequested)
    def _open_requested(self, event: OutlineTree.OpenRequested) -> None:
        self._cancel_preview()
        self.open_node_from_tree(event.node)

    @on(Tree.NodeSelected, "#outline")
    def _tree_selected(self, event: Tree.NodeSelected) -> None:
        self._cancel_preview()
        self.open_node_from_tree(event.node)

    @on(Tree.NodeHighlighted, "#outline")
    def _tree_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._cancel_preview()
        node_id = event.node.data
        if node_id is not None:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, partial(self.open_node, node_id, preview=True))

    def _cancel_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None

    def _update_status(self) -> None:
        status = Text()
        status.append(self.guihua.plan_name or "规划", style="bold")
        if self.location:
            status.append("  │  ")
            status.append(self.location)
        if self.hits and self.hit_index >= 0:
            status.append("  │  ")
            status.append(f"“{self.hit_query}” {self.hit_index + 1}/{len(self.hits)}")
        self.query_one(StatusLine).update(status)

    # ------------------------------------------------------------------------------------------------------
    # Search

    def action_search(self) -> None:
        self.query_one("#search").display = True
        self.refresh_bindings()
        box = self.query_one("#search-input", Input)
        box.focus()
        box.select_all()

    def close_search(self) -> None:
        panel = self.query_one("#search")
        if panel.display:
            panel.display = False
            self.query_one(Reader).focus()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that would do nothing now are left out of the footer."""
        if action == "search":
            return self.guihua.database_open
        if action in ("next_hit", "previous_hit"):
            return bool(self.hits)
        if action == "escape":
            if not self.query("#search"):
                return False
            return bool(self.query_one("#search").display or self.query_one(Reader).lit)
        return True

    def action_escape(self) -> None:
        if self.query_one("#search").display:
            self.close_search()
        elif self.query_one(Reader).lit is not None:
            self.query_one(Reader).highlight(None)
            self.refresh_bindings()

    @on(Input.Changed, "#search-input")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self.run_search)

    @on(Input.Submitted, "#search-input")
    def _query_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._choose_first = True
        if not self.run_search():
            self._focus_results()

    _choose_first = False  # Enter in the box: the results take the focus once they arrive

    def run_search(self) -> bool:
        """Search for the box's text in a worker (a newer query replaces an older one). False when the results
        shown are already this query's."""
        query = self.query_one("#search-input", Input).value.strip()
        if query == self.hit_query and (self.hits or not query):
            return False
        self.hit_query = query
        self.hits, self.hit_index = [], -1
        self.query_one("#search-results", OptionList).clear_options()
        info = self.query_one("#search-info", Static)
        if not query or self.plan_id is None:
            info.update("")
            self._update_status()
            return False
        info.update(f"正在查找“{query}”…")
        database, plan_id = self.database, self.plan_id

        def search() -> list[SearchHit]:
            from db.reader_views import search_plan

            return search_plan(database, plan_id, query)

        self.fetch(search, partial(HitsFound, query), group="search")
        return True

    def on_hits_found(self, message: HitsFound) -> None:
        if message.query != self.hit_query:
            return
        self.hits = message.hits
        info = self.query_one("#search-info", Static)
        results = self.query_one("#search-results", OptionList)
        if not self.hits:
            info.update(f"没有找到“{message.query}”")
        else:
            info.update(f"找到 {len(self.hits)} 处“{message.query}”，↑↓ 选择，回车跳转")
            # context as wide as one line of the list allows (CJK characters take two cells)
            width = max(6, (self.size.width - 12 - 2 * len(message.query)) // 4)
            results.add_options(Option(hit_context(hit, width), id=str(i)) for i, hit in enumerate(self.hits))
        self._update_status()
        self.refresh_bindings()
        if self._choose_first:
            self._focus_results()

    def _focus_results(self) -> None:
        self._choose_first = False
        results = self.query_one("#search-results", OptionList)
        if results.option_count:
            results.highlighted = 0
            results.focus()

    @on(OptionList.OptionSelected, "#search-results")
    def _result_chosen(self, event: OptionList.OptionSelected) -> None:
        self.go_to_hit(event.option_index)
        self.close_search()

    def go_to_hit(self, index: int) -> None:
        if not self.hits:
            return
        index %= len(self.hits)
        hit = self.hits[index]
        self.hit_index = index
        if hit.node_id is None:
            self.notify("这条脚注没有对应的正文位置。")
            self._update_status()
            return
        self.jump_to_node(hit.node_id, hit)

    def action_next_hit(self) -> None:
        if not self.hits:
            self.notify("还没有搜索结果，按 / 搜索。")
            return
        self.go_to_hit(self.hit_index + 1)

    def action_previous_hit(self) -> None:
        if not self.hits:
            self.notify("还没有搜索结果，按 / 搜索。")
            return
        self.go_to_hit(self.hit_index - 1 if self.hit_index >= 0 else -1)

    # ------------------------------------------------------------------------------------------------------
    # Palette

    def action_expand_all(self) -> None:
        self.query_one(OutlineTree).root.expand_all()

    def action_collapse_all(self) -> None:
        for child in self.query_one(OutlineTree).root.children:
            child.collapse_all()

    def palette_commands(self) -> Iterable[tuple[str, str, object]]:
        yield "搜索", "全文搜索规划文本（/）", self.action_search
        yield "下一处", "跳到下一处搜索结果（n）", self.action_next_hit
        yield "上一处", "跳到上一处搜索结果（N）", self.action_previous_hit
        yield "展开目录", "展开目录树的全部章节", self.action_expand_all
        yield "收起目录", "收起目录树的全部章节", self.action_collapse_all


def _location(content: NodeContent) -> str:
    """「第一章 › 第一节 发展基础」: the path, plus the title when the path only names the number."""
    node = content.node
    location = content.location
    if node.kind in (NodeKind.CHAPTER, NodeKind.SECTION, NodeKind.PART) and node.number:
        location = f"{location} {node.title}"
    return location
