"""The summary screen's parts: the head (totals), a roll-up table (per chapter or per lead unit), and the detail
pane listing what is late for the row under the cursor. Each keeps what it shows; the screen feeds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rich.cells import get_character_cell_size
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from core.schedule import PROJECT_STAGES, Rollup
from db.project_views import NO_CHAPTER, NO_LEAD_UNIT, BehindIndicator
from db.projects import MilestoneView, ProjectView, Summary
from tui.projects_list import DONE_STYLE, OVERDUE_STYLE, SOON_STYLE, due_soon, due_text, plan_time

BEHIND_STYLE = "bold yellow"


def _count(value: int, style: str) -> Text:
    return Text(str(value) if value else "—", justify="right", style=style if value else "dim")


class RollupTable(DataTable):
    """Projects and their milestones (done, due soon, overdue) per chapter or per lead unit; rows keyed by the
    chapter or the unit's full name."""

    def __init__(self, name_column: str, *, behind_column: bool, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.add_column(name_column, key="name", width=30)
        self.add_column("项目", key="projects", width=4)
        self.add_column("里程碑", key="total", width=6)
        self.add_column("已完成", key="done", width=6)
        self.add_column("30天内到期", key="soon", width=10)
        self.add_column("逾期", key="overdue", width=4)
        if behind_column:
            self.add_column("滞后指标", key="behind", width=8)
        self.behind_column = behind_column

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except CellDoesNotExist:
            return None

    def fill(self, rows: list[tuple[str, str, int, Rollup | None, int]]) -> None:
        """rows: (key, name shown, projects, roll-up, indicators behind); the cursor stays on its row."""
        keep = self.current_key()
        self.clear()
        for key, name, projects, rollup, behind in rows:
            r = rollup or Rollup()
            cells = [
                Text(name, no_wrap=True, overflow="ellipsis", style=OVERDUE_STYLE if r.overdue else ""),
                Text(str(projects) if projects else "—", justify="right"),
                Text(str(r.total) if r.total else "—", justify="right"),
                _count(r.done, DONE_STYLE), _count(r.due_soon, SOON_STYLE), _count(r.overdue, OVERDUE_STYLE),
            ]
            if self.behind_column:
                cells.append(_count(behind, BEHIND_STYLE))
            self.add_row(*cells, key=key)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)


def summary_head(*, today: date, as_of: int | None, my_unit: str, projects: int, facts: Summary,
                 behind: int | None) -> Text:
    """汇总's first lines: the day, the milestones' totals, indicators behind, projects by stage."""
    total = Rollup()
    for r in facts.by_chapter.values():
        total.total += r.total
        total.done += r.done
        total.cancelled += r.cancelled
        total.due_soon += r.due_soon
        total.overdue += r.overdue
    head = Text()
    head.append("汇总", style="bold")
    head.append(f"  今天 {today.isoformat()}", style="dim")
    if as_of is not None:
        head.append(f" · 指标状态截至{as_of}年", style="dim")
    if my_unit:
        head.append(f"  我的单位：{my_unit}", style="bold cyan")
    head.append(f"\n项目 {projects} 个 · 里程碑 {total.total} 个：")
    head.append(f"已完成 {total.done}", style=DONE_STYLE)
    head.append("，")
    head.append(f"30天内到期 {total.due_soon}", style=SOON_STYLE)
    head.append("，")
    head.append(f"逾期 {total.overdue}", style=OVERDUE_STYLE if total.overdue else "")
    head.append(f"，未完成 {total.open}")
    if behind is None:
        head.append(" · 正在判断指标进度…", style="dim")
    else:
        head.append(f" · 进度滞后的指标 {behind} 个", style=BEHIND_STYLE if behind else "")
    head.append("\n形象进度：", style="dim")
    stages = [*PROJECT_STAGES, "（未填）"]
    head.append("  ".join(f"{s} {facts.stages[s]}" for s in stages if facts.stages.get(s)) or "—")
    return head


@dataclass
class DetailFacts:
    """What the detail pane shows for one chapter or unit."""

    kind: str  # 章节 / 牵头单位
    title: str
    projects: list[ProjectView] = field(default_factory=list)
    behind: list[BehindIndicator] | None = None  # None: not judged yet


