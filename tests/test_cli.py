"""The `guihua` command as a user runs it, against real database files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.test_plan_text import OTHER_PLAN
from tui import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli.main, list(args), catch_exceptions=False)

    return invoke


def test_version_and_help(run):
    assert run("--version").output.strip() == "guihua 0.1.0"
    result = run("--help")
    assert result.exit_code == 0
    for command in ("import-plan", "plans", "outline", "search"):
        assert command in result.output


def test_first_command_creates_the_database_and_imports_the_bundled_plan(run, tmp_path):
    result = run("plans", "--json")
    assert result.exit_code == 0
    plans = json.loads(result.stdout)
    assert [(p["id"], p["bundled"]) for p in plans] == [(1, True)]
    assert "首次运行" in result.stderr
    assert (tmp_path / "cli.sqlite3").exists()
    assert "首次运行" not in run("plans").stderr


def test_db_option_overrides_the_environment(run, tmp_path):
    other = tmp_path / "elsewhere.sqlite3"
    assert run("--db", str(other), "plans").exit_code == 0
    assert other.exists() and not (tmp_path / "cli.sqlite3").exists()


def test_outline_json(run):
    data = json.loads(run("outline", "--json").stdout)
    nodes = data["nodes"]
    chapters = [n for n in nodes if n["kind"] == "chapter"]
    assert len(chapters) == 13
    assert sum(1 for c in chapters for s in c["children"] if s["kind"] == "section") == 40
    section = chapters[0]["children"][0]
    assert set(section) >= {"kind", "number", "title", "paragraphs", "footnotes", "children"}
    footnote = section["footnotes"][0]
    assert (footnote["number"], footnote["paragraph"], footnote["offset"]) == (1, 1, 296)
    assert footnote["text"].startswith("国际遗传工程和生物技术中心（International Center for Genetic Engineering and "
                                       "Biotechnology，简称 ICGEB）属政府间国际科技组织")
    assert footnote["text"].endswith("以提高本国实力，推动国民经济发展。")


def test_outline_text(run):
    output = run("outline").output
    assert "第十三章 推进规划落实" in output
    assert "专栏：义务教育学校提质工程" in output


def test_search(run):
    result = run("search", "医药")
    assert result.exit_code == 0 and "共 " in result.output
    hits = json.loads(run("search", "城市框架", "--json").stdout)
    assert hits[0]["location"] == "第一章 › 第一节"
    assert "城市框架进一步拉开" in hits[0]["context"]
    missing = run("search", "不存在的词语")
    assert missing.exit_code == 1 and "没有找到" in missing.output


def test_import_plan_and_choose_a_plan(run, tmp_path):
    plan_file = tmp_path / "某某区.txt"
    plan_file.write_bytes(OTHER_PLAN.encode("gb18030"))
    result = run("import-plan", str(plan_file))
    assert result.exit_code == 0
    assert "已导入规划「某某区十四五规划」" in result.output and "2 章" in result.output
    assert "已替换" in run("import-plan", str(plan_file)).output
    named = run("import-plan", str(plan_file), "--name", "测试规划")
    assert "测试规划" in named.output
    assert len(json.loads(run("plans", "--json").stdout)) == 3
    outline = json.loads(run("outline", "--json", "--plan", "测试规划").stdout)
    assert outline["plan"]["name"] == "测试规划"
    assert run("outline", "--plan", "2").exit_code == 0
    ambiguous = run("outline", "--plan", "某某")
    assert ambiguous.exit_code == 2 and "多个规划" in ambiguous.stderr
    missing = run("outline", "--plan", "没有这个")
    assert missing.exit_code == 3 and "没有找到规划" in missing.stderr


@pytest.mark.parametrize(
    "content, message",
    [(b"", "文件是空的"), (b"\x00\x01", "二进制文件"), ("一句话。".encode(), "未找到任何章")],
)
def test_bad_plan_files_get_a_chinese_message_and_change_nothing(run, tmp_path, content, message):
    before = run("plans", "--json").stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run("import-plan", str(bad))
    assert result.exit_code == 2
    assert message in result.stderr and "bad.txt" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert run("plans", "--json").stdout == before


def test_missing_file(run, tmp_path):
    result = run("import-plan", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2 and "找不到文件" in result.stderr


def test_database_path_that_is_not_a_database(run, tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("hello", encoding="utf-8")
    result = run("--db", str(bogus), "plans")
    assert result.exit_code == 4 and "不是 guihua 数据库" in result.stderr
    folder = run("--db", str(tmp_path), "plans")
    assert folder.exit_code == 4 and "文件夹" in folder.stderr


def test_unexpected_errors_are_logged_not_shown(run, tmp_path, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("db.plan_store.list_plans", boom)
    result = run("plans")
    assert result.exit_code == 70
    log = tmp_path / "log" / "guihua.log"
    assert str(log) in result.stderr and "Traceback" not in result.stderr
    assert "simulated bug" in log.read_text(encoding="utf-8")


def test_non_utf8_locale_is_refused_before_the_tui_starts(run, monkeypatch):
    monkeypatch.setattr(cli.locale, "getpreferredencoding", lambda _do_setlocale=False: "GBK")
    monkeypatch.setattr(cli.sys, "platform", "linux")
    monkeypatch.setenv("LANG", "zh_CN.GBK")
    result = run()
    assert result.exit_code == 1
    assert "不是 UTF-8" in result.stderr and "zh_CN.UTF-8" in result.stderr


@pytest.mark.parametrize("args", [["plans"], ["outline", "--json"], ["search", "医药"], ["--version"]])
def test_read_only_commands_do_not_import_textual(tmp_path, args):
    script = (
        "import sys; from tui.cli import main\n"
        "try:\n    main(%r)\nexcept SystemExit:\n    pass\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN', file=sys.stderr)\n" % args
    )
    env = {"GUIHUA_DB": str(tmp_path / "x.sqlite3"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "CLEAN", result.stderr


def _hit_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "：" in line and not line.startswith(("共 ", "首次运行"))]


def test_search_pages_through_every_hit(run):
    everything = json.loads(run("search", "发展", "--limit", "100000", "--json").stdout)
    total = len(everything)
    assert total > 20
    first = run("search", "发展", "--limit", "5")
    assert first.exit_code == 0
    assert f"共 {total} 处，显示第 1—5 处（下一页：--offset 5" in first.output
    assert len(_hit_lines(first.output)) == 5
    second = json.loads(run("search", "发展", "--limit", "5", "--offset", "5", "--json").stdout)
    assert second == everything[5:10]
    last = run("search", "发展", "--limit", "10", "--offset", str(total - 3))
    assert f"显示第 {total - 2}—{total} 处（已是最后一页" in last.output and len(_hit_lines(last.output)) == 3
    beyond = run("search", "发展", "--offset", str(total + 10))
    assert beyond.exit_code == 0 and f"共 {total} 处；--offset {total + 10} 已超出" in beyond.output
    assert run("search", "发展", "--limit", "0").exit_code == 2
    assert run("search", "发展", "--offset", "-1").exit_code == 2


def test_search_counts_past_five_hundred(run, tmp_path):
    from importers.plan import bundled_plan_bytes

    # The seed's text three times over: more than 500 occurrences of 发展 (the old search stopped counting at 500).
    big = tmp_path / "三倍.txt"
    big.write_bytes(b"\n".join([bundled_plan_bytes()] * 3))
    assert run("import-plan", str(big), "--name", "三倍规划").exit_code == 0
    seed = json.loads(run("search", "发展", "--plan", "1", "--limit", "100000", "--json").stdout)
    result = run("search", "发展", "--plan", "三倍规划")
    assert len(seed) * 3 > 500
    assert f"共 {len(seed) * 3} 处，显示第 1—200 处" in result.output


def test_damaged_utf16_file(run, tmp_path):
    bad = tmp_path / "utf16.txt"
    bad.write_bytes(b"\xff\xfe" + "第一章 总则".encode("utf-16-le") + b"\x00")
    result = run("import-plan", str(bad))
    assert result.exit_code == 2 and "UTF-16" in result.stderr


# ----------------------------------------------------------------------------------------------------------
# Indicators


def test_indicators_json_lists_the_28_with_values_and_status(run):
    result = run("indicators", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 28
    gdp = items[0]
    assert {k: gdp[k] for k in ("category", "name", "unit", "attribute", "target_text", "growth_text")} == {
        "category": "经济强", "name": "地区生产总值", "unit": "亿元", "attribute": "预期性",
        "target_text": "力争1500", "growth_text": "8%左右",
    }
    assert gdp["values"] == {"2020": 971.9, "2021": None, "2022": None, "2023": None, "2024": None, "2025": None}
    assert gdp["status"]["2021"] == {"code": "no_data", "label": "尚无数据"}
    assert set(gdp["status"]) == {"2021", "2022", "2023", "2024", "2025"}


def test_set_then_indicators_and_history(run, monkeypatch):
    monkeypatch.setenv("GUIHUA_USER", "王科长")
    result = run("set", "地区生产总值", "2021", "1,049.7", "--stage", "快报", "--note", "统计快报")
    assert result.exit_code == 0, result.output
    assert "已保存：地区生产总值 2021年 = 1049.7 亿元" in result.output
    assert "达到序时进度" in result.output
    items = json.loads(run("indicators", "--year", "2021", "--json").stdout)
    assert items[0]["values"]["2021"] == 1049.7
    assert items[0]["status"]["2021"] == {"code": "on_track", "label": "达到序时进度"}
    run("set", "地区生产总值", "2021", "1050")
    history = json.loads(run("history", "地区生产总值", "--json").stdout)
    actual = [(h["user"], h["origin"], h["old"], h["new"]) for h in history if h["field"] == "actual" and h["year"] == 2021]
    assert actual == [("王科长", "cli", "1049.7", "1050"), ("王科长", "cli", None, "1049.7")]
    text = run("history", "地区生产总值").output
    assert "王科长  命令行  2021年实际值：1049.7 → 1050" in text


def test_indicators_table_in_the_terminal(run):
    result = run("indicators")
    assert result.exit_code == 0
    for word in ("经济强", "地区生产总值", "力争1500", "约束性", "尚无数据"):
        assert word in result.output


def test_indicator_table_fits_a_narrow_terminal_by_cutting_names():
    from rich.cells import cell_len

    from tui.cli_indicators import text_table

    rows = ["经济强", ["1", "地区生产总值（按可比价格计算）", "亿元", "达到序时进度"], ["2", "R&D", "%", "滞后"]]
    whole = text_table("主要指标", ["编号", "指标", "单位", "状态"], rows)
    assert len({cell_len(line) for line in whole[1:]}) == 1  # every line of the box equally wide
    assert "│ 1    │ 地区生产总值（按可比价格计算） │" in whole[5] and "│      │ 经济强 " in whole[4]
    narrow = text_table("主要指标", ["编号", "指标", "单位", "状态"], rows, width=44)
    assert {cell_len(line) for line in narrow[1:]} == {44}
    assert "│ 地区生产总… │" in narrow[5] and "│ R&D         │" in narrow[6]
    tiny = text_table("主要指标", ["编号", "指标", "单位", "状态"], rows, width=20)
    assert "│ 地区生…  │" in tiny[5]  # names keep 8 columns however narrow the terminal


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("set", "地区生产总值", "2021", "12,3x"), 2, "没有保存"),
        (("set", "地区生产总值", "2030", "1"), 2, "不在规划期"),
        (("set", "开票销售", "2021", "1"), 2, "对应多个指标"),
        (("set", "不存在", "2021", "1"), 3, "没有名称含"),
        (("set", "地区生产总值", "2021", "1", "--stage", "估算"), 2, "数据阶段"),
        (("history", "不存在"), 3, "没有名称含"),
        (("indicators", "--year", "2019"), 2, "不在规划期"),
    ],
)
def test_indicator_errors_are_chinese_with_exit_codes(run, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.output


def test_clearing_a_value_with_a_dash(run):
    run("set", "城镇化", "2021", "81")
    assert "已清除" in run("set", "城镇化", "2021", "—").output
    items = json.loads(run("indicators", "--json").stdout)
    assert items[11]["values"]["2021"] is None


def test_clearing_with_the_clear_option(run):
    run("set", "城镇化", "2021", "81")
    result = run("set", "城镇化", "2021", "--clear")
    assert result.exit_code == 0 and "已清除（原值 81）" in result.output
    assert json.loads(run("indicators", "--json").stdout)[11]["values"]["2021"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        (("",), "没有保存：数值为空。要清除这一年的数值，请写“—”或加 --clear"),
        (("   ",), "没有保存：数值为空"),
        ((), "没有保存：缺少数值"),
        (("82", "--clear"), "没有保存：--clear 表示清除，不能同时给出数值 82"),
    ],
)
def test_an_empty_value_is_refused_not_a_clear(run, args, message):
    """`set 指标 年份 ""` (a script's empty variable, say) must not clear the figure without a word."""
    run("set", "城镇化", "2021", "81")
    before = json.loads(run("history", "城镇化", "--json").stdout)
    result = run("set", "城镇化", "2021", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert json.loads(run("indicators", "--json").stdout)[11]["values"]["2021"] == 81
    assert json.loads(run("history", "城镇化", "--json").stdout) == before  # nothing was written


def test_catalogue_export_and_import_commands(run, tmp_path):
    path = tmp_path / "目录.xlsx"
    result = run("export-catalogue", str(path))
    assert result.exit_code == 0 and "已导出 28 个指标" in result.output
    result = run("import-catalogue", str(path))
    assert result.exit_code == 0, result.output
    assert "新增 0 个、更新 0 个、未变 28 个" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("类别,指标,2025年目标,属性\n经济,甲,10,随便\n", encoding="utf-8")
    result = run("import-catalogue", str(bad))
    assert result.exit_code == 2 and "bad.csv 第 2 行“属性”列" in result.stderr


# ----------------------------------------------------------------------------------------------------------
# Review queue, projects, milestones, units


def test_targets_review_projects_and_milestones(run, monkeypatch):
    targets = json.loads(run("targets", "--json").stdout)
    assert len(targets) >= 50 and {t["status"] for t in targets} == {"pending"}
    hi_tech = next(t for t in targets if t["metric"] == "高新技术企业")
    assert (hi_tech["comparator"], hi_tech["value"], hi_tech["unit"], hi_tech["year"]) == (">=", "500", "家", 2025)
    projects = json.loads(run("targets", "--projects", "--json").stdout)
    school = next(p for p in projects if p["title"] == "寺巷中心小学")
    result = run("review", "accept", str(school["id"]), str(hi_tech["id"]))
    assert result.exit_code == 0 and result.output.count("已采纳") == 2
    assert "[已采纳]" in run("targets").output
    assert run("milestone", "add", "寺巷中心小学", "完成设计", "--due", "2023Q1").exit_code == 0
    assert run("milestone", "add", "寺巷中心小学", "主体完工", "--due", "2024-06").exit_code == 0
    bad = run("milestone", "add", "寺巷中心小学", "开学", "--due", "明年")
    assert bad.exit_code == 2 and "计划时间" in bad.stderr
    monkeypatch.setenv("GUIHUA_TODAY", "2024-07-15")
    listed = json.loads(run("projects", "--json").stdout)
    assert [(p["title"], p["overdue"], p["milestones_total"]) for p in listed] == [("寺巷中心小学", True, 2)]
    assert "逾期" in run("milestone", "list", "寺巷中心小学").output
    assert run("milestone", "done", "寺巷中心小学", "设计", "--date", "2023-03-20").exit_code == 0
    assert run("milestone", "done", "寺巷中心小学", "主体").exit_code == 0  # today: 2024-07-15
    milestones = json.loads(run("milestone", "list", "寺巷中心小学", "--json").stdout)
    assert [(m["status"], m["done_date"], m["overdue"]) for m in milestones] == [
        ("已完成", "2023-03-20", False), ("已完成", "2024-07-15", False)]
    assert json.loads(run("projects", "--overdue", "--json").stdout) == []
    assert run("projects", "--unit", "不存在的单位").exit_code == 3


def test_old_milestone_spellings_still_work_but_are_not_listed(run, monkeypatch):
    projects = json.loads(run("targets", "--projects", "--json").stdout)
    school = next(p for p in projects if p["title"] == "寺巷中心小学")
    assert run("review", "accept", str(school["id"])).exit_code == 0
    assert run("milestone-add", "寺巷中心小学", "完成设计", "--due", "2023Q1").exit_code == 0
    assert run("milestone-done", "寺巷中心小学", "设计", "--date", "2023-03-20").exit_code == 0
    old = json.loads(run("milestones", "寺巷中心小学", "--json").stdout)
    assert old == json.loads(run("milestone", "list", "寺巷中心小学", "--json").stdout)
    assert [(m["title"], m["done_date"]) for m in old] == [("完成设计", "2023-03-20")]
    listed = run("--help").output
    assert "  milestone " in listed and "  review " in listed
    for hidden in ("milestone-add", "milestone-done", "milestones "):
        assert hidden not in listed
    sub = run("milestone", "--help").output
    assert all(f"  {name} " in sub for name in ("add", "done", "list"))
    assert set(cli.main.commands["review"].commands) == {"accept", "reject", "reopen"}


class OutOfQuota(cli.GuihuaError):
    exit_code = 6


@pytest.mark.parametrize("command", [("plans",), ("milestone", "list", "1"), ("indicator-proposals",)])
def test_a_command_s_error_is_said_once_by_the_group(run, tmp_path, monkeypatch, command):
    """Every command, in a subgroup or loaded lazily too, reports through GuihuaGroup.invoke: a GuihuaError as
    its Chinese message and exit code; anything else as the log's path and exit 70, its traceback in the log."""
    run("plans")  # the database exists before the database opening is broken below

    def refuse(*args, **kwargs):
        raise OutOfQuota("配额已用完，没有保存。")

    monkeypatch.setattr(cli, "open_db", refuse)
    refused = run(*command)
    assert refused.exit_code == 6 and refused.stderr == "错误：配额已用完，没有保存。\n"

    def bug(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "open_db", bug)
    crashed = run(*command)
    log = tmp_path / "log" / "guihua.log"
    assert crashed.exit_code == 70
    assert "未预期的问题（KeyError）" in crashed.stderr and str(log) in crashed.stderr
    assert "Traceback" not in crashed.output and "Traceback" in log.read_text(encoding="utf-8")


def test_units_list_and_add(run):
    units = json.loads(run("units", "--json").stdout)
    assert {"name": "区发展改革委", "short_name": "发改委"}.items() <= units[0].items()
    result = run("units", "--add", "高港区发改委")
    assert result.exit_code == 2 and "已有相近的单位“区发展改革委”" in result.stderr
    assert run("units", "--add", "区档案馆", "--short", "档案馆").exit_code == 0
    assert "区档案馆" in run("units").output


def test_export_writes_the_pack_next_to_the_database(run, tmp_path):
    run("set", "地区生产总值", "2021", "1049.7")
    result = run("export")
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "导出").glob("十四五规划实施监测_截至2021年_*.xlsx"))
    assert len(written) == 1 and str(written[0]) in result.output
    assert "主要指标完成情况表" in result.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = run("export", "--template", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "无法作为 Excel 工作簿打开" in result.stderr
    assert run("export-template", str(tmp_path / "t.xlsx")).exit_code == 0
    assert run("export", "--template", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "y.xlsx")).exit_code == 0


