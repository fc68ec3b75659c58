"""The guihua TUI: a chapter tree, a reader and full-text search over one plan (F2), the indicator grid (F3),
the review queue of what the finder proposed (F4), projects and milestones (F5) and their summary (F6).

The reader is the default mode's screen and its logic lives here; the other screens (tui.grid, tui.review,
tui.projects) are modes built and imported only when first shown so start-up stays fast. The database arrives
already open.

The database may hold several plans (the 十四五 plan and the 十五五 plan that follows it). One is open at a time:
db.plan_store.default_plan_id picks it at start-up, F7 (PlanPicker) switches to another, and F8 imports a plan
file and opens it. Switching rebuilds the reader in place and drops the other modes' screens, which are built
afresh for the new plan when next shown; a badge at the top right of every screen names the open plan."""

from __future__ import annotations

import asyncio
from pathlib import Path
from functools import partial
from typing import Callable, Iterable

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.geometry import Size
from textual.widgets import Footer, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option

from core.errors import GuihuaError
from db.engine import Database
from db.plan_store import (
    NodeContent,
    OutlineNode,
    SearchHit,
    default_plan_id,
    find_plan,
    get_state,
    node_content,
    outline,
    plan_count,
    remember_plan_choice,
    search,
    set_state,
)
from tui import cjk_wrap, errorlog
from tui.help import (
    GRID_HELP_SECTIONS,
    HELP_SECTIONS,
    PROJECTS_HELP_SECTIONS,
    REVIEW_HELP_SECTIONS,
    SUMMARY_HELP_SECTIONS,
    HelpScreen,
)
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


class ReaderScreen(Screen):
    """The reader's screen (the default mode): its keys act on the app's reader logic."""

    BINDINGS = [
        Binding("slash", "app.search", "搜索", id="search.open"),
        Binding("n", "app.next_hit", "下一处", id="search.next"),
        Binding("N,shift+n", "app.previous_hit", "上一处", key_display="N", id="search.previous"),
        Binding("escape", "app.escape", "关闭", id="search.close"),
    ]


READER_MODE = "reader"
GRID_MODE = "grid"
REVIEW_MODE = "review"
PROJECTS_MODE = "projects"
SUMMARY_MODE = "summary"
MODE_HELP = {
    REVIEW_MODE: (REVIEW_HELP_SECTIONS, "审核"),
    PROJECTS_MODE: (PROJECTS_HELP_SECTIONS, "项目"),
    SUMMARY_MODE: (SUMMARY_HELP_SECTIONS, "汇总"),
}
MIN_WIDTH, MIN_HEIGHT = 80, 24  # below this the screens do not fit: say so instead (docs/errors.md E11)


class TooSmallScreen(ModalScreen[None]):
    """Covers the app while the terminal is too small; the app removes it when the window grows."""

    def __init__(self, size: Size) -> None:
        super().__init__()
        self.shown_size = size

    def compose(self) -> ComposeResult:
        yield Static(self.message(self.shown_size), id="too-small")

    @staticmethod
    def message(size: Size) -> str:
        return (
            f"终端窗口太小：界面需要至少 {MIN_WIDTH}×{MIN_HEIGHT} 个字符的窗口（现在 {size.width}×{size.height}）。\n"
            "请放大窗口或缩小字体，窗口变大后界面自动恢复。Ctrl+Q 退出。"
        )

    def resized(self, size: Size) -> None:
        self.shown_size = size
        self.query_one("#too-small", Static).update(self.message(size))


class PlanBadge(Static):
    """The open plan's name at the top right of every screen, over the top border (it takes no room from the
    screen's own layout). Shown while the database holds more than one plan."""

    DEFAULT_CSS = """
    PlanBadge {
        layer: plan-badge;
        overlay: screen;
        dock: right;
        width: auto;
        max-width: 50%;
        height: 1;
        margin-right: 2;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """


