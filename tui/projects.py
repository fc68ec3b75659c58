"""The 「项目」 screen: projects grouped by chapter (tui.projects_list), the selected one's milestones and details
beside them (tui.projects_detail). The 「汇总」 screen lives in tui.summary.

Overdue, due-soon and the roll-ups come from core.schedule; every read and change goes through
db.project_views in a thread worker (tui.base `fetch`), and a change is committed (and logged in the change
history by db.projects) before the status line says 已保存."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Static

from core.period import Period
from core.schedule import PROJECT_STAGES
from db.indicators import TextSource
from db.project_views import (
    ProjectsData,
    WriteResult,
    new_milestone,
    project_source,
    read_projects,
    save_milestone,
    save_project,
)
from db.projects import MilestoneView, ProjectView
from tui.base import DataFailed
from tui.pickers import SAVING, ChoicePicker, FieldsForm, PromptScreen, SavingDialog, UnitPicker
from tui.projects_base import PlanItemsScreen
from tui.projects_detail import MilestoneTable, ProjectDetail
from tui.projects_dialogs import (
    MILESTONE_NOTE,
    PROJECT_NOTE,
    done_date_hint,
    due_hint,
    milestone_fields,
    new_milestone_fields,
    project_fields,
)
from tui.projects_list import STAGE_FILTERS, TIMING_FILTERS, TIMING_WORDS, ProjectList, plan_time
from tui.summary import SummaryScreen
from tui.widgets import StatusLine

__all__ = ["ProjectsScreen", "SummaryScreen"]

SIDE_WIDTH = 56
NEW = -1  # keep_milestone: the milestone the write added
KEYS_HINT = "空格 标记里程碑完成（D 改日期）· a 加里程碑 · d 计划时间 · e 修改 · s 形象进度 · o 逾期 · u 单位 · 回车看原文 · ? 全部按键"


class ProjectsRead(Message):
    def __init__(self, data: ProjectsData, keep: int | None, keep_milestone: int | None) -> None:
        super().__init__()
        self.data, self.keep, self.keep_milestone = data, keep, keep_milestone


class Written(Message):
    """A change came back from the database: saved, or refused (and why)."""

    def __init__(self, result: WriteResult, done: str, keep: int | None, keep_milestone: int | None,
                 dialog: SavingDialog | None) -> None:
        super().__init__()
        self.result, self.done, self.keep, self.keep_milestone, self.dialog = result, done, keep, keep_milestone, dialog


class SourceRead(Message):
    def __init__(self, source: TextSource | None, project: ProjectView) -> None:
        super().__init__()
        self.source, self.project = source, project


def expect(view: ProjectView | MilestoneView | None) -> int | None:
    """expected_version for a save (optimistic locking): refused if someone else saved the record since it was
    read. None (no check) when the record is no longer shown."""
    return None if view is None else view.version


class ProjectsScreen(PlanItemsScreen):
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
        self.phrases: dict[int, str] = {}  # project id -> the words the finder matched (marked in the reader)
        self.period: Period | None = None  # the plan's: the year the date examples use
        self._hinted = False

    # ------------------------------------------------------------------------------------------------------
    # Layout and loading

    def compose(self) -> ComposeResult:
        with Horizontal(id="projects-main"):
            yield ProjectList(id="project-table")
            with Vertical(id="project-side"):
                yield MilestoneTable(id="milestone-table")
                yield ProjectDetail("", id="project-detail")
        with Horizontal(id="projects-search"):
            yield Static("搜索项目：", id="projects-search-label")
            yield Input(placeholder="输入项目名称中的字，边输边筛选；回车回到列表，Esc 清除", id="projects-search-input",
                        compact=True)
        yield StatusLine("", id="projects-status")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> ProjectList:
        return self.query_one(ProjectList)

    @property
    def milestone_table(self) -> MilestoneTable:
        return self.query_one(MilestoneTable)

    @property
    def projects(self) -> dict[int, ProjectView]:
        return self.table.projects

    @property
    def shown(self) -> int:
        return self.table.shown

    @property
    def today(self):
        return self.table.today

    def on_mount(self) -> None:
        self.query_one("#projects-search-input", Input).cursor_blink = self.guihua.CURSOR_BLINK

    @property
    def example_year(self) -> int:
        """The year date examples are given in: this year, within the plan's period."""
        return self.period.clamp(self.today.year) if self.period else self.today.year

    def load(self, keep: int | None = None, keep_milestone: int | None = None) -> None:
        plan_id = self.plan_id
        if plan_id is None:
            self.say("没有打开的规划，无法显示项目。", "error")
            return
        database = self.database
        self.fetch(lambda: read_projects(database, plan_id), lambda data: ProjectsRead(data, keep, keep_milestone),
                   group="read-projects")

    def on_projects_read(self, message: ProjectsRead) -> None:
        data = message.data
        keep = message.keep if message.keep is not None else self.table.current_id()
        keep_milestone = message.keep_milestone
        shown = self.milestone_table.project
        if keep_milestone is None and shown is not None and keep == shown.id:
            keep_milestone = self.milestone_table.current_id()
        self.my_unit = data.my_unit
        self.phrases = data.phrases
        self.period = data.period
        self.table.filter.my_unit = data.my_unit
        self.table.show(data.projects, data.unit_names, data.today, keep)
        self.show_milestones(keep_milestone, force=True)
        if not data.projects:
            self.say("还没有项目。在「审核」界面（F4）采纳查找到的项目后，在这里跟踪里程碑。")
        elif not self._hinted:
            self.say(KEYS_HINT)
        self._hinted = True

    # ------------------------------------------------------------------------------------------------------
    # The milestones and the detail panel

    def current(self) -> ProjectView | None:
        return self.table.current()

    def current_milestone_id(self) -> int | None:
        return self.milestone_table.current_id()

    def current_milestone(self) -> MilestoneView | None:
        table = self.milestone_table
        return table.current() if table.project is self.current() else None

    @on(DataTable.RowHighlighted, "#project-table")
    def _project_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_milestones()

    @on(DataTable.RowHighlighted, "#milestone-table")
    def _milestone_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.update_detail()

    def show_milestones(self, keep: int | None = None, *, force: bool = False) -> None:
        project = self.current()
        table = self.milestone_table
        if project is table.project and keep is None and not force:
            return
        table.show(project, self.today, keep)
        self.update_detail()

    def update_detail(self) -> None:
        empty = "没有符合条件的项目。按 x 清除筛选。" if self.projects else ""
        self.query_one(ProjectDetail).show(self.current(), self.current_milestone(), self.today, empty=empty)

    # ------------------------------------------------------------------------------------------------------
    # Changes

    def write(self, work: Callable[[], WriteResult], done: str, keep: int | None = None,
              keep_milestone: int | None = None, dialog: SavingDialog | None = None) -> str:
        """Run `work` (a db.project_views write) in a worker; on_written shows how it went. Returns SAVING for
        a dialog's save callback: the dialog waits for `finish`."""
        self.fetch(work, lambda result: Written(result, done, keep, keep_milestone, dialog), group="write",
                   exclusive=False)
        return SAVING

    def on_written(self, message: Written) -> None:
        result, dialog = message.result, message.dialog
        keep_milestone = message.keep_milestone
        if result.saved:
            self.load(message.keep, result.new_id if keep_milestone == NEW else keep_milestone)
            self.say(message.done, "ok")
            reason = None
        elif result.conflict:
            # someone saved it meanwhile: show what they saved; a second try then saves over it knowingly
            self.load(message.keep, None if keep_milestone == NEW else keep_milestone)
            reason = result.refused + "已载入最新内容，核对后可再修改。"
            self.say(reason, "error")
        else:
            reason = result.refused
            self.say(f"没有保存：{reason}", "error")
        if dialog is not None and dialog.is_attached:
            dialog.finish(reason)

    def on_data_failed(self, message: DataFailed) -> None:
        # a write failed unexpectedly (shown and logged already): the dialog waiting for it takes keys again
        if message.group == "write":
            for dialog in self.app.screen_stack:
                if isinstance(dialog, SavingDialog) and dialog.saving:
                    dialog.finish(message.text)

    def fresh(self, project_id: int, milestone_id: int | None = None) -> ProjectView | MilestoneView | None:
        """The project (or milestone) as last read: a save after a conflict uses the version just loaded."""
        project = self.projects.get(project_id)
        if milestone_id is None or project is None:
            return project
        return next((m for m in project.milestones if m.id == milestone_id), None)

    def save_milestone(self, project: ProjectView, milestone: MilestoneView, fields: dict, done: str,
                       dialog: SavingDialog | None = None) -> str:
        database, version = self.database, expect(self.fresh(project.id, milestone.id))
        return self.write(lambda: save_milestone(database, milestone.id, fields, version), done, project.id,
                          milestone.id, dialog)

    def save_project(self, project: ProjectView, fields: dict, done: str, dialog: SavingDialog | None = None) -> str:
        database, version = self.database, expect(self.fresh(project.id))
        return self.write(lambda: save_project(database, project.id, fields, version), done, project.id,
                          dialog=dialog)

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
                    self.save_milestone(project, milestone, {"status": "推进中"},
                                        f"已保存：里程碑“{milestone.title}”改为推进中")

            self.push(ConfirmScreen(f"里程碑“{milestone.title}”已完成，改回“推进中”？"), answered)
            return
        day = self.today
        self.save_milestone(project, milestone, {"status": "已完成", "done_date": day},
                            f"已保存：里程碑“{milestone.title}”已完成（今天 {day.isoformat()}）· 按 D 修改完成日期")

    def action_done_date(self) -> None:
        found = self._need_milestone()
        if found is None:
            return
        project, milestone = found
        current = (milestone.done_date or self.today).isoformat()

        def save(text: str) -> str | None:
            if not text:
                return f"请写完成日期，如 {current}；如未完成，按 Esc 后用空格改回。"
            return self.save_milestone(project, milestone, {"status": "已完成", "done_date": text},
                                       f"已保存：里程碑“{milestone.title}”于 {text} 完成", prompt)

        prompt = PromptScreen("完成日期", f"里程碑“{milestone.title}”的完成日期：", current, save,
                              hint=done_date_hint(self.example_year))
        self.push(prompt)

    def action_due(self) -> None:
        found = self._need_milestone()
        if found is None:
            return
        project, milestone = found

        def save(text: str) -> str | None:
            return self.save_milestone(project, milestone, {"due": text},
                                       f"已保存：里程碑“{milestone.title}”计划时间 {plan_time(text) or '未定'}", prompt)

        prompt = PromptScreen("计划时间", f"里程碑“{milestone.title}”的计划时间：",
                              milestone.due.text if milestone.due else "", save, hint=due_hint(self.example_year))
        self.push(prompt)

    def action_add_milestone(self) -> None:
        project = self.current()
        if project is None:
            return
        database = self.database

        def save(values: dict[str, str]) -> str | None:
            title = values.get("title", "")
            return self.write(lambda: new_milestone(database, project.id, title, values.get("due", ""),
                                                    values.get("note", "")),
                              f"已保存：“{project.title}”新增里程碑“{title}”", project.id, NEW, form)

        form = FieldsForm(f"添加里程碑：{project.title}", new_milestone_fields(self.example_year), save,
                          send_all=True)
        self.push(form)

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

        def save(values: dict[str, str]) -> str | None:
            return self.save_milestone(project, m, values, f"已保存：里程碑“{values.get('title', m.title)}”", form)

        form = FieldsForm(f"修改里程碑：{m.title}", milestone_fields(m, self.example_year), save, note=MILESTONE_NOTE)
        self.push(form)

    def edit_project(self) -> None:
        project = self.current()
        if project is None:
            return
        fields = project_fields(project, self.example_year)

        def save(values: dict[str, str]) -> str | None:
            words = "、".join(f.label for f in fields if f.name in values)
            return self.save_project(project, values, f"已保存：“{project.title}”的{words}", form)

        form = FieldsForm(f"修改项目：{project.title}", fields, save, note=PROJECT_NOTE)
        self.push(form)

    def action_stage(self) -> None:
        project = self.current()
        if project is None:
            return

        def chosen(stage: str | None) -> None:
            if stage is not None and stage != project.stage:
                self.save_project(project, {"stage": stage}, f"已保存：“{project.title}”形象进度 {stage}")

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
        database, phrase = self.database, self.phrases.get(project.id) or project.title
        self.fetch(lambda: project_source(database, project.block_id, phrase), lambda s: SourceRead(s, project),
                   group="source")

    def on_source_read(self, message: SourceRead) -> None:
        if message.source is None:
            self.say(f"“{message.project.title}”没有关联到规划原文的段落。", "error")
            return
        self.run_worker(self.guihua.show_source(message.source), group="open")

    def _refilter(self, message: str, counted: bool = True) -> None:
        """Rebuild the list, then say `message` with the count of what the new filter shows."""
        self.table.rebuild()
        self.show_milestones()
        if not self.shown:
            self.say(f"{message}：没有符合条件的项目，按 x 清除筛选。")
        else:
            self.say(f"{message}（{self.shown} 个项目）" if counted else message)

    def action_filter_timing(self) -> None:
        chosen = self.table.filter
        chosen.timing = TIMING_FILTERS[(TIMING_FILTERS.index(chosen.timing) + 1) % len(TIMING_FILTERS)]
        self._refilter(f"项目：{TIMING_WORDS[chosen.timing]}")

    def action_filter_stage(self) -> None:
        chosen = self.table.filter
        chosen.stage = STAGE_FILTERS[(STAGE_FILTERS.index(chosen.stage) + 1) % len(STAGE_FILTERS)]
        self._refilter(f"形象进度：{chosen.stage or '全部'}")

    def action_filter_category(self) -> None:
        chosen = self.table.filter
        options: list[str | None] = [None, *dict.fromkeys(p.category for p in self.projects.values() if p.category)]
        current = chosen.category if chosen.category in options else None
        chosen.category = options[(options.index(current) + 1) % len(options)]
        self._refilter(f"类别：{chosen.category or '全部'}")

    def action_filter_unit(self) -> None:
        chosen = self.table.filter

        def picked(names: list[str] | None) -> None:
            if names is None:
                return
            chosen.unit = names[0] if names else ""
            self._refilter(f"单位：{chosen.unit}（牵头或配合）" if chosen.unit else "单位：全部")

        self.push(UnitPicker(None, [chosen.unit] if chosen.unit else [], title="按单位筛选（牵头或配合）",
                             none_label="（全部单位）"), picked)

    def action_search(self) -> None:
        self.query_one("#projects-search").add_class("-open")
        box = self.query_one("#projects-search-input", Input)
        box.value = self.table.filter.query
        box.focus()

    @on(Input.Changed, "#projects-search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        self.table.filter.query = event.value.strip()
        self.table.rebuild()
        self.show_milestones()

    @on(Input.Submitted, "#projects-search-input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#projects-search").remove_class("-open")
        self.table.focus()
        query = self.table.filter.query
        self.say(f"名称含“{query}”：{self.shown} 个项目（/ 修改，Esc 清除）" if query else "已清除搜索")

    def action_escape(self) -> None:
        bar = self.query_one("#projects-search")
        if bar.has_class("-open") or self.table.filter.query:
            bar.remove_class("-open")
            self.query_one("#projects-search-input", Input).value = ""
            self.table.filter.query = ""
            self.table.rebuild()
            self.show_milestones()
            self.table.focus()
            self.say("已清除搜索")

    def action_clear_filters(self) -> None:
        self.table.filter.clear()
        self.query_one("#projects-search-input", Input).value = ""
        self._refilter("已清除筛选" + ("（“我的单位”仍有效，Ctrl+U 修改）" if self.my_unit else ""), counted=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escape":
            return bool(self.table.filter.query or self.query("#projects-search.-open"))
        return True

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
