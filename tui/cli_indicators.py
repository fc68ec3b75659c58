"""Indicator output of the command line: the `guihua indicators` table, and `guihua indicator-proposals` (the
main indicators read from a plan's own table, waiting for the office: listed, or --json, and with
--accept-all confirmed, db.plan_indicators). Imports no textual. tui.cli loads this module when the command is
named (GuihuaGroup.lazy_commands) or the table is printed."""

from __future__ import annotations

import click

from core.kinds import ProposalStatus
from tui.cli import echo_json, json_option, plan_option, safe, with_database


@click.command("indicator-proposals")
@plan_option
@click.option("--accept-all", is_flag=True, help="确认全部待确认的指标（成为主要指标）。")
@json_option()
@with_database
def indicator_proposals(database, plan_key: str | None, accept_all: bool, as_json: bool) -> None:
    """列出从规划文本的主要指标表中读出、等待规划办确认的指标；--accept-all 全部确认。"""
    from db.cli_views import indicator_proposals as proposals_of
    from db.plan_indicators import STATUSES

    plan, accepted, carried, items, has_main = proposals_of(database, plan_key, accept_all=accept_all)
    if carried is not None and carried.carried and not as_json:
        click.echo(f"已确认 {len(accepted)} 项；其中 {len(carried.carried)} 项承接《{carried.old_plan}》"
                   f"{carried.year}年实际值作为基数（guihua continue-plan 可查看和调整）。")
    if as_json:
        echo_json({"plan": {"id": plan.id, "name": plan.name}, "accepted": accepted,
                   "proposals": [item.as_dict() for item in items]})
        return
    if not items:
        word = "（已有主要指标，用 guihua indicators 查看）" if has_main else ""
        click.echo(f"规划「{plan.name}」没有从主要指标表读出的待确认指标{word}。")
        return
    table = next((i.table for i in items if i.table), "")
    click.echo(click.style(f"{plan.name}：{table or '主要指标表'}", bold=True))
    category = None
    for item in items:
        if item.category != category:
            category = item.category
            click.echo(click.style(category or "（未分类）", bold=True))
        target = item.target_text + (f"，年均{item.growth_text}" if item.growth_text else "")
        unit = f"（{item.unit}）" if item.unit else ""
        base = f"  基数 {item.base_text}" if item.base_text else ""
        click.echo(f"{item.id:>5}  [{STATUSES.get(item.status, item.status)}] {item.name}{unit}  {item.attribute}"
                   f"  目标 {target or '—'}{base}")
        for warning in item.warnings:
            click.echo(f"        ⚠ {warning}")
    counts = {s: sum(i.status == s for i in items) for s in STATUSES}
    click.echo("共 {} 项：".format(len(items)) + "，".join(f"{STATUSES[s]} {n}" for s, n in counts.items() if n))
    if accepted:
        click.echo(f"已确认 {len(accepted)} 项主要指标，可用 guihua indicators --plan {plan.id} 查看。")
    elif counts.get(ProposalStatus.PENDING):
        click.echo("核对无误后，用 --accept-all 全部确认；个别指标请在界面「核对主要指标」中修改或舍弃。")


# ----------------------------------------------------------------------------------------------------------
# The `guihua indicators` table


def _cell_width(text: str) -> int:
    from rich.cells import cell_len  # CJK characters take two columns

    return cell_len(text)


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` columns, ending in 「…」 when cut."""
    if _cell_width(text) <= width:
        return text
    out, used = "", 0
    for char in text:
        if used + _cell_width(char) > width - 1:
            break
        out += char
        used += _cell_width(char)
    return out + "…"


def text_table(title: str, headers: list[str], rows: list[list[str] | str], *, width: int | None = None,
               shrink: int = 1) -> list[str]:
    """A boxed table as lines of text, in the look of rich's default table (heavy header). A row given as
    one string is a group heading in column `shrink`. `width`: the terminal's width; column `shrink` (the
    names) is narrowed, its texts ending in 「…」, to fit. Written out rather than through rich, whose layout
    took about 3 s for 2,000 indicators × 13 columns."""
    grid = [[""] * shrink + [row] + [""] * (len(headers) - shrink - 1) if isinstance(row, str) else row
            for row in rows]
    sizes = [[_cell_width(cell) for cell in cells] for cells in grid]  # measured once: most of the work
    widths = [max([_cell_width(h)] + [size[i] for size in sizes]) for i, h in enumerate(headers)]
    total = sum(widths) + 3 * len(widths) + 1
    if width is not None and total > width:
        widths[shrink] = max(8, widths[shrink] - (total - width))

    def line(cells: list[str], cell_sizes: list[int], bar: str) -> str:
        padded = []
        for cell, size, room in zip(cells, cell_sizes, widths):
            if size > room:
                cell = _fit(cell, room)
                size = _cell_width(cell)
            padded.append(f" {cell}{' ' * (room - size)} ")
        return bar + bar.join(padded) + bar

    def rule(left: str, fill: str, joint: str, right: str) -> str:
        return left + joint.join(fill * (w + 2) for w in widths) + right

    full = sum(widths) + 3 * len(widths) + 1
    lines = [" " * max(0, (full - _cell_width(title)) // 2) + title, rule("┏", "━", "┳", "┓"),
             line(headers, [_cell_width(h) for h in headers], "┃"), rule("┡", "━", "╇", "┩")]
    lines += [line(cells, size, "│") for cells, size in zip(grid, sizes)]
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def indicator_table_lines(table, text_targets: bool, width: int | None) -> list[str]:
    """`guihua indicators` as lines: one row per indicator grouped under its category, the plan's years, and
    its status as of the year shown (db.cli_views.IndicatorTable)."""
    period = table.period
    title = f"{table.plan.name}  {'文中量化指标' if text_targets else '主要指标'}（截至{table.as_of}年）"
    headers = ["编号", "指标", "单位", *[str(y) for y in period.years], f"{period.target_year}年目标", "年均增速",
               "属性", "状态"]
    rows: list[list[str] | str] = []
    category = None
    for v in table.views:
        if v.category != category:
            category = v.category
            rows.append(safe(category))
        rows.append([str(v.id), safe(v.name), safe(v.unit), *[_number(v.values.get(y)) for y in period.years],
                     safe(v.target_text), safe(v.growth_text), safe(v.attribute), safe(table.current[v.id].label)])
    return text_table(safe(title), headers, rows, width=width)


def _number(value) -> str:
    return "" if value is None else format(value, "f")
