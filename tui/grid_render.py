"""Pure helpers that turn indicators and their assessments into Rich text for the indicator grid.

No widgets and no judging here: statuses, explanations and expected values come from db/core; this module only
decides how they look."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Iterable

from rich.table import Table
from rich.text import Text

from core.progress import Assessment, Status
from db.indicators import HistoryEntry, IndicatorView, decimal_text

# Status colours: good green, behind yellow, at risk red, nothing to judge dim, needs a person cyan.
STATUS_STYLES = {
    Status.ACHIEVED: "bold green",
    Status.AHEAD: "green",
    Status.ON_TRACK: "green",
    Status.BEHIND: "yellow",
    Status.AT_RISK: "bold red",
    Status.NO_DATA: "dim",
    Status.MANUAL: "cyan",
}
# A 约束性 (binding) indicator that is behind must stand out more than an expected one.
BINDING_ALARM = "bold reverse red"
LAGGING = (Status.BEHIND, Status.AT_RISK)
ORIGINS = {"tui": "界面", "cli": "命令行", "import": "导入"}


def status_style(status: Status, binding: bool) -> str:
    if binding and status in LAGGING:
        return BINDING_ALARM
    return STATUS_STYLES.get(status, "")


def row_cells(view: IndicatorView, years: Iterable[int], assessment: Assessment | None, as_of: int) -> dict[str, Text]:
    """An indicator's cells by column key (tui.grid_table), its status judged as of `as_of`."""
    return {
        "name": name_cell(view),
        "unit": plain_cell(view.unit),
        **{f"y{year}": value_cell(view.values.get(year)) for year in years},
        "status": status_cell(assessment, view.binding, view.manual(as_of) is not None),
        "target": plain_cell(view.target_text),
        "growth": plain_cell(view.growth_text),
        "attribute": attribute_cell(view),
    }


def status_cell(assessment: Assessment | None, binding: bool, manual: bool = False) -> Text:
    """The 状态 cell; a status a person set carries a 「*」."""
    if assessment is None:
        return Text("")
    label = assessment.label + ("*" if manual else "")
    return Text(label, style=status_style(assessment.status, binding), no_wrap=True, overflow="ellipsis")


def number_text(value: Decimal | float | None) -> str:
    """A value as typed back: no exponent, no trailing zeros; floats (computed paths) to two decimals."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(f"{value:.2f}")
    return decimal_text(value) or ""


def value_cell(value: Decimal | None) -> Text:
    return Text(number_text(value), justify="right", no_wrap=True)


def name_cell(view: IndicatorView) -> Text:
    return Text(view.name, no_wrap=True, overflow="ellipsis")


def plain_cell(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def attribute_cell(view: IndicatorView) -> Text:
    return plain_cell(view.attribute, "bold" if view.binding else "")


def category_cell(category: str) -> Text:
    return Text(category or "（未分类）", style="bold underline", no_wrap=True)


def path_table(view: IndicatorView, path: dict[int, float | None]) -> Table:
    """Expected (序时) against actual values, one column per plan year: the detail panel's little chart."""
    years = list(view.plan_years)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    for _ in years:
        table.add_column(justify="right", no_wrap=True)
    table.add_row("", *[Text(str(y), style="bold") for y in years])
    table.add_row("序时", *[Text(number_text(path.get(y)) or "—", style="dim") for y in years])
    actual = []
    for y in years:
        value = view.values.get(y)
        actual.append(Text(number_text(value) if value is not None else "—", style="" if value is not None else "dim"))
    table.add_row("实际", *actual)
    return table


def local_time(moment: datetime) -> datetime:
    """Stored times are UTC (SQLite hands them back without a zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()


def history_text(entries: Iterable[HistoryEntry]) -> Text:
    out = Text()
    for entry in entries:
        if out:
            out.append("\n")
        when = local_time(entry.changed_at).strftime("%m-%d %H:%M") if entry.changed_at else ""
        year = f"{entry.year}年" if entry.year else ""
        out.append(f"{when} {entry.user} {ORIGINS.get(entry.origin, entry.origin)} ", style="dim")
        if entry.field == "name" and entry.old is None:
            out.append(f"新增指标：{entry.new}")
        else:
            out.append(f"{year}{entry.label}：{entry.old_text} → {entry.new_text}")
        if entry.undo_of:
            out.append("（撤销）", style="dim")
    return out or Text("没有修改记录", style="dim")
