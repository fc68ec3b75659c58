"""The 主要指标 grid driven by keys through Pilot, on a real SQLite file with the bundled plan and its 28 indicators."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from db.indicators import (
    assess_all,
    history,
    indicator_source,
    list_indicators,
    record_actual,
    set_indicator_fields,
)
from db.plan_store import find_plan
from tests.helpers import QuietApp, rendered_text, settle
from tui.forms import ConfirmScreen, IndicatorForm
from tui.grid import DETAIL_DELAY, GridScreen
from tui.help import HelpScreen
from tui.pickers import UnitPicker
from tui.widgets import Reader

SIZE = (140, 40)
GDP = "地区生产总值"

# One plausible 2021 figure per indicator, in grid order; a few typed the way officials type them
# (thousands separators, full-width digits from an IME in full-width mode, a sign).
YEAR_2021 = [
    "1049.7", "95.3", "35.2", "6.1", "45.2", "2.8", "30.5", "48.6", "1,120", "260", "410",
    "８１.２", "9.1", "3.6", "3.2", "2.1", "8", "3.5", "4.1", "85.3", "100", "24.6",
    "11.4", "91.2", "90.5", "9.0", "-5", "98.7",
]


async def type_char(pilot, char: str) -> None:
    """Type one character as a terminal sends it (Pilot's press() drops the character of keys like 「—」)."""
    from textual import events
    from textual.keys import _character_to_key

    event = events.Key(_character_to_key(char), char)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)
    await pilot.pause()


async def detail_settled(pilot) -> None:
    """The detail panel follows the cursor after a short pause (DETAIL_DELAY)."""
    await settle(pilot)
    await pilot.pause(DETAIL_DELAY + 0.1)
    await settle(pilot)


async def open_grid(pilot) -> GridScreen:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, GridScreen)
    return screen


def views_by_name(database) -> dict:
    with database.session() as session:
        plan = find_plan(session, None)
        return {v.name: v for v in list_indicators(session, plan.id)}


def status_line(screen: GridScreen) -> str:
    return str(screen.query_one("#grid-status").content)


def cell(screen: GridScreen, indicator_id: int, column: str) -> str:
    return screen.table.get_cell(str(indicator_id), column).plain


