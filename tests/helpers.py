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
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from sqlalchemy import event
from textual import events
from textual.app import App
from textual.message_pump import MessagePump

from tui.app import GuihuaApp

ANSWER_LIMIT = 0.05  # seconds a key may take to be answered while every query takes 200 ms
QUERY_DELAY = 0.2  # seconds added to every SQL statement by `slow_database`
HOLD_LIMIT = 5.0  # seconds a held statement waits at most: a key answered only after it waited for the database


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
    froze the keyboard for its whole duration. `holding()` goes further: statements wait (up to HOLD_LIMIT)
    until the block ends — a database that does not answer at all while a key is being answered."""

    seconds: float = QUERY_DELAY
    statements: int = 0
    on_event_loop: int = 0
    loop_thread: threading.Thread = field(default_factory=threading.main_thread)
    gate: threading.Event | None = None

    def before_cursor_execute(self, *_args) -> None:
        self.statements += 1
        if threading.current_thread() is self.loop_thread:
            self.on_event_loop += 1
        gate = self.gate
        if gate is not None:
            gate.wait(HOLD_LIMIT)
        if self.seconds:
            time.sleep(self.seconds)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Statements started in the block wait until it ends (or HOLD_LIMIT passes), then go on."""
        gate = self.gate = threading.Event()
        try:
            yield
        finally:
            self.gate = None
            gate.set()

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


async def _until(done: Callable[[], bool], progress: asyncio.Event, what: str, timeout: float = 30.0) -> None:
    """Wait until done(), re-checking whenever `progress` is set (at once) and every few milliseconds (for
    nodes removed meanwhile); a test never hangs on a lost node."""
    give_up = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > give_up:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        progress.clear()
        try:
            await asyncio.wait_for(progress.wait(), 0.005)
        except asyncio.TimeoutError:
            pass


def _gone(node: MessagePump) -> bool:
    """A node removed meanwhile (a list rebuilt, a screen closed) will never run its callback: not waited for."""
    return not node.is_running or not node.is_attached


async def _handled_everywhere(app: App) -> None:
    """Return once every node of the app and its current screen has handled the messages queued before now."""
    progress = asyncio.Event()
    handled: set[int] = set()
    waiting: list[MessagePump] = []

    def mark(node: MessagePump) -> None:
        handled.add(id(node))
        progress.set()

    for node in [app, *app.screen.walk_children(with_self=True)]:
        if node.call_later(mark, node):
            waiting.append(node)
    await _until(lambda: all(id(node) in handled or _gone(node) for node in waiting), progress, "queued messages")


async def _repainted(app: App) -> None:
    """Return after the next repaint of the screen showing (asked again if another screen took its place)."""
    while True:
        screen = app.screen
        painted = asyncio.Event()
        screen.call_after_refresh(painted.set)
        await _until(lambda: painted.is_set() or app.screen is not screen, painted, "a repaint")
        if painted.is_set():
            return


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
    await _repainted(app)
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


@dataclass(frozen=True)
class Answer:
    key: str
    seconds: float
    screen: str  # the screen showing once the key was answered
    on_event_loop: int  # SQL statements the event loop ran itself meanwhile
    started: int  # SQL statements started meanwhile (by workers, or on the event loop)
    settled_screen: str  # the screen showing once the database answered too

    @property
    def waited(self) -> bool:
        """Answered only once a held statement was let go: the key waited for the database."""
        return self.seconds >= HOLD_LIMIT or self.on_event_loop > 0


async def answers(start: Callable[[], App], delay: QueryDelay, keys: Iterable[str],
                  size: tuple[int, int] = (140, 40), *, hold: bool = True) -> list[Answer]:
    """Start a fresh app at full speed, then press `keys` one by one, timing each (answer_time) while the
    database does not answer at all (QueryDelay.holding; `hold` False: at full speed); between keys the
    statements go on and the workers they belong to finish before the next key."""
    app = start()
    out = []
    with delay.paused():
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key in keys:
                on_loop, started = delay.on_event_loop, delay.statements
                delay.seconds = QUERY_DELAY if hold else 0.0
                with delay.holding() if hold else nullcontext():
                    took = await answer_time(pilot, key)
                screen = type(app.screen).__name__
                on_loop, started = delay.on_event_loop - on_loop, delay.statements - started
                delay.seconds = 0.0
                await settle(pilot)
                out.append(Answer(key, took, screen, on_loop, started, type(app.screen).__name__))
    return out


async def assert_keys_never_wait_for_the_database(start: Callable[[], App], delay: QueryDelay,
                                                  keys: list[str]) -> list[Answer]:
    """Each key is answered while the queries it started are still unanswered, and the event loop runs no
    statement itself: no key waits for the database, however slow it is.

    Why not a stopwatch alone: on a busy two-core machine switching to a screen costs Textual 100–800 ms of
    layout and painting at any database speed, so 「within 50 ms」 would measure the machine. Holding the
    statements makes the check exact: a key that waits for a query — on the event loop, or awaiting a worker —
    cannot be answered until HOLD_LIMIT lets the query go. The times are in the returned answers."""
    answered = await answers(start, delay, keys)
    late = [f"{a.key!r} on {a.screen}: answered after {a.seconds * 1000:.0f} ms, {a.started} statements started "
            f"({a.on_event_loop} on the event loop)" for a in answered if a.waited]
    assert not late, "keys that waited for the database:\n" + "\n".join(late)
    return answered


def rendered_text(renderable) -> str:
    """What a Rich renderable shows, as plain text, through Rich's public console API."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()
