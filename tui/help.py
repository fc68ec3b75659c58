"""The help screen: every key of the main screen, in Chinese."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# (section, [(keys, what they do)]); kept next to the bindings' ids in app.py and widgets.py
HELP_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "目录（左侧）",
        [
            ("↑ ↓ / k j", "上下移动；停留片刻后右侧显示该部分"),
            ("回车", "打开该部分，并展开或收起其下的小节"),
            ("→ / l", "展开并打开"),
            ("← / h", "收起，或回到上一级"),
            ("空格", "展开或收起"),
            ("Shift+↑ ↓", "上一个 / 下一个同级章节"),
        ],
    ),
    (
        "正文（右侧）",
        [
            ("↑ ↓ / k j", "逐行滚动"),
            ("PgUp PgDn / 空格 b", "翻页"),
            ("Home End", "到开头 / 到结尾"),
        ],
    ),
    (
        "搜索",
        [
            ("/", "打开搜索框（可输入中文）"),
            ("回车", "在搜索框中：查看结果；在结果中：跳到该处"),
            ("↑ ↓", "在结果中选择"),
            ("n / N", "下一处 / 上一处（可跨章节）"),
            ("Esc", "关闭搜索框；再按一次取消高亮"),
        ],
    ),
    (
        "全局",
        [
            ("Tab / Shift+Tab", "在目录、正文、搜索之间切换"),
            ("? / F1", "显示本帮助"),
            ("Ctrl+P", "命令面板：搜索、帮助、退出，或输入章节名称直接跳转"),
            ("q", "退出（下次打开时回到当前位置）"),
            ("Ctrl+Q", "退出（在搜索框中也可用）"),
        ],
    ),
]


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for index, (section, rows) in enumerate(HELP_SECTIONS):
        if index:
            table.add_row("", "")
        table.add_row(Text(section, style="bold underline"), "")
        for keys, what in rows:
            table.add_row(keys, what)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "关闭帮助", id="help.close"),
        Binding("j,down", "scroll_down", "下滚", show=False, id="help.down"),
        Binding("k,up", "scroll_up", "上滚", show=False, id="help.up"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "按键帮助"
            body.border_subtitle = "Esc 关闭"
            yield Static(help_table(), id="help-table")

    def action_dismiss(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#help-body").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-body").scroll_up()
