"""The indicator grid's 牵头单位 filter bar: a one-line box under the grid, opened by `u`.

It holds only the text being typed; what the text matches is core.indicator_filters' rule, applied by the
screen when the bar says Chosen."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class UnitFilterBar(Horizontal):
    class Chosen(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        yield Static("牵头单位：", id="unit-label")
        yield Input(placeholder="输入单位名称或简称（如“发改委”），回车筛选；留空回车取消，Esc 关闭", id="unit-input",
                    compact=True)

    def on_mount(self) -> None:
        self.display = False

    @property
    def box(self) -> Input:
        return self.query_one("#unit-input", Input)

    def open(self, text: str, cursor_blink: bool) -> None:
        self.display = True
        box = self.box
        box.cursor_blink = cursor_blink
        box.value = text
        box.focus()
        box.select_all()

    def close(self) -> None:
        self.display = False

    @on(Input.Submitted, "#unit-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Chosen(event.value.strip()))
