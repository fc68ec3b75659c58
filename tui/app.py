"""The guihua TUI: a chapter tree, a reader and full-text search over one plan.

Reads only through db.plan_store; the database arrives already open."""

from __future__ import annotations

import asyncio
from pathlib import Path
from functools import partial
from typing import Iterable

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option

from core.errors import GuihuaError
from db.engine import Database
from db.plan_store import (
    NodeContent,
    OutlineNode,
    SearchHit,
    find_plan,
    get_state,
    node_content,
    outline,
    search,
    set_state,
)
from tui import cjk_wrap, errorlog
from tui.help import HelpScreen
from tui.render import hit_context, tree_label
from tui.widgets import OutlineTree, Reader, StatusLine

PREVIEW_DELAY = 0.25  # seconds the tree cursor must rest before the reader follows it
SEARCH_DELAY = 0.2  # typing pause before a live search


class OutlineCommands(Provider):
    """Jump to any chapter, section, 专栏, figure or table from the command palette."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, GuihuaApp)
        matcher = self.matcher(query)
        for node in app.outline_nodes:
            label = tree_label(node)
            score = matcher.match(label)
            if score > 0:
                where = app.outline_parents.get(node.id) or "转到这一部分"
                yield Hit(score, matcher.highlight(label), partial(app.jump_to_node, node.id), help=where)

    async def discover(self) -> Hits:
        app = self.app
        assert isinstance(app, GuihuaApp)
        for node in app.outline_nodes:
            if node.kind in ("front", "chapter"):
                yield DiscoveryHit(tree_label(node), partial(app.jump_to_node, node.id), help="转到这一章")


class GuihuaApp(App[None]):
    CSS_PATH = str(Path(__file__).parent / "app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "规划"
    COMMANDS = App.COMMANDS | {OutlineCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    CURSOR_BLINK = True  # tests turn it off for stable snapshots

    def _fatal_error(self) -> None:
        # Textual renders an unhandled exception as a traceback on exit; officials must never see one.
        # Log it and leave a Chinese message naming the log file instead (Pilot still re-raises in tests).
        error = self._exception or RuntimeError("未知错误")
        self._return_code = 70
        self._exit_renderables.append(Text(errorlog.unexpected_message(error, errorlog.log_unexpected(error))))
        self._close_messages_no_wait()

    BINDINGS = [
        Binding("slash", "search", "搜索", id="search.open"),
        Binding("n", "next_hit", "下一处", id="search.next"),
        Binding("N,shift+n", "previous_hit", "上一处", key_display="N", id="search.previous"),
        Binding("escape", "escape", "关闭", id="search.close"),
        Binding("question_mark,f1", "help", "帮助", key_display="?", id="app.help"),
        Binding("ctrl+p", "command_palette", "命令", priority=True, id="app.command_palette"),
        Binding("q", "quit", "退出", id="app.quit"),
    ]

    def __init__(self, database: Database, plan_id: int | None = None) -> None:
        cjk_wrap.install()
        super().__init__()
        self.database = database
        self.requested_plan_id = plan_id
        self.plan_id: int | None = None
        self.plan_name = ""
        self.outline_nodes: list[OutlineNode] = []
        self.outline_parents: dict[int, str] = {}  # node id -> its chapter's label, for the palette
        self.location = ""
        self.hits: list[SearchHit] = []
        self.hit_index = -1
        self.hit_query = ""
        self._tree_nodes: dict[int, object] = {}
        self._open_lock = asyncio.Lock()
        self._preview_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._remembered: int | None = None

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
        self.query_one("#search-input", Input).cursor_blink = self.CURSOR_BLINK
        self.query_one("#search").display = False
        tree = self.query_one(OutlineTree)
        tree.focus()
        try:
            with self.database.session() as session:
                plan = find_plan(session, self.requested_plan_id)
                self.plan_id, self.plan_name = plan.id, plan.name
                roots = outline(session, plan.id)
                last = get_state(session, f"last_node:{plan.id}")
        except (GuihuaError, SQLAlchemyError) as exc:
            self.call_after_refresh(self._show_problem, str(exc))
            return
        self._fill_tree(roots)
        start = int(last) if last and last.isdigit() and int(last) in self._tree_nodes else None
        if start is None and roots:
            start = roots[0].id
        self._update_status()
        if start is not None:
            # after the first paint, so start-up shows the screen at once
            self.call_after_refresh(self.jump_to_node, start)

    async def _show_problem(self, message: str) -> None:
        await self.query_one(Reader).show_message(message)
        self.query_one(StatusLine).update(message.splitlines()[0] if message else "")

    def _fill_tree(self, roots: list[OutlineNode]) -> None:
        tree = self.query_one(OutlineTree)
        tree.clear()
        self.outline_nodes = []

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

    async def open_node(self, node_id: int, hit: SearchHit | None = None, *, keep_highlight: bool = False) -> None:
        """Show `node_id` in the reader (reading the DB only if it changed) and highlight `hit`."""
        reader = self.query_one(Reader)
        async with self._open_lock:
            if node_id != reader.node_id:
                try:
                    with self.database.session() as session:
                        content = node_content(session, node_id)
                except (GuihuaError, SQLAlchemyError) as exc:
                    self.notify(f"无法打开这一部分：{exc}", severity="error")
                    return
                await reader.show(content)
                self.location = _location(content)
                self._remember(node_id)
            elif keep_highlight:
                return
            reader.highlight(hit)
            self._update_status()
            self.refresh_bindings()

    def _remember(self, node_id: int) -> None:
        """Store the place read, only when it changes."""
        if self.plan_id is None or self._remembered == node_id:
            return
        try:
            with self.database.session() as session:
                set_state(session, f"last_node:{self.plan_id}", str(node_id))
                if self._remembered is None:
                    set_state(session, "last_plan", str(self.plan_id))
        except SQLAlchemyError:
            self.log.warning("could not remember the place read")  # a read-only DB must not stop reading
            return
        self._remembered = node_id

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

    async def jump_to_node(self, node_id: int, hit: SearchHit | None = None) -> None:
        self.select_in_tree(node_id)
        await self.open_node(node_id, hit)

    def open_node_from_tree(self, node) -> None:
        if node.data is not None:
            self.run_worker(self.open_node(node.data), group="open")

    @on(Tree.NodeSelected, "#outline")
    def _tree_selected(self, event: Tree.NodeSelected) -> None:
        self._cancel_preview()
        self.open_node_from_tree(event.node)

    @on(Tree.NodeHighlighted, "#outline")
    def _tree_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._cancel_preview()
        node_id = event.node.data
        if node_id is not None:
            self._preview_timer = self.set_timer(
                PREVIEW_DELAY, lambda: self.run_worker(self.open_node(node_id, keep_highlight=True), group="open")
            )

    def _cancel_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None

    def _update_status(self) -> None:
        status = Text()
        status.append(self.plan_name or "规划", style="bold")
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
        panel = self.query_one("#search")
        panel.display = True
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
        if action in ("next_hit", "previous_hit"):
            return bool(self.hits)
        if action == "escape":
            return bool(self.query("#search") and (self.query_one("#search").display or self.query_one(Reader).lit))
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
        self.run_search()
        results = self.query_one("#search-results", OptionList)
        if results.option_count:
            results.highlighted = 0
            results.focus()

    def run_search(self) -> None:
        query = self.query_one("#search-input", Input).value.strip()
        if query == self.hit_query and (self.hits or not query):
            return
        results = self.query_one("#search-results", OptionList)
        info = self.query_one("#search-info", Static)
        self.hit_query = query
        self.hits, self.hit_index = [], -1
        results.clear_options()
        if not query:
            info.update("")
            self._update_status()
            return
        try:
            with self.database.session() as session:
                self.hits = search(session, self.plan_id, query) if self.plan_id is not None else []
        except SQLAlchemyError as exc:
            info.update(f"搜索出错：{exc}")
            return
        if not self.hits:
            info.update(f"没有找到“{query}”")
        else:
            info.update(f"找到 {len(self.hits)} 处“{query}”，↑↓ 选择，回车跳转")
            # context as wide as one line of the list allows (CJK characters take two cells)
            width = max(6, (self.size.width - 12 - 2 * len(query)) // 4)
            results.add_options(Option(hit_context(hit, width), id=str(i)) for i, hit in enumerate(self.hits))
        self._update_status()
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#search-results")
    async def _result_chosen(self, event: OptionList.OptionSelected) -> None:
        await self.go_to_hit(event.option_index)
        self.close_search()

    async def go_to_hit(self, index: int) -> None:
        if not self.hits:
            return
        index %= len(self.hits)
        hit = self.hits[index]
        self.hit_index = index
        if hit.node_id is None:
            self.notify("这条脚注没有对应的正文位置。")
            self._update_status()
            return
        self._cancel_preview()
        await self.jump_to_node(hit.node_id, hit)
        self._cancel_preview()  # the cursor move above must not schedule a preview that drops the hit

    async def action_next_hit(self) -> None:
        if not self.hits:
            self.notify("还没有搜索结果，按 / 搜索。")
            return
        await self.go_to_hit(self.hit_index + 1)

    async def action_previous_hit(self) -> None:
        if not self.hits:
            self.notify("还没有搜索结果，按 / 搜索。")
            return
        await self.go_to_hit(self.hit_index - 1 if self.hit_index >= 0 else -1)

    # ------------------------------------------------------------------------------------------------------
    # Help, palette, quitting

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="输入命令或章节名称…"))

    def action_expand_all(self) -> None:
        self.query_one(OutlineTree).root.expand_all()

    def action_collapse_all(self) -> None:
        tree = self.query_one(OutlineTree)
        for child in tree.root.children:
            child.collapse_all()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("搜索", "全文搜索规划文本（/）", self.action_search)
        yield SystemCommand("下一处", "跳到下一处搜索结果（n）", self.action_next_hit)
        yield SystemCommand("上一处", "跳到上一处搜索结果（N）", self.action_previous_hit)
        yield SystemCommand("帮助", "查看全部按键（? 或 F1）", self.action_help)
        yield SystemCommand("展开目录", "展开目录树的全部章节", self.action_expand_all)
        yield SystemCommand("收起目录", "收起目录树的全部章节", self.action_collapse_all)
        yield SystemCommand("更换配色", "选择界面主题", self.action_change_theme)
        yield SystemCommand("退出", "退出规划（q）", self.action_quit)


def _location(content: NodeContent) -> str:
    """「第一章 › 第一节 发展基础」: the path, plus the title when the path only names the number."""
    node = content.node
    location = content.location
    if node.kind in ("chapter", "section", "part") and node.number:
        location = f"{location} {node.title}"
    return location


def run_app(database: Database, plan_id: int | None = None) -> int:
    """Run the TUI; returns the process exit code (0, or 70 after an unexpected error)."""
    app = GuihuaApp(database, plan_id)
    app.run()
    return app.return_code or 0
