"""With the database slow (200 ms a statement, a PostgreSQL server far away) or not answering at all, keys are
still answered: none waits for a query (tests/helpers.py assert_keys_never_wait_for_the_database says how).

First the yardstick itself on toy screens: a key handler that queries on the event loop, or awaits a query,
must fail it; one that hands the query to `fetch` must pass. Then every guihua screen and dialog, driven by the
keys people use there: moving, opening, typing in a search box. Last, the stopwatch itself on the real
screens: moves answered within 50 ms while their slow reads are on their way.
"""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tests.helpers import (
    ANSWER_LIMIT,
    QUERY_DELAY,
    QuietApp,
    answer_time,
    assert_keys_never_wait_for_the_database,
    settle,
)
from core.errors import GuihuaError
from tui.base import BUSY_DELAY, DataFailed, GuihuaScreen


def count_rows(database) -> int:
    with database.session() as session:
        return int(session.connection().execute(text("SELECT count(*) FROM plan")).scalar_one())


class Counted(Message):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows


class BlockingScreen(Screen):
    """Queries in its key handler, on the event loop: the mistake the yardstick must catch."""

    BINDINGS = [Binding("b", "count", "数")]

    def compose(self) -> ComposeResult:
        yield Static("", id="rows")

    def action_count(self) -> None:
        self.query_one("#rows", Static).update(str(count_rows(self.app.database)))


class AwaitingScreen(BlockingScreen):
    """Runs the query in a thread but awaits it in the handler: the loop is free, the screen's queue is not."""

    async def action_count(self) -> None:
        worker = self.run_worker(lambda: count_rows(self.app.database), thread=True)
        rows = await worker.wait()
        self.query_one("#rows", Static).update(str(rows))


class FetchingScreen(GuihuaScreen):
    """Hands the query to `fetch` and fills the widget when the worker reports back: what guihua's screens do."""

    BINDINGS = [Binding("b", "count", "数")]

    def compose(self) -> ComposeResult:
        yield Static("…", id="rows")

    def action_count(self) -> None:
        database = self.database
        self.fetch(lambda: count_rows(database), Counted, group="count")

    def on_counted(self, message: Counted) -> None:
        self.query_one("#rows", Static).update(str(message.rows))


class ToyApp(App):
    def __init__(self, database, screen: Screen) -> None:
        super().__init__()
        self.database = database
        self.plan_id = None
        self.first_screen = screen
        self.said: list[tuple[str, str]] = []  # (message, severity) of every notice, in order

    def on_mount(self) -> None:
        self.push_screen(self.first_screen)

    def notify(self, message, *, severity="information", **kwargs) -> None:
        self.said.append((str(message), severity))
        super().notify(message, severity=severity, **kwargs)


async def measure_toy(database, screen: Screen) -> tuple[float, str]:
    app = ToyApp(database, screen)
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        seconds = await answer_time(pilot, "b")
        await settle(pilot)
        return seconds, str(screen.query_one("#rows", Static).content)


@pytest.mark.sqlite_only  # the yardstick itself: one database is enough
async def test_the_yardstick_fails_a_key_handler_that_queries_on_the_event_loop(slow_database, query_delay):
    seconds, rows = await measure_toy(slow_database, BlockingScreen())
    assert rows == "1"  # the handler did run its query
    assert seconds >= QUERY_DELAY and query_delay.on_event_loop >= 1
    with pytest.raises(AssertionError, match="'b' on BlockingScreen: answered after .*\\(1 on the event loop\\)"):
        await assert_keys_never_wait_for_the_database(lambda: ToyApp(slow_database, BlockingScreen()),
                                                      query_delay, ["b"])


@pytest.mark.sqlite_only  # the yardstick itself: one database is enough
async def test_the_yardstick_fails_a_key_handler_that_awaits_a_query_in_a_thread(slow_database, query_delay):
    seconds, rows = await measure_toy(slow_database, AwaitingScreen())
    assert rows == "1"
    assert seconds >= QUERY_DELAY and query_delay.on_event_loop == 0
    with pytest.raises(AssertionError, match="'b' on AwaitingScreen: answered after .*\\(0 on the event loop\\)"):
        await assert_keys_never_wait_for_the_database(lambda: ToyApp(slow_database, AwaitingScreen()),
                                                      query_delay, ["b"])


