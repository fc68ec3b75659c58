"""`guihua indicator-proposals`: the main indicators read from a plan's own table, waiting for the office.

Lists them (or --json), and with --accept-all confirms every pending one (db.plan_indicators). Imports no
textual. The command is registered on the `guihua` group by tui.cli; its helpers are taken from there when it
runs, so this module can be imported first without a cycle."""

from __future__ import annotations

import click


@click.command("indicator-proposals")
@click.option("--plan", "plan_key", metavar="NAME_OR_ID", help="规划名称或编号（默认：上次打开的规划）。")
@click.option("--accept-all", is_flag=True, help="确认全部待确认的指标（成为主要指标）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.pass_context
def indicator_proposals(ctx: click.Context, plan_key: str | None, accept_all: bool, as_json: bool) -> None:
    """列出从规划文本的主要指标表中读出、等待规划办确认的指标；--accept-all 全部确认。"""
    from tui.cli import report_errors

    report_errors(_run)(ctx, plan_key, accept_all, as_json)


def _run(ctx: click.Context, plan_key: str | None, accept_all: bool, as_json: bool) -> None:
    from db.plan_indicators import STATUSES, confirm_indicators, has_main_indicators, list_indicator_proposals
    from db.plan_store import find_plan
    from tui.cli import echo_json, open_db

    database = open_db(ctx)
    with database.session() as session:
        plan = find_plan(session, plan_key)
        accepted: list[int] = []
        if accept_all:
            accepted, carried = confirm_indicators(session, plan.id, origin="cli")
            if carried is not None and carried.carried and not as_json:
                click.echo(f"已确认 {len(accepted)} 项；其中 {len(carried.carried)} 项承接《{carried.old_plan}》"
                           f"{carried.year}年实际值作为基数（guihua continue-plan 可查看和调整）。")
        items = list_indicator_proposals(session, plan.id)
        has_main = has_main_indicators(session, plan.id)
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
    elif counts.get("pending"):
        click.echo("核对无误后，用 --accept-all 全部确认；个别指标请在界面「核对主要指标」中修改或舍弃。")
