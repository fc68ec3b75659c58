"""The guihua TUI: a chapter tree, a reader and full-text search over one plan (F2), the indicator grid (F3),
the review queue of what the finder proposed (F4), projects and milestones (F5) and their summary (F6).

The App holds only what every screen shares (the database, the open plan, its badge) and switches between the
screens, each a mode: the reader (tui.reader, the default mode) and the others (tui.grid, tui.review,
tui.projects), which are built and imported only when first shown so start-up stays fast. The database arrives
open, or (from the command line) is opened by `opener` in the App's first worker once the frame has been painted,
which reads the plan's outline right after and, once the outline is on screen, does the rest of the start-up
work (`settle`: what an older database lacks, the start-up backup): SQLAlchemy is not imported before the first
paint, and until the start-up work is done only ? and q (and the reader's own keys) do anything.

The database may hold several plans (the 十四五 plan and the 十五五 plan that follows it). One is open at a time:
db.plan_store.default_plan_id picks it at start-up, F7 (PlanPicker) switches to another, and F8 imports a plan
file and opens it. The reader reads the plan and reports it (`plan_opened`); the other modes' screens are then
dropped and built afresh for the new plan when next shown; a badge at the top right of every screen names the
open plan.

No traceback ever reaches a user: `run_app` catches what Textual would print after an unexpected error, logs it
(tui.errorlog) and prints a Chinese message naming the log file instead."""

from __future__ import annotations

import asyncio
import io
import re
import sys
import threading
from concurrent.futures import CancelledError
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, cast

from rich.console import Console
from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui import cjk_wrap, errorlog
from tui.help import (
    GRID_HELP_SECTIONS,
    HELP_SECTIONS,
    PROJECTS_HELP_SECTIONS,
    REVIEW_HELP_SECTIONS,
    SUMMARY_HELP_SECTIONS,
    HelpScreen,
)
from tui.reader import ReaderScreen, ShowSource

