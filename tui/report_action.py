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
from tui.actions import _plan_id, run_in_thread

if TYPE_CHECKING:
    from tui.app import GuihuaApp

KIND_HELP = {
    "年度": "上一个完整年度的监测报告",
    "中期": "规划第三年的中期评估报告",
    "总结": "规划目标年的总结评估报告",
}

_drafting: set[int] = set()  # ids of apps with a report being written


def draft_report(app: App, kind: str | None = None) -> None:
    """Write the report (default kind: 总结 once the plan's period has ended, else 年度) to the export folder in
    a thread; notify where it went."""
    from exports.report import write_report

    plan_id = _plan_id(app)
    if plan_id is None:
        return
    if id(app) in _drafting:
        app.notify("正在起草评估报告，请稍候…", markup=False)
        return
    _drafting.add(id(app))
    database = cast("GuihuaApp", app).database

    def done(result) -> None:
        _drafting.discard(id(app))
        if result.renamed:
            app.notify("原文件正在被 Word/WPS 打开，已另存为新文件名。", severity="warning", timeout=10, markup=False)
        app.notify(f"已起草《{result.title}》（截至{result.year}年），保存到：{result.path}", title="评估报告",
                   timeout=12, markup=False)

    run_in_thread(app, lambda: write_report(database, plan_id, kind=kind), done, busy="正在起草评估报告…",
                  failed=lambda _: _drafting.discard(id(app)), group="report")


def report_commands(app: App) -> Iterator[SystemCommand]:
    """The palette's entries: the default report, then each kind."""
    yield SystemCommand("起草评估报告", "用数据起草 Word 评估报告：规划期已结束为总结评估，否则为上一年度监测报告（汇总界面按 b）",
                        partial(draft_report, app))
    for kind in KINDS:
        yield SystemCommand(f"起草评估报告：{kind}", f"起草{KIND_HELP[kind]}（Word）", partial(draft_report, app, kind))