def test_indicators_text_lists_accepted_targets(run):
    assert json.loads(run("indicators", "--text", "--json").stdout) == []
    targets = json.loads(run("targets", "--json").stdout)
    hi_tech = next(t for t in targets if t["metric"] == "高新技术企业")
    run("review", "accept", str(hi_tech["id"]))
    assert run("set", "高新技术企业", "2021", "260").exit_code == 0
    items = json.loads(run("indicators", "--text", "--json").stdout)
    assert [(i["name"], i["target_text"], i["values"]["2021"]) for i in items] == [("高新技术企业", "≥500", 260)]
    assert "文中量化指标" in run("indicators", "--text").output


def test_an_implausible_value_is_refused_without_force(run):
    assert run("set", "地区生产总值", "2021", "1290").exit_code == 0
    result = run("set", "地区生产总值", "2022", "12900")
    assert result.exit_code == 2
    assert "没有保存" in result.output and "12900" in result.output and "2021年" in result.output
    assert "--force" in result.output
    items = json.loads(run("indicators", "--json").stdout)
    assert "2022" not in items[0]["values"] or items[0]["values"]["2022"] is None
    result = run("set", "地区生产总值", "2022", "12900", "--force")
    assert result.exit_code == 0, result.output
    assert "已保存：地区生产总值 2022年 = 12900 亿元" in result.output


