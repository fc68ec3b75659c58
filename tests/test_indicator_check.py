"""The plan's own main-indicator table, confirmed by the office: db.plan_indicators on a real database, the
import hook, `guihua indicator-proposals`, and the 「核对主要指标」 screen driven by keys through Pilot.

A small synthetic 十五五 plan is imported next to the bundled 十四五 plan (whose 28 main indicators come from
its catalogue, so it gets no proposals)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlmodel import select

from core.errors import UserInputError
from core.indicator_table import read_indicator_table
from core.plan_text import parse_plan
from db.audit import ConcurrentEditError, UnitAccessError, bind_user_unit
from db.indicators import history, list_indicators
from db.models import ChangeLog, PlanBlock
from db.plan_indicators import (
    accept_indicator_proposals,
    edit_indicator_proposal,
    list_indicator_proposals,
    pending_count,
    propose_indicators,
    propose_plan_indicators,
    reject_indicator_proposal,
    reopen_indicator_proposal,
)
from importers.plan import import_plan_text

PLAN = """某某区国民经济和社会发展第十五个五年规划纲要

第一章 发展基础

　　“十四五”以来，全区经济平稳增长，地区生产总值达到 500 亿元。

第二章 主要目标

　　到2030年，经济实力明显增强，人民生活水平持续提高。

表1 “十五五”经济社会发展主要指标
类别\t序号\t指标\t2025年\t2030年目标\t属性
经济强\t1\t地区生产总值（亿元）\t500\t700\t预期性
\t2\t研发经费投入强度（%）\t2.8\t3.5以上\t预期性
百姓富\t3\t城镇调查失业率（%）\t4.5\t＜5\t预期性
\t4\t每千人口拥有医护人员数\t执业（助理）医师数（人）\t3.2\t3.6\t预期性
\t\t注册护士数（人）\t3.9\t4.3
环境美\t5\t单位地区生产总值能源消耗降低（%）\t—\t13.5/14\t约束性
\t6\t生产安全事故\t死亡人数下降（%）\t—\t〔15〕\t约束性
注：带〔〕数据表示“十五五”期间累计变化情况。

第三章 产业发展

第一节 工业

　　工业发展。
"""
NAMES = [
    "地区生产总值",
    "研发经费投入强度",
    "城镇调查失业率",
    "每千人口拥有医护人员数：执业（助理）医师数",
    "每千人口拥有医护人员数：注册护士数",
    "单位地区生产总值能源消耗降低",
    "生产安全事故：死亡人数下降",
]
SIZE = (140, 40)


@pytest.fixture(autouse=True)
def user(monkeypatch):
    monkeypatch.setenv("GUIHUA_USER", "测试员")


@pytest.fixture
def plan_id(database) -> int:
    """The synthetic 十五五 plan, imported as an office would: its table's rows are now pending proposals."""
    return import_plan_text(database, PLAN.encode("utf-8"), source_name="十五五.txt").plan_id


def views(database, plan_id, status=None):
    with database.session() as session:
        return list_indicator_proposals(session, plan_id, status)


def by_name(database, plan_id):
    return {v.name: v for v in views(database, plan_id)}


# ----------------------------------------------------------------------------------------------------------
# Proposing


def test_import_proposes_the_plans_own_table(database, plan_id):
    items = views(database, plan_id)
    assert [v.name for v in items] == NAMES
    assert all(v.status == "pending" for v in items)
    first = items[0]
    assert (first.category, first.number, first.unit, first.attribute, first.base_text, first.target_text) == (
        "经济强", "1", "亿元", "预期性", "500", "700")
    assert (first.base_year, first.target_year) == (2025, 2030)
    assert first.table == "表1 “十五五”经济社会发展主要指标"
    nurses = items[4]
    assert (nurses.category, nurses.number, nurses.unit, nurses.attribute, nurses.parent) == (
        "百姓富", "4", "人", "预期性", "每千人口拥有医护人员数")
    deaths = items[6]
    assert deaths.target_text == "〔15〕" and "表注" in deaths.note
    assert deaths.warnings == []  # 〔15〕 on a 下降 row: the reduction over the period, which core.targets reads
    assert items[5].warnings == ["“单位地区生产总值能源消耗降低”的目标“13.5/14”含两个数（/ 分隔），一项指标只能跟踪一个目标，可拆成两项或只保留一个。"]
    # each row points at its line of the stored table, for the reader
    with database.session() as session:
        for view in items:
            block = session.get(PlanBlock, view.block_id)
            assert block is not None and block.kind == "table_cell"
            assert view.sentence.split("\n")[0] == block.text
    assert "注册护士数" in nurses.sentence