@pytest.mark.sqlite_only  # the yardstick itself: one database is enough
async def test_the_yardstick_passes_a_key_handler_that_fetches_through_a_worker(slow_database, query_delay):
    seconds, rows = await measure_toy(slow_database, FetchingScreen())
    assert rows == "1"  # the worker's message arrived and filled the widget, after the key was answered
    assert seconds < ANSWER_LIMIT and query_delay.on_event_loop == 0
    assert query_delay.statements >= 1
    await assert_keys_never_wait_for_the_database(lambda: ToyApp(slow_database, FetchingScreen()),
                                                  query_delay, ["b", "b"])


# ----------------------------------------------------------------------------------------------------------
# guihua's screens and dialogs, every statement 200 ms slow


async def keys_never_wait(database, delay, keys: list[str], screens: dict[int, str]) -> None:
    """The keys, pressed in a fresh guihua, never wait for the database; once the database has answered key i,
    the screen showing is screens[i] (a dialog may open only when its list has arrived)."""
    answered = await assert_keys_never_wait_for_the_database(lambda: QuietApp(database), delay, keys)
    for index, screen in screens.items():
        assert answered[index].settled_screen == screen, (keys[index], answered[index].settled_screen)


async def test_reader_moves_opens_and_searches_without_waiting_for_the_database(slow_database, query_delay):
    keys = ["f3", "f2", "down", "down", "enter", "up", "enter", "slash", "发", "展", "enter", "n", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "GridScreen", 1: "ReaderScreen"})


async def test_grid_opens_moves_and_changes_year_without_waiting(slow_database, query_delay):
    keys = ["f3", "down", "down", "up", "right_square_bracket", "left_square_bracket", "e", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "GridScreen", 6: "IndicatorForm", 7: "GridScreen"})


async def test_review_opens_moves_and_searches_without_waiting(slow_database, query_delay):
    keys = ["f4", "down", "down", "t", "t", "slash", "产", "业", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "ReviewScreen"})


async def test_projects_open_move_and_search_without_waiting(slow_database, query_delay):
    keys = ["f5", "down", "down", "up", "slash", "产", "业", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "ProjectsScreen"})


async def test_summary_opens_and_moves_without_waiting(slow_database, query_delay):
    await keys_never_wait(slow_database, query_delay, ["f6", "down", "down", "r"], {0: "SummaryScreen"})


async def test_unit_picker_opens_and_filters_as_typed_without_waiting(slow_database, query_delay):
    keys = ["f3", "u", "发", "改", "down", "up", "backspace", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {1: "UnitPicker", 7: "GridScreen"})


async def test_my_unit_picker_opens_and_filters_as_typed_without_waiting(slow_database, query_delay):
    keys = ["f5", "ctrl+u", "教", "育", "down", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {1: "MyUnitPicker", 5: "ProjectsScreen"})


async def test_forms_dialog_opens_and_takes_typing_without_waiting(slow_database, query_delay):
    keys = ["ctrl+f", "backspace", "3", "tab", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "FormsScreen"})


async def test_backups_open_from_the_palette_and_move_without_waiting(slow_database, query_delay):
    keys = ["ctrl+p", "备", "份", "enter", "down", "up", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {3: "BackupScreen"})


async def test_plan_import_opens_and_takes_a_path_without_waiting(slow_database, query_delay):
    keys = ["f8", "/", "t", "m", "p", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "PlanImportScreen"})


async def test_plan_picker_opens_and_moves_without_waiting(slow_database, query_delay):
    await keys_never_wait(slow_database, query_delay, ["f7", "down", "up", "escape"], {0: "PlanPicker"})


async def test_indicator_check_opens_moves_and_edits_without_waiting(slow_database, query_delay):
    from importers.plan import import_plan_text
    from tests.test_indicator_check import PLAN

    with query_delay.paused():  # a new plan whose indicator table's rows wait to be checked; it opens by default
        import_plan_text(slow_database, PLAN.encode("utf-8"), source_name="十五五.txt")
    keys = ["f9", "down", "down", "up", "e", "escape", "escape"]
    await keys_never_wait(slow_database, query_delay, keys, {0: "IndicatorCheckScreen", 4: "IndicatorForm"})


