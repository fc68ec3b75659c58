"""A plan's period is read from the plan and every year guihua shows or writes follows it: a 十五五 plan
(2026–2030, base 2025) next to the bundled 十四五 plan (2021–2025, base 2020) in one database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from core.period import (
    Period,
    chinese_number,
    detect_period,
    five_year_plan_period,
    parse_period,
    period_containing,
    stated_period,
)
from tui import cli

FOURTEENTH = Period(2020, 2021, 2025)
FIFTEENTH = Period(2025, 2026, 2030)

# A small 十五五 plan in the style of tests/test_plan_text.py OTHER_PLAN; its review chapter speaks of the
# 十四五 period, its targets of 「期末」.
FIFTEENTH_PLAN = """某某区国民经济和社会发展第十五个五年规划纲要

序言

　　“十五五”时期是某某区基本实现现代化的关键五年，本纲要阐明发展目标和重点任务。

第一章 发展基础

　　“十四五”时期，全区地区生产总值达到 500 亿元，年均增长 7%。

第二章 主要目标

　　到期末，全区高新技术企业突破 300 家，地区生产总值年均增长 6%左右。

第三章 重大项目

　　建成某某大桥，新建某某学校。
"""


# ----------------------------------------------------------------------------------------------------------
# core.period


def test_the_plans_guihua_meets():
    assert five_year_plan_period(14) == FOURTEENTH and FOURTEENTH.short_name == "十四五"
    assert five_year_plan_period(15) == FIFTEENTH and FIFTEENTH.short_name == "十五五"
    assert FIFTEENTH.years == [2025, 2026, 2027, 2028, 2029, 2030]
    assert FIFTEENTH.plan_years == [2026, 2027, 2028, 2029, 2030]
    assert (FIFTEENTH.label, FIFTEENTH.text) == ("2026—2030年", "2026-2030")
    assert five_year_plan_period(1).first_year == 1953 and five_year_plan_period(2).target_year == 1962
    assert five_year_plan_period(3).first_year == 1966  # 1963–1965: readjustment, no plan
    assert Period(2023, 2024, 2026).short_name == ""  # a three-year plan is no Five-Year Plan


@given(st.integers(3, 30))
def test_every_ordinal_from_the_third_follows_the_last(n):
    period = five_year_plan_period(n)
    assert period.first_year == 1966 + 5 * (n - 3)
    assert (period.base_year, period.target_year) == (period.first_year - 1, period.first_year + 4)
    assert period.ordinal == n and period.short_name == chinese_number(n) + "五"
    assert detect_period(f"某市国民经济和社会发展第{chinese_number(n)}个五年规划纲要") == period
    assert detect_period(f"某市“{chinese_number(n)}五”规划") == period
    assert detect_period("某市规划纲要", f"“{chinese_number(n)}五”时期是关键五年。") == period
    assert parse_period(period.text) == period and parse_period(f"{chinese_number(n)}五") == period
    for year in period.plan_years:
        assert period_containing(year) == period


@given(
    first=st.integers(1990, 2095),
    span=st.integers(1, 9),
    ordinal=st.integers(3, 30),
    style=st.sampled_from(["（{a}—{b}年）", "{a}年至{b}年", "{a}-{b}年", "（{a}－{b} 年）", "{a}~{b}年"]),
)
def test_years_written_in_the_title_win_over_the_ordinal(first, span, ordinal, style):
    years = style.format(a=first, b=first + span)
    title = f"某区国民经济和社会发展第{chinese_number(ordinal)}个五年规划{years}"
    assert detect_period(title, "“十三五”时期（2016—2020年）") == Period.of(first, first + span)


@given(st.text(alphabet="某区县市国民经济和社会发展规划纲要的是年，。 \n", max_size=200))
def test_a_plan_that_says_nothing_has_no_period(text):
    assert detect_period(text[:30], text) is None


def test_the_text_names_its_own_period_more_often_than_the_last():
    review = "“十四五”时期，全区经济平稳增长。“十四五”以来，民生改善。"
    own = "“十五五”时期是关键五年。“十五五”规划主要阐明发展思路。全面完成“十五五”规划目标。"
    assert detect_period("某区规划纲要", review + own) == FIFTEENTH
    assert detect_period("某区规划纲要", "“十四五”时期成就显著。“十五五”时期任务艰巨。") == FIFTEENTH  # a tie: the later
    assert detect_period("某区规划纲要", "本规划期为（2026—2030年）。") == FIFTEENTH
    assert detect_period("某区规划纲要", "远景目标展望到二〇三五年。") is None


def test_stated_period_of_parsed_plans(seed_plan):
    from core.plan_text import parse_plan

    assert stated_period(seed_plan) == FOURTEENTH
    assert stated_period(parse_plan(FIFTEENTH_PLAN)) == FIFTEENTH
    untitled = FIFTEENTH_PLAN.replace("第十五个五年规划纲要", "发展规划纲要").replace("“十五五”时期", "今后五年")
    assert stated_period(parse_plan(untitled)) == five_year_plan_period(14)  # only its review names a period
    silent = untitled.replace("“十四五”时期", "过去五年")
    assert stated_period(parse_plan(silent)) is None


@pytest.mark.parametrize("text", ["2026-2030", "2026—2030", "2026至2030", "2026-2030年", " ２０２６-２０３０ ", "十五五"])
def test_parse_period_reads_what_an_office_types(text):
    assert parse_period(text) == FIFTEENTH


@pytest.mark.parametrize("text", ["2030-2026", "2026", "2026-2040", "明年", "", "五十五"])
def test_parse_period_refuses_in_chinese(text):
    with pytest.raises(ValueError, match="规划期"):
        parse_period(text)


def test_the_finder_reads_plan_end_from_the_plan():
    from core.commitments import find_in_plan
    from core.plan_text import parse_plan

    targets, _ = find_in_plan(parse_plan(FIFTEENTH_PLAN))
    firms = next(t for t in targets if t.metric.endswith("高新技术企业"))
    assert (firms.value, firms.target_year) == (300, 2030)
    assert all(not t.metric.startswith("地区生产总值") or t.target_year == 2030 for t in targets)


# ----------------------------------------------------------------------------------------------------------
# A 十五五 plan beside the bundled 十四五 plan, through the command line


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIHUA_DB", str(tmp_path / "period.sqlite3"))
    monkeypatch.setenv("GUIHUA_TODAY", "2027-07-15")
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli.main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def write_catalogue(path: Path, base_header: str, target_header: str) -> Path:
    rows = [
        ["类别", "指标", "单位", base_header, target_header, "年均增速", "属性", "牵头单位"],
        ["经济", "地区生产总值", "亿元", "1000", "力争1400", "6%左右", "预期性", "区发展改革委"],
        ["经济", "研发经费支出占地区生产总值比重", "%", "3.2", "≥3.8", "", "预期性", "区科技局"],
        ["绿色", "单位地区生产总值能源消耗降低", "%", "", "10%以上", "", "约束性", "区发展改革委"],
    ]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def fifteenth(run, tmp_path):
    """The database with the bundled 十四五 plan and a 十五五 plan with three indicators and a figure."""
    plan_file = tmp_path / "十五五.txt"
    plan_file.write_text(FIFTEENTH_PLAN, encoding="utf-8")
    result = run("import-plan", plan_file, "--name", "某某区十五五")
    assert result.exit_code == 0, result.output
    assert "规划期 2026—2030年，基期 2025 年" in result.output
    catalogue = write_catalogue(tmp_path / "目录.csv", "2025年基数", "2030年目标")
    result = run("import-catalogue", catalogue, "--plan", "某某区十五五")
    assert result.exit_code == 0, result.output
    result = run("set", "地区生产总值", "2027", "1130", "--plan", "某某区十五五")
    assert result.exit_code == 0, result.output
    return result.output


def test_plans_show_each_plan_s_own_period(run, fifteenth):
    plans = {p["name"]: p["period"] for p in json.loads(run("plans", "--json").stdout)}
    assert plans["某某区十五五"] == {"base_year": 2025, "first_year": 2026, "target_year": 2030}
    assert plans["泰州医药高新区（高港区）十四五规划"] == {"base_year": 2020, "first_year": 2021, "target_year": 2025}
    text = run("plans").output
    assert "2026—2030年（基期 2025 年）" in text and "2021—2025年（基期 2020 年）" in text


def test_progress_is_judged_from_the_plan_s_base_year(fifteenth):
    # 1000 → 1130 over two years is 6.3% a year: on track for 「6%左右」
    assert "达到序时进度" in fifteenth
    assert "2025年以来年均增长6.3%" in fifteenth and "2020" not in fifteenth


def test_indicators_columns_follow_the_plan(run, fifteenth):
    items = json.loads(run("indicators", "--plan", "某某区十五五", "--json").stdout)
    gdp = next(i for i in items if i["name"] == "地区生产总值")
    assert gdp["values"] == {"2025": 1000, "2026": None, "2027": 1130, "2028": None, "2029": None, "2030": None}
    assert set(gdp["status"]) == {"2026", "2027", "2028", "2029", "2030"}
    assert gdp["as_of"]["year"] == 2027 and gdp["as_of"]["code"] == "on_track"
    assert "2025年以来年均增长6.3%" in gdp["as_of"]["explanation"]
    table = run("indicators", "--plan", "某某区十五五").output
    assert "2030年目标" in table and "2025年目标" not in table and "2020" not in table
    seed = run("indicators").output  # the bundled plan keeps its own years
    assert "2025年目标" in seed and "2020" in seed and "2030" not in seed


def test_a_catalogue_of_another_period_is_refused(run, fifteenth, tmp_path):
    old = write_catalogue(tmp_path / "旧目录.csv", "2020年基数", "2025年目标")
    result = run("import-catalogue", old, "--plan", "某某区十五五")
    assert result.exit_code == 2
    assert "“2020年基数”列的年份与本规划不符：本规划的规划期是 2026—2030年" in result.stderr
    assert "没有导入任何内容" in result.stderr
    # the same file suits the 十四五 plan, whose headers these are
    assert run("import-catalogue", old).exit_code == 0
    wrong_target = write_catalogue(tmp_path / "错目录.csv", "2025年基数", "2035年目标")
    result = run("import-catalogue", wrong_target, "--plan", "某某区十五五")
    assert result.exit_code == 2 and "目标应为 2030 年（表头写作“2030年目标”）" in result.stderr


def test_catalogue_export_names_the_plan_s_years_and_imports_back(run, fifteenth, tmp_path):
    path = tmp_path / "导出.csv"
    assert run("export-catalogue", path, "--plan", "某某区十五五").exit_code == 0
    with open(path, encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert header[3:5] == ["2025年基数", "2030年目标"]
    result = run("import-catalogue", path, "--plan", "某某区十五五")
    assert result.exit_code == 0 and "新增 0 个、更新 0 个" in result.output
    seed = tmp_path / "内置.csv"
    assert run("export-catalogue", seed).exit_code == 0
    with open(seed, encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle))[3:5] == ["2020年基数", "2025年目标"]


def test_meeting_pack_titles_headers_and_notes(run, fifteenth, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "pack.xlsx"
    result = run("export", "--plan", "某某区十五五", "--year", "2027", "--output", out)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["主要指标完成情况表"]
    assert sheet["A2"].value == "某某区“十五五”规划主要指标完成情况表（截至2027年）"
    header = [c.value for c in sheet[4] if c.value]
    assert header[4:12] == ["2025年基数", "2026年", "2027年", "2028年", "2029年", "2030年", "2030年目标", "年均增速目标"]
    notes = " ".join(str(c.value) for row in sheet.iter_rows(min_row=5) for c in row if c.value)
    assert "已达到2030年目标" in notes and "按2025年基数计算" in notes and "2020" not in notes
    column = {c.value: c.column - 1 for c in sheet[4] if c.value}
    gdp = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[column["指标"]] == "地区生产总值")
    # 序时: 1000 × 1.06² from the 2025 base; the actual growth since 2025
    assert (gdp[column["2025年基数"]], gdp[column["2027年"]]) == (1000, 1130)
    assert (gdp[column["序时进度要求"]], gdp[column["实际年均增速(%)"]]) == (1123.6, 6.3)
    template = tmp_path / "模板.xlsx"
    assert run("export-template", template, "--plan", "某某区十五五").exit_code == 0
    assert "2030年目标" in [c.value for c in load_workbook(template)["主要指标完成情况表"][4]]
    default = run("export", "--plan", "某某区十五五", "--year", "2027")
    assert "十五五规划实施监测_截至2027年_20270715.xlsx" in default.output


def test_forms_follow_the_plan(run, fifteenth, tmp_path):
    from openpyxl import load_workbook

    from exports.forms import HEADER_ROW, INDICATOR_SHEET

    folder = tmp_path / "forms"
    result = run("forms", "--plan", "某某区十五五", "--year", "2027", "--output", folder)
    assert result.exit_code == 0, result.output
    [form] = [p for p in folder.glob("*.xlsx") if "发展改革委" in p.name]
    sheet = load_workbook(form)[INDICATOR_SHEET]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[3:7] == ["上年值（2026年）", "2030年目标", "年均增速", "2027年实际值"]
    assert "“十五五”" in sheet["A2"].value
    assert run("forms", "--plan", "某某区十五五", "--year", "2025").exit_code == 2  # the base year is not reported
    result = run("import-forms", form, "--plan", "某某区十五五", "--dry-run")
    assert result.exit_code == 0 and "拒绝 0 个文件" in result.output  # its 2030 column reads back as issued


def test_the_finder_s_plan_end_and_review_defaults_are_the_plan_s(run, fifteenth):
    from db.engine import open_database
    from db.plan_store import find_plan
    from db.projects import accept_proposal, add_proposal, list_proposals

    database = open_database(Path(_db_path()))
    try:
        with database.session() as session:
            plan = find_plan(session, "某某区十五五")
            targets = list_proposals(session, plan.id, "target")
            firms = next(p for p in targets if p.data["metric"].endswith("高新技术企业"))
            assert firms.data["year"] == 2030  # 「期末」 is the end of this plan
            by_hand = add_proposal(session, plan.id, "target", {"metric": "城市书房", "value": "20", "unit": "家"})
            assert next(p for p in list_proposals(session, plan.id, "target") if p.id == by_hand).data["year"] == 2030
            from db.indicators import get_indicator

            view = get_indicator(session, accept_proposal(session, firms.id, origin="cli"))
            assert (view.base_year, view.target_year) == (2025, 2030)
    finally:
        database.dispose()


def _db_path() -> str:
    import os

    return os.environ["GUIHUA_DB"]


def test_import_plan_period_option(run, tmp_path):
    silent = tmp_path / "无期.txt"
    silent.write_text(FIFTEENTH_PLAN.replace("第十五个五年规划纲要", "发展规划纲要").replace("“十五五”时期", "今后五年")
                      .replace("“十四五”时期", "过去五年"), encoding="utf-8")
    result = run("import-plan", silent)
    assert result.exit_code == 2
    assert "没有写明规划期" in result.stderr and "--period" in result.stderr and "没有导入任何内容" in result.stderr
    names = [p["name"] for p in json.loads(run("plans", "--json").stdout)]
    result = run("import-plan", silent, "--period", "2026-2030", "--name", "无期规划")
    assert result.exit_code == 0 and "规划期 2026—2030年" in result.output
    bad = run("import-plan", silent, "--period", "2026-2050")
    assert bad.exit_code == 2 and "不是规划期" in bad.stderr
    assert [p["name"] for p in json.loads(run("plans", "--json").stdout)] == [*names, "无期规划"]
    # a correction at re-import moves the plan and its indicators to the corrected years
    catalogue = write_catalogue(tmp_path / "目录.csv", "2025年基数", "2030年目标")
    assert run("import-catalogue", catalogue, "--plan", "无期规划").exit_code == 0
    assert run("import-plan", silent, "--period", "2031-2035", "--name", "无期规划").exit_code == 0
    items = json.loads(run("indicators", "--plan", "无期规划", "--json").stdout)
    assert list(items[0]["values"]) == ["2030", "2031", "2032", "2033", "2034", "2035"]


async def test_the_grid_shows_the_plan_s_years(run, fifteenth):
    from db.engine import open_database
    from db.plan_store import find_plan
    from tests.helpers import QuietApp
    from tui.grid import GridScreen

    database = open_database(Path(_db_path()))
    try:
        with database.session() as session:
            plan_id = find_plan(session, "某某区十五五").id
        app = QuietApp(database, plan_id=plan_id)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await pilot.press("f3")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            grid = app.screen
            assert isinstance(grid, GridScreen)
            assert grid.years == [2025, 2026, 2027, 2028, 2029, 2030] and grid.as_of == 2027
            labels = [str(c.label).strip() for c in grid.table.columns.values()]
            assert labels[2:8] == ["2025", "2026", "2027", "2028", "2029", "2030"]
            energy = next(v for v in grid.views if v.name.startswith("单位地区生产总值能源消耗"))
            assert "较2025年下降10%以上" in [t.describe(grid.period) for t in energy.targets()]
    finally:
        database.dispose()


def test_a_corrected_period_survives_a_re_import(run, tmp_path):
    plan_file = tmp_path / "十五五.txt"
    plan_file.write_text(FIFTEENTH_PLAN, encoding="utf-8")
    assert run("import-plan", plan_file, "--name", "更正", "--period", "2027-2031").exit_code == 0

    def period():
        return next(p["period"] for p in json.loads(run("plans", "--json").stdout) if p["name"] == "更正")

    assert period() == {"base_year": 2026, "first_year": 2027, "target_year": 2031}
    result = run("import-plan", plan_file, "--name", "更正")  # the text says 十五五; the office said otherwise
    assert result.exit_code == 0 and "规划期 2027—2031年" in result.output
    assert period() == {"base_year": 2026, "first_year": 2027, "target_year": 2031}