class GuihuaApp(App[None]):
    CSS_PATH = str(Path(__file__).parent / "app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "规划"
    COMMANDS = App.COMMANDS | {OutlineCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    CURSOR_BLINK = True  # tests turn it off for stable snapshots
    DEFAULT_MODE = READER_MODE  # a named mode, so F2 can switch back to it

    def _fatal_error(self) -> None:
        # Textual renders an unhandled exception as a traceback on exit; officials must never see one.
        # Log it and leave a Chinese message naming the log file instead (Pilot still re-raises in tests).
        error = self._exception or RuntimeError("未知错误")
        self._return_code = 70
        self._exit_renderables.append(Text(errorlog.unexpected_message(error, errorlog.log_unexpected(error))))
        self._close_messages_no_wait()

    BINDINGS = [
        Binding("f2", "show_reader", "规划原文", id="app.reader"),
        Binding("f3", "show_grid", "主要指标", id="app.grid"),
        Binding("f4", "show_mode('review')", "审核", id="app.review"),
        Binding("f5", "show_mode('projects')", "项目", id="app.projects"),
        Binding("f6", "show_mode('summary')", "汇总", id="app.summary"),
        Binding("question_mark,f1", "help", "帮助", key_display="?", id="app.help"),
        Binding("ctrl+e", "export_pack", "导出", id="app.export"),
        # in the help screens and the palette; the footer has no room left for it on the grid and projects
        Binding("ctrl+f", "forms", "填报表", show=False, id="app.forms"),
        Binding("f7", "choose_plan", "切换规划", show=False, id="app.plans"),  # the badge names the open plan
        Binding("f8", "import_plan", "导入规划", show=False, id="app.import_plan"),
        Binding("f9", "indicator_check", "核对指标", show=False, id="app.indicator_check"),
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
        self.plans_in_database = 0  # the badge naming the open plan shows when there is more than one
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
        self.reader_screen: ReaderScreen | None = None
        self.add_mode(READER_MODE, self._make_reader_screen)
        for mode, factory in self._plan_modes().items():
            self.add_mode(mode, factory)

    def _make_reader_screen(self) -> Screen:
        self.reader_screen = ReaderScreen(id="reader-screen")
        return self.reader_screen

    def _make_grid_screen(self) -> Screen:
        from tui.grid import GridScreen  # imported on first use: start-up does not pay for it

        return GridScreen()

    def _make_review_screen(self) -> Screen:
        from tui.review import ReviewScreen  # imported on first use, like the grid

        return ReviewScreen()

    def _make_projects_screen(self) -> Screen:
        from tui.projects import ProjectsScreen

        return ProjectsScreen()

    def _make_summary_screen(self) -> Screen:
        from tui.projects import SummaryScreen

        return SummaryScreen()

    def _q(self, selector, expect_type=None):
        """Query the reader's screen, whichever screen is showing (timers and workers may fire on the grid)."""
        screen = self.reader_screen or self.screen
        return screen.query_one(selector, expect_type) if expect_type else screen.query_one(selector)

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

    def on_resize(self, event: events.Resize) -> None:
        self.fit_terminal(event.size)

    def fit_terminal(self, size: Size) -> None:
        """Cover the app with a message while the terminal is smaller than MIN_WIDTH×MIN_HEIGHT."""
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        top = self.screen
        if small and isinstance(top, TooSmallScreen):
            top.resized(size)
        elif small:
            self.push_screen(TooSmallScreen(size))
        elif isinstance(top, TooSmallScreen):
            self.pop_screen()

    def screen_text_for_tests(self) -> str:
        """The characters on the screen now, as plain text (tests read messages through it)."""
        import io

        from rich.console import Console

        width, height = self.size
        console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
        console.print(self.screen._compositor.render_update(full=True, screen_stack=self._background_screens))
        return console.export_text()

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.fit_terminal(self.size))
        self._q("#search-input", Input).cursor_blink = self.CURSOR_BLINK
        self._q("#search").display = False
        tree = self._q(OutlineTree)
        tree.focus()
        self.screen_change_signal.subscribe(self, self._badge_screen)
        try:
            with self.database.session() as session:
                plan_id = self.requested_plan_id
                if plan_id is None:
                    plan_id = default_plan_id(session)  # None: find_plan says there is no plan yet
                plan = find_plan(session, plan_id)
                roots = outline(session, plan.id)
                last = get_state(session, f"last_node:{plan.id}")
                self.plans_in_database = plan_count(session)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.call_after_refresh(self._show_problem, str(exc))
            return
        self._set_plan(plan.id, plan.name)
        self._fill_tree(roots)
        start = self._start_node(roots, last)
        self._update_status()
        if start is not None:
            # after the first paint, so start-up shows the screen at once
            self.call_after_refresh(self.jump_to_node, start)

    def _start_node(self, roots: list[OutlineNode], last: str | None) -> int | None:
        """Where the reader opens: the place last read in this plan, else its first part."""
        start = int(last) if last and last.isdigit() and int(last) in self._tree_nodes else None
        if start is None and roots:
            start = roots[0].id
        return start

    def _set_plan(self, plan_id: int, name: str) -> None:
        self.plan_id, self.plan_name = plan_id, name
        self.sub_title = name
        self._badge_screen(self.screen)

    # ------------------------------------------------------------------------------------------------------
    # Which plan is open: the badge, the picker (F7), importing a plan (F8), carrying base values

    def _badge_screen(self, screen: Screen) -> None:
        """Give a mode's screen (the reader, grid, review, projects, summary) the badge naming the open plan."""
        if isinstance(screen, ModalScreen) or not self.plan_name:
            return
        badges = screen.query(PlanBadge)
        badge = badges.first() if badges else None
        if badge is None:
            badge = PlanBadge(id="plan-badge", markup=False)
            screen.mount(badge)
        badge.update(self.plan_name)
        badge.tooltip = "当前规划（F7 切换）"
        badge.display = self.plans_in_database > 1

    def action_choose_plan(self) -> None:
        """F7: list the plans; the one chosen opens on every screen and is remembered."""
        from tui.pickers import PlanPicker, plan_choices

        if any(isinstance(s, PlanPicker) for s in self.screen_stack):
            return
        try:
            choices = plan_choices(self)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.notify(getattr(exc, "message", None) or f"无法读取规划列表：{exc}", severity="error", markup=False)
            return
        if not choices:
            self.notify("数据库中还没有任何规划。按 F8 导入规划文件。", severity="warning", markup=False)
            return

        def chosen(plan_id: int | None) -> None:
            if plan_id is None:
                return
            if plan_id == self.plan_id:  # kept: still a choice to remember
                try:
                    with self.database.session() as session:
                        remember_plan_choice(session, plan_id)
                except SQLAlchemyError:
                    self.log.warning("could not remember the plan chosen")
                self.notify(f"仍是「{self.plan_name}」。", markup=False)
                return
            self.run_worker(self.open_plan(plan_id), group="plan", exclusive=True)

        self.push_screen(PlanPicker(choices, self.plan_id), chosen)

    def action_import_plan(self) -> None:
        """F8: import a plan file (in a thread), then open it."""
        from tui.actions import open_plan_import

        open_plan_import(self)

    def action_indicator_check(self) -> None:
        """F9: the main indicators read from the plan's own table, for the office to correct and confirm."""
        from tui.indicator_check import IndicatorCheckScreen

        self.push_screen(IndicatorCheckScreen(self.plan_id))

    def action_carry_base_values(self) -> None:
        """Palette 「承接上一规划的基数」: the open plan's indicators take the previous plan's final-year actuals."""
        from tui.actions import open_continuity

        open_continuity(self)

    async def open_plan(self, plan_id: int, *, chosen: bool = True) -> bool:
        """Open another plan on every screen: the reader shows its outline (at the place last read in it), and the
        grid, review, projects and summary screens are built afresh for it when next shown. `chosen`: the user
        picked it, so it opens by default from now on (db.plan_store.default_plan_id)."""
        try:
            with self.database.session() as session:
                plan = find_plan(session, plan_id)
                roots = outline(session, plan.id)
                last = get_state(session, f"last_node:{plan.id}")
                self.plans_in_database = plan_count(session)
                if chosen:
                    remember_plan_choice(session, plan.id)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.notify(getattr(exc, "message", None) or f"无法打开规划：{exc}", severity="error", markup=False)
            return False
        mode = self.current_mode
        if mode != READER_MODE:
            await self.switch_mode(READER_MODE)
        for other, factory in self._plan_modes().items():
            await self.remove_mode(other)  # its screens showed the previous plan; a fresh one is built on use
            self.add_mode(other, factory)
        self._cancel_preview()
        if self._search_timer is not None:
            self._search_timer.stop()
        self.close_search()
        self._q("#search-input", Input).value = ""
        self._q("#search-results", OptionList).clear_options()
        self._q("#search-info", Static).update("")
        self.hits, self.hit_index, self.hit_query = [], -1, ""
        self.location = ""
        self._remembered = None
        self._tree_nodes = {}
        self.outline_parents = {}
        self._set_plan(plan.id, plan.name)
        self._fill_tree(roots)
        start = self._start_node(roots, last)
        if start is not None:
            await self.jump_to_node(start)
        else:
            await self._show_problem("这个规划没有可显示的章节。")
        self._update_status()
        if mode != READER_MODE:
            await self.switch_mode(mode)
        self.fit_terminal(self.size)
        self.refresh_bindings()
        return True

    def reload_plan_screens(self) -> None:
        """After data of the open plan changed behind the screens (base values carried): every screen already
        built reads it again."""
        for mode in self._plan_modes():
            try:
                stack = self.get_screen_stack(mode)
            except KeyError:  # not built yet: it will read the data when first shown
                continue
            for screen in stack[:1]:
                reload = getattr(screen, "action_reload", None) or getattr(screen, "load", None)
                if callable(reload):
                    try:
                        reload()
                    except Exception:  # noqa: BLE001 - a screen that cannot reload now will on its next `r`
                        self.log.warning(f"could not reload {screen!r}")

    def _plan_modes(self) -> dict[str, Callable[[], Screen]]:
        """The modes other than the reader, each showing the open plan's data."""
        return {
            GRID_MODE: self._make_grid_screen,
            REVIEW_MODE: self._make_review_screen,
            PROJECTS_MODE: self._make_projects_screen,
            SUMMARY_MODE: self._make_summary_screen,
        }

    async def _show_problem(self, message: str) -> None:
        await self._q(Reader).show_message(message)
        self._q(StatusLine).update(message.splitlines()[0] if message else "")

    def _fill_tree(self, roots: list[OutlineNode]) -> None:
        tree = self._q(OutlineTree)
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
        try:
            reader = self._q(Reader)
        except NoMatches:  # a late preview timer while the app closes
            return
        async with self._open_lock:
            if keep_highlight and self._tree_cursor_id() != node_id:
                return  # a preview overtaken by a later cursor move or jump (seen under load)
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

    def _tree_cursor_id(self) -> int | None:
        cursor = self._q(OutlineTree).cursor_node
        return cursor.data if cursor is not None else None

    def select_in_tree(self, node_id: int) -> None:
        """Put the tree cursor on a node, expanding its ancestors."""
        tree = self._q(OutlineTree)
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
        self._cancel_preview()  # a preview of where the cursor was must not land after the jump
        if self.current_mode != READER_MODE:
            await self.switch_mode(READER_MODE)
        self.select_in_tree(node_id)
        await self.open_node(node_id, hit)

    async def show_source(self, source) -> None:
        """Show where the plan states an indicator (a db.indicators.TextSource): its node, the span marked."""
        hit = SearchHit(
            node_id=source.node_id,
            block_id=source.block_id,
            footnote_number=None,
            location="",
            text=source.text,
            start=source.start,
            end=source.end,
        )
        reader = self._q(Reader)
        if self.current_mode != READER_MODE:
            await self.switch_mode(READER_MODE)
            # a resumed screen is laid out on its next refresh; positions read before that are stale
            # (run as a worker, so waiting here does not block the app)
            await reader.wait_for_refresh()
        self._cancel_preview()
        await self.jump_to_node(source.node_id, hit)
        self._cancel_preview()  # the tree cursor move must not schedule a preview that drops the mark
        reader.focus()
        # Centre the mark once the node's new paragraphs have been laid out (a freshly mounted widget has
        # an empty region until then; a refresh may pass before the layout does).
        for _ in range(20):
            lit = reader.lit
            if lit is None or not await reader.wait_for_refresh():
                break
            if lit.virtual_region.height:
                reader.scroll_to_widget(lit, animate=False, center=True)
                break

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
        self._q(StatusLine).update(status)

    # ------------------------------------------------------------------------------------------------------
    # Search

    def action_search(self) -> None:
        panel = self._q("#search")
        panel.display = True
        self.refresh_bindings()
        box = self._q("#search-input", Input)
        box.focus()
        box.select_all()

    def close_search(self) -> None:
        panel = self._q("#search")
        if panel.display:
            panel.display = False
            self._q(Reader).focus()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that would do nothing now are left out of the footer."""
        if action in ("next_hit", "previous_hit"):
            return bool(self.hits) and self.current_mode == READER_MODE
        if action == "show_reader":
            return self.current_mode != READER_MODE
        if action == "show_grid":
            return self.current_mode != GRID_MODE
        if action == "show_mode":
            return self.current_mode != parameters[0]
        if action == "escape":
            screen = self.reader_screen
            if self.current_mode != READER_MODE or screen is None or not screen.query("#search"):
                return False
            return bool(self._q("#search").display or self._q(Reader).lit)
        return True

    def action_escape(self) -> None:
        if self._q("#search").display:
            self.close_search()
        elif self._q(Reader).lit is not None:
            self._q(Reader).highlight(None)
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
        results = self._q("#search-results", OptionList)
        if results.option_count:
            results.highlighted = 0
            results.focus()

    def run_search(self) -> None:
        query = self._q("#search-input", Input).value.strip()
        if query == self.hit_query and (self.hits or not query):
            return
        results = self._q("#search-results", OptionList)
        info = self._q("#search-info", Static)
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

    def action_show_reader(self) -> None:
        if self.current_mode != READER_MODE:
            self.switch_mode(READER_MODE)
            self.fit_terminal(self.size)

    def action_show_grid(self) -> None:
        if self.current_mode != GRID_MODE:
            self.switch_mode(GRID_MODE)
            self.fit_terminal(self.size)

    def action_show_mode(self, mode: str) -> None:
        """F4 审核, F5 项目, F6 汇总."""
        if self.current_mode != mode:
            self.switch_mode(mode)
            self.fit_terminal(self.size)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        own = getattr(self.screen, "help_sections", None)  # the export/forms/backup screens (tui.actions)
        if own is not None:
            self.push_screen(HelpScreen(own, getattr(self.screen, "help_title", "按键帮助")))
        elif self.current_mode == GRID_MODE:
            self.push_screen(HelpScreen(GRID_HELP_SECTIONS, "按键帮助 · 主要指标"))
        elif self.current_mode in MODE_HELP:
            sections, title = MODE_HELP[self.current_mode]
            self.push_screen(HelpScreen(sections, f"按键帮助 · {title}"))
        else:
            self.push_screen(HelpScreen(HELP_SECTIONS, "按键帮助 · 规划原文"))

    # ------------------------------------------------------------------------------------------------------
    # Export, forms, backups (tui.actions, imported on first use)

    def action_export_pack(self) -> None:
        """Ctrl+E from any screen: the meeting pack, written in a thread."""
        from tui.actions import export_pack

        export_pack(self)

    def action_forms(self) -> None:
        """Ctrl+F: issue the departments' fill-in forms, or import the returned ones."""
        from tui.actions import open_forms

        open_forms(self)

    def action_backups(self) -> None:
        from tui.actions import open_backups

        open_backups(self)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="输入命令或章节名称…"))

    def action_expand_all(self) -> None:
        self._q(OutlineTree).root.expand_all()

    def action_collapse_all(self) -> None:
        tree = self._q(OutlineTree)
        for child in tree.root.children:
            child.collapse_all()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("规划原文", "阅读和检索规划文本（F2）", self.action_show_reader)
        yield SystemCommand("主要指标", "录入指标数据、查看进度（F3）", self.action_show_grid)
        yield SystemCommand("审核", "审核从规划文本中找到的量化指标和项目（F4）", partial(self.action_show_mode, REVIEW_MODE))
        yield SystemCommand("项目", "项目和里程碑：完成、逾期、形象进度（F5）", partial(self.action_show_mode, PROJECTS_MODE))
        yield SystemCommand("汇总", "按章节、按单位汇总里程碑和滞后指标（F6）", partial(self.action_show_mode, SUMMARY_MODE))
        if screen is self.reader_screen:
            yield SystemCommand("搜索", "全文搜索规划文本（/）", self.action_search)
            yield SystemCommand("下一处", "跳到下一处搜索结果（n）", self.action_next_hit)
            yield SystemCommand("上一处", "跳到上一处搜索结果（N）", self.action_previous_hit)
            yield SystemCommand("展开目录", "展开目录树的全部章节", self.action_expand_all)
            yield SystemCommand("收起目录", "收起目录树的全部章节", self.action_collapse_all)
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, callback)
        yield SystemCommand("切换规划", f"打开另一个已导入的规划（F7）；当前：{self.plan_name or '无'}", self.action_choose_plan)
        yield SystemCommand("导入规划文件…", "导入新的规划纲要文件，导入后打开它（F8）", self.action_import_plan)
        yield SystemCommand("核对主要指标", "确认从规划指标表读出的主要指标（F9）", self.action_indicator_check)
        yield SystemCommand("承接上一规划的基数", "本规划的指标以上一规划目标年的实际值作为基数（先列出，确认后写入）",
                            self.action_carry_base_values)
        yield SystemCommand("导出会议监测表", "把主要指标、项目等导出为会议用的 Excel（Ctrl+E）", self.action_export_pack)
        yield from __import__("tui.report_action", fromlist=["report_commands"]).report_commands(self)
        yield SystemCommand("填报表", "生成各单位的年度填报表，或导入交回的填报表（Ctrl+F）", self.action_forms)
        yield SystemCommand("备份与恢复", "查看备份、立即备份、用备份恢复数据库", self.action_backups)
        yield SystemCommand("帮助", "查看全部按键（? 或 F1）", self.action_help)
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
