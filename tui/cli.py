"""The `guihua` command. Without a subcommand it opens the TUI; subcommands read and import data.

Commands that only read data never import textual, so they start quickly. Every failure reaches the user as a
Chinese message and a non-zero exit code; unexpected errors are logged with their traceback to a file whose
path the message names.
"""

from __future__ import annotations

import functools
import json
import locale
import os
import sys
from pathlib import Path

import click

from core.errors import GuihuaError
from tui import errorlog
from tui.errorlog import unexpected_message

VERSION = "0.1.0"
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def report_errors(func):
    """Turn every exception into a Chinese message on stderr and an exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except GuihuaError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # Output piped into `head` and the reader went away: not an error worth reporting.
            sys.stderr.close()
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
            click.echo(unexpected_message(exc, errorlog.log_unexpected(exc)), err=True)
            sys.exit(70)

    return wrapper


def open_db(ctx: click.Context):
    """Open the database chosen by --db / GUIHUA_DB / default, importing the bundled plan on first use."""
    from db.engine import open_database
    from importers.plan import ensure_bundled_plan

    root = ctx.find_root()
    if "database" not in root.meta:
        database = open_database(root.params.get("db"))
        result = ensure_bundled_plan(database)
        if result is not None and root.invoked_subcommand is not None:
            click.echo(f"首次运行：已导入内置规划「{result.name}」到 {database.target}", err=True)
        root.meta["database"] = database
        root.call_on_close(database.dispose)
    return root.meta["database"]


def local_time(moment):
    """Stored times are UTC (SQLite hands them back without a zone)."""
    from datetime import timezone

    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def check_utf8_terminal() -> None:
    """Textual decodes terminal input as UTF-8; on a GBK locale pasted Chinese kills its input thread."""
    if sys.platform == "win32":
        return
    encoding = (locale.getpreferredencoding(False) or "").lower().replace("-", "")
    if encoding not in ("utf8", "utf8mb4"):
        lang = os.environ.get("LC_ALL") or os.environ.get("LC_CTYPE") or os.environ.get("LANG") or "（未设置）"
        raise GuihuaError(
            f"终端的字符编码不是 UTF-8（当前区域设置：{lang}，编码：{encoding or '未知'}），"
            "guihua 的界面无法正确显示和输入中文。\n"
            "解决办法：在终端中执行  export LANG=zh_CN.UTF-8  后再运行 guihua；"
            "或在系统设置中把区域/语言改为 UTF-8（如 zh_CN.UTF-8）。"
        )


@click.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    metavar="PATH",
    envvar="GUIHUA_DB",
    help="数据库文件路径（也可用环境变量 GUIHUA_DB）；默认在用户数据目录。",
)
@click.version_option(VERSION, "-V", "--version", prog_name="guihua", message="%(prog)s %(version)s")
@click.pass_context
@report_errors
def main(ctx: click.Context, db: str | None) -> None:
    """guihua（规划）：五年规划纲要实施跟踪助手。

    不带子命令时打开全屏界面，阅读、检索规划纲要。
    """
    if ctx.invoked_subcommand is None:
        check_utf8_terminal()
        database = open_db(ctx)
        from tui.app import run_app  # textual is imported only for the TUI

        return_code = run_app(database)
        if return_code:
            sys.exit(return_code)


@main.command("import-plan")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", help="规划的简称（默认从标题推断）。同名规划会被替换。")
@click.pass_context
@report_errors
def import_plan(ctx: click.Context, file: Path, name: str | None) -> None:
    """导入规划纲要文本（UTF-8 或 GB18030 的 .txt）。"""
    from importers.plan import import_plan_file

    database = open_db(ctx)
    result = import_plan_file(database, file, name=name)
    action = "已替换" if result.replaced else "已导入"
    click.echo(
        f"{action}规划「{result.name}」（编号 {result.plan_id}）：{result.chapters} 章、{result.sections} 节、"
        f"{result.paragraphs} 段、{result.footnotes} 条脚注。"
    )
    for warning in result.warnings:
        click.echo(f"提示：{warning}", err=True)


@main.command("plans")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.pass_context
@report_errors
def plans(ctx: click.Context, as_json: bool) -> None:
    """列出已导入的规划。"""
    from db.plan_store import list_plans

    database = open_db(ctx)
    with database.session() as session:
        rows = list_plans(session)
    if as_json:
        echo_json(
            [
                {"id": p.id, "name": p.name, "title": p.title, "source": p.source_name,
                 "imported_at": p.imported_at.isoformat(), "bundled": p.bundled}
                for p in rows
            ]
        )
        return
    for p in rows:
        mark = "（内置）" if p.bundled else ""
        click.echo(f"{p.id:>3}  {p.name}{mark}\n     {p.title}  导入于 {local_time(p.imported_at):%Y-%m-%d %H:%M}")


plan_option = click.option("--plan", "plan_key", metavar="NAME_OR_ID", help="规划名称或编号（默认：上次打开的规划）。")


@main.command("outline")
@plan_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出完整结构（含段落与脚注）。")
@click.pass_context
@report_errors
def outline_command(ctx: click.Context, plan_key: str | None, as_json: bool) -> None:
    """显示规划的章节结构。"""
    from db.plan_store import find_plan, outline, outline_tree

    database = open_db(ctx)
    with database.session() as session:
        plan = find_plan(session, plan_key)
        if as_json:
            echo_json({"plan": {"id": plan.id, "name": plan.name, "title": plan.title}, "nodes": outline_tree(session, plan.id)})
            return
        click.echo(plan.title)
        kinds = {"box": "专栏：", "figure": "图：", "table": "表："}

        def show(node, depth):
            click.echo("  " * depth + kinds.get(node.kind, "") + node.label)
            for child in node.children:
                show(child, depth + 1)

        for node in outline(session, plan.id):
            show(node, 0)


@main.command("search")
@click.argument("words", nargs=-1, required=True)
@plan_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(min=1), help="最多显示多少处。")
@click.pass_context
@report_errors
def search_command(ctx: click.Context, words: tuple[str, ...], plan_key: str | None, as_json: bool, limit: int) -> None:
    """全文检索规划（中文任意字词；多个词须同时出现）。"""
    from db.plan_store import find_plan, search

    database = open_db(ctx)
    query = " ".join(words)
    with database.session() as session:
        plan = find_plan(session, plan_key)
        all_hits = search(session, plan.id, query)
    hits = all_hits[:limit]
    if as_json:
        echo_json(
            [
                {"location": h.location, "node_id": h.node_id, "block_id": h.block_id,
                 "footnote": h.footnote_number, "start": h.start, "end": h.end,
                 "context": "".join(h.context(30)), "text": h.text}
                for h in hits
            ]
        )
        return
    if not hits:
        click.echo(f"没有找到“{query}”。")
        sys.exit(1)
    for hit in hits:
        before, found, after = hit.context(24)
        where = hit.location + (f"（脚注{hit.footnote_number}）" if hit.footnote_number else "")
        click.echo(f"{where}：{before}" + click.style(found, fg="yellow", bold=True) + after)
    shown = f"，只显示前 {len(hits)} 处（可用 --limit 调整）" if len(hits) < len(all_hits) else ""
    click.echo(f"共 {len(all_hits)} 处{shown}。")


if __name__ == "__main__":  # pragma: no cover
    main()
