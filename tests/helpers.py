"""Helpers shared by the Pilot tests (conftest.py offers them as fixtures too).

`QuietApp` is the guihua App without a blinking cursor (stable screens). `settle` waits until the keys sent so
far, the workers they started and the messages those posted back have all been handled.

`answer_time` measures how long the app takes to answer a key: from sending it to the moment every message it
caused has been handled and the screen has repainted. A handler that calls the database on the event loop —
directly or by awaiting a query — cannot be answered before the query returns, so with `QueryDelay` slowing
every statement by 200 ms such a screen takes at least 200 ms; a screen that hands its queries to workers
answers in a few milliseconds and fills its rows when the workers report back.
"""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import event
from textual import events
from textual.app import App

from tui.app import GuihuaApp

ANSWER_LIMIT = 0.05  # seconds a key may take to be answered while every query takes 200 ms
QUERY_DELAY = 0.2  # seconds added to every SQL statement by `slow_database`


class QuietApp(GuihuaApp):
    CURSOR_BLINK = False


async def settle(pilot) -> None:
    """Wait until keys, the workers they started and what those workers posted back have all been handled.

    A worker's message may start another worker (a list loads, then the detail of its first row), so this
    repeats until a pass finds no worker left running.
    """
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            break
    await pilot.pause()


@dataclass
class QueryDelay:
    """Slows every SQL statement on one engine, and counts those run on the event loop's thread.

    Pilot runs the app's event loop on the main thread, so a statement counted in `on_event_loop` is one that
    froze the keyboard for its whole duration."""

    seconds: float = QUERY_DELAY
    statements: int = 0
    on_event_loop: int = 0
    loop_thread: threading.Thread = field(default_factory=threading.main_thread)

    def before_cursor_execute(self, *_args) -> None:
        self.statements += 1
        if threading.current_thread() is self.loop_thread:
            self.on_event_loop += 1
        if self.seconds:
            time.sleep(self.seconds)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Full speed for setting up a test's data; the delay is back after the block."""
        seconds, self.seconds = self.seconds, 0.0
        try:
            yield
        finally:
            self.seconds = seconds

    @contextmanager
    def installed(self, engine) -> Iterator[QueryDelay]:
        event.listen(engine, "before_cursor_execute", self.before_cursor_execute)
        try:
            yield self
        finally:
            event.remove(engine, "before_cursor_execute", self.before_cursor_execute)


def _key_event(key: str) -> events.Key:
    """The event a terminal sends for `key` (a Textual key name like "down", "ctrl+f", "f3", or a character)."""
    characters = {"space": " ", "enter": "\r", "tab": "\t", "backspace": "\x7f", "escape": "\x1b"}
    if len(key) == 1:
        from textual.keys import _character_to_key

        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    return events.Key(key, characters.get(key))


async def _handled_everywhere(app: App) -> None:
    """Return once every node of the app and its current screen has handled the messages queued before now."""
    done: list[asyncio.Event] = []
    for node in [app, *app.screen.walk_children(with_self=True)]:
        handled = asyncio.Event()
        if node.call_later(handled.set):
            done.append(handled)
    await asyncio.gather(*(handled.wait() for handled in done))


async def answer_time(pilot, key: str) -> float:
    """Seconds from sending `key` until the app has answered it: every message it caused handled, screen repainted.

    A key travels as a chain of messages — app, screen, focused widget, bubbling back up through its ancestors
    to the app's bindings — each handled in turn by that node's queue, and a binding may push a screen whose
    widgets then mount. Every pass below waits for all nodes to handle what was queued before it, so the chain
    advances at least one hop per pass; passes continue for the deepest chain there is, and then for the next
    repaint of whichever screen is showing. A handler that blocks (a query on the event loop) or awaits a query
    holds its node's queue, so no pass can finish before the query does.
    """
    app = pilot.app
    key_event = _key_event(key)
    key_event.set_sender(app)
    start = time.perf_counter()
    app.post_message(key_event)
    depth = max(len(widget.ancestors_with_self) for widget in app.screen.walk_children(with_self=True))
    for _ in range(depth + 4):
        await _handled_everywhere(app)
    await app.screen.wait_for_refresh()
    return time.perf_counter() - start


async def assert_answered(pilot, *keys: str, delay: QueryDelay | None = None, limit: float = ANSWER_LIMIT) -> None:
    """Each key is answered within `limit` seconds; the failure names the key, the time and the statements
    the event loop ran itself (the likely cause)."""
    for key in keys:
        on_loop_before = delay.on_event_loop if delay else 0
        seconds = await answer_time(pilot, key)
        on_loop = (delay.on_event_loop - on_loop_before) if delay else 0
        screen = type(pilot.app.screen).__name__
        assert seconds < limit, (
            f"{key!r} on {screen} answered after {seconds * 1000:.0f} ms (limit {limit * 1000:.0f} ms); "
            f"SQL statements run on the event loop meanwhile: {on_loop}")