def test_a_plan_with_main_indicators_gets_no_proposals(database, seed_plan):
    with database.session() as session:
        assert list_indicator_proposals(session, 1) == []
        assert propose_plan_indicators(session, 1, seed_plan) == 0
        table = read_indicator_table(["序号\t指标\t2025年目标\t属性", "1\t新指标（%）\t5\t预期性"])
        assert propose_indicators(session, 1, table) == 0
        assert list_indicator_proposals(session, 1) == []


def test_proposing_again_adds_only_new_rows_and_never_touches_reviewed_ones(database, plan_id):
    items = by_name(database, plan_id)
    with database.session() as session:
        edit_indicator_proposal(session, items["地区生产总值"].id, {"unit": "亿元（现价）"})
        reject_indicator_proposal(session, items["城镇调查失业率"].id)
    # the same file again: nothing new, nothing changed
    import_plan_text(database, PLAN.encode("utf-8"), source_name="十五五.txt")
    again = by_name(database, plan_id)
    assert list(again) == NAMES
    assert again["地区生产总值"].unit == "亿元（现价）"
    assert again["城镇调查失业率"].status == "rejected"
    with database.session() as session:  # the new text's cells, found again by the row's first line
        for view in again.values():
            block = session.get(PlanBlock, view.block_id)
            assert block is not None and block.text == view.sentence.split("\n")[0]
    # a corrected table: untouched rows take the new reading, reviewed ones keep theirs, new rows are added
    changed = (PLAN.replace("2.8\t3.5以上", "2.8\t3.6以上").replace("\t500\t700\t", "\t500\t800\t")
               .replace("4.5\t＜5", "4.5\t＜5.5")
               .replace("注：", "\t7\t林木覆盖率（%）\t25\t26\t约束性\n注："))
    import_plan_text(database, changed.encode("utf-8"), source_name="十五五.txt")
    after = by_name(database, plan_id)
    assert list(after) == [*NAMES, "林木覆盖率"]
    assert after["研发经费投入强度"].target_text == "3.6以上"
    assert after["地区生产总值"].target_text == "700"  # edited by the office: left alone
    assert after["城镇调查失业率"].target_text == "＜5"  # rejected: left alone
    assert after["林木覆盖率"].status == "pending" and after["林木覆盖率"].ordinal == 8


# ----------------------------------------------------------------------------------------------------------
# Editing, rejecting, accepting


def test_edits_are_checked_before_they_are_saved(database, plan_id):
    items = by_name(database, plan_id)
    deaths = items["生产安全事故：死亡人数下降"]
    with database.session() as session:
        with pytest.raises(UserInputError, match="指标名称不能为空"):
            edit_indicator_proposal(session, deaths.id, {"name": "  "})
        with pytest.raises(UserInputError, match="属性“必须性”无效"):
            edit_indicator_proposal(session, deaths.id, {"attribute": "必须性"})
        with pytest.raises(UserInputError) as refused:
            edit_indicator_proposal(session, deaths.id, {"target_text": "下降两成15"})
        assert "目标“下降两成15”不能自动读取" in refused.value.message and "5以上" in refused.value.message
        with pytest.raises(UserInputError, match="已有名为“地区生产总值”的待确认指标"):
            edit_indicator_proposal(session, deaths.id, {"name": "地区生产总值"})
        # the table's own text may stay as printed while another field is corrected
        view = edit_indicator_proposal(session, deaths.id, {"unit": "％", "category": " 安全 "})
        assert (view.unit, view.category, view.target_text) == ("%", "安全", "〔15〕")
        # a readable rewriting clears the warning; words alone are a qualitative target
        view = edit_indicator_proposal(session, deaths.id, {"target_text": "15"})
        assert view.target_text == "15" and view.warnings == []
        view = edit_indicator_proposal(session, deaths.id, {"target_text": "完成市下达目标"})
        assert view.warnings == [] and view.reviewed_by == "测试员"
    assert by_name(database, plan_id)["生产安全事故：死亡人数下降"].target_text == "完成市下达目标"


