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
            ("F4 / F5 / F6", "审核查找到的条目 / 项目和里程碑 / 汇总"),
            ("F7", "切换规划：列出已导入的规划，选定后各界面打开它（右上角显示当前规划）"),
            ("F8", "导入规划文件：输入路径（Tab 补全），导入后打开新规划"),
            ("F9", "核对主要指标：从规划指标表读出的指标，修改后全部确认"),
            ("Ctrl+P 承接上一规划的基数", "本规划指标以上一规划目标年的实际值作为基数（先列出，确认后写入）"),
            ("Ctrl+E", "导出会议用的监测表（Excel），完成后提示保存位置"),
            ("Ctrl+F", "填报表：生成各单位的年度填报表，导入交回的填报表"),
            ("Ctrl+P 备份与恢复", "查看备份、立即备份、用备份恢复数据库"),
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
            ("t", "在主要指标和文中量化指标（审核中采纳的）之间切换"),
        ],
    ),
    (
        "全局",
        [
            ("F2 / F3", "规划原文 / 主要指标（本界面）"),
            ("F4 / F5 / F6", "审核查找到的条目 / 项目和里程碑 / 汇总"),
            ("F7", "切换规划：列出已导入的规划，选定后各界面打开它（右上角显示当前规划）"),
            ("F8", "导入规划文件：输入路径（Tab 补全），导入后打开新规划"),
            ("F9", "核对主要指标：从规划指标表读出的指标，修改后全部确认"),
            ("Ctrl+P 承接上一规划的基数", "本规划指标以上一规划目标年的实际值作为基数（先列出，确认后写入）"),
            ("Ctrl+E", "导出会议用的监测表（Excel），完成后提示保存位置"),
            ("Ctrl+F", "填报表：生成各单位的年度填报表，导入交回的填报表"),
            ("Ctrl+P 备份与恢复", "查看备份、立即备份、用备份恢复数据库"),
            ("? / F1", "显示本帮助"),
            ("Ctrl+P", "命令面板"),
            ("q", "退出"),
        ],
    ),
]


# The review queue (tui/review.py); binding ids review.*
REVIEW_HELP_SECTIONS: Sections = [
    (
        "审核",
        [
            ("↑ ↓ / PgUp PgDn", "在条目间移动（章节行自动跳过）；下方显示原文，查找到的字句高亮"),
            ("a", "采纳：量化指标成为文中指标，项目进入「项目」界面；光标移到下一条待审核"),
            ("x", "舍弃（如“疑与主要指标重复”的条目）"),
            ("e", "修改条目：指标名称、比较方式、目标值、单位、年份；或项目名称、动作"),
            ("空格", "标记 / 取消标记（可标记多条）"),
            ("m", "把标记的条目并入当前条目（同一事项被找到多次时）"),
            ("s", "拆分：一条里含几项时，每行写一项"),
            ("n", "新增漏掉的条目（关联到当前条目所在的段落）"),
            ("u", "把舍弃或合并的条目退回待审核"),
            ("回车", "到规划原文中该段落，查找到的字句高亮"),
        ],
    ),
    (
        "显示",
        [
            ("t", "切换 文中量化指标 / 项目"),
            ("f", "按审核状态：待审核、已采纳、已舍弃、已合并、全部"),
            ("/", "搜索条目或原文中的字（边输边筛选），Esc 清除"),
            ("Esc", "清除搜索；再按一次取消标记"),
            ("Ctrl+U", "我的单位：只看本单位牵头或配合的条目（待审核的条目还没有单位，全部显示）"),
        ],
    ),
]

# The projects screen (tui/projects.py); binding ids projects.*
PROJECTS_HELP_SECTIONS: Sections = [
    (
        "移动",
        [
            ("↑ ↓ / PgUp PgDn", "在项目间移动（章节行自动跳过），右侧显示其里程碑"),
            ("Tab / Shift+Tab", "在项目表和里程碑表之间切换"),
            ("回车", "到规划原文中项目所在的段落"),
        ],
    ),
    (
        "里程碑",
        [
            ("空格", "把右侧选中的里程碑标为今天完成；已完成的再按一次可改回推进中"),
            ("D", "修改完成日期"),
            ("d", "设定计划时间：2024-06-30、2024-06、2024Q2、2024年上半年 或 2024"),
            ("a", "给选中的项目添加里程碑"),
            ("e", "在里程碑表中：修改里程碑（名称、计划时间、状态、完成日期、备注）"),
        ],
    ),
    (
        "项目",
        [
            ("e", "在项目表中：修改类别、牵头和配合单位（从列表中选）、计划开工和完成、形象进度、投资、备注"),
            ("s", "更改形象进度（数字键直接选）"),
        ],
    ),
    (
        "筛选（标题中显示）",
        [
            ("o", "依次：逾期（里程碑逾期，或无里程碑且已过计划完成）、30天内到期、尚无里程碑、全部"),
            ("u", "按单位（牵头或配合，输入单位名称中的字）"),
            ("g / c", "按形象进度 / 按类别（依次切换）"),
            ("/", "按项目名称搜索（边输边筛选），Esc 清除"),
            ("x", "清除全部筛选"),
            ("Ctrl+U", "我的单位：只看本单位牵头或配合的项目（各界面通用，保存在数据库中）"),
        ],
    ),
    (
        "颜色",
        [
            ("红色加粗", "逾期：计划时间已过仍未完成（自动判断，不用填写）"),
            ("黄色", "30天内到期"),
            ("绿色", "已完成"),
        ],
    ),
]

# The summary (tui/projects.py SummaryScreen); binding ids summary.*
SUMMARY_HELP_SECTIONS: Sections = [
    (
        "汇总",
        [
            ("↑ ↓", "选择章节或单位；右侧列出其逾期里程碑和进度滞后的指标"),
            ("Tab", "在“按章节”和“按牵头单位”两张表之间切换"),
            ("r", "刷新"),
            ("Ctrl+U", "我的单位：只汇总本单位牵头或配合的项目和指标"),
            ("b", "起草评估报告（Word）：规划期已结束为总结评估，否则为上一年度监测报告；完成后提示保存位置"),
        ],
    ),
]

# F-keys and the rest, at the end of the three lists above
_GLOBAL_SECTION = (
    "全局",
    [
        ("F2 / F3", "规划原文 / 主要指标"),
        ("F4 / F5 / F6", "审核 / 项目 / 汇总"),
        ("F7 / F8 / F9", "切换规划 / 导入规划文件 / 核对主要指标"),
        ("Ctrl+P 承接上一规划的基数", "本规划指标以上一规划目标年的实际值作为基数"),
        ("Ctrl+E", "导出会议用的监测表（Excel），完成后提示保存位置"),
        ("Ctrl+F", "填报表：生成各单位的年度填报表，导入交回的填报表"),
        ("Ctrl+P 备份与恢复", "查看备份、立即备份、用备份恢复数据库"),
        ("? / F1", "显示本帮助"),
        ("Ctrl+P", "命令面板"),
        ("q", "退出"),
    ],
)
for _sections in (REVIEW_HELP_SECTIONS, PROJECTS_HELP_SECTIONS, SUMMARY_HELP_SECTIONS):
    _sections.append(_GLOBAL_SECTION)


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
