"""The help screen: every key of the screen it was opened from, in Chinese."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

Sections = list[tuple[str, list[tuple[str, str]]]]

# (section, [(keys, what they do)]); kept next to the bindings' ids in app.py and widgets.py
HELP_SECTIONS: Sections = [
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
            ("F2 / F3", "规划原文（本界面）/ 主要指标"),
            ("? / F1", "显示本帮助"),
            ("Ctrl+P", "命令面板：搜索、帮助、退出，或输入章节名称直接跳转"),
            ("q", "退出（下次打开时回到当前位置）"),
            ("Ctrl+Q", "退出（在搜索框中也可用）"),
        ],
    ),
]


# The indicator grid (tui/grid.py); binding ids grid.*
GRID_HELP_SECTIONS: Sections = [
    (
        "移动",
        [
            ("↑ ↓ ← →", "在单元格间移动（类别行自动跳过）"),
            ("PgUp PgDn / Home End", "翻页 / 到行首行尾"),
        ],
    ),
    (
        "录入数值（年份列）",
        [
            ("数字 + - .", "直接开始录入，所按的字符就是第一个字符（全角数字也可以）"),
            ("回车", "开始修改当前数值；录入时：保存并移到下一个指标"),
            ("Tab / Shift+Tab", "录入时：保存并移到右边 / 左边一格"),
            ("↑ ↓", "录入时：保存并上移 / 下移"),
            ("Esc", "录入时：放弃，数据库不变"),
            ("空 或 —", "清除该年数值（会先确认）"),
            ("Delete", "清除当前数值（会先确认）"),
            ("Ctrl+Z / Ctrl+Y", "撤销 / 恢复本界面的修改（写入数据库，留有记录）"),
        ],
    ),
    (
        "查看和修改",
        [
            ("e", "修改牵头单位、配合单位、分管领导、年度目标、数据阶段、来源、备注"),
            ("o", "到规划原文中该指标所在的段落"),
            ("[ ]", "状态列按前一年 / 后一年判断"),
            ("r", "刷新：重新读取数据库（别处改过数值后）"),
        ],
    ),
    (
        "筛选（标题中显示当前筛选）",
        [
            ("c", "按类别（依次切换）"),
            ("s", "按状态（依次切换）"),
            ("b", "只看约束性指标（再按取消）"),
            ("u", "按牵头单位（输入单位名称中的字）"),
            ("x", "清除全部筛选"),
        ],
    ),
    (
        "全局",
        [
            ("F2 / F3", "规划原文 / 主要指标（本界面）"),
            ("? / F1", "显示本帮助"),
            ("Ctrl+P", "命令面板"),
            ("q", "退出"),
        ],
    ),
]


def help_table(sections: Sections | None = None) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for index, (section, rows) in enumerate(HELP_SECTIONS if sections is None else sections):
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

    def __init__(self, sections: Sections | None = None, title: str = "按键帮助") -> None:
        super().__init__()
        self.sections = sections
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = self.title_text
            body.border_subtitle = "Esc 关闭"
            yield Static(help_table(self.sections), id="help-table")

    def action_dismiss(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#help-body").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-body").scroll_up()