def test_accept_all_makes_the_plans_main_indicators(database, plan_id):
    with database.session() as session:
        made = accept_indicator_proposals(session, plan_id, user="张三", origin="cli")
    assert len(made) == len(NAMES)
    with database.session() as session:
        indicators = list_indicators(session, plan_id, kind="main")
        assert [v.name for v in indicators] == NAMES
        gdp, rnd = indicators[0], indicators[1]
        assert (gdp.category, gdp.unit, gdp.attribute, gdp.target_text, gdp.base_year, gdp.target_year) == (
            "经济强", "亿元", "预期性", "700", 2025, 2030)
        assert gdp.values == {2025: Decimal("500")} and gdp.years[2025].source == "规划纲要主要指标表"
        assert rnd.values == {2025: Decimal("2.8")}
        energy = indicators[5]
        assert energy.values == {} and energy.target_text == "13.5/14" and energy.binding
        assert indicators[6].note.startswith("带〔〕的数为规划期累计数")
        block = session.get(PlanBlock, gdp.table_block_id)
        assert block is not None and "地区生产总值" in block.text
        logged = session.exec(select(ChangeLog).where(ChangeLog.indicator_id == gdp.id)).all()
        assert {(c.field, c.user_name, c.origin) for c in logged} == {
            ("name", "张三", "cli"), ("actual", "张三", "cli"), ("source", "张三", "cli")}
        assert [e.label for e in history(session, gdp.id)]
        assert pending_count(session, plan_id) == 0
        # the plan now has main indicators: no more proposals, and accepting again does nothing
        assert propose_plan_indicators(session, plan_id, parse_plan(PLAN)) == 0
        assert accept_indicator_proposals(session, plan_id) == []
    assert {v.status for v in views(database, plan_id)} == {"accepted"}


def test_accepting_some_and_all_or_nothing(database, plan_id):
    items = by_name(database, plan_id)
    with database.session() as session:
        made = accept_indicator_proposals(session, plan_id, [items["城镇调查失业率"].id])
        assert [v.name for v in list_indicators(session, plan_id)] == ["城镇调查失业率"]
        # accepting the same one again returns what it became
        assert accept_indicator_proposals(session, plan_id, [items["城镇调查失业率"].id]) == made
        reject_indicator_proposal(session, items["地区生产总值"].id)
        with pytest.raises(UserInputError, match="地区生产总值 已舍弃"):
            accept_indicator_proposals(session, plan_id, [items["地区生产总值"].id, items["研发经费投入强度"].id])
        # a name taken meanwhile refuses the whole batch: nothing written
        edit_indicator_proposal(session, items["研发经费投入强度"].id, {"name": "研发投入"})
        from db.models import Indicator

        session.add(Indicator(plan_id=plan_id, kind="text", ordinal=99, name="研发投入", base_year=2025,
                              target_year=2030))
        session.commit()
        with pytest.raises(UserInputError, match="已有同名的指标：研发投入"):
            accept_indicator_proposals(session, plan_id)
        assert [v.name for v in list_indicators(session, plan_id)] == ["城镇调查失业率"]
        assert pending_count(session, plan_id) == 5
    # the rejected one can come back, and an accepted one can neither be rejected nor reopened
    with database.session() as session:
        assert reopen_indicator_proposal(session, items["地区生产总值"].id).status == "pending"
        with pytest.raises(UserInputError, match="不能舍弃"):
            reject_indicator_proposal(session, items["城镇调查失业率"].id)
        with pytest.raises(UserInputError, match="不能再修改"):
            edit_indicator_proposal(session, items["城镇调查失业率"].id, {"unit": "‰"})


