"""With every SQL statement 200 ms slow (a PostgreSQL server far away), keys are still answered within 50 ms.

First the yardstick itself (tests/helpers.py answer_time) on toy screens: a key handler that queries on the event
loop, or awaits a query, must fail it; one that hands the query to `fetch` must pass. Then every guihua screen
and dialog, driven by the keys people use there: moving, opening, typing in a search box.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tests.helpers import ANSWER_LIMIT, QUERY_DELAY, answer_time, assert_answered, settle
from tui.base import GuihuaScreen


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

    def on_mount(self) -> None:
        self.push_screen(self.first_screen)


async def measure_toy(database, screen: Screen) -> tuple[float, str]:
    app = ToyApp(database, screen)
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        seconds = await answer_time(pilot, "b")
        await settle(pilot)
        return seconds, str(screen.query_one("#rows", Static).content)


async def test_the_yardstick_fails_a_key_handler_that_queries_on_the_event_loop(slow_database, query_delay):
    seconds, rows = await measure_toy(slow_database, BlockingScreen())
    assert rows == "1"  # the handler did run its query
    assert seconds >= QUERY_DELAY and query_delay.on_event_loop >= 1
    with pytest.raises(AssertionError, match="'b' on BlockingScreen answered after"):
        app = ToyApp(slow_database, BlockingScreen())
        async with app.run_test(size=(60, 10)) as pilot:
            await settle(pilot)
            await assert_answered(pilot, "b", delay=query_delay)


async def test_the_yardstick_fails_a_key_handler_that_awaits_a_query_in_a_thread(slow_database, query_delay):
    seconds, rows = await measure_toy(slow_database, AwaitingScreen())
    assert rows == "1"
    assert seconds >= QUERY_DELAY and query_delay.on_event_loop == 0


async def test_the_yardstick_passes_a_key_handler_that_fetches_through_a_worker(slow_database, query_delay):
    seconds, rows = await measure_toy(slow_database, FetchingScreen())
    assert rows == "1"  # the worker's message arrived and filled the widget, after the key was answered
    assert seconds < ANSWER_LIMIT and query_delay.on_event_loop == 0
    assert query_delay.statements >= 1
