"""What the projects (F5) and summary (F6) screens share: reading their data once per visit, the status line,
their own dialogs, and 「我的单位」 — every database call through tui.base `fetch`."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.screen import Screen

from db.project_views import MyUnitChoice, my_unit_choice, set_my_unit
from tui.base import GuihuaScreen
from tui.pickers import UnitChoice, UnitPicker
from tui.widgets import StatusLine

STATUS_STYLES = {"error": "bold red", "ok": "green", "info": ""}


class MyUnitOffered(Message):
    def __init__(self, choice: MyUnitChoice) -> None:
        super().__init__()
        self.choice = choice


class MyUnitSaved(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


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

    # ------------------------------------------------------------------------------------------------------
    # 「我的单位」

    def action_my_unit(self) -> None:
        database = self.database
        self.fetch(lambda: my_unit_choice(database), MyUnitOffered, group="my-unit")

    def on_my_unit_offered(self, message: MyUnitOffered) -> None:
        choice = message.choice
        if choice.bound:
            self.say(f"你的账号绑定了“{choice.bound}”，只能查看和修改本单位的条目；如需更改请联系规划办。", "error")
            return
        database = self.database

        def chosen(names: list[str] | None) -> None:
            if names is not None:
                name = names[0] if names else ""
                self.fetch(lambda: set_my_unit(database, name), MyUnitSaved, group="my-unit")

        units = [UnitChoice(name, short) for name, short in choice.units]
        self.push(UnitPicker(units, [choice.current] if choice.current else [],
                             title="我的单位（只看本单位牵头或配合的）", none_label="（不限单位：显示全部）"), chosen)

    def on_my_unit_saved(self, message: MyUnitSaved) -> None:
        self.load()
        self.say(f"我的单位：{message.name}（只显示本单位牵头或配合的条目）" if message.name
                 else "已取消“我的单位”，显示全部。", "ok")
