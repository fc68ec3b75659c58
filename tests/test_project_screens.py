"""The 审核, 项目 and 汇总 screens driven by keys through Pilot, on a real SQLite file with the bundled plan
(its ~170 pending proposals, 28 indicators and ~35 units). Dates are pinned with GUIHUA_TODAY."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.indicators import list_indicators, record_actual
from db.plan_store import find_plan, get_state
from db.projects import (
    accept_proposal,
    add_milestone,
    list_projects,
    list_proposals,
    update_milestone,
    update_project,
)
from tests.helpers import QuietApp, settle
from tui.pickers import ChoicePicker, FieldsForm, PromptScreen, UnitPicker
from tui.projects import ProjectsScreen, SummaryScreen
from tui.review import ReviewScreen, SplitForm
from tui.widgets import Reader

SIZE = (140, 40)
TODAY = "2024-07-01"


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch):
    monkeypatch.setenv("GUIHUA_TODAY", TODAY)
    monkeypatch.setenv("GUIHUA_USER", "测试员")


@pytest.fixture
def plan_id(database):
    with database.session() as session:
        return find_plan(session, None).id


async def open_screen(pilot, key: str):
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:
    """Type as a terminal sends text committed by a pinyin IME: one key event per character."""
    await pilot.press(*text)


def proposals(database, plan_id, kind=None):
    with database.session() as session:
        return {p.id: p for p in list_proposals(session, plan_id, kind)}


def projects(database, plan_id):
    with database.session() as session:
        return {p.id: p for p in list_projects(session, plan_id)}


def status_line(screen) -> str:
    return str(next(iter(screen.query("StatusLine"))).content)


def accept_projects(database, plan_id, count: int) -> list[int]:
    with database.session() as session:
        pending = list_proposals(session, plan_id, "project", "pending")
        return [accept_proposal(session, p.id) for p in pending[:count]]


# ----------------------------------------------------------------------------------------------------------
# 审核


async def test_review_accept_reject_and_edit_with_keys(database, plan_id):
    targets = list(proposals(database, plan_id, "target").values())
    first, second, third = targets[0], targets[1], targets[2]
    assert first.data["same_as_main"]  # the plan's headline goals repeat the main indicators
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f4")
        assert isinstance(screen, ReviewScreen)
        assert screen.table.current_id() == first.id
        detail = str(screen.query_one("#review-detail").render())
        assert "疑与主要指标" in detail and first.sentence[:10] in detail
        # x rejects; the row stays, shows 已舍弃, and the cursor moves to the next pending item
        await pilot.press("x")
        await settle(pilot)
        assert proposals(database, plan_id)[first.id].status == "rejected"
        assert screen.table.get_cell(str(first.id), "status").plain == "已舍弃"
        assert screen.table.current_id() == second.id
        # a accepts: a text indicator is made; the row shows 已采纳
        await pilot.press("a")
        await settle(pilot)
        accepted = proposals(database, plan_id)[second.id]
        assert accepted.status == "accepted" and accepted.result_id is not None
        assert screen.table.get_cell(str(second.id), "status").plain == "已采纳"
        assert "已采纳" in status_line(screen)
        assert screen.table.current_id() == third.id
        with database.session() as session:
            text_indicators = list_indicators(session, plan_id, kind="text")
        assert [v.id for v in text_indicators] == [accepted.result_id]
        # e edits: metric, comparator (Select), value, unit, year
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        assert form.query_one("#field-metric").value == third.data["metric"]
        await pilot.press("tab", "tab", *["backspace"] * 6, *"25", "tab", "tab", *["backspace"] * 4, *"2024")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        edited = proposals(database, plan_id)[third.id]
        assert edited.data["value"] == "25" and edited.data["year"] == 2024 and edited.status == "pending"
        assert "已保存" in status_line(screen)
        # a bad year is refused in the form, which stays open
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*["tab"] * 4, *["backspace"] * 4, *"明年", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        assert "四位数字" in str(app.screen.query_one("#fields-error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert proposals(database, plan_id)[third.id].data["year"] == 2024
        # u reopens the rejected one
        screen.table.go_to(first.id)
        await pilot.press("u")
        await settle(pilot)
        assert proposals(database, plan_id)[first.id].status == "pending"


async def test_review_when_another_reviewer_decided_first(database, plan_id):
    """The screen shows a pending item; meanwhile 张三 accepts it elsewhere. x is refused with who did what,
    the row reloads to 已采纳 and nothing is undone. An edit on a stale view is refused in the form, and
    Enter again overwrites knowingly."""
    targets = list(proposals(database, plan_id, "target").values())
    first, second = targets[0], targets[1]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f4")
        assert screen.table.current_id() == first.id
        with database.session() as session:
            result_id = accept_proposal(session, first.id, user="张三")
        await pilot.press("x")
        await settle(pilot)
        message = status_line(screen)
        assert message.startswith("没有保存：张三 于 ") and "现为「已采纳」" in message
        assert proposals(database, plan_id)[first.id].status == "accepted"
        assert proposals(database, plan_id)[first.id].result_id == result_id
        assert screen.table.get_cell(str(first.id), "status").plain == "已采纳"
        assert screen.table.current_id() == first.id
        # An edit on a view 张三 has since changed.
        screen.table.go_to(second.id)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        from db.projects import edit_proposal

        with database.session() as session:
            edit_proposal(session, second.id, {"unit": "个"}, user="张三")
        await pilot.press(*["tab"] * 4, *["backspace"] * 4, *"2024", "enter")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#fields-error").render())
        assert "张三" in error and "再按回车用你的修改覆盖" in error
        assert proposals(database, plan_id)[second.id].data["year"] != 2024  # nothing written yet
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert proposals(database, plan_id)[second.id].data["year"] == 2024


async def test_review_merge_split_and_add_with_keys(database, plan_id):
    items = [p for p in proposals(database, plan_id, "project").values()]
    by_title = {p.data["title"]: p for p in items}
    shuoshi, maibo = by_title["硕世生物医药企业总部基地"], by_title["迈博太科医药企业总部基地"]
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f4")
        await pilot.press("t")
        await settle(pilot)
        assert screen.kind == "project"
        # space marks (and moves down); m merges the marked rows into the one under the cursor
        screen.table.go_to(shuoshi.id)
        await pilot.press("space")
        await settle(pilot)
        assert screen.marks == {shuoshi.id} and screen.table.current_id() == maibo.id
        await pilot.press("m")
        await settle(pilot)
        merged = proposals(database, plan_id)[shuoshi.id]
        assert merged.status == "merged" and merged.result_id == maibo.id
        assert screen.table.get_cell(str(shuoshi.id), "status").plain == "已合并"
        assert not screen.marks
        # s splits: one line per part (the first holds the original), Enter saves
        target = maibo
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SplitForm)
        await pilot.press("tab", *["backspace"] * 20)
        await type_text(pilot, "迈博太科总部")
        await pilot.press("tab")
        await type_text(pilot, "建成")
        await pilot.press("tab")
        await type_text(pilot, "迈博太科研发中心")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        now = proposals(database, plan_id)
        assert now[target.id].status == "merged"
        parts = [p for p in now.values() if p.id > max(by_title[t].id for t in by_title) and p.status == "pending"]
        assert sorted(p.data["title"] for p in parts) == ["迈博太科总部", "迈博太科研发中心"]
        assert all(p.block_id == target.block_id for p in parts)
        # n adds one the finder missed, linked to the paragraph of the row under the cursor
        under = screen.current()
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FieldsForm)
        await type_text(pilot, "生物医药孵化器")
        await pilot.press("tab")
        await type_text(pilot, "新建")
        await pilot.press("enter")
        await settle(pilot)
        added = [p for p in proposals(database, plan_id).values() if p.added_by_hand]
        assert len(added) == 1 and added[0].data == {"title": "生物医药孵化器", "action": "新建", "box_title": ""}
        assert added[0].block_id == under.block_id and added[0].status == "pending"
        assert screen.table.current_id() == added[0].id
        # and it can be accepted straight away
        await pilot.press("a")
        await settle(pilot)
        assert proposals(database, plan_id)[added[0].id].status == "accepted"


async def test_review_status_filter_and_enter_opens_the_paragraph(database, plan_id):
    target = next(iter(proposals(database, plan_id, "target").values()))
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f4")
        pending = screen.shown
        await pilot.press("f")  # 已采纳: none yet
        await settle(pilot)
        assert screen.status == "accepted" and screen.shown == 0
        await pilot.press("f", "f", "f")  # 全部
        await settle(pilot)
        assert screen.status is None and screen.shown == pending
        await pilot.press("f")  # back to 待审核
        await settle(pilot)
        screen.table.go_to(target.id)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "reader"
        lit = app.query_one(Reader).lit
        assert lit is not None and target.text.replace(" ", "") in lit.plain.replace(" ", "")
        assert lit.hit_span is not None and lit.hit_span[1] > lit.hit_span[0]


# ----------------------------------------------------------------------------------------------------------
# 项目


async def test_milestones_with_keys_only(database, plan_id):
    ids = accept_projects(database, plan_id, 3)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f5")
        assert isinstance(screen, ProjectsScreen)
        assert screen.table.current_id() == ids[0]
        # a adds a milestone: 名称, 计划时间 (a quarter), 备注
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "开工建设")
        await pilot.press("tab", *"2024Q2", "tab")
        await type_text(pilot, "已报批")
        await pilot.press("enter")
        await settle(pilot)
        project = projects(database, plan_id)[ids[0]]
        [milestone] = project.milestones
        assert (milestone.title, milestone.due.text, milestone.note) == ("开工建设", "2024Q2", "已报批")
        # 2024Q2 ended before 2024-07-01: overdue, and it stands out in both tables
        assert milestone.overdue(date(2024, 7, 1))
        assert "red" in str(screen.table.get_cell(str(ids[0]), "title").style)
        assert screen.milestone_table.get_cell(str(milestone.id), "status").plain == "逾期"
        assert "已保存" in status_line(screen)
        # space marks it done today
        await pilot.press("space")
        await settle(pilot)
        milestone = projects(database, plan_id)[ids[0]].milestones[0]
        assert milestone.status == "已完成" and milestone.done_date == date(2024, 7, 1)
        assert "已完成（今天" in status_line(screen)
        assert screen.milestone_table.get_cell(str(milestone.id), "status").plain == "已完成"
        # D changes the done date
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one("#prompt-input").value == "2024-07-01"
        await pilot.press(*["backspace"] * 10, *"2024-06-28", "enter")
        await settle(pilot)
        assert projects(database, plan_id)[ids[0]].milestones[0].done_date == date(2024, 6, 28)
        # a second milestone without a date; d sets it (written as officials write it)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "主体完工")
        await pilot.press("enter")
        await settle(pilot)
        second = projects(database, plan_id)[ids[0]].milestones[1]
        assert second.due is None
        assert screen.current_milestone_id() == second.id
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "2025年上半年")
        await pilot.press("enter")
        await settle(pilot)
        second = projects(database, plan_id)[ids[0]].milestones[1]
        assert second.due.text == "2025H1" and not second.overdue(date(2024, 7, 1))
        # a bad date is refused in the prompt, which stays open with the reason
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*["backspace"] * 10, *"2025-13", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert "不是有效日期" in str(app.screen.query_one("#prompt-error").render()) or \
            "不是可识别" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await settle(pilot)
        # s changes the stage: the digit moves to 2 = 已开工 and waits for Enter, as the picker's hint says
        await pilot.press("s", "2")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker) and projects(database, plan_id)[ids[0]].stage == ""
        assert app.screen.query_one("#choice-list").highlighted == 1
        await pilot.press("enter")
        await settle(pilot)
        assert projects(database, plan_id)[ids[0]].stage == "已开工"
        assert screen.table.get_cell(str(ids[0]), "stage").plain == "已开工"
        # e on the milestone table edits the milestone: status back to 推进中 clears the done date
        await pilot.press("tab")
        screen.milestone_table.move_cursor(row=0)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm) and form.query_one("#field-title").value == "开工建设"
        form.query_one("#field-status").value = "推进中"
        await pilot.press("ctrl+s")
        await settle(pilot)
        first = projects(database, plan_id)[ids[0]].milestones[0]
        assert first.status == "推进中" and first.done_date is None and first.overdue(date(2024, 7, 1))
    # every change is in the change history
    from db.projects import project_history

    with database.session() as session:
        fields = [c.field for c in project_history(session, ids[0])]
    assert {"title", "status", "done_date", "due", "stage"} <= set(fields)


async def test_a_save_over_someone_elses_change_is_refused_and_shown(database, plan_id):
    ids = accept_projects(database, plan_id, 1)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f5")
        with database.session() as session:  # another user, after this screen read the project
            update_project(session, ids[0], origin="cli", user="张三", stage="已开工")
        await pilot.press("s", "3", "enter")  # 基本过半
        await settle(pilot)
        assert projects(database, plan_id)[ids[0]].stage == "已开工"
        assert "张三" in status_line(screen) and "没有保存" in status_line(screen)
        assert screen.table.get_cell(str(ids[0]), "stage").plain == "已开工"  # reloaded: what was saved shows
        await pilot.press("s", "3", "enter")  # a second try, on what is now shown, goes through
        await settle(pilot)
        assert projects(database, plan_id)[ids[0]].stage == "基本过半"


async def test_edit_project_units_through_the_picker(database, plan_id):
    ids = accept_projects(database, plan_id, 2)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "f5")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FieldsForm)
        await pilot.press("tab", "tab")  # 项目名称 → 类别 → 牵头单位
        assert app.focused.id == "field-lead_unit"
        # typing opens the picker with what was typed; the best match is taken with Enter
        await type_text(pilot, "教育")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, UnitPicker)
        assert picker.query_one("#picker-input").value == "教育"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and form.query_one("#field-lead_unit").value == "区教育局"
        # 配合单位: several, by short name; Enter on an empty box finishes
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker) and app.screen.multiple
        await type_text(pilot, "财政")
        await pilot.press("enter")
        await type_text(pilot, "发改")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert form.query_one("#field-partner_units").value == "区财政局、区发展改革委"
        # a unit that is not on the list cannot be chosen
        await pilot.press("shift+tab", "enter")
        await settle(pilot)
        await type_text(pilot, "不存在的局")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        assert "没有含" in str(app.screen.query_one("#picker-note").render())
        await pilot.press("escape")
        await settle(pilot)
        assert form.query_one("#field-lead_unit").value == "区教育局"
        # 类别 and 投资单位 are Selects; the form saves with Ctrl+S
        form.query_one("#field-category").value = "民生工程"
        form.query_one("#field-total_investment").value = "3.5"
        form.query_one("#field-investment_unit").value = "亿元"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FieldsForm)
    project = projects(database, plan_id)[ids[0]]
    assert project.lead_unit == "区教育局" and project.partner_units == "区财政局、区发展改革委"
    assert project.category == "民生工程" and project.total_investment == Decimal("3.5")
    assert project.investment_unit == "亿元"


async def test_unit_picker_keeps_keys_typed_while_it_opens(database, plan_id):
    """An IME commits 「教育」 as two key events at once: the second arrives while the picker is opening."""
    from textual import events

    accept_projects(database, plan_id, 1)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "f5")
        await pilot.press("e", "tab", "tab")
        await settle(pilot)
        for char in "教育":
            event = events.Key(char, char)
            event.set_sender(app)
            app._driver.send_message(event)
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        assert app.screen.query_one("#picker-input").value == "教育"


async def test_project_filters(database, plan_id):
    ids = accept_projects(database, plan_id, 6)
    with database.session() as session:
        add_milestone(session, ids[0], "开工建设", "2024-03", origin="tui")  # overdue on 2024-07-01
        add_milestone(session, ids[1], "完成立项", "2024-07-20", origin="tui")  # due soon
        update_project(session, ids[2], origin="tui", lead_unit="教育局")
        update_project(session, ids[3], origin="tui", lead_unit="发改委", partner_units="教育局")
        update_project(session, ids[5], origin="tui", planned_finish="2023")  # no milestones, finish passed
    titles = {i: p.title for i, p in projects(database, plan_id).items()}
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f5")
        assert screen.table.ids() == ids
        assert screen.table.get_cell(str(ids[5]), "next").plain == "已过计划完成 2023年"
        await pilot.press("o")  # 逾期: an overdue milestone, or none and the planned finish passed
        await settle(pilot)
        assert screen.table.ids() == [ids[0], ids[5]]
        assert "逾期" in screen.table.border_title
        # the status line counts what the filter now shows, not what the previous one showed
        assert status_line(screen) == "项目：逾期（2 个项目）"
        await pilot.press("o")  # 30天内到期
        await settle(pilot)
        assert screen.table.ids() == [ids[1]]
        assert status_line(screen) == "项目：30天内到期（1 个项目）"
        await pilot.press("x")
        await settle(pilot)
        # u: the unit, lead or partner
        await pilot.press("u")
        await settle(pilot)
        await type_text(pilot, "教育")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.table.ids() == [ids[2], ids[3]]
        await pilot.press("x")
        await settle(pilot)
        # /: the title, as typed
        word = titles[ids[4]][:4]
        await pilot.press("slash")
        await type_text(pilot, word)
        await pilot.press("enter")
        await settle(pilot)
        assert ids[4] in screen.table.ids() and all(word in titles[i] for i in screen.table.ids())
        assert app.focused is screen.table
        await pilot.press("escape")
        await settle(pilot)
        assert screen.table.ids() == ids


async def test_enter_on_a_project_opens_its_paragraph(database, plan_id):
    ids = accept_projects(database, plan_id, 2)
    proposal = next(p for p in proposals(database, plan_id, "project").values() if p.result_id == ids[1])
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f5")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.current_mode == "reader"
        lit = app.query_one(Reader).lit
        assert lit is not None and proposal.text in lit.plain
        start, end = lit.hit_span
        assert end > start
        # and back to the same project
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen is screen and screen.table.current_id() == ids[1]


async def test_a_slow_paragraph_read_still_marks_the_project(database, plan_id, monkeypatch):
    """Enter on a project when reading a paragraph takes longer than the tree's preview delay (a busy server):
    the tree cursor's preview must not replace the jump's read, which marks the project's words."""
    import db.reader_views
    from tui.reader import PREVIEW_DELAY

    ids = accept_projects(database, plan_id, 2)
    proposal = next(p for p in proposals(database, plan_id, "project").values() if p.result_id == ids[1])
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "f5")
        node_read = db.reader_views.read_node

        def slow_read(*args, **kwargs):
            time.sleep(PREVIEW_DELAY * 2)
            return node_read(*args, **kwargs)

        monkeypatch.setattr(db.reader_views, "read_node", slow_read)
        await pilot.press("down", "enter")
        await pilot.pause(PREVIEW_DELAY * 4)
        await settle(pilot)
        assert app.current_mode == "reader"
        lit = app.query_one(Reader).lit
        assert lit is not None and proposal.text in lit.plain