class LineView(ScrollView, can_focus=True):
    """Lines of text that draw only where they are in view, so ten thousand cost no more than ten. Each line is
    one row, cut with 「…」 at the edge, unless it is given as wrapping (it then takes the rows it needs)."""

    DEFAULT_CSS = """
    LineView { background: $surface; overflow-y: auto; overflow-x: hidden; }
    """
    BINDINGS = [
        Binding("up", "scroll_up", show=False, id="lines.up"),
        Binding("down", "scroll_down", show=False, id="lines.down"),
        Binding("pageup", "page_up", show=False, id="lines.page_up"),
        Binding("pagedown", "page_down", show=False, id="lines.page_down"),
        Binding("home", "scroll_home", show=False, id="lines.home"),
        Binding("end", "scroll_end", show=False, id="lines.end"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._entries: list[tuple[Text, bool]] = []  # (line, wraps)
        self._rows: list[Text] = []  # as laid out at `_width`
        self._width = 0
        self._strips: dict[int, Strip] = {}

    @property
    def plain_lines(self) -> list[str]:
        return [text.plain for text, _ in self._entries]

    def set_lines(self, entries: list[tuple[Text, bool]]) -> None:
        self._entries = entries
        self._lay_out()
        self.scroll_to(0, 0, animate=False)

    def _lay_out(self) -> None:
        width = max(self.scrollable_content_region.width, 1)
        rows: list[Text] = []
        for text, wraps in self._entries:
            if wraps:  # (asking Rich for the width first costs more than breaking it)
                rows.extend(_wrap_by_cells(text, width))
            else:
                rows.append(text)
        self._rows, self._width, self._strips = rows, width, {}
        self.virtual_size = Size(width, len(rows))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width:
            self._lay_out()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            text = self._rows[index].copy()
            text.truncate(width, overflow="ellipsis")
            strip = Strip(list(text.render(self.app.console))).apply_style(self.rich_style)
            self._strips[index] = strip
        return strip.extend_cell_length(width, self.rich_style).crop(0, width)


def _wrap_by_cells(text: Text, width: int) -> list[Text]:
    """Break a one-style line every `width` cells (a CJK character takes two). Chinese has no spaces to break
    at, and Rich's word wrap took half a second for the 1,400 explanations of a district's lagging indicators."""
    plain, pieces, start, used = text.plain, [], 0, 0
    for index, character in enumerate(plain):
        cells = get_character_cell_size(character)
        if used + cells > width:
            pieces.append(plain[start:index])
            start, used = index, 0
        used += cells
    pieces.append(plain[start:])
    return [Text(piece, style=text.style) for piece in pieces]


class SummaryDetail(Vertical):
    """For the row under the cursor: its overdue milestones (and projects past their planned finish with no
    milestones), its indicators behind schedule, and what falls due within 30 days — one line each, in a
    view that draws only the lines on screen however long the list is."""

    def compose(self) -> ComposeResult:
        yield LineView(id="summary-detail")

    def lines(self) -> list[str]:
        """The lines shown, as plain text (for tests and the bench)."""
        return self.query_one(LineView).plain_lines

    def show(self, facts: DetailFacts | None, today: date) -> None:
        view = self.query_one(LineView)
        if facts is None:
            view.set_lines([])
            self.border_title = "逾期里程碑与滞后指标"
            self.border_subtitle = ""
            return
        self.border_title = f"{facts.kind}：{facts.title}"  # the sections below say what they list
        projects = facts.projects
        late: list[tuple[ProjectView, MilestoneView]] = sorted(
            ((p, m) for p in projects for m in p.milestones if m.overdue(today)), key=lambda pm: pm[1].due)
        finished_late = [p for p in projects if p.finish_overdue(today)]
        soon = [(p, m) for p in projects for m in p.milestones if not m.overdue(today) and due_soon(m, today)]
        stages: dict[str, int] = {}
        for p in projects:
            stages[p.stage or "（未填）"] = stages.get(p.stage or "（未填）", 0) + 1
        self.border_subtitle = (f"项目 {len(projects)} 个：" + "  ".join(f"{s} {n}" for s, n in stages.items())
                                if projects else "")
        out: list[Text] = [Text(f"逾期里程碑（{len(late)}）", style="bold red" if late else "bold")]
        wrapped: set[int] = set()  # the lines that wrap (an indicator's explanation); the rest are cut with 「…」
        for p, m in late:
            line = Text(f"· {p.title} › {m.title}", style=OVERDUE_STYLE, no_wrap=True, overflow="ellipsis")
            line.append(f"  {due_text(m)}", style="dim")
            out.append(line)
        if not late:
            out.append(Text("无", style="dim"))
        if finished_late:
            out += [Text(""), Text(f"已过计划完成时间、未设里程碑的项目（{len(finished_late)}）", style="bold red")]
            for p in finished_late:
                line = Text(f"· {p.title}", style=OVERDUE_STYLE, no_wrap=True, overflow="ellipsis")
                line.append(f"  计划完成 {plan_time(p.planned_finish)}", style="dim")
                out.append(line)
        out.append(Text(""))
        if facts.behind is None:
            out.append(Text("进度滞后的指标：正在判断…", style="dim"))
        else:
            out.append(Text(f"进度滞后的指标（{len(facts.behind)}）", style=BEHIND_STYLE if facts.behind else "bold"))
            for item in facts.behind:
                line = Text(f"· {item.name}", style="bold", no_wrap=True, overflow="ellipsis")
                line.append(f"  {item.label}", style="bold red" if item.at_risk else "yellow")
                out.append(line)
                out.append(Text(f"  {item.explanation}", style="dim"))
                wrapped.add(len(out) - 1)
            if not facts.behind:
                out.append(Text("无", style="dim"))
        if soon:
            out += [Text(""), Text(f"30天内到期的里程碑（{len(soon)}）", style="bold yellow")]
            for p, m in soon:
                out.append(Text(f"· {p.title} › {m.title}  {due_text(m)}", style=SOON_STYLE, no_wrap=True,
                                overflow="ellipsis"))
        view.set_lines([(text, index in wrapped) for index, text in enumerate(out)])


def group_of(project: ProjectView, by_unit: bool) -> str:
    return (project.lead_unit or NO_LEAD_UNIT) if by_unit else (project.chapter or NO_CHAPTER)