async def test_enter_a_full_year_with_keys_only(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        before = views_by_name(database)
        order = [v.id for v in grid.views]
        assert len(order) == 28 == len(YEAR_2021)
        # the cursor starts on the first indicator's 2021 cell
        assert grid.table.current_indicator() == order[0] and grid.table.current_year() == 2021
        keys: list[str] = []
        for value in YEAR_2021:
            keys.extend(value)
            keys.append("enter")
        assert keys.count("enter") == 28 and len(keys) == sum(map(len, YEAR_2021)) + 28  # nothing else pressed
        await pilot.press(*keys)
        await settle(pilot)
        assert grid.table.current_indicator() == order[-1]  # the last Enter stays on the last row
        assert grid.editing is None
    after = {v.id: v for v in views_by_name(database).values()}
    expected = [Decimal(v.replace(",", "").replace("８", "8").replace("１", "1")) for v in YEAR_2021]
    assert [after[i].values.get(2021) for i in order] == expected
    # nothing else changed: the 2020 bases are as imported
    assert {v.id: v.values.get(2020) for v in after.values()} == {v.id: v.values.get(2020) for v in before.values()}


async def test_tab_moves_right_and_saves_escape_cancels(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press(*"1049.7", "tab")
        await settle(pilot)
        assert grid.table.current_year() == 2022 and grid.table.current_indicator() == gdp.id
        assert views_by_name(database)[GDP].values[2021] == Decimal("1049.7")
        assert "已保存" in status_line(grid)
        # shift+tab saves and moves left
        await pilot.press(*"1133", "shift+tab")
        await settle(pilot)
        assert grid.table.current_year() == 2021
        assert views_by_name(database)[GDP].values[2022] == Decimal("1133")
        # Escape drops what was typed
        await pilot.press(*"999", "escape")
        await settle(pilot)
        assert grid.editing is None and not grid.editor.display
        assert app.focused is grid.table
        assert views_by_name(database)[GDP].values[2021] == Decimal("1049.7")
        assert cell(grid, gdp.id, "y2021") == "1049.7"
        # Enter on a cell edits its value in place
        await pilot.press("enter")
        await settle(pilot)
        assert grid.editing == (gdp.id, 2021) and grid.editor.value == "1049.7"
        await pilot.press("escape")


async def test_editor_sits_on_the_cell_with_the_terminal_cursor(database):
    """A pinyin IME opens where the terminal cursor is: it must be in the editor, over the edited cell."""
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        for _ in range(20):
            await pilot.press("down")  # far enough down that the grid has scrolled
        await pilot.press("right", *"12")
        await settle(pilot)
        table, editor = grid.table, grid.editor
        assert editor.display and editor.has_focus and app.focused is table
        cell_region = table.cell_region(table.cursor_coordinate)
        assert editor.region.x == cell_region.x and editor.region.y == cell_region.y
        assert table.content_region.contains_region(cell_region)
        assert app.cursor_position == editor.cursor_screen_offset
        assert editor.region.contains(*app.cursor_position)
        assert editor.value == "12"
        # keys of the Input work in the editor: ← moves its cursor, Backspace deletes
        await pilot.press("left", "backspace", *"3")
        assert editor.value == "32"
        await pilot.press("escape")


async def test_invalid_value_keeps_old_value_and_says_why(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("left")  # the 2020 base, 971.9
        await pilot.press(*"12,3x", "enter")
        await settle(pilot)
        assert grid.editing == (gdp.id, 2020) and grid.editor.value == "12,3x"  # still editing
        assert "不是数字" in status_line(grid) and "“x”" in status_line(grid)
        assert views_by_name(database)[GDP].values[2020] == Decimal("971.9")
        await pilot.press("escape")
        await settle(pilot)
        assert cell(grid, gdp.id, "y2020") == "971.9"


async def test_clear_with_dash_after_confirmation(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("left")
        await type_char(pilot, "—")
        assert grid.editing == (gdp.id, 2020) and grid.editor.value == "—"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "确定清除 地区生产总值 2020年的数值？" in str(app.screen.query_one("#confirm-question").content)
        await pilot.press("n")  # no: back in the editor, nothing changed
        await settle(pilot)
        assert app.screen is grid and grid.editing == (gdp.id, 2020)
        assert views_by_name(database)[GDP].values[2020] == Decimal("971.9")
        await pilot.press("enter", "y")
        await settle(pilot)
        assert app.screen is grid and grid.editing is None
        assert 2020 not in views_by_name(database)[GDP].values
        assert cell(grid, gdp.id, "y2020") == ""
        assert "已清除" in status_line(grid)
        assert grid.table.current_indicator() != gdp.id  # moved down like any save
        # an emptied entry clears too, after the same question
        await pilot.press("right", "enter", "backspace", "enter")  # 一般公共预算收入 2021: nothing there yet
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen) and grid.editing is None
        await pilot.press("up", "left", "enter", "backspace", "enter")  # its 2020 base, 89.9
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert 2020 not in views_by_name(database)["一般公共预算收入"].values
        # Delete on a cell asks the same; on an empty cell there is nothing to ask
        await pilot.press("up", "delete")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("down", "delete")  # 外贸进出口额 2020: 31.5
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert views_by_name(database)["外贸进出口额"].values[2020] == Decimal("31.5")


async def test_undo_and_redo(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press(*"1049.7", "enter", *"96", "enter")
        await settle(pilot)
        assert views_by_name(database)["一般公共预算收入"].values[2021] == Decimal("96")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert 2021 not in views_by_name(database)["一般公共预算收入"].values
        assert status_line(grid).startswith("已撤销")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert 2021 not in views_by_name(database)[GDP].values
        assert cell(grid, gdp.id, "y2021") == "" and cell(grid, gdp.id, "status") == "尚无数据"
        assert grid.table.current_indicator() == gdp.id  # the cursor went back to the undone cell
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "没有可撤销" in status_line(grid)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert views_by_name(database)[GDP].values[2021] == Decimal("1049.7")
        assert status_line(grid).startswith("已恢复")
        assert cell(grid, gdp.id, "status") == "达到序时进度"
        with database.session() as session:
            entries = history(session, gdp.id)
        assert sum(1 for e in entries if e.undo_of) == 2  # the undo and the redo are both in the log
        assert [e.new for e in entries if e.field == "actual" and e.year == 2021][:3] == ["1049.7", None, "1049.7"]


async def test_undo_refused_when_changed_elsewhere(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press(*"1049.7", "enter")
        await settle(pilot)
        with database.session() as session:  # someone else, on the command line
            record_actual(session, gdp.id, 2021, Decimal("1050"), origin="cli")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "不能撤销" in status_line(grid)
        assert views_by_name(database)[GDP].values[2021] == Decimal("1050")


async def test_r_reads_changes_made_elsewhere(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("right", "right_square_bracket")  # cursor on 2022, status as of 2022
        with database.session() as session:  # the command line, meanwhile
            record_actual(session, gdp.id, 2021, Decimal("1049.7"), origin="cli")
        assert cell(grid, gdp.id, "y2021") == ""
        await pilot.press("r")
        await settle(pilot)
        assert cell(grid, gdp.id, "y2021") == "1049.7" and cell(grid, gdp.id, "status") == "达到序时进度"
        assert grid.as_of == 2022 and grid.table.current_year() == 2022  # the view is kept


async def test_status_and_detail_follow_a_new_value(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await detail_settled(pilot)
        assert cell(grid, gdp.id, "status") == "尚无数据"
        detail = grid.query_one("#detail")

        def detail_text() -> str:
            from rich.console import Console

            console = Console(width=200, record=True)
            console.print(detail.content)
            return console.export_text()

        text = detail_text()
        assert "2025年达到1500亿元（力争）" in text and "年均增长8%左右" in text
        assert "尚无数据" in text
        await pilot.press(*"1049.7", "enter")
        await settle(pilot)
        assert cell(grid, gdp.id, "status") == "达到序时进度"
        await pilot.press("up")
        await detail_settled(pilot)
        text = detail_text()
        assert "达到序时进度" in text and "1049.7" in text
        assert "此后需年均增长" in text  # growth needed from here
        assert "2021年实际值：空 → 1049.7" in text  # the latest change


async def test_income_growth_rejudged_when_gdp_changes(database):
    names = views_by_name(database)
    gdp, income = names[GDP], names["居民人均可支配收入增长"]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        row = grid.table.get_row_index(str(income.id))
        grid.table.move_cursor(row=row)
        await pilot.press(*"8.5", "enter")
        await settle(pilot)
        before = cell(grid, income.id, "status")
        grid.table.move_cursor(row=grid.table.get_row_index(str(gdp.id)))
        await pilot.press(*"1049.7", "enter")
        await settle(pilot)
        with database.session() as session:
            views = list_indicators(session, gdp.plan_id)
            expected = assess_all(session, views, 2021, as_of=True)[income.id].label
        assert cell(grid, income.id, "status") == expected != before


async def test_filters(database):
    names = views_by_name(database)
    with database.session() as session:
        for name in ("常住人口城镇化率", "城镇调查失业率"):
            set_indicator_fields(session, names[name].id, origin="cli", lead_unit="区统计局")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        table = grid.table

        def shown() -> list:
            return [grid.view(int(k.value)) for k in table.rows if not str(k.value).startswith("cat:")]

        await pilot.press("b")
        await settle(pilot)
        # the plan's table marks 8 of its 28 indicators 约束性 (rows 18-23, 26, 27)
        binding = [v.name for v in names.values() if v.attribute == "约束性"]
        assert len(binding) == 8 and [v.name for v in shown()] == binding
        assert "约束性" in table.border_title
        assert not table.is_category(table.cursor_row)
        await pilot.press("b", "c")
        await settle(pilot)
        assert {v.category for v in shown()} == {"经济强"} and len(shown()) == 11
        assert "经济强" in table.border_title
        await pilot.press("c")
        await settle(pilot)
        assert {v.category for v in shown()} == {"百姓富"}
        await pilot.press("x", "s")
        await settle(pilot)
        first_status = grid.filter_status
        assert first_status is not None and all(grid.assessments[v.id].status == first_status for v in shown())
        await pilot.press("x", "u", *"统计", "enter")
        await settle(pilot)
        assert grid.filter_unit == "区统计局" and [v.name for v in shown()] == ["常住人口城镇化率", "城镇调查失业率"]
        assert "牵头单位：区统计局" in table.border_title
        await pilot.press("x")
        await settle(pilot)
        assert len(shown()) == 28 and "筛选" not in table.border_title


async def test_year_selector_changes_status_column(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press(*"1049.7", "tab", *"1090", "enter")
        await settle(pilot)
        assert grid.as_of == 2021 and cell(grid, gdp.id, "status") == "达到序时进度"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert grid.as_of == 2022 and "状态截至2022年" in grid.table.border_title
        assert grid.table.columns[next(k for k in grid.table.columns if k.value == "status")].label.plain == "2022年状态"
        with database.session() as session:
            views = list_indicators(session, gdp.plan_id)
            expected = assess_all(session, views, 2022, as_of=True)[gdp.id].label
        assert cell(grid, gdp.id, "status") == expected != "达到序时进度"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert grid.as_of == 2021 and "2021" in status_line(grid)


async def test_o_jumps_to_the_plan_paragraph(database):
    gdp = views_by_name(database)[GDP]
    with database.session() as session:
        source = indicator_source(session, gdp.id)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await open_grid(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.current_mode == "reader" and app.screen is app.reader_screen
        reader = app.query_one(Reader)
        assert reader.node_id == source.node_id
        lit = reader.lit
        assert lit is not None and "地区生产总值年均增速" in lit.plain.replace(" ", "")
        assert lit.region.intersection(reader.region).area > 0  # scrolled into view
        assert app.focused is reader


async def test_edit_form_saves_lead_unit_and_yearly_target(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, IndicatorForm) and form.year == 2021
        await pilot.press(*"发改委")  # typing opens the unit picker: the short name finds the unit
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and app.focused.id == "f-lead_unit"
        await pilot.press("tab", "tab", "tab", "tab")  # 配合单位, 分管领导, 指标备注 -> 年度目标
        assert app.focused.id == "y-target"
        await pilot.press(*"1050", "enter")
        await settle(pilot)
        assert app.screen is grid
        after = views_by_name(database)[GDP]
        assert after.lead_unit == "区发展改革委" and after.years[2021].target == Decimal("1050")
        assert "已保存" in status_line(grid)
        # a bad yearly target is refused in the form, which stays open
        await pilot.press("e", "tab", "tab", "tab", "tab", "ctrl+a", "ctrl+k", *"abc", "enter")
        await settle(pilot)
        assert isinstance(app.screen, IndicatorForm)
        assert "不是数字" in str(app.screen.query_one("#form-error").content)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is grid
        # one undo takes back the whole form
        await pilot.press("ctrl+z")
        await settle(pilot)
        undone = views_by_name(database)[GDP]
        assert undone.lead_unit == gdp.lead_unit and 2021 not in undone.yearly_targets


async def test_f2_f3_switch_screens_and_help_is_per_screen(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = rendered_text(app.screen.query_one("#help-table").content)
        assert "撤销" in help_text and "只看约束性指标" in help_text and "全文检索" not in help_text
        await pilot.press("escape", "f2")
        await settle(pilot)
        assert app.screen is app.reader_screen and app.query_one(Reader).node_id is not None
        await pilot.press("n")  # reader keys work again; nothing to find, no error
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen is grid  # the same grid, state kept
        # leaving while editing drops the edit
        await pilot.press(*"12", "f2")
        await settle(pilot)
        assert grid.editing is None and app.screen is app.reader_screen
        await pilot.press("f3")
        await settle(pilot)
        assert app.focused is grid.table


def test_grid_snapshot(snap_compare):
    """The grid in Chinese at 140x40, the cursor on a binding indicator that is behind (林木覆盖率, 21 rows down)."""
    app_path = Path(__file__).parent / "snapshot_apps" / "grid_app.py"
    assert snap_compare(str(app_path), terminal_size=(140, 40), press=["f3", "wait:1500", *["down"] * 21, "wait:600"])


async def test_t_switches_to_the_accepted_text_targets_and_values_can_be_entered(database):
    from db.projects import accept_proposal, list_proposals

    with database.session() as session:
        plan_id = find_plan(session, None).id
        target = next(p for p in list_proposals(session, plan_id, "target") if p.data["metric"] == "高新技术企业")
        indicator_id = accept_proposal(session, target.id, origin="tui")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert [v.id for v in grid.views] == [indicator_id]
        assert "文中量化指标" in str(grid.table.border_title)
        assert grid.table.current_indicator() == indicator_id and grid.table.current_year() == 2021
        await pilot.press("2", "6", "0", "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert len(grid.views) == 28
    with database.session() as session:
        text = list_indicators(session, plan_id, kind="text")
    assert text[0].values == {2021: Decimal("260")}


async def test_my_unit_filters_the_grid_too(database):
    from db.indicators import set_indicator_fields
    from db.plan_store import set_state

    views = views_by_name(database)
    with database.session() as session:
        set_indicator_fields(session, views[GDP].id, origin="tui", lead_unit="区发展改革委")
        set_indicator_fields(session, views["城镇调查失业率"].id, origin="tui", lead_unit="区人力资源和社会保障局",
                             partner_units="区发展改革委")
        set_state(session, "ui.my_unit", "区发展改革委")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        shown = [grid.table.get_row_at(i) for i in range(grid.table.row_count)]
        assert grid.shown == 2 and "我的单位：区发展改革委" in str(grid.table.border_title)
        with database.session() as session:
            set_state(session, "ui.my_unit", "")  # changed on another screen
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert grid.shown == 28 and shown


async def test_edit_form_picks_partner_units_from_the_list(database):
    """配合单位: several units, each picked from the list (typing a short name finds it); no free text."""
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        await pilot.press("tab")
        assert app.focused.id == "f-partner_units"
        await pilot.press(*"统计局")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker) and app.screen.multiple
        await pilot.press("enter", *"科技", "enter")  # each Enter adds the highlighted unit
        await pilot.press(*"某某办")
        await settle(pilot)
        assert "单位列表中没有含“某某办”的单位" in str(app.screen.query_one("#picker-note").content)
        await pilot.press(*["backspace"] * 3, "enter")  # empty box: done
        await settle(pilot)
        assert app.screen is form and form.query_one("#f-partner_units").value == "区统计局、区科技局"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is grid
    assert views_by_name(database)[GDP].partner_units == "区统计局、区科技局"


async def test_clearing_filters_after_my_unit_brings_every_row_back(database):
    """Ctrl+U 我的单位 then x: 「已清除筛选」 must mean the rows are back (it left 「我的单位」 set and the grid empty)."""
    from db.plan_store import get_state

    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        await pilot.press(*"发改委")  # the short name finds 区发展改革委
        await pilot.press("enter")
        await settle(pilot)
        assert grid.shown == 0 and "我的单位：区发展改革委" in str(grid.table.border_title)
        await pilot.press("c")  # a second filter on top
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert grid.shown == 28
        assert "已清除筛选" in status_line(grid) and "我的单位" not in str(grid.table.border_title)
        with database.session() as session:
            assert not get_state(session, "ui.my_unit")  # the other screens show everything again too


async def test_a_figure_saved_meanwhile_by_someone_else_is_not_overwritten_unasked(database):
    views = views_by_name(database)
    gdp = views[GDP].id
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        with database.session() as session:  # another department, another guihua
            record_actual(session, gdp, 2021, Decimal("1040"), origin="cli", user="张三")
        await pilot.press("1", "0", "5", "0", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        assert "张三" in pilot.app.screen.question and "1040" in pilot.app.screen.question
        assert cell(grid, gdp, "y2021").strip() == "1040"  # their figure is shown
        assert views_by_name(database)[GDP].values[2021] == Decimal("1040")
        await pilot.press("y")
        await settle(pilot)
    assert views_by_name(database)[GDP].values[2021] == Decimal("1050")
    with database.session() as session:
        users = [e.user for e in history(session, gdp) if e.field == "actual" and e.year == 2021]
    assert users[1] == "张三" and len(users) == 2


def question(app) -> str:
    return str(app.screen.query_one("#confirm-question").content)


async def paste(pilot, text: str) -> None:
    """Paste as a terminal delivers it (bracketed paste)."""
    from textual import events

    event = events.Paste(text)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)
    await settle(pilot)


async def test_a_tenfold_typo_asks_before_saving(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press(*"1290", "tab", *"12900", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "12900亿元" in question(app) and "2021年（1290亿元）" in question(app) and "10 倍" in question(app)
        await pilot.press("escape")  # no: back in the cell's editor, nothing saved
        await settle(pilot)
        assert app.screen is grid and grid.editing == (gdp.id, 2022) and grid.editor.value == "12900"
        assert 2022 not in views_by_name(database)[GDP].values
        await pilot.press("home", "ctrl+k", *"1390", "enter")  # corrected: saved without a question
        await settle(pilot)
        assert app.screen is grid and views_by_name(database)[GDP].values[2022] == Decimal("1390")
        await pilot.press("up", *"12900", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")  # yes: it really is 12900
        await settle(pilot)
        assert app.screen is grid and grid.editing is None
        assert views_by_name(database)[GDP].values[2022] == Decimal("12900")


async def test_a_negative_level_asks_enter_saves(database):
    views = views_by_name(database)
    rate, fall = views["常住人口城镇化率"], views["生产安全事故起数和死亡人数下降"]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        grid.table.move_cursor(row=grid.table.get_row_index(str(rate.id)), animate=False)
        await pilot.press(*"-5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "-5%" in question(app) and "负数" in question(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is grid and views_by_name(database)["常住人口城镇化率"].values[2021] == Decimal("-5")
        grid.table.move_cursor(row=grid.table.get_row_index(str(fall.id)), animate=False)
        await pilot.press(*"-5", "enter")  # a fall may be negative: no question
        await settle(pilot)
        assert app.screen is grid
        assert views_by_name(database)["生产安全事故起数和死亡人数下降"].values[2021] == Decimal("-5")


async def test_paste_a_row_from_excel_spreads_right_and_undoes_as_one(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press(*"1")  # pasted into the open editor of 2021
        await paste(pilot, "1049.7\t1133.6\t1230\t1340.5\r\n")
        assert grid.editing is None
        values = views_by_name(database)[GDP].values
        assert [values.get(y) for y in range(2021, 2025)] == [Decimal(v) for v in ("1049.7", "1133.6", "1230", "1340.5")]
        assert 2025 not in values
        assert [cell(grid, gdp.id, f"y{y}") for y in range(2021, 2025)] == ["1049.7", "1133.6", "1230", "1340.5"]
        assert "已粘贴" in status_line(grid)
        await pilot.press("ctrl+z")  # one undo takes back the whole row
        await settle(pilot)
        values = views_by_name(database)[GDP].values
        assert not any(y in values for y in range(2021, 2025))
        assert status_line(grid).startswith("已撤销") and "粘贴" in status_line(grid)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert views_by_name(database)[GDP].values[2024] == Decimal("1340.5")


async def test_a_pasted_row_with_a_bad_value_is_refused_whole(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await paste(pilot, "13.4\t14.8x\t16.2\t18.5")  # on the cell, no editor open
        assert "没有粘贴" in status_line(grid) and "2022年“14.8x”" in status_line(grid)
        assert not any(y in views_by_name(database)[GDP].values for y in range(2021, 2026))
        await paste(pilot, "1\t2\t3\t4\t5\t6")  # more values than years to the right
        assert "没有粘贴" in status_line(grid) and "6 个数值" in status_line(grid)
        # a typo in the middle is asked about once, naming the year; N leaves everything as it was
        await paste(pilot, "1049.7\t11336\t1230")
        assert isinstance(app.screen, ConfirmScreen)
        assert "2022年的数值 11336亿元" in question(app) and "2021年" not in question(app).split("；")[0][:8]
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is grid and "没有粘贴" in status_line(grid)
        assert not any(y in views_by_name(database)[GDP].values for y in range(2021, 2026))
        # Y saves the row as pasted
        await paste(pilot, "1049.7\t11336\t1230")
        await pilot.press("y")
        await settle(pilot)
        assert views_by_name(database)[GDP].values[2022] == Decimal("11336")
        assert cell(grid, gdp.id, "y2023") == "1230"


async def test_manual_status_shows_as_chinese_in_the_detail_panel(database):
    from db.indicators import set_year_fields

    forest = views_by_name(database)["林木覆盖率"]
    with database.session() as session:
        set_year_fields(session, forest.id, 2021, origin="cli", manual_status="on_track", manual_note="市林业局认定")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        grid.table.move_cursor(row=grid.table.get_row_index(str(forest.id)), animate=False)
        await detail_settled(pilot)
        from rich.console import Console

        console = Console(width=200, record=True)
        console.print(grid.query_one("#detail").content)
        text = console.export_text()
        assert "人工判断：空 → 达到序时进度" in text
        assert "人工判断：达到序时进度，市林业局认定" in text
        assert "on_track" not in text


async def test_a_pasted_row_skips_empty_cells_and_asks_before_clearing(database):
    gdp = views_by_name(database)[GDP]
    with database.session() as session:
        record_actual(session, gdp.id, 2022, Decimal("1133.6"), origin="cli")
        record_actual(session, gdp.id, 2023, Decimal("1230"), origin="cli")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        grid.table.move_cursor(row=grid.table.get_row_index(str(gdp.id)), column=grid.table.get_column_index("y2021"))
        await settle(pilot)
        await paste(pilot, "1049.7\t\t—")  # 2022 left as it is, 2023 cleared after the question
        assert isinstance(app.screen, ConfirmScreen), status_line(grid)
        assert "将清除 2023年的数值 1230" in question(app)
        await pilot.press("enter")
        await settle(pilot)
        values = views_by_name(database)[GDP].values
        assert values[2021] == Decimal("1049.7") and values[2022] == Decimal("1133.6") and 2023 not in values
        await pilot.press("ctrl+z")
        await settle(pilot)
        values = views_by_name(database)[GDP].values
        assert 2021 not in values and values[2023] == Decimal("1230")


async def test_unit_filter_finds_a_unit_by_its_short_name(database):
    """u → 发改委 finds the rows led by 区发展改革委 (core.units' rules, as the pickers and db use them)."""
    names = views_by_name(database)
    with database.session() as session:
        set_indicator_fields(session, names[GDP].id, origin="cli", lead_unit="区发展改革委")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        await pilot.press(*"发改委", "enter")
        await settle(pilot)
        assert app.screen is grid and grid.shown == 1
        assert [grid.view(int(k.value)).name for k in grid.table.rows if not str(k.value).startswith("cat:")] == [GDP]
        await pilot.press("x")
        await settle(pilot)
        assert grid.shown == 28


async def test_status_year_opens_at_the_latest_year_with_data_also_after_t(database):
    from db.projects import accept_proposal, list_proposals

    gdp = views_by_name(database)[GDP]
    with database.session() as session:
        for year, value in ((2021, "1049.7"), (2022, "1133.6"), (2023, "1230")):
            record_actual(session, gdp.id, year, Decimal(value), origin="cli")
        target = next(p for p in list_proposals(session, gdp.plan_id, "target") if p.data["metric"] == "高新技术企业")
        accept_proposal(session, target.id, origin="tui")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_grid(pilot)
        assert grid.as_of == 2023 and "状态截至2023年" in grid.table.border_title
        assert grid.table.current_year() == 2023
        with database.session() as session:
            views = list_indicators(session, gdp.plan_id)
            expected = assess_all(session, views, 2023, as_of=True)[gdp.id].label
        assert cell(grid, gdp.id, "status") == expected  # judged as of 2023, not the plan's first year
        await pilot.press("t")  # the text targets have no figures yet: the plan's latest year still holds
        await settle(pilot)
        assert grid.kind == "text" and grid.as_of == 2023
        await pilot.press("t")
        await settle(pilot)
        assert grid.kind == "main" and grid.as_of == 2023


async def test_status_column_shows_at_the_windows_terminal_default_size(database):
    """120x30: the status column is on screen next to the years (it used to be cut off at the right)."""
    app = QuietApp(database)
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await open_grid(pilot)
        table = grid.table
        status = table.get_column_index("status")
        right = sum(c.get_render_width(table) for c in table.ordered_columns[: status + 1])
        assert right <= table.content_region.width
        assert table.scroll_x == 0


async def test_typing_ahead_while_saves_are_in_flight_keeps_every_key_for_its_cell(slow_database, query_delay):
    """Every statement 200 ms slow: the figures typed after each Enter go to the next rows as typed, the cells show
    them at once, the editor never waits for a save, and all of them are stored in order; one undo takes back
    the last."""
    database = slow_database
    with query_delay.paused():
        names = views_by_name(database)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        with query_delay.paused():
            grid = await open_grid(pilot)
        order = [v.id for v in grid.views][:4]
        typed = ["1049.7", "96", "35.2", "6.1"]
        for value in typed:
            await pilot.press(*value, "enter")
        # the saves are still on their way (4 × several statements × 200 ms): the grid has moved on already
        assert grid.busy and grid.editing is None
        assert [cell(grid, i, "y2021") for i in order] == typed
        await pilot.press(*"4.2")  # a fifth figure typed while saves are pending opens the fifth row's editor
        fifth = grid.table.current_indicator()
        assert fifth not in order and grid.editing == (fifth, 2021) and grid.editor.value == "4.2"
        await pilot.press("escape")
        with query_delay.paused():
            await settle(pilot)
        assert not grid.busy
        with query_delay.paused():
            stored = {v.id: v.values.get(2021) for v in views_by_name(database).values()}
        assert [stored[i] for i in order] == [Decimal(v) for v in typed]
        assert stored[fifth] is None  # the abandoned fifth figure was never saved
        assert len(grid.undo_stack) == 4 and grid.undo_stack[-1].indicator_id == order[-1]
        with query_delay.paused():
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert views_by_name(database)[grid.view(order[-1]).name].values.get(2021) is None
            assert views_by_name(database)[GDP].values[2021] == Decimal("1049.7")
    assert names[GDP].id == order[0]


async def test_status_column_is_frozen_beside_the_name_on_an_80_column_terminal(database):
    gdp = views_by_name(database)[GDP]
    app = QuietApp(database)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await open_grid(pilot)
        table = grid.table
        assert table.get_column_index("status") == 1 and table.fixed_columns == 2
        assert cell(grid, gdp.id, "status") == "尚无数据"
        assert table.max_scroll_y > 0 and table.max_scroll_x > 0  # more rows and columns than fit: it scrolls
        for _ in range(25):
            await pilot.press("down")
        await settle(pilot)
        assert table.scroll_y > 0
        assert table.content_region.contains_region(table.cell_region(table.cursor_coordinate))
        table.move_cursor(row=table.get_row_index(str(gdp.id)), column=table.get_column_index("y2021"))
        await settle(pilot)
        await pilot.press(*"1049.7", "tab")  # typing still goes to the year cell under the cursor
        await settle(pilot)
        assert views_by_name(database)[GDP].values[2021] == Decimal("1049.7")
        await pilot.resize_terminal(140, 40)  # wide again: the status goes back after the years
        await settle(pilot)
        assert table.get_column_index("status") == 2 + len(grid.years) and table.fixed_columns == 1
        assert cell(grid, gdp.id, "y2021") == "1049.7"