async def test_my_unit_filters_projects_review_and_summary(database, plan_id):
    ids = accept_projects(database, plan_id, 4)
    with database.session() as session:
        update_project(session, ids[1], origin="tui", lead_unit="教育局")
        update_project(session, ids[3], origin="tui", lead_unit="财政局", partner_units="教育局、发改委")
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f5")
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, UnitPicker)
        await type_text(pilot, "教育局")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.table.ids() == [ids[1], ids[3]]
        assert "我的单位：区教育局" in screen.table.border_title
        with database.session() as session:
            assert get_state(session, "ui.my_unit") == "区教育局"
        # 「我的单位」 stays set on the other screens
        review = await open_screen(pilot, "f4")
        await pilot.press("t")
        await settle(pilot)
        assert "我的单位：区教育局" in str(review.query_one("#review-tabs").render())
        await pilot.press("f")  # 已采纳: only those that became this unit's projects
        await settle(pilot)
        accepted = {p.id for p in proposals(database, plan_id, "project").values() if p.result_id in (ids[1], ids[3])}
        assert set(review.table.ids()) == accepted
        summary_screen = await open_screen(pilot, "f6")
        assert "我的单位：区教育局" in str(summary_screen.query_one("#summary-head").render())
        assert "项目 2 个" in str(summary_screen.query_one("#summary-head").render())
        # none: everything again
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("ctrl+u", "down", "enter")
        await settle(pilot)
        assert screen.table.ids() == ids
        assert "我的单位" not in screen.table.border_title


