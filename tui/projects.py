"""The 「项目」 screen (projects grouped by chapter, the selected one's milestones beside them) and the 「汇总」
screen (milestones done / due / overdue per chapter and per unit, beside the indicators behind schedule).

Overdue, due-soon and the roll-ups come from core.schedule and db.projects; every change goes through
db.projects (which logs it in the change history) and is committed before the status line says 已保存."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from core.errors import GuihuaError
from core.period import Period
from core.schedule import (
    INVESTMENT_UNITS,
    MILESTONE_STATUSES,
    PROJECT_CATEGORIES,
    PROJECT_STAGES,
    MilestoneFacts,
    Rollup,
    rollup,
)
from core.units import involves
from db.audit import ConcurrentEditError
from db.indicators import decimal_text
from db.plan_store import plan_period
from db.projects import (
    MilestoneView,
    ProjectView,
    add_milestone,
    list_projects,
    list_proposals,
    list_units,
    summary,
    today,
    update_milestone,
    update_project,
)
from tui.pickers import (
    GROUP_PREFIX,
    ChoicePicker,
    Field,
    FieldsForm,
    GroupedTable,
    PromptScreen,
    UnitPicker,
    choose_my_unit,
    db_error,
    load_my_unit,
    paragraph_source,
    unit_choices,
)
from tui.widgets import StatusLine

OVERDUE_STYLE = "bold red"
SOON_STYLE = "yellow"
DONE_STYLE = "green"
# the 「o」 filter: which projects by the state of their milestones
TIMING_FILTERS: list[str | None] = [None, "overdue", "soon", "none"]
TIMING_WORDS = {None: "全部", "overdue": "逾期", "soon": "30天内到期", "none": "尚无里程碑"}
NO_STAGE = "（未填）"
def due_hint(year: int) -> str:
    """How a due date may be written, with examples in `year` (ProjectsScreen.example_year)."""
    return f"可写 {year}-06-30、{year}-06、{year}Q2、{year}年上半年 或 {year}；留空表示不设。"


PROJECT_WIDTH = 32
SIDE_WIDTH = 56


def timing(project: ProjectView, when: date) -> Rollup:
    """The project's milestones rolled up (done, due soon, overdue) by core.schedule's rules."""
    facts = [MilestoneFacts("", m.status, m.due) for m in project.milestones]
    return rollup(facts, when).get("", Rollup())


def due_text(milestone: MilestoneView) -> str:
    return milestone.due.label if milestone.due else "—"


def plan_time(text: str) -> str:
    """A stored planned start/finish (YYYYH1) as officials write it (YYYY年上半年)."""
    from core.schedule import parse_due
    from core.targets import ValueParseError

    if not text:
        return ""
    try:
        return parse_due(text).label
    except ValueParseError:
        return text


def expect(view) -> dict:
    """expected_version for a save (optimistic locking): refused if someone else saved the record since it was
    read. Views from a store that does not track versions carry none: last write wins."""
    version = getattr(view, "version", None)
    return {} if version is None else {"expected_version": version}


class ProjectsScreen(Screen):
    """Projects by chapter with filters; the selected project's milestones and details beside them."""

    DEFAULT_CSS = f"""
    #projects-main {{ height: 1fr; }}
    #project-table {{ width: 1fr; height: 1fr; border: round $panel-lighten-2; scrollbar-size-vertical: 1; }}
    #project-side {{ width: {SIDE_WIDTH}; }}
    #milestone-table {{ height: 1fr; border: round $panel-lighten-2; scrollbar-size-vertical: 1; }}
    #project-table:focus, #milestone-table:focus {{ border: round $accent; }}
    #project-detail {{ height: auto; max-height: 14; padding: 0 1; border: round $panel-lighten-2; }}
    #projects-search {{ height: 1; background: $surface; display: none; }}
    #projects-search.-open {{ display: block; }}
    #projects-search-label {{ width: auto; text-style: bold; color: $accent; }}
    #projects-search-input {{ width: 1fr; }}
    #projects-status {{ height: 1; background: $panel; padding: 0 1; }}
    ProjectsScreen.-narrow #project-side {{ width: 40; }}
    """

    AUTO_FOCUS = "#project-table"
    BINDINGS = [
        Binding("space", "toggle_done", "完成", key_display="空格", id="projects.done"),
        Binding("a", "add_milestone", "加里程碑", id="projects.add_milestone"),
        Binding("e", "edit", "修改", id="projects.edit"),
        Binding("d", "due", "计划时间", show=False, id="projects.due"),
        Binding("D,shift+d", "done_date", "完成日期", key_display="D", show=False, id="projects.done_date"),
        Binding("s", "stage", "形象进度", id="projects.stage"),
        Binding("o", "filter_timing", "逾期", id="projects.filter_timing"),
        Binding("u", "filter_unit", "单位", show=False, id="projects.filter_unit"),
        Binding("g", "filter_stage", "进度筛选", show=False, id="projects.filter_stage"),
        Binding("c", "filter_category", "类别", show=False, id="projects.filter_category"),
        Binding("slash", "search", "搜索", id="projects.search"),
        Binding("x", "clear_filters", "清除筛选", show=False, id="projects.clear"),
        Binding("escape", "escape", "关闭", show=False, id="projects.escape"),
        Binding("ctrl+u", "my_unit", "我的单位", show=False, id="projects.my_unit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="projects-screen")
        self.projects: dict[int, ProjectView] = {}
        self.unit_names: dict[str, str] = {}  # full name -> short name
        self.phrases: dict[int, str] = {}  # project id -> the words the finder matched (marked in the reader)
        self.today = today()
        self.period: Period | None = None  # the plan's: the year the date examples use
        self.timing_filter: str | None = None
        self.stage_filter: str | None = None
        self.category_filter: str | None = None
        self.unit_filter = ""
        self.query_text = ""
        self.my_unit = ""
        self.shown = 0
        self._milestones_for: int | None = None
        self._own_modal = False

    # ------------------------------------------------------------------------------------------------------
    # Layout and loading

    def compose(self) -> ComposeResult:
        with Horizontal(id="projects-main"):
            table = GroupedTable(id="project-table")
            table.add_column("项目", key="title", width=PROJECT_WIDTH)
            table.add_column("牵头单位", key="lead", width=10)
            table.add_column("形象进度", key="stage", width=8)
            table.add_column("里程碑", key="count", width=6)
            table.add_column("下一节点", key="next", width=15)
            yield table
            with Vertical(id="project-side"):
                milestones = DataTable(id="milestone-table", cursor_type="row", zebra_stripes=False)
                milestones.add_column("里程碑", key="title", width=14)
                milestones.add_column("计划时间", key="due", width=14)
                milestones.add_column("状态", key="status", width=6)
                milestones.add_column("完成日期", key="done", width=10)
                yield milestones
                yield Static("", id="project-detail")
        with Horizontal(id="projects-search"):
            yield Static("搜索项目：", id="projects-search-label")
            yield Input(placeholder="输入项目名称中的字，边输边筛选；回车回到列表，Esc 清除", id="projects-search-input",
                        compact=True)
        yield StatusLine("", id="projects-status")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> GroupedTable:
        return self.query_one("#project-table", GroupedTable)

    @property
    def milestone_table(self) -> DataTable:
        return self.query_one("#milestone-table", DataTable)

    def on_mount(self) -> None:
        self.query_one("#projects-search-input", Input).cursor_blink = getattr(self.app, "CURSOR_BLINK", True)
        self.load()
        if self.projects:
            self.say("空格 标记里程碑完成（D 改日期）· a 加里程碑 · d 计划时间 · e 修改 · s 形象进度 · o 逾期 · u 单位 · 回车看原文 · ? 全部按键")

    def on_screen_resume(self) -> None:
        if self._own_modal:
            self._own_modal = False
            return
        self.load()  # back from another screen: projects may have been accepted, 「我的单位」 changed

    def push(self, screen, callback=None) -> None:
        self._own_modal = True
        self.app.push_screen(screen, callback)

    @property
    def example_year(self) -> int:
        """The year date examples are given in: this year, within the plan's period."""
        return self.period.clamp(self.today.year) if self.period else self.today.year

    def load(self, keep: int | None = None, keep_milestone: int | None = None) -> None:
        plan_id = getattr(self.app, "plan_id", None)
        if keep is None:
            keep = self.table.current_id()
        if keep_milestone is None and keep == self._milestones_for:
            keep_milestone = self.current_milestone_id()
        try:
            if plan_id is None:
                raise GuihuaError("没有打开的规划，无法显示项目。")
            self.my_unit = load_my_unit(self.app)
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                projects = list_projects(session, plan_id)
                self.unit_names = {u.name: u.short_name or u.name for u in list_units(session)}
                self.phrases = {p.result_id: p.text for p in list_proposals(session, plan_id, "project", "accepted")
                                if p.result_id is not None}
                self.period = plan_period(session, plan_id)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.say(db_error(exc), "error")
            return
        self.today = today()
        self.projects = {p.id: p for p in projects}
        self.rebuild(keep, keep_milestone)
        if not projects:
            self.say("还没有项目。在「审核」界面（F4）采纳查找到的项目后，在这里跟踪里程碑。")

    def visible(self, project: ProjectView) -> bool:
        if self.my_unit and not involves(self.my_unit, project.lead_unit, project.partner_units):
            return False
        if self.unit_filter and not involves(self.unit_filter, project.lead_unit, project.partner_units):
            return False
        if self.stage_filter is not None and (project.stage or NO_STAGE) != self.stage_filter:
            return False
        if self.category_filter is not None and project.category != self.category_filter:
            return False
        if self.query_text and not all(w in f"{project.action}{project.title}" for w in self.query_text.split()):
            return False
        if self.timing_filter == "overdue":
            return project.overdue(self.today)
        if self.timing_filter == "soon":
            return timing(project, self.today).due_soon > 0
        if self.timing_filter == "none":
            return not project.milestones
        return True

    def rebuild(self, keep: int | None = None, keep_milestone: int | None = None) -> None:
        table = self.table
        table.clear()
        groups: dict[str, list[ProjectView]] = {}
        totals: dict[str, int] = {}
        for project in self.projects.values():
            chapter = project.chapter or "（未归章节）"
            totals[chapter] = totals.get(chapter, 0) + 1
            if self.visible(project):
                groups.setdefault(chapter, []).append(project)
        self.shown = 0
        for chapter, projects in groups.items():
            late = sum(1 for p in projects if p.overdue(self.today))
            count = f"{len(projects)} 个" if len(projects) == totals[chapter] else f"{len(projects)}/{totals[chapter]} 个"
            table.add_row(
                Text("▌" + chapter, style="bold", no_wrap=True, overflow="ellipsis"),
                Text(count, style="dim"), "", "",
                Text(f"{late} 个项目逾期", style=OVERDUE_STYLE) if late else "",
                key=f"{GROUP_PREFIX}{chapter}",
            )
            for project in projects:
                table.add_row(*self.project_cells(project), key=str(project.id))
                self.shown += 1
        self._update_title()
        if not table.go_to(keep) and table.row_count:
            table.move_cursor(row=table.data_row(0, 1) or 0, animate=False)
        self._milestones_for = None
        self.show_milestones(keep_milestone)

    def project_cells(self, project: ProjectView) -> list[Text]:
        facts = timing(project, self.today)
        late = project.overdue(self.today)
        title = Text(f"{project.action}{project.title}", style=OVERDUE_STYLE if late else "", no_wrap=True,
                     overflow="ellipsis")
        lead = Text(self.unit_names.get(project.lead_unit, project.lead_unit) or "—",
                    style="" if project.lead_unit else "dim", no_wrap=True, overflow="ellipsis")
        stage = Text(project.stage or "—", style="" if project.stage else "dim", no_wrap=True)
        count = Text(f"{project.done_count}/{project.counted}" if project.milestones else "—",
                     style=OVERDUE_STYLE if late else ("dim" if not project.milestones else ""), no_wrap=True)
        return [title, lead, stage, count, self.next_cell(project, facts)]

    def next_cell(self, project: ProjectView, facts: Rollup) -> Text:
        if facts.overdue:
            first = next(m for m in project.milestones if m.overdue(self.today))
            return Text(f"逾期{facts.overdue}项：{first.title}", style=OVERDUE_STYLE, no_wrap=True, overflow="ellipsis")
        open_ones = [m for m in project.milestones if m.status not in ("已完成", "已取消")]
        dated = sorted((m for m in open_ones if m.due), key=lambda m: m.due)
        if dated:
            style = SOON_STYLE if facts.due_soon else ""
            return Text(f"{dated[0].due.label} {dated[0].title}", style=style, no_wrap=True, overflow="ellipsis")
        if open_ones:
            return Text(f"{open_ones[0].title}（未定时间）", style="dim", no_wrap=True, overflow="ellipsis")
        if project.milestones:
            return Text("里程碑已全部完成", style=DONE_STYLE, no_wrap=True)
        if project.finish_overdue(self.today):
            return Text(f"已过计划完成 {plan_time(project.planned_finish)}", style=OVERDUE_STYLE, no_wrap=True,
                        overflow="ellipsis")
        return Text("未设里程碑", style="dim", no_wrap=True)

    def _update_title(self) -> None:
        parts = []
        if self.timing_filter:
            parts.append(TIMING_WORDS[self.timing_filter])
        if self.unit_filter:
            parts.append(f"单位：{self.unit_filter}")
        if self.stage_filter is not None:
            parts.append(f"形象进度：{self.stage_filter}")
        if self.category_filter is not None:
            parts.append(self.category_filter)
        if self.query_text:
            parts.append(f"名称含“{self.query_text}”")
        title = f"项目 · {self.shown} 个"
        if self.shown != len(self.projects):
            title += f"（共 {len(self.projects)} 个）"
        if parts:
            title += f" · 筛选：{'、'.join(parts)}"
        if self.my_unit:
            title += f" · 我的单位：{self.my_unit}"
        self.table.border_title = title
        self.table.border_subtitle = f"今天 {self.today.isoformat()}"

    def say(self, message: str, kind: str = "info") -> None:
        style = {"error": "bold red", "ok": "green", "info": ""}.get(kind, "")
        self.query_one("#projects-status", StatusLine).update(Text(message, style=style))

    # ------------------------------------------------------------------------------------------------------
    # The milestones and the detail panel

    def current(self) -> ProjectView | None:
        project_id = self.table.current_id()
        return self.projects.get(project_id) if project_id is not None else None

    def current_milestone_id(self) -> int | None:
        table = self.milestone_table
        if not table.row_count:
            return None
        try:
            return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        except Exception:  # noqa: BLE001 - an empty or clearing table has no cursor row
            return None

    def current_milestone(self) -> MilestoneView | None:
        project = self.current()
        milestone_id = self.current_milestone_id()
        if project is None or milestone_id is None:
            return None
        return next((m for m in project.milestones if m.id == milestone_id), None)

    @on(DataTable.RowHighlighted, "#project-table")
    def _project_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_milestones()

    @on(DataTable.RowHighlighted, "#milestone-table")
    def _milestone_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.update_detail()

    def show_milestones(self, keep: int | None = None) -> None:
        project = self.current()
        project_id = project.id if project else None
        if project_id == self._milestones_for and keep is None:
            return
        self._milestones_for = project_id
        table = self.milestone_table
        table.clear()
        if project is None:
            table.border_title = "里程碑"
            self.update_detail()
            return
        for m in project.milestones:
            table.add_row(*self.milestone_cells(m), key=str(m.id))
        table.border_title = f"里程碑 · {project.title}"
        late = sum(1 for m in project.milestones if m.overdue(self.today))
        table.border_subtitle = (f"逾期 {late} 项 · " if late else "") + (
            f"完成 {project.done_count}/{project.counted}" if project.milestones else "a 添加里程碑")
        ids = [m.id for m in project.milestones]
        if keep in ids:
            row = ids.index(keep)
        else:  # the first one still to do: that is what space acts on
            row = next((i for i, m in enumerate(project.milestones) if m.status not in ("已完成", "已取消")), 0)
        if ids:
            table.move_cursor(row=row, animate=False)
        self.update_detail()

    def milestone_cells(self, m: MilestoneView) -> list[Text]:
        if m.overdue(self.today):
            style = OVERDUE_STYLE
            status = "逾期"
        elif m.status == "已完成":
            style, status = DONE_STYLE, m.status
        elif m.status == "已取消":
            style, status = "dim strike", m.status
        else:
            style, status = (SOON_STYLE if timing_one(m, self.today) else ""), m.status
        done = m.done_date.isoformat() if m.done_date else ""
        return [
            Text(m.title, style=style, no_wrap=True, overflow="ellipsis"),
            Text(due_text(m), style=style, no_wrap=True),
            Text(status, style=style, no_wrap=True),
            Text(done, style=style, no_wrap=True),
        ]

    def update_detail(self) -> None:
        detail = self.query_one("#project-detail", Static)
        project = self.current()
        if project is None:
            detail.update(Text("没有符合条件的项目。按 x 清除筛选。" if self.projects else "", style="dim"))
            return
        lines = []
        head = Text(f"{project.action}{project.title}", style="bold")
        lines.append(head)
        where = " › ".join(p for p in (project.chapter, project.section) if p)
        if where:
            lines.append(Text(where, style="dim"))

        def row(*pairs: tuple[str, str]) -> Text:
            out = Text()
            for label, value in pairs:
                if out:
                    out.append("  ")
                out.append(f"{label}：", style="dim")
                out.append(value or "—", style="" if value else "dim")
            return out

        lines.append(row(("类别", project.category), ("形象进度", project.stage)))
        lines.append(row(("牵头", project.lead_unit)))
        if project.partner_units:
            lines.append(row(("配合", project.partner_units)))
        if project.planned_start or project.planned_finish:
            lines.append(row(("计划开工", plan_time(project.planned_start)), ("计划完成", plan_time(project.planned_finish))))
        money = [(label, decimal_text(value)) for label, value in (
            ("总投资", project.total_investment), ("年度计划", project.annual_plan_investment),
            ("累计完成", project.completed_investment)) if value is not None]
        if money:
            line = row(*money)
            line.append(f"  （{project.investment_unit or '万元'}）", style="dim")
            lines.append(line)
        if project.note:
            lines.append(row(("备注", project.note)))
        milestone = self.current_milestone()
        if milestone is not None:
            text = Text("里程碑：", style="dim")
            style = OVERDUE_STYLE if milestone.overdue(self.today) else "bold"
            text.append(milestone.title, style=style)
            text.append(f"  {due_text(milestone)}  {milestone.status}")
            if milestone.overdue(self.today):
                text.append("  已逾期", style=OVERDUE_STYLE)
            if milestone.note:
                text.append(f"  备注：{milestone.note}")
            lines.append(text)
        detail.update(Text("\n").join(lines))

    # ------------------------------------------------------------------------------------------------------
    # Changes

    def _write(self, work, done: str, keep: int | None = None, keep_milestone: int | None = None) -> str | None:
        """Run `work(session)`; on success reload and say `done`. Returns the refusal, if any."""
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                result = work(session)
        except (GuihuaError, SQLAlchemyError) as exc:
            reason = db_error(exc)
            if isinstance(exc, ConcurrentEditError):
                # someone saved it meanwhile: show what they saved; a second try then overwrites knowingly
                self.load(keep, keep_milestone if keep_milestone != -1 else None)
                reason = exc.happened + "已载入最新内容，核对后可再修改。"
                self.say(reason, "error")
                return reason
            self.say(f"没有保存：{reason}", "error")
            return reason
        if keep_milestone == -1:  # the id the work returned (a milestone just added)
            keep_milestone = result
        self.load(keep, keep_milestone)
        self.say(done, "ok")
        return None

    def fresh(self, project_id: int, milestone_id: int | None = None):
        """The project (or milestone) as last read: a save after a conflict uses the version just loaded."""
        project = self.projects.get(project_id)
        if milestone_id is None or project is None:
            return project
        return next((m for m in project.milestones if m.id == milestone_id), None)

    def _need_milestone(self) -> tuple[ProjectView, MilestoneView] | None:
        project = self.current()
        if project is None:
            return None
        milestone = self.current_milestone()
        if milestone is None:
            self.say(f"“{project.title}”还没有里程碑，按 a 添加。", "error")
            return None
        return project, milestone

    def action_toggle_done(self) -> None:
        found = self._need_milestone()
        if found is None:
            return
        project, milestone = found
        if milestone.status == "已完成":
            from tui.forms import ConfirmScreen

            def answered(yes: bool | None) -> None:
                if yes:
                    self._write(lambda s: update_milestone(s, milestone.id, origin="tui", status="推进中",
                                                           **expect(self.fresh(project.id, milestone.id))),
                                f"已保存：里程碑“{milestone.title}”改为推进中", project.id, milestone.id)

            self.push(ConfirmScreen(f"里程碑“{milestone.title}”已完成，改回“推进中”？"), answered)
            return
        day = self.today
        # mark_milestone_done's fields, with the version this screen showed
        self._write(lambda s: update_milestone(s, milestone.id, origin="tui", status="已完成", done_date=day,
                                               **expect(milestone)),
                    f"已保存：里程碑“{milestone.title}”已完成（今天 {day.isoformat()}）· 按 D 修改完成日期",
                    project.id, milestone.id)

    def action_done_date(self) -> None:
        found = self._need_milestone()
        if found is None:
            return
        project, milestone = found
        current = (milestone.done_date or self.today).isoformat()

        def save(text: str) -> str | None:
            if not text:
                return f"请写完成日期，如 {current}；如未完成，按 Esc 后用空格改回。"
            return self._write(lambda s: update_milestone(s, milestone.id, origin="tui", status="已完成", done_date=text,
                                                          **expect(self.fresh(project.id, milestone.id))),
                               f"已保存：里程碑“{milestone.title}”于 {text} 完成", project.id, milestone.id)

        self.push(PromptScreen("完成日期", f"里程碑“{milestone.title}”的完成日期：", current, save,
                               hint=f"写成 {self.example_year}-06-30 这样的日期；保存后状态为“已完成”。"))

    def action_due(self) -> None:
        found = self._need_milestone()
        if found is None:
            return
        project, milestone = found

        def save(text: str) -> str | None:
            return self._write(lambda s: update_milestone(s, milestone.id, origin="tui", due=text,
                                                          **expect(self.fresh(project.id, milestone.id))),
                               f"已保存：里程碑“{milestone.title}”计划时间 {plan_time(text) or '未定'}",
                               project.id, milestone.id)

        self.push(PromptScreen("计划时间", f"里程碑“{milestone.title}”的计划时间：",
                               milestone.due.text if milestone.due else "", save, hint=due_hint(self.example_year)))

    def action_add_milestone(self) -> None:
        project = self.current()
        if project is None:
            return
        fields = [
            Field("title", "名称", placeholder="如：完成立项、开工建设、主体完工"),
            Field("due", "计划时间", placeholder="如：{y}-06-30、{y}-06、{y}Q2、{y}年上半年、{y}".format(y=self.example_year)),
            Field("note", "备注"),
        ]

        def save(values: dict[str, str]) -> str | None:
            return self._write(
                lambda s: add_milestone(s, project.id, values.get("title", ""), values.get("due", ""), origin="tui",
                                        note=values.get("note", "")),
                f"已保存：“{project.title}”新增里程碑“{values.get('title', '')}”", project.id, -1)

        self.push(FieldsForm(f"添加里程碑：{project.title}", fields, save, send_all=True))

    def action_edit(self) -> None:
        if self.milestone_table.has_focus:
            self.edit_milestone()
        else:
            self.edit_project()

    def edit_milestone(self) -> None:
        found = self._need_milestone()
        if found is None:
            return
        project, m = found
        fields = [
            Field("title", "名称", m.title),
            Field("due", "计划时间", m.due.text if m.due else "",
                  placeholder="如：{y}-06-30、{y}-06、{y}Q2、{y}年上半年".format(y=self.example_year)),
            Field("status", "状态", m.status, kind="select", options=[(s, s) for s in MILESTONE_STATUSES]),
            Field("done_date", "完成日期", m.done_date.isoformat() if m.done_date else "",
                  placeholder=f"如：{self.example_year}-06-30（日期）"),
            Field("note", "备注", m.note),
        ]

        def save(values: dict[str, str]) -> str | None:
            return self._write(lambda s: update_milestone(s, m.id, origin="tui", **values,
                                                          **expect(self.fresh(project.id, m.id))),
                               f"已保存：里程碑“{values.get('title', m.title)}”", project.id, m.id)

        self.push(FieldsForm(f"修改里程碑：{m.title}", fields, save,
                             note="逾期由计划时间和状态自动判断，不用填写。"))

    def edit_project(self) -> None:
        project = self.current()
        if project is None:
            return
        categories = list(PROJECT_CATEGORIES)
        if project.category and project.category not in categories:
            categories.append(project.category)
        fields = [
            Field("title", "项目名称", project.title),
            Field("category", "类别", project.category, kind="select", options=[(c, c) for c in categories]),
            Field("lead_unit", "牵头单位", project.lead_unit, kind="unit"),
            Field("partner_units", "配合单位", project.partner_units, kind="units"),
            Field("planned_start", "计划开工", project.planned_start,
                  placeholder="如：{y}、{y}Q3、{y}-06".format(y=self.example_year)),
            Field("planned_finish", "计划完成", project.planned_finish,
                  placeholder="如：{y}、{y}年上半年".format(y=self.example_year)),
            Field("stage", "形象进度", project.stage, kind="select", options=[(s, s) for s in PROJECT_STAGES]),
            Field("total_investment", "总投资", decimal_text(project.total_investment) or ""),
            Field("annual_plan_investment", "年度计划投资", decimal_text(project.annual_plan_investment) or ""),
            Field("completed_investment", "累计完成投资", decimal_text(project.completed_investment) or ""),
            Field("investment_unit", "投资单位", project.investment_unit, kind="select",
                  options=[(u, u) for u in INVESTMENT_UNITS]),
            Field("note", "备注", project.note),
        ]

        def save(values: dict[str, str]) -> str | None:
            words = "、".join(f.label for f in fields if f.name in values)
            return self._write(lambda s: update_project(s, project.id, origin="tui", **values,
                                                        **expect(self.fresh(project.id))),
                               f"已保存：“{project.title}”的{words}", project.id)

        self.push(FieldsForm(f"修改项目：{project.title}", fields, save,
                             note="单位从列表中选择：回车或直接输入单位名称中的字。"))

    def action_stage(self) -> None:
        project = self.current()
        if project is None:
            return

        def chosen(stage: str | None) -> None:
            if stage is None or stage == project.stage:
                return
            self._write(lambda s: update_project(s, project.id, origin="tui", stage=stage, **expect(project)),
                        f"已保存：“{project.title}”形象进度 {stage}", project.id)

        self.push(ChoicePicker(f"形象进度：{project.title}", PROJECT_STAGES, project.stage or None), chosen)

    # ------------------------------------------------------------------------------------------------------
    # Source, filters, search

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_source()

    def action_source(self) -> None:
        project = self.current()
        if project is None:
            return
        try:
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                source = paragraph_source(session, project.block_id, self.phrases.get(project.id) or project.title)
        except SQLAlchemyError as exc:
            self.say(db_error(exc), "error")
            return
        if source is None:
            self.say(f"“{project.title}”没有关联到规划原文的段落。", "error")
            return
        self.app.run_worker(self.app.show_source(source), group="open")  # type: ignore[attr-defined]

    def _refilter(self, message: str, counted: bool = True) -> None:
        """Rebuild the list, then say `message` with the count of what the new filter shows."""
        self.rebuild()
        if not self.shown:
            self.say(f"{message}：没有符合条件的项目，按 x 清除筛选。")
        else:
            self.say(f"{message}（{self.shown} 个项目）" if counted else message)

    def action_filter_timing(self) -> None:
        self.timing_filter = TIMING_FILTERS[(TIMING_FILTERS.index(self.timing_filter) + 1) % len(TIMING_FILTERS)]
        self._refilter(f"项目：{TIMING_WORDS[self.timing_filter]}")

    def action_filter_stage(self) -> None:
        options: list[str | None] = [None, *PROJECT_STAGES, NO_STAGE]
        self.stage_filter = options[(options.index(self.stage_filter) + 1) % len(options)]
        self._refilter(f"形象进度：{self.stage_filter or '全部'}")

    def action_filter_category(self) -> None:
        present = list(dict.fromkeys(p.category for p in self.projects.values() if p.category))
        options: list[str | None] = [None, *present]
        current = self.category_filter if self.category_filter in options else None
        self.category_filter = options[(options.index(current) + 1) % len(options)]
        self._refilter(f"类别：{self.category_filter or '全部'}")

    def action_filter_unit(self) -> None:
        try:
            units = unit_choices(self.app)
        except SQLAlchemyError as exc:
            self.say(db_error(exc), "error")
            return

        def chosen(names: list[str] | None) -> None:
            if names is None:
                return
            self.unit_filter = names[0] if names else ""
            self._refilter(f"单位：{self.unit_filter}（牵头或配合）" if self.unit_filter else "单位：全部")

        self.push(UnitPicker(units, [self.unit_filter] if self.unit_filter else [], title="按单位筛选（牵头或配合）",
                             none_label="（全部单位）"), chosen)

    def action_search(self) -> None:
        self.query_one("#projects-search").add_class("-open")
        box = self.query_one("#projects-search-input", Input)
        box.value = self.query_text
        box.focus()

    @on(Input.Changed, "#projects-search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.rebuild()

    @on(Input.Submitted, "#projects-search-input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#projects-search").remove_class("-open")
        self.table.focus()
        self.say(f"名称含“{self.query_text}”：{self.shown} 个项目（/ 修改，Esc 清除）" if self.query_text else "已清除搜索")

    def action_escape(self) -> None:
        bar = self.query_one("#projects-search")
        if bar.has_class("-open") or self.query_text:
            bar.remove_class("-open")
            self.query_one("#projects-search-input", Input).value = ""
            self.query_text = ""
            self.rebuild()
            self.table.focus()
            self.say("已清除搜索")

    def action_clear_filters(self) -> None:
        self.timing_filter = self.stage_filter = self.category_filter = None
        self.unit_filter = self.query_text = ""
        self.query_one("#projects-search-input", Input).value = ""
        self._refilter("已清除筛选" + ("（“我的单位”仍有效，Ctrl+U 修改）" if self.my_unit else ""), counted=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escape":
            return bool(self.query_text or self.query("#projects-search.-open"))
        return True

    def action_my_unit(self) -> None:
        choose_my_unit(self)

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "里程碑完成", "把选中的里程碑标为今天完成；已完成的改回推进中（空格）", self.action_toggle_done
        yield "修改完成日期", "修改选中里程碑的完成日期（D）", self.action_done_date
        yield "添加里程碑", "给选中的项目添加里程碑（a）", self.action_add_milestone
        yield "修改项目", "类别、牵头和配合单位、计划时间、形象进度、投资、备注（e）", self.edit_project
        yield "修改里程碑", "名称、计划时间、状态、完成日期、备注", self.edit_milestone
        yield "设定计划时间", "选中里程碑的计划时间（d）", self.action_due
        yield "更改形象进度", "选中项目的形象进度（s）", self.action_stage
        yield "只看逾期", "依次切换：逾期、30天内到期、尚无里程碑、全部（o）", self.action_filter_timing
        yield "按单位筛选项目", "牵头或配合的单位（u）", self.action_filter_unit
        yield "按形象进度筛选", "依次切换（g）", self.action_filter_stage
        yield "按类别筛选项目", "依次切换（c）", self.action_filter_category
        yield "搜索项目", "按名称筛选（/）", self.action_search
        yield "清除项目筛选", "显示全部项目（x）", self.action_clear_filters
        yield "查看规划原文", "到项目所在的段落（回车）", self.action_source
        yield "我的单位", "只看本单位牵头或配合的条目，各界面通用（Ctrl+U）", self.action_my_unit


# ----------------------------------------------------------------------------------------------------------
# 汇总

MAIN_GROUP = "主要指标"


class SummaryScreen(Screen):
    """Per chapter and per unit: milestones done / due soon / overdue and projects by stage; for the chapter
    (or unit) under the cursor, its overdue milestones beside its indicators behind schedule."""

    DEFAULT_CSS = """
    #summary-head { height: auto; padding: 0 1; background: $panel; }
    #summary-main { height: 1fr; }
    #summary-left { width: 86; }
    #summary-chapters, #summary-units { height: 1fr; border: round $panel-lighten-2; scrollbar-size-vertical: 1; }
    #summary-chapters:focus, #summary-units:focus { border: round $accent; }
    #summary-detail-box { width: 1fr; border: round $panel-lighten-2; padding: 0 1; scrollbar-size-vertical: 1; }
    #summary-status { height: 1; background: $panel; padding: 0 1; }
    SummaryScreen.-narrow #summary-main { layout: vertical; }
    SummaryScreen.-narrow #summary-left { width: 100%; height: 2fr; }
    SummaryScreen.-narrow #summary-detail-box { width: 100%; height: 1fr; }
    """

    AUTO_FOCUS = "#summary-chapters"
    BINDINGS = [
        Binding("r", "reload", "刷新", id="summary.reload"),
        Binding("ctrl+u", "my_unit", "我的单位", show=False, id="summary.my_unit"),
        Binding("b", "draft_report", "评估报告", id="summary.report"),
    ]

    def __init__(self) -> None:
        super().__init__(id="summary-screen")
        self.projects: list[ProjectView] = []
        self.behind: dict[str, list[tuple[str, str, str]]] = {}  # group -> [(name, status label, explanation)]
        self.behind_by_unit: dict[str, list[tuple[str, str, str]]] = {}
        self.unit_names: dict[str, str] = {}
        self.today = today()
        self.as_of = self.today.year
        self.my_unit = ""
        self._own_modal = False

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-head")
        with Horizontal(id="summary-main"):
            with Vertical(id="summary-left"):
                chapters = DataTable(id="summary-chapters", cursor_type="row", zebra_stripes=False)
                chapters.add_column("章节", key="name", width=30)
                units = DataTable(id="summary-units", cursor_type="row", zebra_stripes=False)
                units.add_column("牵头单位", key="name", width=30)
                for table in (chapters, units):
                    table.add_column("项目", key="projects", width=4)
                    table.add_column("里程碑", key="total", width=6)
                    table.add_column("已完成", key="done", width=6)
                    table.add_column("30天内到期", key="soon", width=10)
                    table.add_column("逾期", key="overdue", width=4)
                chapters.add_column("滞后指标", key="behind", width=8)
                chapters.border_title = "按章节"
                units.border_title = "按牵头单位"
                yield chapters
                yield units
            with VerticalScroll(id="summary-detail-box") as box:
                box.border_title = "逾期里程碑与滞后指标"
                yield Static("", id="summary-detail")
        yield StatusLine("", id="summary-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self._own_modal:
            self._own_modal = False
            return
        self.load()

    def push(self, screen, callback=None) -> None:
        self._own_modal = True
        self.app.push_screen(screen, callback)

    def say(self, message: str, kind: str = "info") -> None:
        style = {"error": "bold red", "ok": "green", "info": ""}.get(kind, "")
        self.query_one("#summary-status", StatusLine).update(Text(message, style=style))

    def action_reload(self) -> None:
        self.load()
        self.say("已刷新。", "ok")

    def action_draft_report(self) -> None:
        from tui.report_action import draft_report  # Word report of the plan (exports.report)

        draft_report(self.app)

    def action_my_unit(self) -> None:
        choose_my_unit(self)

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "刷新汇总", "重新读取项目和指标（r）", self.action_reload
        yield "我的单位", "只汇总本单位牵头或配合的项目和指标（Ctrl+U）", self.action_my_unit

    def load(self) -> None:
        from core.progress import LAGGING
        from db.indicators import assess_all, list_indicators

        plan_id = getattr(self.app, "plan_id", None)
        try:
            if plan_id is None:
                raise GuihuaError("没有打开的规划，无法汇总。")
            self.my_unit = load_my_unit(self.app)
            self.today = today()
            with self.app.database.session() as session:  # type: ignore[attr-defined]
                projects = list_projects(session, plan_id)
                views = list_indicators(session, plan_id, kind=None)
                self.unit_names = {u.name: u.short_name or u.name for u in list_units(session)}
                # indicator status as of this year, within the plan's period
                self.as_of = plan_period(session, plan_id).clamp(self.today.year)
                assessments = assess_all(session, views, self.as_of, as_of=True)
        except (GuihuaError, SQLAlchemyError) as exc:
            self.say(db_error(exc), "error")
            return
        if self.my_unit:
            projects = [p for p in projects if involves(self.my_unit, p.lead_unit, p.partner_units)]
            views = [v for v in views if involves(self.my_unit, v.lead_unit, v.partner_units)]
        self.projects = projects
        self.behind, self.behind_by_unit = {}, {}
        for view in views:
            assessment = assessments.get(view.id)
            if assessment is None or assessment.status not in LAGGING:
                continue
            group = MAIN_GROUP if view.kind == "main" else (view.category or "（未归章节）")
            entry = (view.name, assessment.label, assessment.explanation)
            self.behind.setdefault(group, []).append(entry)
            if view.lead_unit:
                self.behind_by_unit.setdefault(view.lead_unit, []).append(entry)
        self.fill()

    def fill(self) -> None:
        facts = summary(self.projects, self.today)
        counts_by_chapter: dict[str, int] = {}
        counts_by_unit: dict[str, int] = {}
        for p in self.projects:
            chapter = p.chapter or "（未归章节）"
            counts_by_chapter[chapter] = counts_by_chapter.get(chapter, 0) + 1
            unit = p.lead_unit or "（未定牵头单位）"
            counts_by_unit[unit] = counts_by_unit.get(unit, 0) + 1

        def cells(name: str, projects: int, r: Rollup | None) -> list:
            r = r or Rollup()
            return [
                Text(name, no_wrap=True, overflow="ellipsis", style=OVERDUE_STYLE if r.overdue else ""),
                Text(str(projects) if projects else "—", justify="right"),
                Text(str(r.total) if r.total else "—", justify="right"),
                Text(str(r.done) if r.done else "—", justify="right", style=DONE_STYLE if r.done else "dim"),
                Text(str(r.due_soon) if r.due_soon else "—", justify="right", style=SOON_STYLE if r.due_soon else "dim"),
                Text(str(r.overdue) if r.overdue else "—", justify="right", style=OVERDUE_STYLE if r.overdue else "dim"),
            ]

        chapters = self.query_one("#summary-chapters", DataTable)
        keep = self._cursor_key(chapters)
        chapters.clear()
        names = [MAIN_GROUP] if MAIN_GROUP in self.behind else []
        names += list(dict.fromkeys([*counts_by_chapter, *(g for g in self.behind if g != MAIN_GROUP)]))
        for name in names:
            behind = len(self.behind.get(name, []))
            chapters.add_row(*cells(name, counts_by_chapter.get(name, 0), facts.by_chapter.get(name)),
                             Text(str(behind) if behind else "—", justify="right",
                                  style="bold yellow" if behind else "dim"), key=name)
        units = self.query_one("#summary-units", DataTable)
        keep_unit = self._cursor_key(units)
        units.clear()
        for name in sorted(counts_by_unit, key=lambda n: (-(facts.by_unit.get(n) or Rollup()).overdue, n)):
            units.add_row(*cells(self.unit_names.get(name, name), counts_by_unit[name], facts.by_unit.get(name)),
                          key=name)
        for table, key in ((chapters, keep), (units, keep_unit)):
            if key is not None and key in table.rows:
                table.move_cursor(row=table.get_row_index(key), animate=False)

        total = Rollup()
        for r in facts.by_chapter.values():
            total.total += r.total
            total.done += r.done
            total.cancelled += r.cancelled
            total.due_soon += r.due_soon
            total.overdue += r.overdue
        head = Text()
        head.append("汇总", style="bold")
        head.append(f"  今天 {self.today.isoformat()} · 指标状态截至{self.as_of}年", style="dim")
        if self.my_unit:
            head.append(f"  我的单位：{self.my_unit}", style="bold cyan")
        head.append(f"\n项目 {len(self.projects)} 个 · 里程碑 {total.total} 个：")
        head.append(f"已完成 {total.done}", style=DONE_STYLE)
        head.append("，")
        head.append(f"30天内到期 {total.due_soon}", style=SOON_STYLE)
        head.append("，")
        head.append(f"逾期 {total.overdue}", style=OVERDUE_STYLE if total.overdue else "")
        head.append(f"，未完成 {total.open}")
        behind_total = sum(len(v) for v in self.behind.values())
        head.append(f" · 进度滞后的指标 {behind_total} 个", style="bold yellow" if behind_total else "")
        head.append("\n形象进度：", style="dim")
        stages = [*PROJECT_STAGES, "（未填）"]
        head.append("  ".join(f"{s} {facts.stages[s]}" for s in stages if facts.stages.get(s)) or "—")
        self.query_one("#summary-head", Static).update(head)
        if not self.projects and not behind_total:
            self.say("还没有项目和滞后指标。在「审核」界面采纳项目、在「项目」界面添加里程碑后，这里汇总进度。")
        self.update_detail()

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # noqa: BLE001 - a cleared table has no cursor row
            return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # both tables report a highlight when filled: the panel follows the one in use
        if event.data_table is self.focused or (self.focused is None and event.data_table.id == "summary-chapters"):
            self.update_detail(event.data_table)

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, DataTable):
            self.update_detail(event.widget)

    def update_detail(self, table: DataTable | None = None) -> None:
        if table is None:
            focused = self.focused
            table = focused if isinstance(focused, DataTable) else self.query_one("#summary-chapters", DataTable)
        key = self._cursor_key(table)
        detail = self.query_one("#summary-detail", Static)
        if key is None:
            detail.update("")
            return
        by_unit = table.id == "summary-units"
        if by_unit:
            projects = [p for p in self.projects if (p.lead_unit or "（未定牵头单位）") == key]
            behind = self.behind_by_unit.get(key, [])
            title = self.unit_names.get(key, key)
        else:
            projects = [p for p in self.projects if (p.chapter or "（未归章节）") == key]
            behind = self.behind.get(key, [])
            title = key
        late = [(p, m) for p in projects for m in p.milestones if m.overdue(self.today)]
        late.sort(key=lambda pm: pm[1].due)
        soon = [(p, m) for p in projects for m in p.milestones
                if not m.overdue(self.today) and timing_one(m, self.today)]
        text = Text()
        text.append(f"逾期里程碑（{len(late)}）\n", style="bold red" if late else "bold")
        for p, m in late:
            text.append(f"· {p.title} › {m.title}", style=OVERDUE_STYLE)
            text.append(f"  {due_text(m)}\n", style="dim")
        if not late:
            text.append("无\n", style="dim")
        text.append(f"\n进度滞后的指标（{len(behind)}）\n", style="bold yellow" if behind else "bold")
        for name, label, explanation in behind:
            text.append(f"· {name}", style="bold")
            text.append(f"  {label}\n", style="bold red" if label == "难以完成" else "yellow")
            text.append(f"  {explanation}\n", style="dim")
        if not behind:
            text.append("无\n", style="dim")
        if soon:
            text.append(f"\n30天内到期的里程碑（{len(soon)}）\n", style="bold yellow")
            for p, m in soon:
                text.append(f"· {p.title} › {m.title}  {due_text(m)}\n", style=SOON_STYLE)
        stages: dict[str, int] = {}
        for p in projects:
            stages[p.stage or "（未填）"] = stages.get(p.stage or "（未填）", 0) + 1
        head = Text(title, style="bold")
        if projects:
            head.append(f"  项目 {len(projects)} 个：", style="dim")
            head.append("  ".join(f"{s} {n}" for s, n in stages.items()))
        detail.update(Text("\n\n").join([head, text]))


def timing_one(milestone: MilestoneView, when: date) -> bool:
    """Whether one open milestone falls due soon (core.schedule's window)."""
    return rollup([MilestoneFacts("", milestone.status, milestone.due)], when).get("", Rollup()).due_soon > 0