def test_a_decision_on_a_stale_view_is_refused(database, plan_id):
    first = views(database, plan_id)[0]
    with database.session() as session:
        edit_indicator_proposal(session, first.id, {"unit": "万亿元"}, user="张三")
    with database.session() as session:
        with pytest.raises(ConcurrentEditError) as refused:
            reject_indicator_proposal(session, first.id, expected_version=first.version)
        assert refused.value.message.startswith("没有保存：张三 于 ") and "地区生产总值" in refused.value.message
        with pytest.raises(ConcurrentEditError):
            accept_indicator_proposals(session, plan_id, expected_versions={first.id: first.version})
        assert list_indicators(session, plan_id) == []
        current = list_indicator_proposals(session, plan_id)[0]
        assert reject_indicator_proposal(session, first.id, expected_version=current.version).status == "rejected"


def test_only_the_office_confirms_main_indicators(database, plan_id):
    first = views(database, plan_id)[0]
    with database.session() as session:
        bind_user_unit(session, "李四", "区发改委")
        with pytest.raises(UnitAccessError, match="主要指标由规划办确认"):
            accept_indicator_proposals(session, plan_id, user="李四")
        with pytest.raises(UnitAccessError):
            edit_indicator_proposal(session, first.id, {"unit": "元"}, user="李四")
        assert list_indicators(session, plan_id) == [] and pending_count(session, plan_id) == len(NAMES)


# ----------------------------------------------------------------------------------------------------------
# The command line


@pytest.fixture
def cli(database, plan_id, monkeypatch, tmp_path):
    from tui import cli as cli_module
    from tui.cli_indicators import indicator_proposals

    monkeypatch.setitem(cli_module.main.commands, "indicator-proposals", indicator_proposals)
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    monkeypatch.setattr("tui.cli.open_db", lambda ctx: database)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli_module.main, list(args), catch_exceptions=False)


@pytest.mark.sqlite_only
def test_cli_lists_and_accepts_all(cli, database, plan_id):
    listed = cli("indicator-proposals", "--plan", str(plan_id))
    assert listed.exit_code == 0, listed.output
    assert "地区生产总值（亿元）  预期性  目标 700  基数 500" in listed.output
    assert "⚠ “单位地区生产总值能源消耗降低”的目标“13.5/14”含两个数" in listed.output
    assert "共 7 项：待确认 7" in listed.output and "--accept-all" in listed.output
    data = json.loads(cli("indicator-proposals", "--plan", str(plan_id), "--json").output)
    assert [p["name"] for p in data["proposals"]] == NAMES and data["accepted"] == []
    accepted = cli("indicator-proposals", "--plan", str(plan_id), "--accept-all")
    assert accepted.exit_code == 0 and "已确认 7 项主要指标" in accepted.output
    with database.session() as session:
        assert [v.name for v in list_indicators(session, plan_id)] == NAMES
    bundled = cli("indicator-proposals", "--plan", "1")
    assert "没有从主要指标表读出的待确认指标（已有主要指标" in bundled.output
    missing = cli("indicator-proposals", "--plan", "999")
    assert missing.exit_code != 0 and "错误" in missing.stderr


def test_the_command_imports_no_textual():
    import subprocess
    import sys

    script = "import sys, tui.cli_indicators; print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "CLEAN", result.stderr


# ----------------------------------------------------------------------------------------------------------
# The screen


