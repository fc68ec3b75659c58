"""Several plans in one database, driven through the real app with keys: the open plan is named on every
screen, F7 switches plans (and the choice is remembered), the newest import opens by default, F8 imports a
plan file off the event loop and opens it, and the palette carries the previous plan's base values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.indicators import find_indicator, get_indicator, list_indicators, record_actual
from db.models import Indicator
from db.plan_store import default_plan_id, find_plan, remember_plan_choice
from importers.plan import import_plan_text
from tests.helpers import QuietApp, settle
from tests.test_continuity import NEW_PLAN, OLD_NAME, plan_snapshot
from tui.actions import ContinuityScreen, PlanImportedScreen, PlanImportScreen, complete_path
from tui.app import GuihuaApp, PlanBadge
from tui.help import HelpScreen
from tui.pickers import PlanPicker
from tui.widgets import OutlineTree

SIZE = (120, 36)
NEW_NAME = "某区十五五规划"
OTHER_PLAN = NEW_PLAN.replace("第十五个五年规划纲要", "第十五个五年规划纲要（修订稿）").replace("某区", "另一区")


def badge(app: GuihuaApp) -> str:
    """The plan named at the top right of the screen showing now ("" when hidden)."""
    found = app.screen.query(PlanBadge)
    if not found or not found.first().display:
        return ""
    return str(found.first().content)


def chapters(app: GuihuaApp) -> list[str]:
    return [str(node.label) for node in app.query_one(OutlineTree).root.children]


def import_new_plan(database, text: str = NEW_PLAN, source: str = "十五五规划纲要.txt") -> int:
    return import_plan_text(database, text.encode("utf-8"), source_name=source).plan_id


def old_plan_id(database) -> int:
    with database.session() as session:
        return find_plan(session, OLD_NAME).id


# ----------------------------------------------------------------------------------------------------------
# Which plan opens


def test_default_plan_is_the_newest_until_the_user_chooses(database):
    old_id = old_plan_id(database)
    with database.session() as session:
        assert default_plan_id(session) == old_id  # only the bundled plan
    new_id = import_new_plan(database)
    with database.session() as session:
        assert default_plan_id(session) == new_id  # the newest import
        remember_plan_choice(session, old_id)
        assert default_plan_id(session) == old_id  # the user's choice
    other_id = import_new_plan(database, OTHER_PLAN, "另一区.txt")
    with database.session() as session:
        assert default_plan_id(session) == other_id  # a plan imported after the choice wins
        remember_plan_choice(session, new_id)
        assert default_plan_id(session) == new_id


async def test_header_shows_the_open_plan_and_f7_switches_every_screen(database):
    old_id = old_plan_id(database)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.plan_id == old_id
        assert badge(app) == ""  # one plan: nothing to tell apart (the status line names it)
    new_id = import_new_plan(database)
    with database.session() as session:
        session.add(Indicator(plan_id=new_id, ordinal=1, category="经济发展", name="地区生产总值", unit="亿元",
                              base_year=2025, target_year=2030))
        session.commit()
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # the newest imported plan opens by default, named on the reader and in the sub-title
        assert (app.plan_id, app.sub_title) == (new_id, NEW_NAME)
        assert badge(app) == NEW_NAME and NEW_NAME in app.screen_text_for_tests().splitlines()[0]
        assert chapters(app) == ["序言", "第一章 发展基础", "第二章 主要目标"]
        await pilot.press("f3")
        await settle(pilot)
        assert app.current_mode == "grid" and badge(app) == NEW_NAME
        assert app.screen.years == list(range(2025, 2031))  # the new plan's own years
        assert [v.name for v in app.screen.views] == ["地区生产总值"]

        await pilot.press("f7")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PlanPicker)
        listed = app.screen_text_for_tests()
        assert "某区十五五规划  2026—2030年  （当前）" in listed
        assert "泰州医药高新区（高港区）十四五规划  2021—2025年" in listed
        assert "13 章 · 主要指标 28 项" in listed and "导入于" in listed
        assert [p.id for p in picker.plans] == [new_id, old_id]  # newest first
        await pilot.press("down", "enter")
        await settle(pilot)
        # the grid (still the screen shown) now holds the old plan, with its own years and figures
        assert (app.plan_id, app.current_mode) == (old_id, "grid")
        assert badge(app) == OLD_NAME
        assert app.screen.years == list(range(2020, 2026))
        assert len(app.screen.views) == 28
        await pilot.press("f2")
        await settle(pilot)
        assert chapters(app)[0] == "前言" and badge(app) == OLD_NAME
        for key in ("f4", "f5", "f6"):
            await pilot.press(key)
            await settle(pilot)
            assert badge(app) == OLD_NAME, key
        # search reads the open plan only
        await pilot.press("f2", "slash", *"发展基础", "enter")
        await settle(pilot)
        assert app.reader.hits and all(h.node_id in {n.id for n in app.reader.outline_nodes} for h in app.reader.hits)
        await pilot.press("escape")

        # the number in front of a plan opens it too; Esc keeps the open one
        await pilot.press("f7", "escape")
        await settle(pilot)
        assert app.plan_id == old_id
        await pilot.press("f7", "1")
        await settle(pilot)
        assert app.plan_id == new_id and chapters(app)[0] == "序言"
        assert not app.reader.hits  # the previous plan's search results are gone
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen.years == list(range(2025, 2031)) and len(app.screen.views) == 1


async def test_the_choice_is_remembered_across_a_restart(database):
    old_id = old_plan_id(database)
    new_id = import_new_plan(database)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.plan_id == new_id
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert app.plan_id == old_id
        # read somewhere in the old plan: the place is remembered per plan
        await pilot.press("down", "enter")
        await settle(pilot)
        place = app.query_one(OutlineTree).cursor_node.data
        await pilot.press("q")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.plan_id == old_id and badge(app) == OLD_NAME
        assert app.query_one(OutlineTree).cursor_node.data == place
    with database.session() as session:
        assert find_plan(session, None).id == old_id  # the command line's default follows the choice
    other_id = import_new_plan(database, OTHER_PLAN, "另一区.txt")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.plan_id == other_id  # imported since the choice: the newest opens


async def test_help_and_palette_name_the_plan_keys(database):
    import_new_plan(database)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("f2", "f3", "f4", "f5", "f6"):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen), key
            rows = {keys: what for _, section in app.screen.sections for keys, what in section}
            listed = {keys: what for keys, what in rows.items() if keys.startswith("F7")}
            assert listed and any("切换规划" in what for what in listed.values()), key
            assert any("导入规划文件" in what for keys, what in rows.items() if "F8" in keys), key
            await pilot.press("escape")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"切换规划", "导入规划文件…", "承接上一规划的基数"} <= set(titles)


# ----------------------------------------------------------------------------------------------------------
# Importing a plan from the TUI


async def test_f8_imports_a_plan_file_and_opens_it(database, tmp_path):
    old_id = old_plan_id(database)
    record_old = plan_snapshot(database, old_id)
    folder = tmp_path / "规划 文件"
    folder.mkdir()
    (folder / "十五五规划纲要.txt").write_text(NEW_PLAN, encoding="gb18030")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.plan_id == old_id
        await pilot.press("f3")  # from the grid: the new plan opens there too
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, PlanImportScreen)
        box = app.screen.query_one("#plan-import-path")
        box.value = ""
        await pilot.press(*str(folder / "十五"), "tab")  # Tab completes the file name
        await settle(pilot)
        assert box.value == str(folder / "十五五规划纲要.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PlanImportedScreen)
        summary = app.screen_text_for_tests()
        assert "已导入规划「某区十五五规划」" in summary and "2 章、2 节、" in summary and "段落" in summary
        await pilot.press("escape")
        await settle(pilot)
        assert app.plan_name == NEW_NAME and app.current_mode == "grid" and badge(app) == NEW_NAME
        assert app.screen.views == []  # the new plan's grid: no indicators until its catalogue is imported
        await pilot.press("f2")
        await settle(pilot)
        assert chapters(app) == ["序言", "第一章 发展基础", "第二章 主要目标"]
    assert plan_snapshot(database, old_id) == record_old  # the old plan is left as it was
    with database.session() as session:
        assert default_plan_id(session) == app.plan_id


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "找不到文件"),
        (b"\x00\x01\x02PK binary", "坏文件.txt："),  # the importer's message names the file
        ("这只是一段文字。\n没有章节。".encode("utf-8"), "没有导入任何内容"),
    ],
    ids=["missing", "binary", "not-a-plan"],
)
async def test_a_bad_plan_file_shows_a_chinese_message(database, tmp_path, monkeypatch, content, expected):
    monkeypatch.chdir(tmp_path)  # the name typed alone, relative to the working folder (Pilot types each key)
    path = tmp_path / "坏文件.txt"
    if content is not None:
        path.write_bytes(content)
    before = plan_snapshot(database, old_plan_id(database))
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        plan_id = app.plan_id
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#plan-import-path").value = ""
        await pilot.press(*path.name, "enter")
        await settle(pilot)
        assert isinstance(app.screen, PlanImportScreen)  # still open, to correct the path
        shown = str(app.screen.query_one("#plan-import-result").content)
        assert expected in shown and "Traceback" not in shown
        assert not app.screen.busy and not app.screen.query_one("#plan-import-path").disabled
        assert app.plan_id == plan_id
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PlanImportScreen)
    assert plan_snapshot(database, old_plan_id(database)) == before


async def test_f8_asks_for_the_period_a_plan_does_not_state(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the name typed alone, relative to the working folder
    path = tmp_path / "无规划期.txt"
    path.write_text("某区发展规划纲要\n第一章 发展基础\n　　全区经济平稳增长。\n第二章 主要任务\n　　建设现代化产业体系。\n",
                    encoding="utf-8")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#plan-import-path").value = ""
        await pilot.press(*path.name, "enter")
        await settle(pilot)
        assert isinstance(app.screen, PlanImportScreen)
        assert "规划期" in str(app.screen.query_one("#plan-import-result").content)
        assert app.screen.focused is app.screen.query_one("#plan-import-period")  # the cursor waits there
        await pilot.press(*"2026-203", "enter")  # a typo is explained, nothing imported
        await settle(pilot)
        assert "不是规划期" in str(app.screen.query_one("#plan-import-result").content)
        app.screen.query_one("#plan-import-period").value = ""
        await pilot.press(*"2026-2030", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PlanImportedScreen)
    with database.session() as session:
        from db.plan_store import plan_period

        assert (plan_period(session, app.plan_id).base_year, plan_period(session, app.plan_id).target_year) == (2025, 2030)


def test_tab_completion_of_paths(tmp_path):
    (tmp_path / "十五五规划纲要.txt").write_text("x", encoding="utf-8")
    (tmp_path / "十五五规划纲要.docx").write_text("x", encoding="utf-8")
    (tmp_path / "资料").mkdir()
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    base = str(tmp_path)
    completed, choices = complete_path(f"{base}/十")
    assert completed == f"{base}/十五五规划纲要." and sorted(choices) == ["十五五规划纲要.docx", "十五五规划纲要.txt"]
    assert complete_path(f"{base}/资") == (f"{base}/资料/", [])
    assert complete_path(f'"{base}/十五五规划纲要.t"') == (f"{base}/十五五规划纲要.txt", [])
    assert complete_path(f"{base}/没有") == (f"{base}/没有", [])
    _, listed = complete_path(f"{base}/")
    assert ".hidden" not in listed and "资料/" in listed


# ----------------------------------------------------------------------------------------------------------
# Carrying base values from the palette


async def test_palette_carries_the_previous_plans_base_values(database):
    old_id = old_plan_id(database)
    new_id = import_new_plan(database)
    with database.session() as session:
        for ordinal, (name, unit) in enumerate([("地区生产总值", "亿元"), ("一般公共预算收入", "亿元")], start=1):
            session.add(Indicator(plan_id=new_id, ordinal=ordinal, category="经济发展", name=name, unit=unit,
                                  base_year=2025, target_year=2030))
        session.commit()
        olds = {v.name: v.id for v in list_indicators(session, old_id)}
        record_actual(session, olds["地区生产总值"], 2025, Decimal("1503.6"), stage="快报", origin="tui")
        record_actual(session, olds["一般公共预算收入"], 2025, Decimal("131.2"), origin="tui")
        revenue = find_indicator(session, new_id, "一般公共预算收入").id
        record_actual(session, revenue, 2025, Decimal("130.8"), origin="tui")  # the office's own
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.plan_id == new_id
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"承接上一规划", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ContinuityScreen)
        text = app.screen_text_for_tests()
        assert "将承接 1503.6" in text and "不覆盖" in text and "名称相同" in text
        assert "来源记为“承接《泰州医药高新区（高港区）十四五规划》2025年实际值”" in app.screen.summary()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ContinuityScreen)
        # the grid shows the carried base at once
        gdp = next(v for v in app.screen.views if v.name == "地区生产总值")
        assert gdp.values[2025] == Decimal("1503.6")
    with database.session() as session:
        gdp_year = get_indicator(session, find_indicator(session, new_id, "地区生产总值").id).years[2025]
        assert (gdp_year.actual, gdp_year.stage) == (Decimal("1503.6"), "快报")
        assert gdp_year.source == "承接《泰州医药高新区（高港区）十四五规划》2025年实际值"
        assert get_indicator(session, revenue).years[2025].actual == Decimal("130.8")


async def test_carrying_into_the_first_plan_says_there_is_none_before_it(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_carry_base_values()
        await settle(pilot)
        assert not isinstance(app.screen, ContinuityScreen)
        assert any("没有找到上一规划" in n.message for n in app._notifications)
