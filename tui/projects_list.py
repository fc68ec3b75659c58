"""The projects screen's list: projects under their chapters, the filters that choose which show, and the
cells that say how each stands. Holds its own state (the projects, the filter); the screen feeds it data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from rich.text import Text

from core.schedule import CLOSED_STATUSES, PROJECT_STAGES, MilestoneFacts, Rollup, is_due_soon, parse_due, rollup
from core.targets import ValueParseError
from core.units import involves
from db.project_views import NO_CHAPTER
from db.projects import MilestoneView, ProjectView
from tui.pickers import GROUP_PREFIX, GroupedTable

OVERDUE_STYLE = "bold red"
SOON_STYLE = "yellow"
DONE_STYLE = "green"
# the 「o」 filter: which projects by how they stand against their dates
TIMING_FILTERS: list[str | None] = [None, "overdue", "soon", "none"]
TIMING_WORDS = {None: "全部", "overdue": "逾期", "soon": "30天内到期", "none": "尚无里程碑"}
STAGE_FILTERS: list[str | None] = [None, *PROJECT_STAGES, "（未填）"]
NO_STAGE = STAGE_FILTERS[-1]
PROJECT_WIDTH = 32
FIRST_ROWS = 120  # more than the tallest terminal shows: the rest of the list follows in slices
CHUNK_ROWS = 200


def timing(project: ProjectView, when: date) -> Rollup:
    """The project's milestones rolled up (done, due soon, overdue) by core.schedule's rules."""
    facts = [MilestoneFacts("", m.status, m.due) for m in project.milestones]
    return rollup(facts, when).get("", Rollup())


def due_soon(milestone: MilestoneView, when: date) -> bool:
    """Whether one open milestone falls due soon (core.schedule's window)."""
    return is_due_soon(milestone.due, milestone.status, when)


def due_text(milestone: MilestoneView) -> str:
    return milestone.due.label if milestone.due else "—"


def plan_time(text: str) -> str:
    """A stored planned start/finish (YYYYH1) as officials write it (YYYY年上半年)."""
    if not text:
        return ""
    try:
        return parse_due(text).label
    except ValueParseError:
        return text


@dataclass
class ProjectFilter:
    """Which projects the list shows: every condition set must hold."""

    timing: str | None = None
    stage: str | None = None
    category: str | None = None
    unit: str = ""  # lead or partner
    query: str = ""  # words of the title, as typed
    my_unit: str = ""  # 「我的单位」, lead or partner (set on every screen, not cleared by x)

    def admits(self, project: ProjectView, today: date) -> bool:
        if self.my_unit and not involves(self.my_unit, project.lead_unit, project.partner_units):
            return False
        if self.unit and not involves(self.unit, project.lead_unit, project.partner_units):
            return False
        if self.stage is not None and (project.stage or NO_STAGE) != self.stage:
            return False
        if self.category is not None and project.category != self.category:
            return False
        if self.query and not all(w in f"{project.action}{project.title}" for w in self.query.split()):
            return False
        if self.timing == "overdue":
            return project.overdue(today)
        if self.timing == "soon":
            return timing(project, today).due_soon > 0
        if self.timing == "none":
            return not project.milestones
        return True

    def clear(self) -> None:
        """Everything but 「我的单位」."""
        self.timing = self.stage = self.category = None
        self.unit = self.query = ""

    def words(self) -> list[str]:
        parts = []
        if self.timing:
            parts.append(TIMING_WORDS[self.timing])
        if self.unit:
            parts.append(f"单位：{self.unit}")
        if self.stage is not None:
            parts.append(f"形象进度：{self.stage}")
        if self.category is not None:
            parts.append(self.category)
        if self.query:
            parts.append(f"名称含“{self.query}”")
        return parts


class ProjectList(GroupedTable):
    """Projects by chapter (chapter rows never hold the cursor), filtered by `filter`; rows keyed by id."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_column("项目", key="title", width=PROJECT_WIDTH)
        self.add_column("牵头单位", key="lead", width=10)
        self.add_column("形象进度", key="stage", width=8)
        self.add_column("里程碑", key="count", width=6)
        self.add_column("下一节点", key="next", width=15)
        self.projects: dict[int, ProjectView] = {}
        self.unit_names: dict[str, str] = {}  # full name -> the name shown
        self.today = date.today()
        self.filter = ProjectFilter()
        self.shown = 0  # the projects the filter admits (rows may still be being added: `filled`)
        self._filling = 0

    def current(self) -> ProjectView | None:
        project_id = self.current_id()
        return self.projects.get(project_id) if project_id is not None else None

    def show(self, projects: list[ProjectView], unit_names: dict[str, str], today: date, keep: int | None) -> None:
        self.projects = {p.id: p for p in projects}
        self.unit_names = unit_names
        self.today = today
        self.rebuild(keep)

    def rebuild(self, keep: int | None = None) -> None:
        """Fill the rows the filter admits; the cursor stays on `keep` (else the current row) where shown.

        The rows a screen shows (and any up to `keep`) are added at once, the rest in slices of CHUNK_ROWS
        with the keys answered in between: a DataTable row costs ~0.2 ms to add, so 5,000 at once would hold the keys
        for a second. A newer rebuild drops the slices of an older one."""
        if keep is None:
            keep = self.current_id()
        self.clear()
        self._filling += 1
        groups: dict[str, list[ProjectView]] = {}
        totals: dict[str, int] = {}
        for project in self.projects.values():
            chapter = project.chapter or NO_CHAPTER
            totals[chapter] = totals.get(chapter, 0) + 1
            if self.filter.admits(project, self.today):
                groups.setdefault(chapter, []).append(project)
        rows: list[tuple[str, ProjectView | None, list]] = []  # (key, project, chapter row's cells)
        for chapter, projects in groups.items():
            late = sum(1 for p in projects if p.overdue(self.today))
            count = f"{len(projects)} 个" if len(projects) == totals[chapter] else f"{len(projects)}/{totals[chapter]} 个"
            rows.append((f"{GROUP_PREFIX}{chapter}", None, [
                Text("▌" + chapter, style="bold", no_wrap=True, overflow="ellipsis"),
                Text(count, style="dim"), "", "",
                Text(f"{late} 个项目逾期", style=OVERDUE_STYLE) if late else "",
            ]))
            rows.extend((str(p.id), p, []) for p in projects)
        self.shown = sum(len(projects) for projects in groups.values())
        self._update_title()
        at = next((i for i, (key, _, _) in enumerate(rows) if key == str(keep)), -1)
        self._add_rows(self._filling, rows, 0, max(FIRST_ROWS, at + FIRST_ROWS))
        if not self.go_to(keep) and self.row_count:
            self.move_cursor(row=self.data_row(0, 1) or 0, animate=False)

    @property
    def filled(self) -> bool:
        """Whether every row the filter admits has been added."""
        return self.row_count == self.shown + sum(1 for key in self.rows if str(key.value).startswith(GROUP_PREFIX))

    def _add_rows(self, filling: int, rows: list, start: int, count: int) -> None:
        if filling != self._filling:  # a newer rebuild took over
            return
        end = min(len(rows), start + count)
        for key, project, cells in rows[start:end]:
            self.add_row(*(cells if project is None else self.cells(project)), key=key)
        if end < len(rows):
            # a timer, not call_later: a queue with messages waiting never yields to the loop, the keys would wait
            self.set_timer(0.001, partial(self._add_rows, filling, rows, end, CHUNK_ROWS))

    def cells(self, project: ProjectView) -> list[Text]:
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
        open_ones = [m for m in project.milestones if m.status not in CLOSED_STATUSES]
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
        title = f"项目 · {self.shown} 个"
        if self.shown != len(self.projects):
            title += f"（共 {len(self.projects)} 个）"
        if parts := self.filter.words():
            title += f" · 筛选：{'、'.join(parts)}"
        if self.filter.my_unit:
            title += f" · 我的单位：{self.filter.my_unit}"
        self.border_title = title
        self.border_subtitle = f"今天 {self.today.isoformat()}"
