"""The seam between the screens and the data.

Screens never open a database session and never call the database on the event loop: they ask `fetch` to run
a db/ function in a thread worker and react to the typed message it posts back. With PostgreSQL on another
machine a slow query then delays only the rows it fills, never the keyboard. `self.guihua` is the App, typed,
holding only what every screen shares (database, open plan, user).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar, cast

from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from core.errors import GuihuaError
from tui import errorlog

if TYPE_CHECKING:
    from db.engine import Database
    from tui.app import GuihuaApp

ResultT = TypeVar("ResultT")
BUSY_DELAY = 0.4  # seconds before a `busy` notice is shown: quick work only shows its result


class DataFailed(Message):
    """A fetch failed; `text` is the Chinese message already shown to the user."""

    def __init__(self, text: str, group: str) -> None:
        super().__init__()
        self.text = text
        self.group = group


class _DataAccess:
    """What every guihua screen and modal can do with the shared state. Mixed into Screen/ModalScreen."""

    app: Any  # provided by Textual's DOMNode; typed through `guihua`

    @property
    def guihua(self) -> GuihuaApp:
        return cast("GuihuaApp", self.app)

    @property
    def database(self) -> Database:
        return self.guihua.database

    @property
    def plan_id(self) -> int | None:
        return self.guihua.plan_id

    def fetch(self, work: Callable[[], ResultT], deliver: Callable[[ResultT], Message], *, group: str,
              exclusive: bool = True, busy: str = "") -> Worker[None]:
        """Run `work()` (a db/ call) in a thread; post `deliver(result)` to this screen when it returns.

        `exclusive`: a newer fetch of the same group cancels the older one, whose result is then dropped (a
        later keypress wins over a slow earlier query). A GuihuaError shows its Chinese message; anything else
        is logged and named (errorlog) — never a traceback. Either way a DataFailed is posted too. `busy`: said
        (「正在…」) when the work takes longer than BUSY_DELAY, so quick work shows only its result.
        """
        node = cast(Any, self)
        return run_off_loop(node, work, lambda result: node.post_message(deliver(result)), group=group,
                            exclusive=exclusive, busy=busy,
                            failed=lambda text: node.post_message(DataFailed(text, group)))


def run_off_loop(node: Any, work: Callable[[], ResultT], done: Callable[[ResultT], object], *, group: str,
                 exclusive: bool = True, busy: str = "", failed: Callable[[str], object] | None = None) -> Worker[None]:
    """What `fetch` does, for a node that is not a screen (the App's own actions, such as the meeting pack):
    `work()` in a thread worker of `node`, then `done(result)` — or, after the error is shown, `failed(text)` —
    on the event loop. A cancelled worker's outcome is dropped."""
    app = node.app
    timer = app.set_timer(BUSY_DELAY, partial(app.notify, busy, timeout=4, markup=False)) if busy else None

    def finish(worker: Worker | None, result: Any, error: str | None) -> None:
        if timer is not None:
            timer.stop()
        if worker is not None and worker.is_cancelled:
            return
        if error is None:
            done(result)
            return
        app.notify(error, severity="error", timeout=12, markup=False)
        if failed is not None:
            failed(error)

    def body() -> None:
        worker = _current_worker()
        try:
            result = work()
        except GuihuaError as exc:
            app.call_from_thread(finish, worker, None, exc.message)
        except Exception as exc:  # noqa: BLE001 - shown to the user, traceback in the log
            app.call_from_thread(finish, worker, None, errorlog.unexpected_message(exc, errorlog.log_unexpected(exc)))
        else:
            app.call_from_thread(finish, worker, result, None)

    return node.run_worker(body, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


def _current_worker() -> Worker | None:
    from textual.worker import NoActiveWorker, get_current_worker

    try:
        return get_current_worker()
    except NoActiveWorker:
        return None


class GuihuaScreen(_DataAccess, Screen):
    """A full screen of guihua's (reader, grid, review, projects, summary)."""


class GuihuaModal(_DataAccess, ModalScreen[ResultT], Generic[ResultT]):
    """A dialog of guihua's."""