@pytest.mark.sqlite_only
async def test_check_screen_edit_a_unit_reject_and_accept_all_with_keys(database, plan_id):
    from tests.helpers import QuietApp, settle
    from tui.forms import ConfirmScreen
    from tui.help import HelpScreen
    from tui.indicator_check import IndicatorCheckScreen, IndicatorForm

    app = QuietApp(database, plan_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = IndicatorCheckScreen()
        await app.push_screen(screen)
        await settle(pilot)
        table = screen.table
        assert table.row_count == len(NAMES)
        assert [table.get_cell(str(v.id), "name").plain for v in views(database, plan_id)] == NAMES
        title = str(screen.query_one("#check-title").render())
        assert "待确认 7 项" in title and "1 项需核对" in title
        assert screen.current().name == "地区生产总值"
        assert "表中原文" in str(screen.query_one("#check-detail").render())
        # ? shows this screen's keys
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        # Enter edits: the unit (third field) becomes 万元
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, IndicatorForm)
        assert form.query_one("#field-unit").value == "亿元"
        await pilot.press("tab", "tab", *["backspace"] * 4, *"万元", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert by_name(database, plan_id)["地区生产总值"].unit == "万元"
        assert table.get_cell(str(screen.current().id), "unit").plain == "万元"
        assert "已保存修改" in str(screen.query_one("#check-status").render())
        # a target progress cannot read is refused in the form, which stays open
        await pilot.press("down", "e")
        await settle(pilot)
        await pilot.press(*["tab"] * 5, *["backspace"] * 6, *"约3成5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, IndicatorForm)
        assert "不能自动读取" in str(app.screen.query_one("#fields-error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert by_name(database, plan_id)["研发经费投入强度"].target_text == "3.5以上"
        # r sets the second row aside; the cursor moves on to the next pending one
        await pilot.press("r")
        await settle(pilot)
        assert by_name(database, plan_id)["研发经费投入强度"].status == "rejected"
        assert screen.current().name == "城镇调查失业率"
        # a accepts all pending rows, after a question
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "确认全部 6 项指标？" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(pilot)
        with database.session() as session:
            assert list_indicators(session, plan_id) == []
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert "已确认 6 项主要指标" in str(screen.query_one("#check-status").render())
        assert table.get_cell(str(by_name(database, plan_id)["地区生产总值"].id), "status").plain == "已确认"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
    with database.session() as session:
        indicators = list_indicators(session, plan_id, kind="main")
    names = [n for n in NAMES if n != "研发经费投入强度"]
    assert [v.name for v in indicators] == names
    assert indicators[0].unit == "万元" and indicators[0].values == {2025: Decimal("500")}


async def test_f9_opens_the_check_screen_from_the_reader(tmp_path):
    """The app's own key reaches the check screen (no screen registry needed)."""
    from db.engine import open_database
    from importers.plan import ensure_bundled_plan
    from tui.app import GuihuaApp
    from tui.indicator_check import IndicatorCheckScreen

    database = open_database(tmp_path / "f9.sqlite3")
    ensure_bundled_plan(database)
    app = GuihuaApp(database)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, IndicatorCheckScreen)
    database.dispose()


def test_the_review_queue_leaves_indicator_proposals_to_their_own_screen(database, plan_id):
    from db.projects import accept_proposal, list_proposals

    with database.session() as session:
        ids = [v.id for v in list_indicator_proposals(session, plan_id)]
        assert ids
        assert not [v for v in list_proposals(session, plan_id) if v.id in ids]
        with pytest.raises(UserInputError, match="核对主要指标"):
            accept_proposal(session, ids[0], user="office")


def test_indicators_from_a_box_table_keep_their_cell_after_a_reimport(database):
    """Nanjing-style: the table is a 专栏 box. Re-importing the text relinks each indicator to its row."""
    from db.indicators import link_to_text
    from db.models import Indicator, PlanBlock

    text = """某区国民经济和社会发展第十五个五年规划纲要
第一章 主要目标
　　到2030年，全区经济实力明显增强。
专栏1 “十五五”经济社会发展主要指标
指标    属性    2030年目标
常住人口城镇化率（%）    预期性    85
人均预期寿命（岁）    预期性    ≥85
第二章 保障措施
　　加强组织领导。
"""
    result = import_plan_text(database, text.encode("utf-8"), source_name="box.txt", name="专栏表规划")
    with database.session() as session:
        accept_indicator_proposals(session, result.plan_id, user="office")
    import_plan_text(database, (text + "　　补充一句。\n").encode("utf-8"), source_name="box.txt", name="专栏表规划")
    with database.session() as session:
        link_to_text(session, result.plan_id)
        rows = session.exec(select(Indicator).where(Indicator.plan_id == result.plan_id).order_by(Indicator.ordinal)).all()
        cells = [session.get(PlanBlock, row.table_block_id) for row in rows]
        assert [c.text.split("\t")[0] for c in cells] == ["常住人口城镇化率（%）", "人均预期寿命（岁）"]
