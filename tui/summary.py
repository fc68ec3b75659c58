"""The 「汇总」 screen: per chapter and per lead unit, milestones done / due soon / overdue and projects by stage;
for the row under the cursor, its overdue milestones beside its indicators behind schedule.

The projects are read first and shown at once; the indicators' assessment (the slower read) follows in a
second worker and fills the 滞后指标 column and the detail pane when it arrives."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from db.project_views import (
    MAIN_GROUP,
    BehindIndicators,
    SummaryProjects,
    read_behind,
    read_summary_projects,
)
from db.projects import ProjectView, summary
from tui.projects_base import PlanItemsScreen
from tui.status_spread import StatusSpread
from tui.summary_widgets import DetailFacts, RollupTable, SummaryDetail, group_of, summary_head
from tui.widgets import StatusLine


class SummaryProjectsRead(Message):
    def __init__(self, data: SummaryProjects) -> None:
        super().__init__()
        self.data = data


class BehindRead(Message):
    def __init__(self, behind: BehindIndicators) -> None:
        super().__init__()
        self.behind = behind


class SummaryScreen(PlanItemsScreen):
    """Roll-ups per chapter and per lead unit (left), the late items of the row under the cursor (right)."""

    DEFAULT_CSS = """
    #summary-head { height: auto; padding: 0 1; background: $panel; }
    #summary-main { height: 1fr; }
    #summary-left { width: 86; }
    #summary-chapters, #summary-units { height: 1fr; border: round $panel-lighten-2; scrollbar-size-vertical: 1; }
    #summary-chapters:focus, #summary-units:focus { border: round $accent; }
    #summary-detail-box { width: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    #summary-detail-box:focus-within { border: round $accent; }
    #summary-detail { height: 1fr; scrollbar-size-vertical: 1; background: $surface; }
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
        self.unit_names: dict[str, str] = {}
        self.today = date.today()
        self.behind: BehindIndicators | None = None  # None until the indicators have been judged
        self._groups: dict[tuple[bool, str], list[ProjectView]] = {}  # (by unit, key) -> its projects
        self._detail_from = "summary-chapters"  # the table the detail pane follows
        self._filled = 0  # how many times the tables were filled: the detail pane is redone once per fill
        self._detail_shown: tuple[str, str | None, int] | None = None

    # ------------------------------------------------------------------------------------------------------
    # Layout: the head, the two roll-up tables, the detail pane (add panes in the sections below)

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-head")
        yield StatusSpread(id="status-spread")
        with Horizontal(id="summary-main"):
            with Vertical(id="summary-left"):
                yield RollupTable("章节", behind_column=True, id="summary-chapters")
                yield RollupTable("牵头单位", behind_column=False, id="summary-units")
            yield SummaryDetail(id="summary-detail-box")
        yield StatusLine("", id="summary-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.chapters.border_title = "按章节"
        self.units.border_title = "按牵头单位"
        self.detail.show(None, self.today)

    @property
    def chapters(self) -> RollupTable:
        return self.query_one("#summary-chapters", RollupTable)

    @property
    def units(self) -> RollupTable:
        return self.query_one("#summary-units", RollupTable)

    @property
    def detail(self) -> SummaryDetail:
        return self.query_one(SummaryDetail)

    # ------------------------------------------------------------------------------------------------------
    # Reading

    def load(self) -> None:
        plan_id = self.plan_id
        if plan_id is None:
            self.say("没有打开的规划，无法汇总。", "error")
            return
        database = self.database
        self.fetch(lambda: read_summary_projects(database, plan_id), SummaryProjectsRead, group="summary-projects")

    def on_summary_projects_read(self, message: SummaryProjectsRead) -> None:
        data = message.data
        self.projects, self.unit_names, self.today, self.my_unit = (data.projects, data.unit_names, data.today,
                                                                    data.my_unit)
        self._groups = {}
        for project in self.projects:
            for by_unit in (False, True):
                self._groups.setdefault((by_unit, group_of(project, by_unit)), []).append(project)
        self.behind = None
        self.fill()
        database, plan_id, mine = self.database, self.plan_id, data.my_unit
        if plan_id is not None:
            self.fetch(lambda: read_behind(database, plan_id, mine), BehindRead, group="summary-behind")

    def on_behind_read(self, message: BehindRead) -> None:
        self.behind = message.behind
        self.query_one(StatusSpread).show(message.behind.spread, message.behind.final)
        self.fill()

    def action_reload(self) -> None:
        self.load()
        self.say("已刷新。", "ok")

    def action_draft_report(self) -> None:
        from tui.report_action import draft_report  # Word report of the plan (exports.report)

        draft_report(self.app)

    # ------------------------------------------------------------------------------------------------------
    # Filling

    def fill(self) -> None:
        self._filled += 1
        facts = summary(self.projects, self.today)
        behind = self.behind.by_group if self.behind else {}
        chapters = [key for by_unit, key in self._groups if not by_unit]
        names = list(dict.fromkeys([*(g for g in behind if g == MAIN_GROUP), *chapters, *behind]))
        self.chapters.fill([(name, name, len(self._groups.get((False, name), [])), facts.by_chapter.get(name),
                             len(behind.get(name, []))) for name in names])
        units = sorted((key for by_unit, key in self._groups if by_unit),
                       key=lambda n: (-(facts.by_unit[n].overdue if n in facts.by_unit else 0), n))
        self.units.fill([(name, self.unit_names.get(name, name), len(self._groups[(True, name)]),
                          facts.by_unit.get(name), 0) for name in units])
        behind_total = self.behind.total if self.behind else None
        self.query_one("#summary-head", Static).update(summary_head(
            today=self.today, as_of=self.behind.as_of if self.behind else None, my_unit=self.my_unit,
            projects=len(self.projects), facts=facts, behind=behind_total))
        if not self.projects and behind_total == 0:
            self.say("还没有项目和滞后指标。在「审核」界面采纳项目、在「项目」界面添加里程碑后，这里汇总进度。")
        self.update_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # both tables report a highlight when filled: the pane follows the one in use
        if event.data_table is self.focused or (self.focused is None and event.data_table.id == "summary-chapters"):
            self._detail_from = event.data_table.id or self._detail_from
            self.update_detail()

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, RollupTable):
            self._detail_from = event.widget.id or self._detail_from
            self.update_detail()

    def update_detail(self) -> None:
        table = self.query_one(f"#{self._detail_from}", RollupTable)
        key = table.current_key()
        shown = (self._detail_from, key, self._filled)
        if shown == self._detail_shown:  # filling a table reports its highlight again: nothing new to show
            return
        self._detail_shown = shown
        if key is None:
            self.detail.show(None, self.today)
            return
        by_unit = table is self.units
        if by_unit:
            behind = self.behind.by_unit.get(key, []) if self.behind else None
            facts = DetailFacts("牵头单位", self.unit_names.get(key, key), self._groups.get((True, key), []), behind)
        else:
            behind = self.behind.by_group.get(key, []) if self.behind else None
            facts = DetailFacts("章节", key, self._groups.get((False, key), []), behind)
        self.detail.show(facts, self.today)

    # ------------------------------------------------------------------------------------------------------
    # Commands

    def palette_commands(self):
        """(title, help, callback) for the command palette while this screen shows."""
        yield "刷新汇总", "重新读取项目和指标（r）", self.action_reload
        yield "我的单位", "只汇总本单位牵头或配合的项目和指标（Ctrl+U）", self.action_my_unit