def test_a_negative_level_is_refused_a_negative_change_is_not(run):
    result = run("set", "常住人口城镇化率", "2021", "-5")
    assert result.exit_code == 2
    assert "负数" in result.output and "--force" in result.output
    assert run("set", "生产安全事故起数和死亡人数下降", "2021", "-5").exit_code == 0
    assert run("set", "常住人口城镇化率", "2021", "-5", "--force").exit_code == 0


def test_manual_status_from_the_cli_shows_in_chinese_in_history(run):
    result = run("set", "林木覆盖率", "2022", "--status", "达到序时进度", "--status-note", "市林业局认定")
    assert result.exit_code == 0, result.output
    assert "已保存：林木覆盖率 2022年人工判断 = 达到序时进度（市林业局认定）" in result.output
    assert "进度：达到序时进度" in result.output
    items = {i["name"]: i for i in json.loads(run("indicators", "--year", "2022", "--json").stdout)}
    assert items["林木覆盖率"]["status"]["2022"]["code"] == "on_track"
    result = run("set", "林木覆盖率", "2022", "--status", "behind")  # the code works too
    assert result.exit_code == 0, result.output
    text = run("history", "林木覆盖率").output
    assert "2022年人工判断：达到序时进度 → 滞后" in text
    assert "2022年人工判断：空 → 达到序时进度" in text
    assert "on_track" not in text and "behind" not in text
    assert "2022年判断说明：空 → 市林业局认定" in text
    history = json.loads(run("history", "林木覆盖率", "--json").stdout)
    assert history[0]["new"] == "behind"  # JSON keeps the stable codes
    result = run("set", "林木覆盖率", "2022", "--status", "无")
    assert "不再人工判断" in result.output


def test_a_bad_manual_status_is_refused_and_nothing_is_written(run):
    result = run("set", "林木覆盖率", "2022", "30", "--status", "还行")
    assert result.exit_code == 2
    assert "人工判断状态“还行”无效" in result.output and "达到序时进度" in result.output
    history = json.loads(run("history", "林木覆盖率", "--json").stdout)
    assert [h for h in history if h["year"] == 2022] == []


def test_value_and_manual_status_together(run):
    result = run("set", "林木覆盖率", "2022", "26", "--status", "提前完成")
    assert result.exit_code == 0, result.output
    assert "已保存：林木覆盖率 2022年 = 26 %" in result.output
    assert "人工判断 = 提前完成" in result.output