if TYPE_CHECKING:
    from db.engine import Database


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
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    CURSOR_BLINK = True  # tests turn it off for stable snapshots
    DEFAULT_MODE = READER_MODE  # a named mode, so F2 can switch back to it

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

    def __init__(self, database: Database | None = None, plan_id: int | None = None, *,
                 opener: Callable[[Callable[[str], None]], Database] | None = None,
                 settle: Callable[[Database, Callable[[str], None]], None] | None = None) -> None:
        """`database` open already, or `opener(tell)` to open it in a worker after the first paint (tell: say a
        note such as a failed start-up backup) and `settle(database, tell)` to finish the start-up in the same
        worker once the plan is on screen; an error either raises ends the app and is kept in `opening_error`
        for the caller (run_app) to raise once the terminal is restored."""
        cjk_wrap.install()
        super().__init__()
        assert (database is None) != (opener is None), "give either an open database or an opener"
        self.database = cast("Database", database)  # set by the opening worker when an opener opens it
        self.database_open = database is not None
        self.opener = opener
        self.settle = settle
        self.opener_started = False
        self.opening_done = threading.Event()  # the opening worker has finished (run_app waits for it)
        self.plan_shown = threading.Event()  # the first plan is painted: the opening worker may settle
        self.opening_error: BaseException | None = None
        self.opening_notes: list[str] = []  # said in the app and again on stderr after it ends
        self.requested_plan_id = plan_id
        self.plan_id: int | None = None
        self.plan_name = ""
        self.plans_in_database = 0  # the badge naming the open plan shows when there is more than one
        self.reader_screen: ReaderScreen | None = None
        self._plan_waiter: asyncio.Future[bool | None] | None = None  # open_plan waiting for the reader
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
        """The characters on the screen now, as plain text (tests read messages through it), read back from
        Textual's public SVG screenshot: each run of text sits at its column (x over the cell width)."""
        import html

        from rich.cells import cell_len

        runs = re.findall(r'<text [^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"[^>]*?-line-(\d+)\)"[^>]*>([^<]*)</text>',
                          self.export_screenshot(simplify=True))
        lines: list[str] = [""] * self.size.height
        cell = next((float(width) / cell_len(text) for _, width, _, text in runs
                     if text.strip() and cell_len(html.unescape(text)) == len(html.unescape(text))), 12.2)
        for x, _, row, text in runs:
            text = html.unescape(text).replace("\xa0", " ").rstrip("\n")
            row_index, column = int(row), round(float(x) / cell)
            if text and row_index < len(lines):
                line = lines[row_index]
                lines[row_index] = line + " " * (column - cell_len(line)) + text
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.fit_terminal(self.size))
        self.screen_change_signal.subscribe(self, self._badge_screen)
        if self.opener is not None:
            self.call_after_refresh(self._open_database)

    def _open_database(self) -> None:
        """The first worker, after the frame is on screen: open the database (schema check, first-run import),
        read the plan's outline in the same thread, and once it is painted settle the rest (`settle`) — the
        tree does not wait for importers or the backup."""
        opener = self.opener
        assert opener is not None
        plan_id = self.requested_plan_id

        def tell(note: str) -> None:
            self.opening_notes.append(note)
            self._from_worker(partial(self.notify, note, severity="warning", timeout=12, markup=False))

        def body() -> None:
            self.opener_started = True
            try:
                self.database = opener(tell)  # run_app closes it, whatever happens next
                outline = None
                try:
                    from db.reader_views import open_plan_outline

                    outline = open_plan_outline(self.database, plan_id, chosen=False)
                except Exception:  # noqa: BLE001 - read again after settling, where the reader says the error
                    pass
                self._from_worker(partial(self._database_opened, outline))
                if self.settle is not None:
                    self.plan_shown.wait(timeout=2)  # the tree paints without sharing the interpreter
                    self.settle(self.database, tell)
            except BaseException as exc:  # noqa: BLE001 - said by the command line once the terminal is restored
                self.opening_error = exc
                self._from_worker(self.exit)
            else:
                self._from_worker(partial(self.start_up_done, outline is None))
            finally:
                self.opening_done.set()

        self.run_worker(body, thread=True, group="open-database", exit_on_error=False)

    def _from_worker(self, callback: Callable[[], object]) -> None:
        """`callback()` on the event loop, from the opening worker; nothing once the app has ended."""
        try:
            self.call_from_thread(callback)
        except (RuntimeError, CancelledError):  # the app ended meanwhile (q while opening)
            pass

    def _database_opened(self, outline: Any) -> None:
        """The database is open and (unless reading it failed) the plan's outline read: show it at once."""
        if outline is not None:
            self.reader.show_plan(outline)

    def exit(self, *args: Any, **kwargs: Any) -> None:
        self.plan_shown.set()  # an opening worker waiting to settle need not wait for a plan that will not show
        super().exit(*args, **kwargs)

    def start_up_done(self, read_again: bool) -> None:
        """The opening worker has finished (the plan shown, older data completed, the start-up backup taken):
        every key works from now on."""
        self.database_open = True
        self.plan_shown.set()
        self.refresh_bindings()
        if read_again:  # the outline could not be read before settling (no plan yet): the reader says why
            self.reader.load_plan(self.requested_plan_id, chosen=False)

    def plan_opened(self, plan_id: int, name: str, plans_in_database: int) -> None:
        """The reader has read a plan (at start-up, F7, F8): every screen shows it from now on."""
        changed = self.plan_id is not None and plan_id != self.plan_id
        self.plan_id, self.plan_name, self.plans_in_database = plan_id, name, plans_in_database
        self.sub_title = name
        self._badge_screen(self.screen)
        self.refresh_bindings()
        self._plan_read(changed)
        if not self.plan_shown.is_set():
            self.call_after_refresh(self.plan_shown.set)

    def plan_not_opened(self) -> None:
        """The reader could not read the plan asked for (its message is shown): the open one stays."""
        self._plan_read(None)

    def _plan_read(self, changed: bool | None) -> None:
        waiter, self._plan_waiter = self._plan_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(changed)

    async def _rebuild_plan_modes(self) -> None:
        """The other modes' screens showed the previous plan: drop them, to be built afresh when next shown
        (the one showing now at once). A mode cannot be removed while shown, so the reader stands in."""
        mode = self.current_mode
        if mode != READER_MODE:
            await self.switch_mode(READER_MODE)
        for other, factory in self._plan_modes().items():
            await self.remove_mode(other)
            self.add_mode(other, factory)
        if mode != READER_MODE:
            await self.switch_mode(mode)
        self._badge_screen(self.screen)
        self.fit_terminal(self.size)

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
        """F7: list the plans (the picker reads them itself, in a worker); the one chosen opens on every screen
        and is remembered."""
        from db.reader_views import keep_plan_choice
        from tui.pickers import PlanPicker

        if any(isinstance(s, PlanPicker) for s in self.screen_stack):
            return

        def chosen(plan_id: int | None) -> None:
            if plan_id is None:
                return
            if plan_id == self.plan_id:  # kept: still a choice to remember
                database = self.database
                self.run_worker(lambda: keep_plan_choice(database, plan_id), thread=True, exit_on_error=False)
                self.notify(f"仍是「{self.plan_name}」。", markup=False)
                return
            self.run_worker(self.open_plan(plan_id), group="plan", exclusive=True)

        self.push_screen(PlanPicker(None, self.plan_id), chosen)

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
        """Open another plan on every screen: the reader reads it (in a worker) and shows its outline at the place
        last read in it; `plan_opened` then rebuilds the other screens. `chosen`: the user picked it, so it opens
        by default from now on (db.plan_store.default_plan_id). A plan that cannot be read leaves the open one."""
        self._plan_read(None)  # an earlier request still waiting is overtaken by this one
        waiter: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self._plan_waiter = waiter
        self.reader.load_plan(plan_id, chosen=chosen)
        changed = await waiter
        if changed:
            await self._rebuild_plan_modes()
        return changed is not None

    @property
    def reader(self) -> ReaderScreen:
        stack = self.get_screen_stack(READER_MODE)
        screen = stack[0] if stack else self.reader_screen
        assert isinstance(screen, ReaderScreen)
        return screen

    async def show_source(self, source) -> None:
        """Show where the plan states something (a db.indicators.TextSource) in the reader, from any screen:
        `self.post_message(ShowSource(source))`, or run as a worker `run_worker(self.guihua.show_source(s))`."""
        if self.current_mode != READER_MODE:
            await self.switch_mode(READER_MODE)
        self.reader.show_source(source)

    async def on_show_source(self, message: ShowSource) -> None:
        await self.show_source(message.source)

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that would do nothing now are left out of the footer; until the database is open, all but ? and q."""
        if not self.database_open:
            return action in ("help", "quit")
        if action == "show_reader":
            return self.current_mode != READER_MODE
        if action == "show_grid":
            return self.current_mode != GRID_MODE
        if action == "show_mode":
            return self.current_mode != parameters[0]
        return True

    # ------------------------------------------------------------------------------------------------------
    # Switching screens, help, palette, quitting

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("规划原文", "阅读和检索规划文本（F2）", self.action_show_reader)
        yield SystemCommand("主要指标", "录入指标数据、查看进度（F3）", self.action_show_grid)
        yield SystemCommand("审核", "审核从规划文本中找到的量化指标和项目（F4）", partial(self.action_show_mode, REVIEW_MODE))
        yield SystemCommand("项目", "项目和里程碑：完成、逾期、形象进度（F5）", partial(self.action_show_mode, PROJECTS_MODE))
        yield SystemCommand("汇总", "按章节、按单位汇总里程碑和滞后指标（F6）", partial(self.action_show_mode, SUMMARY_MODE))
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


def run_app(database: Database | None = None, plan_id: int | None = None, *,
            opener: Callable[[Callable[[str], None]], Database] | None = None,
            settle: Callable[[Database, Callable[[str], None]], None] | None = None) -> int:
    """Run the TUI; returns the process exit code (0, or 70 after an unexpected error). With `opener` the app
    opens the database itself after its first paint, and `settle` finishes the start-up (see GuihuaApp); the
    start-up work is let finish (a backup is never cut short) and the database closed at the end; an error
    opening it is raised here, after the terminal is restored, for the command line to say."""
    app = GuihuaApp(database, plan_id, opener=opener, settle=settle)
    try:
        code = run_guarded(app)
    finally:
        if opener is not None:
            app.plan_shown.set()  # ended before the plan was shown: the worker need not wait for it
            if app.opener_started:
                app.opening_done.wait()  # Textual's run waits for its threads too: this is only a safeguard
            if app.database is not None:
                app.database.dispose()
    if app.opening_error is not None:
        raise app.opening_error
    for note in app.opening_notes:
        print(note, file=sys.stderr)
    return code


def run_guarded(app: App[Any], **run_options: Any) -> int:
    """Run `app`; an unexpected error ends it with a Chinese message naming the log file, never a traceback.

    Textual prints what ends an app (the traceback of an unhandled exception, or a message passed to
    `App.exit`) on `App.error_console` once the terminal is restored, and sets `App.return_code` to 1 after an
    unhandled exception. Printing into a buffer lets the traceback go to the log and an exit message through."""
    printed = io.StringIO()
    width = Console(stderr=True).width
    app.error_console = Console(file=printed, width=width, markup=False, highlight=False, color_system=None)
    app.run(**run_options)
    if app.return_code == 1:
        report = printed.getvalue()
        where = errorlog.log_report(report)
        print(errorlog.fatal_message(_exception_name(report), where), file=sys.stderr)
        return 70
    if printed.getvalue():
        sys.stderr.write(printed.getvalue())
    return app.return_code or 0


def _exception_name(report: str) -> str:
    """The exception's class named on a traceback's last line (「ZeroDivisionError: division by zero」)."""
    for line in reversed(report.splitlines()):
        found = re.match(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning))\b", line)
        if found:
            return found.group(1).rsplit(".", 1)[-1]
    return "Exception"