# ----------------------------------------------------------------------------------------------------------
# The seam's own promises (tui.base fetch / run_off_loop)


class Slept(Message):
    def __init__(self, value: str) -> None:
        super().__init__()
        self.value = value


class SeamScreen(GuihuaScreen):
    """Fetches on demand and keeps what came back, so a test can read the order of events."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[str] = []

    def on_slept(self, message: Slept) -> None:
        self.got.append(message.value)

    def on_data_failed(self, message: DataFailed) -> None:
        self.got.append(f"failed:{message.group}:{message.text}")


def sleeping(seconds: float, value: str):
    def work() -> str:
        time.sleep(seconds)
        return value

    return work


def refusing() -> str:
    raise GuihuaError("没有这个规划。")


async def test_fetch_says_busy_only_when_slow_shows_errors_in_chinese_and_drops_a_replaced_result(database):
    screen = SeamScreen()
    app = ToyApp(database, screen)
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        screen.fetch(sleeping(0.05, "quick"), Slept, group="a", busy="正在读取…")
        await settle(pilot)
        assert screen.got == ["quick"] and ("正在读取…", "information") not in app.said
        screen.fetch(sleeping(BUSY_DELAY + 0.3, "slow"), Slept, group="a", busy="正在读取…")
        await settle(pilot)
        assert screen.got[-1] == "slow" and app.said.count(("正在读取…", "information")) == 1
        # a newer fetch of the same group wins: the older result never arrives
        screen.fetch(sleeping(0.3, "old"), Slept, group="b")
        screen.fetch(sleeping(0.01, "new"), Slept, group="b")
        await settle(pilot)
        assert screen.got[-1] == "new" and "old" not in screen.got
        screen.fetch(refusing, Slept, group="c")
        await settle(pilot)
        assert screen.got[-1] == "failed:c:没有这个规划。"
        assert app.said[-1] == ("没有这个规划。", "error")


# ----------------------------------------------------------------------------------------------------------
# The stopwatch on real screens: moving within a screen while the slow database is reading its details

MOVES = ["down", "down", "down", "up", "down", "down", "up", "down"]


@pytest.mark.parametrize(("opening", "screen", "reload", "rest"), [
    ("f2", "ReaderScreen", None, 0.3),  # the reader follows the tree cursor after 0.25 s: a slow read each
    ("f3", "GridScreen", None, 0.12),  # the detail panel follows after 80 ms
    ("f6", "SummaryScreen", "r", 0.05),  # `r` reads it all again, slowly, while the cursor moves
])
async def test_moving_within_a_screen_is_answered_within_50_ms_with_a_slow_database(slow_database, query_delay,
                                                                                   opening, screen, reload, rest):
    """What the issue asks in so many words: with every statement 200 ms slower, each cursor move on the real
    screens is answered within 50 ms while the reads it caused (the part under the cursor, a detail panel, a
    reload) are still on their way. The median of eight moves is held to 50 ms; a single key can meet a garbage
    collection or another job on a shared machine, so the slowest is only held to one statement's 200 ms."""
    app = QuietApp(slow_database)
    with query_delay.paused():
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press(opening)
            await settle(pilot)
            assert type(app.screen).__name__ == screen
            started = query_delay.statements
            query_delay.seconds = QUERY_DELAY
            if reload:
                await pilot.press(reload)
            times = []
            for key in MOVES:
                times.append(await answer_time(pilot, key))
                await pilot.pause(rest)
            reads = query_delay.statements - started
            await settle(pilot)
    shown = ", ".join(f"{t * 1000:.0f}" for t in times)
    assert reads >= 1, "the moves read nothing: the test would not show a slow database"
    assert query_delay.on_event_loop == 0
    assert statistics.median(times) < ANSWER_LIMIT, f"{screen}: {shown} ms"
    assert max(times) < QUERY_DELAY, f"{screen}: {shown} ms"
