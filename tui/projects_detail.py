"""Beside the project list: the selected project's milestones (MilestoneTable) and its details (ProjectDetail).
Each holds the project it shows; the screen tells them which one."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist

from core.schedule import CLOSED_STATUSES
from db.indicators import decimal_text
from db.projects import MilestoneView, ProjectView
from tui.projects_list import DONE_STYLE, OVERDUE_STYLE, SOON_STYLE, due_soon, due_text, plan_time


class MilestoneTable(DataTable):
    """The milestones of one project; the cursor starts on the first one still to do (what space acts on)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.add_column("里程碑", key="title", width=14)
        self.add_column("计划时间", key="due", width=14)
        self.add_column("状态", key="status", width=6)
        self.add_column("完成日期", key="done", width=10)
        self.project: ProjectView | None = None
        self.today = date.today()

    def current_id(self) -> int | None:
        if not self.row_count:
            return None
        try:
            return int(str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value))
        except CellDoesNotExist:
            return None

    def current(self) -> MilestoneView | None:
        milestone_id = self.current_id()
        if self.project is None or milestone_id is None:
            return None
        return next((m for m in self.project.milestones if m.id == milestone_id), None)

    def show(self, project: ProjectView | None, today: date, keep: int | None = None) -> None:
        self.project, self.today = project, today
        self.clear()
        if project is None:
            self.border_title = "里程碑"
            self.border_subtitle = ""
            return
        for m in project.milestones:
            self.add_row(*self.cells(m), key=str(m.id))
        self.border_title = f"里程碑 · {project.title}"
        late = sum(1 for m in project.milestones if m.overdue(today))
        self.border_subtitle = (f"逾期 {late} 项 · " if late else "") + (
            f"完成 {project.done_count}/{project.counted}" if project.milestones else "a 添加里程碑")
        ids = [m.id for m in project.milestones]
        if keep in ids:
            row = ids.index(keep)
        else:
            row = next((i for i, m in enumerate(project.milestones) if m.status not in CLOSED_STATUSES), 0)
        if ids:
            self.move_cursor(row=row, animate=False)

    def cells(self, m: MilestoneView) -> list[Text]:
        if m.overdue(self.today):
            style, status = OVERDUE_STYLE, "逾期"
        elif m.status == "已完成":
            style, status = DONE_STYLE, m.status
        elif m.status == "已取消":
            style, status = "dim strike", m.status
        else:
            style, status = (SOON_STYLE if due_soon(m, self.today) else ""), m.status
        done = m.done_date.isoformat() if m.done_date else ""
        return [
            Text(m.title, style=style, no_wrap=True, overflow="ellipsis"),
            Text(due_text(m), style=style, no_wrap=True),
            Text(status, style=style, no_wrap=True),
            Text(done, style=style, no_wrap=True),
        ]


class ProjectDetail(Static):
    """The selected project's chapter, category, units, planned dates, investment and note, and the milestone
    under the cursor."""

    def show(self, project: ProjectView | None, milestone: MilestoneView | None, today: date, *,
             empty: str = "") -> None:
        if project is None:
            self.update(Text(empty, style="dim"))
            return
        lines = [Text(f"{project.action}{project.title}", style="bold")]
        where = " › ".join(p for p in (project.chapter, project.section) if p)
        if where:
            lines.append(Text(where, style="dim"))
        lines.append(_pairs(("类别", project.category), ("形象进度", project.stage)))
        lines.append(_pairs(("牵头", project.lead_unit)))
        if project.partner_units:
            lines.append(_pairs(("配合", project.partner_units)))
        if project.planned_start or project.planned_finish:
            finish = _pairs(("计划开工", plan_time(project.planned_start)),
                            ("计划完成", plan_time(project.planned_finish)))
            if project.finish_overdue(today):
                finish.append("  已过计划完成时间", style=OVERDUE_STYLE)
            lines.append(finish)
        money = [(label, decimal_text(value)) for label, value in (
            ("总投资", project.total_investment), ("年度计划", project.annual_plan_investment),
            ("累计完成", project.completed_investment)) if value is not None]
        if money:
            line = _pairs(*money)
            line.append(f"  （{project.investment_unit or '万元'}）", style="dim")
            lines.append(line)
        if project.note:
            lines.append(_pairs(("备注", project.note)))
        if milestone is not None:
            late = milestone.overdue(today)
            text = Text("里程碑：", style="dim")
            text.append(milestone.title, style=OVERDUE_STYLE if late else "bold")
            text.append(f"  {due_text(milestone)}  {milestone.status}")
            if late:
                text.append("  已逾期", style=OVERDUE_STYLE)
            if milestone.note:
                text.append(f"  备注：{milestone.note}")
            lines.append(text)
        self.update(Text("\n").join(lines))


def _pairs(*pairs: tuple[str, str]) -> Text:
    """「类别：…  形象进度：…」, an empty value shown as a dim dash."""
    out = Text()
    for label, value in pairs:
        if out:
            out.append("  ")
        out.append(f"{label}：", style="dim")
        out.append(value or "—", style="" if value else "dim")
    return out
