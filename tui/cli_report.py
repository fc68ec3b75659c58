"""`guihua report`: draft the evaluation report (年度监测 / 中期评估 / 总结评估) as a Word document
(exports.report does the work; this reads the options and says where the file went). Registered lazily on the
`guihua` group by tui.cli, which also turns every failure into a Chinese message and exit code; imports nothing
heavy at module level and never textual."""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli import open_db, plan_option, say


@click.command("report")
@click.option("--kind", metavar="年度|中期|总结", help="报告类型（默认：规划期已结束的为总结，否则为年度）。")
@plan_option
@click.option("--year", type=int, help="截至哪一年（默认：年度为上一个完整年度，中期为规划第三年，总结为目标年）。")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="输出文件（默认：数据库旁的“导出”文件夹）。")
@click.option("--template", type=click.Path(path_type=Path), help="使用本单位的 Word 模板（占位符见 docs/templates.md）。")
@click.option("--write-template", "skeleton", type=click.Path(path_type=Path),
              help="只写出默认的报告模板（按 --kind），供本单位修改格式后用 --template 使用。")
@click.pass_context
def report_command(ctx: click.Context, kind: str | None, plan_key: str | None, year: int | None, output: Path | None,
                   template: Path | None, skeleton: Path | None) -> None:
    """起草规划实施评估报告（Word）：年度监测报告、中期评估报告或总结评估报告。

    数字和判断全部来自 guihua 中的数据；“下一步工作”等由规划办撰写的部分只列出标题和提示行。"""
    from db.cli_views import plan_ref
    from exports.report import write_default_skeleton, write_report

    kind = kind.strip() if kind else None
    if skeleton is not None:
        say(f"已写出默认报告模板：{write_default_skeleton(skeleton, kind or '年度')}")
        return
    database = open_db(ctx)
    result = write_report(database, plan_ref(database, plan_key).id, kind=kind, year=year, output=output, template=template)
    if result.renamed:
        click.echo("提示：原文件正在被 Word/WPS 打开，已另存为新文件名。", err=True)
    say(f"已起草《{result.title}》（截至{result.year}年）到：\n{result.path}")
