"""What the projects (F5) and summary (F6) screens share: reading their data once per visit, the status line,
their own dialogs, and 「我的单位」 (tui.pickers) — every database call through tui.base `fetch`."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen

from tui.base import GuihuaScreen
from tui.pickers import choose_my_unit
from tui.widgets import StatusLine

STATUS_STYLES = {"error": "bold red", "ok": "green", "info": ""}


class PlanItemsScreen(GuihuaScreen):
    """A screen showing the open plan's projects. Its data is read when it is shown — once: Textual resumes a
    mode's screen twice on its first show — and again when it comes back from another screen (projects may
    have been accepted, 「我的单位」 changed there), but not when one of its own dialogs closes."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.my_unit = ""
        self._own_modal = False
        self._read_this_visit = False

    def load(self) -> None:
        """Read the screen's data again (in a worker); the screen fills itself when it arrives."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        if self._own_modal:
            self._own_modal = False
            return
        if not self._read_this_visit:
            self._read_this_visit = True
            self.load()

    def on_screen_suspend(self) -> None:
        if not self._own_modal:
            self._read_this_visit = False

    def push(self, screen: Screen, callback=None) -> None:
        """Open one of this screen's dialogs: closing it does not read the data again."""
        self._own_modal = True
        self.app.push_screen(screen, callback)

    def say(self, message: str, kind: str = "info") -> None:
        self.query_one(StatusLine).update(Text(message, style=STATUS_STYLES.get(kind, "")))

    def action_my_unit(self) -> None:
        choose_my_unit(self)  # picks, stores, then calls load() and say()