async def test_summary_counts_by_chapter_and_unit(database, plan_id):
    ids = accept_projects(database, plan_id, 5)
    with database.session() as session:
        update_project(session, ids[1], origin="tui", lead_unit="工信局", stage="已开工")
        update_project(session, ids[2], origin="tui", lead_unit="工信局", stage="前期工作")
        a = add_milestone(session, ids[1], "完成立项", "2024-03", origin="tui")  # done
        add_milestone(session, ids[1], "开工建设", "2024Q2", origin="tui")  # overdue
        add_milestone(session, ids[2], "开工建设", "2024-07-20", origin="tui")  # due soon
        add_milestone(session, ids[2], "主体完工", "2025", origin="tui")  # open
        update_milestone(session, a, origin="tui", status="已完成", done_date="2024-03-15")
        main = {v.name: v for v in list_indicators(session, plan_id)}
        record_actual(session, main["一般公共预算收入"].id, 2021, Decimal("93"), origin="tui")  # behind
    everything = projects(database, plan_id)
    chapter = everything[ids[1]].chapter
    in_chapter = sum(1 for p in everything.values() if p.chapter == chapter)
    assert in_chapter >= 3
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f6")
        assert isinstance(screen, SummaryScreen)
        chapters = screen.query_one("#summary-chapters")
        row = [cell.plain for cell in chapters.get_row(chapter)]
        # 章节 项目 里程碑 已完成 30天内到期 逾期 滞后指标
        assert row[1:6] == [str(in_chapter), "4", "1", "1", "1"]
        main_row = [cell.plain for cell in chapters.get_row("主要指标")]
        assert int(main_row[6]) >= 1
        units = screen.query_one("#summary-units")
        unit_row = [cell.plain for cell in units.get_row("区工业和信息化局")]
        assert unit_row == ["工信局", "2", "4", "1", "1", "1"]
        head = str(screen.query_one("#summary-head").render())
        assert "已开工 1" in head and "前期工作 1" in head and "逾期 1" in head
        # the chapter under the cursor: its overdue milestones beside its indicators behind schedule
        chapters.move_cursor(row=chapters.get_row_index(chapter))
        await settle(pilot)
        detail = "\n".join(screen.detail.lines())
        assert "开工建设" in detail and "2024年第二季度" in detail
        assert screen.detail.border_title == f"章节：{chapter}"  # the pane says what it shows
        chapters.move_cursor(row=chapters.get_row_index("主要指标"))
        await settle(pilot)
        assert "一般公共预算收入" in "\n".join(screen.detail.lines())
        assert screen.detail.border_title == "章节：主要指标"


