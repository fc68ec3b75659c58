"""`guihua continue-plan`: from one plan to the next. The new plan's indicators that continue the old plan's take
the old plan's final-year actual as their base-year value (db.continuity does the work; this only asks and
prints). tui.cli loads this module when the command is named (GuihuaGroup.lazy_commands); it imports nothing
heavy at module level, so every other command starts as fast."""

from __future__ import annotations

import click

from core.errors import UserInputError
from tui.cli import backup_before, with_database


def _pair(text: str) -> tuple[str, str]:
    new, sep, old = text.partition("=")
    if not sep or not new.strip() or not old.strip():
        raise UserInputError(f"--link “{text}” 的写法应为 新指标=旧指标，例如 --link 地区生产总值=地区生产总值。")
    return new.strip(), old.strip()


def _number(value) -> str:
    from db.indicators import decimal_text

    return decimal_text(value) or ""


def echo_links(candidates) -> None:
    """The links and what is left over, as a user reads them."""
    click.echo(f"《{candidates.new_plan}》承接《{candidates.old_plan}》的指标：")
    if not candidates.links:
        click.echo("  （没有可以确定的对应指标）")
    for link in candidates.links:
        click.echo(f"  {link.new.shown}  ←  {link.old.shown}  [{link.how_label}]")
    if candidates.unsure:
        click.echo("名称相近、未自动对应的指标（如确为同一指标，请用 --link 新指标=旧指标 指定）：")
        for item in candidates.unsure:
            names = "、".join(c.shown for c in item.candidates)
            click.echo(f"  {item.new.shown}  ？  {names}（{item.reason}）")
    if candidates.unlinked:
        click.echo("已取消对应的指标：" + "、".join(r.name for r in candidates.unlinked))
    if candidates.unmatched_new:
        click.echo("旧规划中没有对应的新指标：" + "、".join(r.name for r in candidates.unmatched_new))
    if candidates.unmatched_old:
        click.echo("没有被承接的旧指标：" + "、".join(r.name for r in candidates.unmatched_old))


def echo_carry(result) -> None:
    verb = "将承接" if result.dry_run else "已承接"
    year = f"{result.year}年" if result.year else ""
    click.echo(f"{verb}基数（《{result.old_plan}》{year}实际值 → 《{result.new_plan}》基数）：")
    if not result.carried:
        click.echo("  （没有需要承接的数值）")
    for item in result.carried:
        stage = f"，{item.stage}" if item.stage else ""
        updated = f"（原为 {_number(item.replaced)}，按旧规划现值更新）" if item.replaced is not None else ""
        click.echo(f"  {item.link.new.name} {item.year}年：{_number(item.value)}{stage}{updated}  来源：{item.source}")
    for item in result.unchanged:
        click.echo(f"  {item.link.new.name} {item.year}年：{_number(item.value)}（已是旧规划的数值，不变）")
    if result.skipped:
        click.echo("跳过：")
        for item in result.skipped:
            click.echo(f"  {item.link.new.name}：{item.reason}")
    if result.dry_run:
        click.echo("（试运行：没有写入任何数据。去掉 --dry-run 后执行。）")


@click.command("continue-plan")
@click.option("--from", "old_key", required=True, metavar="旧规划", help="上一规划的名称或编号（如 十四五）。")
@click.option("--to", "new_key", required=True, metavar="新规划", help="新规划的名称或编号（如 十五五）。")
@click.option("--link", "links", multiple=True, metavar="新指标=旧指标",
              help="指定对应关系（名称不同的同一指标）；可写多次。指定后会记住。")
@click.option("--unlink", "unlinks", multiple=True, metavar="新指标",
              help="名称相同但并非同一指标时，取消这个新指标的对应；可写多次。")
@click.option("--dry-run", is_flag=True, help="只列出对应关系和将承接的数值，不写入。")
@with_database
def continue_plan_command(database, old_key: str, new_key: str, links: tuple[str, ...], unlinks: tuple[str, ...],
                          dry_run: bool) -> None:
    """新规划承接上一规划：对应的指标以上一规划目标年的实际值作为基数。

    名称相同（写法不同也可，如全角半角、括号中的英文缩写）且单位一致的指标自动对应；名称相近的只列出，
    用 --link 指定。已录入的基数不会被覆盖。数值的来源记为“承接《旧规划》2025年实际值”，可随时修改。"""
    from db.cli_views import carry_plan_values, plan_links

    new_id, old_id, candidates = plan_links(database, old_key, new_key, [_pair(text) for text in links], unlinks)
    echo_links(candidates)
    click.echo("")
    if not dry_run:
        backup_before(database, "import")
    echo_carry(carry_plan_values(database, new_id, old_id, candidates, dry_run=dry_run))
