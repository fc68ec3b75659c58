"""The grid's writes (tui.grid): one at a time, in the order the keys asked for them, and the undo/redo stacks.

Typing ahead while a save is in flight keeps every key for the cell it was typed into: each write's db call
runs when its turn comes (with the versions the screen knows then) and its outcome comes back as `Written`.
The screen posts the write through `fetch` and hands the results back (`written`, `failed`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from textual.message import Message

from db.grid_views import WriteOutcome
from db.indicators import Edit, IndicatorView

WRITE_GROUP = "grid-write"


@dataclass(frozen=True)
class UndoItem:
    edit: Edit
    indicator_id: int
    year: int | None  # the year column to return the cursor to, for value edits
    label: str  # 「地区生产总值 YYYY年实际值」


@dataclass(frozen=True)
class Write:
    """One queued write: `run` is the db call (made when its turn comes, with the versions known then);
    `done` takes its outcome on the event loop."""

    run: Callable[[], WriteOutcome]
    done: Callable[[WriteOutcome], None]


class Written(Message):
    def __init__(self, write: Write, outcome: WriteOutcome) -> None:
        super().__init__()
        self.write = write
        self.outcome = outcome


@dataclass(frozen=True)
class RestoreHooks:
    """What an undo or redo needs from the screen: the db call, and how to show its result."""

    undo: Callable[[UndoItem], WriteOutcome]  # runs in the worker
    apply: Callable[[IndicatorView], None]
    show_cell: Callable[[int, int | None], None]
    say: Callable[[str, str], None]


class GridSaves:
    """The ordered write queue and the undo/redo stacks of the rows on screen. `start` hands a write to a
    worker (the screen's fetch), which answers with `Written` (→ `written`) or a failure (→ `failed`)."""

    def __init__(self, start: Callable[[Write], None]) -> None:
        self._start = start
        self._writes: deque[Write] = deque()
        self._writing = False
        self.undo_stack: list[UndoItem] = []
        self.redo_stack: list[UndoItem] = []

    @property
    def pending(self) -> bool:
        """Whether a write is running or waiting."""
        return self._writing or bool(self._writes)

    def enqueue(self, write: Write) -> None:
        self._writes.append(write)
        if not self._writing:
            self._next()

    def _next(self) -> None:
        if not self._writes:
            self._writing = False
            return
        self._writing = True
        self._start(self._writes.popleft())

    def written(self, message: Written) -> None:
        try:
            message.write.done(message.outcome)
        finally:
            self._next()

    def failed(self) -> None:
        """The running write failed (the message is already shown): what comes after it must not stall."""
        self._next()

    def push_undo(self, item: UndoItem) -> None:
        self.undo_stack.append(item)
        self.redo_stack.clear()

    def forget(self) -> None:
        """Undo and redo belong to the rows on screen: another list drops them."""
        self.undo_stack.clear()
        self.redo_stack.clear()

    def restore(self, hooks: RestoreHooks, *, redo: bool) -> None:
        """Queue an undo (or redo) of the latest edit on the stack when its turn comes: edits queued before it
        are on the stack by then."""
        stack_from, stack_to = (self.redo_stack, self.undo_stack) if redo else (self.undo_stack, self.redo_stack)
        word = "恢复" if redo else "撤销"
        if not stack_from and not self.pending:
            hooks.say(f"没有可{word}的修改。", "info")
            return
        taken: list[UndoItem] = []

        def run() -> WriteOutcome:
            if not stack_from:
                return WriteOutcome(0, None, refused=f"没有可{word}的修改。")
            item = stack_from[-1]
            taken.append(item)
            return hooks.undo(item)

        def done(outcome: WriteOutcome) -> None:
            if not taken:
                hooks.say(outcome.refused, "info")
                return
            item = taken[0]
            if outcome.fresh is not None:
                hooks.apply(outcome.fresh)
            if outcome.refused:
                if outcome.lasting and item in stack_from:
                    stack_from.remove(item)  # it can never succeed now: someone changed the field since
                hooks.say(f"不能{word}：{outcome.refused}", "error")
                return
            if item in stack_from:
                stack_from.remove(item)
            if outcome.edit is not None:
                stack_to.append(replace(item, edit=outcome.edit))
            hooks.show_cell(item.indicator_id, item.year)
            hooks.say(f"已{word}：{item.label}", "ok")

        self.enqueue(Write(run, done))