async def test_each_screen_reads_its_data_once_per_visit(database, plan_id, monkeypatch):
    """Textual resumes a mode's screen twice on its first show; the screens read once, again when they are come
    back to, and not when one of their own dialogs closes."""
    ids = accept_projects(database, plan_id, 2)
    with database.session() as session:
        update_project(session, ids[0], origin="tui", planned_finish="2024H2")
    reads: list[str] = []  # reads asked for (a newer one may cancel an older one not yet started: count the asking)
    projects_load, summary_load = ProjectsScreen.load, SummaryScreen.load
    monkeypatch.setattr(ProjectsScreen, "load", lambda self, *a: reads.append("F5") or projects_load(self, *a))
    monkeypatch.setattr(SummaryScreen, "load", lambda self, *a: reads.append("F6") or summary_load(self, *a))
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "f5")
        assert reads == ["F5"]
        await open_screen(pilot, "f6")
        assert reads == ["F5", "F6"]
        screen = await open_screen(pilot, "f5")
        assert reads == ["F5", "F6", "F5"]
        # the form shows the planned finish as officials write it; closing it reads nothing again
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#field-planned_finish").value == "2024年下半年"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and reads == ["F5", "F6", "F5"]


async def test_a_refused_save_is_shown_in_the_form_which_stays_open(database, plan_id):
    """The save runs in a worker: the form waits for it, then shows the database's refusal where the user is
    looking; nothing is written, and a corrected value then saves and closes the form."""
    ids = accept_projects(database, plan_id, 1)
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "f5")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await type_text(pilot, "开工建设")
        await pilot.press("tab", *"2025-13", "enter")
        await settle(pilot)
        assert app.screen is form and not form.saving
        assert "计划时间" in str(form.query_one("#fields-error").render())
        assert projects(database, plan_id)[ids[0]].milestones == []
        await pilot.press(*["backspace"] * 2, *"12", "enter")
        await settle(pilot)
        assert app.screen is screen
        [milestone] = projects(database, plan_id)[ids[0]].milestones
        assert milestone.due.text == "2025-12" and screen.current_milestone_id() == milestone.id


def test_projects_snapshot(snap_compare):
    """An overdue milestone (red, bold) beside the project list, in Chinese, at a fixed size."""
    app_path = Path(__file__).parent / "snapshot_apps" / "projects_app.py"
    assert snap_compare(str(app_path), terminal_size=(140, 40), press=["f5", "down", "tab", "down"])


async def test_a_user_bound_to_a_unit_sees_only_that_units_items(database, monkeypatch):
    from db.audit import bind_user_unit
    from db.indicators import list_indicators as indicators, set_indicator_fields
    from db.plan_store import find_plan as plan_of
    from tui.app import GuihuaApp

    monkeypatch.setenv("GUIHUA_USER", "教育局小王")
    with database.session() as session:
        plan_id = plan_of(session, None).id
        first = indicators(session, plan_id)[0]
        set_indicator_fields(session, first.id, origin="cli", lead_unit="区教育局")
        bind_user_unit(session, "教育局小王", "区教育局")
    app = GuihuaApp(database)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        grid = pilot.app.screen
        assert grid.shown == 1 and "我的单位：区教育局" in str(grid.table.border_title)
        await pilot.press("ctrl+u")  # a bound user cannot widen the view
        await pilot.pause()
        assert grid.shown == 1
