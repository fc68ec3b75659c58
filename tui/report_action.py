"""The evaluation report from the TUI: a key on the summary screen (b) and entries in the command palette
(「起草评估报告」 and one per kind). Like the meeting pack (Ctrl+E), the report is written in a thread worker to the
export folder, and a notification says where it went; errors are shown in Chinese, never as a traceback. The
work is exports.report's; imported on first use, so start-up does not pay for it."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.app import App, SystemCommand

from exports.report_figures import KINDS
from tui.actions import write_file_in_background

if TYPE_CHECKING:
    from tui.app import GuihuaApp

KIND_HELP = {
    "年度": "上一个完整年度的监测报告",
    "中期": "规划第三年的中期评估报告",
    "总结": "规划目标年的总结评估报告",
}

def draft_report(app: App, kind: str | None = None) -> None:
    """Write the report (default kind: 总结 once the plan's period has ended, else 年度) to the export folder in
    a thread; notify where it went."""
    from exports.report import write_report

    guihua = cast("GuihuaApp", app)
    database = guihua.database
    write_file_in_background(
        guihua, lambda plan_id: write_report(database, plan_id, kind=kind), group="report",
        busy="正在起草评估报告…", again="正在起草评估报告，请稍候…", title="评估报告", held_by="Word/WPS",
        saved=lambda result: f"已起草《{result.title}》（截至{result.year}年），保存到：{result.path}")


def report_commands(app: App) -> Iterator[SystemCommand]:
    """The palette's entries: the default report, then each kind."""
    yield SystemCommand("起草评估报告", "用数据起草 Word 评估报告：规划期已结束为总结评估，否则为上一年度监测报告（汇总界面按 b）",
                        partial(draft_report, app))
    for kind in KINDS:
        yield SystemCommand(f"起草评估报告：{kind}", f"起草{KIND_HELP[kind]}（Word）", partial(draft_report, app, kind))
