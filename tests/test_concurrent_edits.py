"""Two people changing the same record: the second save is refused with who changed it, when and to what,
unless they choose to overwrite; nothing is lost silently. Runs on SQLite and on PostgreSQL (`database`).
Also: users bound to a unit."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

from db.audit import ConcurrentEditError, bind_user_unit, user_unit, user_units
from db.indicators import find_indicator, get_indicator, history, record_actual, set_indicator_fields, set_year_fields
from db.plan_store import find_plan
from db.projects import (
    accept_proposal,
    add_milestone,
    add_project,
    edit_proposal,
    find_project,
    list_projects,
    list_proposals,
    reject_proposal,
    update_milestone,
    update_project,
)

MESSAGE = re.compile(
    r"^没有保存：张三 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 已把“地区生产总值 2023年实际值”改为 1234\.5。"
    r"请重新载入后再修改，或选择覆盖。$"
)


def gdp_view(session):
    return find_indicator(session, find_plan(session, None).id, "地区生产总值")


def test_the_second_save_of_the_same_value_is_refused_then_overwritten(database):
    # Two people open the same figure: both see the same version of the 2023 record.
    with database.session() as zhang, database.session() as li:
        seen_by_zhang = gdp_view(zhang)
        seen_by_li = gdp_view(li)
        gdp = seen_by_zhang.id
        assert seen_by_zhang.year_version(2023) == seen_by_li.year_version(2023) == 0  # no record yet
        first = record_actual(zhang, gdp, 2023, Decimal("1234.5"), origin="tui", user="张三",
                              expected_version=seen_by_zhang.year_version(2023))
        assert first.changed and first.version == 1
        with pytest.raises(ConcurrentEditError) as refused:
            record_actual(li, gdp, 2023, Decimal("1200"), origin="tui", user="李四",
                          expected_version=seen_by_li.year_version(2023))
        assert MESSAGE.match(refused.value.message), refused.value.message
        assert refused.value.user == "张三" and refused.value.new_value == "1234.5"
        assert refused.value.changes == [("地区生产总值 2023年实际值", "1234.5")]
        assert refused.value.exit_code == 6
    with database.session() as session:
        assert get_indicator(session, gdp).values[2023] == Decimal("1234.5")  # the refused save wrote nothing
        assert [(h.user, h.new) for h in history(session, gdp) if h.year == 2023] == [("张三", "1234.5")]
    # 李四 chooses to overwrite: it succeeds, and the history holds both changes.
    with database.session() as li:
        again = record_actual(li, gdp, 2023, Decimal("1200"), origin="tui", user="李四",
                              expected_version=seen_by_li.year_version(2023), overwrite=True)
        assert again.changed and again.version == 2
    with database.session() as session:
        assert get_indicator(session, gdp).values[2023] == Decimal("1200")
        assert [(h.user, h.old, h.new) for h in history(session, gdp) if h.year == 2023] == [
            ("李四", "1234.5", "1200"),
            ("张三", None, "1234.5"),
        ]


def test_reloading_gives_the_version_to_save_against(database):
    with database.session() as zhang, database.session() as li:
        seen = gdp_view(li)
        record_actual(zhang, seen.id, 2021, Decimal("1000"), origin="tui", user="张三",
                      expected_version=gdp_view(zhang).year_version(2021))
        with pytest.raises(ConcurrentEditError):
            record_actual(li, seen.id, 2021, Decimal("1001"), origin="tui", user="李四",
                          expected_version=seen.year_version(2021))
        reloaded = gdp_view(li)  # 「重新载入」
        assert reloaded.values[2021] == Decimal("1000") and reloaded.year_version(2021) == 1
        edit = record_actual(li, seen.id, 2021, Decimal("1001"), origin="tui", user="李四",
                             expected_version=reloaded.year_version(2021))
        assert edit.version == 2
        # Saving what the record already holds is no conflict, whatever version the screen had.
        assert not record_actual(zhang, seen.id, 2021, Decimal("1001"), origin="tui", user="张三",
                                 expected_version=1).changed


def test_without_a_version_the_last_write_wins_and_both_are_in_the_history(database):
    """Callers that do not track versions keep today's behaviour, even when the rows they hold in memory are
    stale: a save reads the row afresh (and locks it on PostgreSQL) before changing it."""
    from sqlmodel import select

    from db.models import IndicatorYear

    with database.session() as zhang, database.session() as li:
        gdp = gdp_view(zhang).id
        record_actual(zhang, gdp, 2022, Decimal("1100"), origin="tui", user="张三")
        held = [zhang.exec(select(IndicatorYear).where(IndicatorYear.indicator_id == gdp)).all(),
                li.exec(select(IndicatorYear).where(IndicatorYear.indicator_id == gdp)).all()]
        record_actual(li, gdp, 2022, Decimal("1110"), origin="tui", user="李四")
        record_actual(zhang, gdp, 2022, Decimal("1120"), origin="tui", user="张三")  # zhang's copy was stale
        record_actual(li, gdp, 2022, Decimal("1130"), origin="tui", user="李四")  # and now li's
        assert held
    with database.session() as session:
        assert get_indicator(session, gdp).values[2022] == Decimal("1130")
        entries = [(h.user, h.old, h.new) for h in reversed(history(session, gdp)) if h.year == 2022]
    assert entries == [("张三", None, "1100"), ("李四", "1100", "1110"), ("张三", "1110", "1120"),
                       ("李四", "1120", "1130")]


def test_a_write_overtaken_mid_way_is_redone_on_the_newer_row(database, monkeypatch):
    """Undo checks the value it restores over; when its copy of the row is stale, the version column stops
    the UPDATE (StaleDataError) and the undo is redone on the newer row, where its check refuses it."""
    import db.audit
    from sqlmodel import select

    from core.errors import UserInputError
    from db.indicators import undo_edit
    from db.models import IndicatorYear

    retried = []
    retryable = db.audit.is_write_conflict
    monkeypatch.setattr(db.audit, "is_write_conflict", lambda exc: retried.append(type(exc).__name__) or retryable(exc))
    with database.session() as zhang, database.session() as li:
        gdp = gdp_view(zhang).id
        edit = record_actual(zhang, gdp, 2022, Decimal("1100"), origin="tui", user="张三")
        held = zhang.exec(select(IndicatorYear).where(IndicatorYear.indicator_id == gdp,
                                                      IndicatorYear.year == 2022)).one()
        record_actual(li, gdp, 2022, Decimal("1110"), origin="tui", user="李四")
        with pytest.raises(UserInputError, match="已被再次修改"):
            undo_edit(zhang, edit, origin="tui", user="张三")
        assert held is not None and retried == ["StaleDataError", "UserInputError"]  # redone once, then refused
    with database.session() as session:
        assert get_indicator(session, gdp).values[2022] == Decimal("1110")


def test_other_yearly_fields_and_indicator_fields(database):
    with database.session() as zhang, database.session() as li:
        seen_by_li = gdp_view(li)
        gdp = seen_by_li.id
        set_year_fields(zhang, gdp, 2024, origin="tui", user="张三", target="1350", note="年初下达",
                        expected_version=gdp_view(zhang).year_version(2024))
        with pytest.raises(ConcurrentEditError) as refused:
            set_year_fields(li, gdp, 2024, origin="tui", user="李四", target="1360",
                            expected_version=seen_by_li.year_version(2024))
        assert "已把“地区生产总值 2024年年度目标”改为 1350、把“地区生产总值 2024年备注”改为 年初下达" in refused.value.message
        set_indicator_fields(zhang, gdp, origin="tui", user="张三", leader="王副区长",
                             expected_version=gdp_view(zhang).version)
        with pytest.raises(ConcurrentEditError) as refused:
            set_indicator_fields(li, gdp, origin="tui", user="李四", leader="赵副区长",
                                 expected_version=seen_by_li.version)
        assert "张三" in refused.value.message and "“地区生产总值 分管领导”改为 王副区长" in refused.value.message
        set_indicator_fields(li, gdp, origin="tui", user="李四", leader="赵副区长",
                             expected_version=seen_by_li.version, overwrite=True)
    with database.session() as session:
        assert get_indicator(session, gdp).leader == "赵副区长"
        assert [h.new for h in history(session, gdp) if h.field == "leader"] == ["赵副区长", "王副区长"]


def test_projects_and_milestones(database):
    with database.session() as session:
        plan_id = find_plan(session, None).id
        project_id = add_project(session, plan_id, "某某学校新建工程", origin="tui", user="张三")
        milestone_id = add_milestone(session, project_id, "主体封顶", "2024-06", origin="tui", user="张三")
    with database.session() as zhang, database.session() as li:
        seen_by_li = find_project(li, plan_id, str(project_id))
        update_project(zhang, project_id, origin="tui", user="张三", stage="已开工",
                       expected_version=find_project(zhang, plan_id, str(project_id)).version)
        with pytest.raises(ConcurrentEditError) as refused:
            update_project(li, project_id, origin="tui", user="李四", stage="主体完工", expected_version=seen_by_li.version)
        assert "张三" in refused.value.message and "“某某学校新建工程 形象进度”改为 已开工" in refused.value.message
        milestone_seen = seen_by_li.milestones[0]
        update_milestone(zhang, milestone_id, origin="tui", user="张三", status="推进中",
                         expected_version=milestone_seen.version)
        with pytest.raises(ConcurrentEditError) as refused:
            update_milestone(li, milestone_id, origin="tui", user="李四", due="2024-09",
                             expected_version=milestone_seen.version)
        assert "“主体封顶 状态”改为 推进中" in refused.value.message
        update_milestone(li, milestone_id, origin="tui", user="李四", due="2024-09",
                         expected_version=milestone_seen.version, overwrite=True)
    with database.session() as session:
        project = next(p for p in list_projects(session, plan_id) if p.id == project_id)
        assert project.stage == "已开工" and project.milestones[0].status == "推进中"
        assert project.milestones[0].due.text == "2024-09" and project.milestones[0].version == 3


# ----------------------------------------------------------------------------------------------------------
# Two reviewers on the review queue


def pending_project(session):
    plan_id = find_plan(session, None).id
    return next(p for p in list_proposals(session, plan_id, kind="project", status="pending"))


def projects_titled(session, title):
    return [p for p in list_projects(session, find_plan(session, None).id) if p.title == title]


def test_two_reviewers_deciding_the_same_proposal(database):
    with database.session() as zhang, database.session() as li:
        seen_by_zhang, seen_by_li = pending_project(zhang), pending_project(li)
        assert seen_by_zhang.id == seen_by_li.id and seen_by_zhang.version == seen_by_li.version == 1
        project_id = accept_proposal(zhang, seen_by_zhang.id, user="张三", expected_version=seen_by_zhang.version)
        with pytest.raises(ConcurrentEditError) as refused:
            reject_proposal(li, seen_by_li.id, user="李四", expected_version=seen_by_li.version)
        assert re.match(r"^没有保存：张三 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 已处理这一条，现为「已采纳」：", refused.value.message)
        assert refused.value.user == "张三" and refused.value.current_version == 2
        with pytest.raises(ConcurrentEditError):  # accepting it again from the old view makes nothing new
            accept_proposal(li, seen_by_li.id, user="李四", expected_version=seen_by_li.version)
        reloaded = next(p for p in list_proposals(li, find_plan(li, None).id) if p.id == seen_by_li.id)
        assert reloaded.status == "accepted" and reloaded.result_id == project_id
        assert accept_proposal(li, seen_by_li.id, user="李四", expected_version=reloaded.version) == project_id
    with database.session() as session:
        assert len(projects_titled(session, seen_by_zhang.data["title"])) == 1


def test_two_reviewers_editing_the_same_proposal(database):
    with database.session() as zhang, database.session() as li:
        seen_by_li = pending_project(li)
        edit_proposal(zhang, seen_by_li.id, {"title": "张三改的名称"}, user="张三",
                      expected_version=pending_project(zhang).version)
        with pytest.raises(ConcurrentEditError) as refused:
            edit_proposal(li, seen_by_li.id, {"title": "李四改的名称"}, user="李四", expected_version=seen_by_li.version)
        assert "张三" in refused.value.message and "张三改的名称" in refused.value.message
        assert pending_project(li).data["title"] == "张三改的名称"  # the refused edit wrote nothing
        # Overwriting knowingly: against the version the refusal reported.
        edit_proposal(li, seen_by_li.id, {"title": "李四改的名称"}, user="李四",
                      expected_version=refused.value.current_version)
        assert pending_project(li).data["title"] == "李四改的名称"


def test_saving_an_unchanged_proposal_does_not_get_in_anyones_way(database):
    with database.session() as zhang, database.session() as li:
        seen = pending_project(li)
        edit_proposal(zhang, seen.id, dict(pending_project(zhang).data), user="张三",
                      expected_version=pending_project(zhang).version)  # the form saved as it was
        assert pending_project(li).version == seen.version  # nothing changed, so no new version
        project_id = accept_proposal(li, seen.id, user="李四", expected_version=seen.version)  # not refused
        accepted = next(p for p in list_proposals(li, find_plan(li, None).id) if p.id == seen.id)
        assert accepted.status == "accepted" and accepted.result_id == project_id


def test_a_split_item_reopened_can_be_split_again(database):
    from db.projects import reopen_proposal, split_proposal

    with database.session() as session:
        item = pending_project(session)
        first = split_proposal(session, item.id, [{"title": "甲学校"}, {"title": "乙学校"}])
        reopen_proposal(session, item.id)
        again = split_proposal(session, item.id, [{"title": "甲学校"}, {"title": "乙学校"}, {"title": "丙学校"}])
        assert len(set(first) | set(again)) == 5
        views = {p.id: p for p in list_proposals(session, find_plan(session, None).id)}
        assert [views[i].data["title"] for i in again] == ["甲学校", "乙学校", "丙学校"]


def test_merging_takes_any_iterable_of_ids(database):
    from db.projects import merge_proposals

    with database.session() as session:
        plan_id = find_plan(session, None).id
        keep, *others = [p.id for p in list_proposals(session, plan_id, kind="project", status="pending")[:3]]
        merge_proposals(session, keep, (i for i in others))
        views = {p.id: p for p in list_proposals(session, plan_id)}
        assert [views[i].status for i in others] == ["merged", "merged"]


def test_retries_that_run_out_leave_the_session_usable(database):
    from sqlalchemy.orm.exc import StaleDataError

    from db.audit import retry_on_conflict

    calls = []

    def always_overtaken():
        calls.append(1)
        raise StaleDataError("someone else saved it")

    with database.session() as session:
        with pytest.raises(StaleDataError):
            retry_on_conflict(session, always_overtaken, attempts=3)
        assert len(calls) == 3
        assert gdp_view(session).name == "地区生产总值"  # no PendingRollbackError


def test_two_reviewers_accepting_at_the_same_moment_make_one_project(database, monkeypatch):
    """李四's accept lands between 张三's read and write. On PostgreSQL it waits for 张三's row lock and then
    finds the item accepted; on SQLite it commits first and 张三's write is stopped by the version column,
    rolled back whole and redone, finding the item accepted. Either way: one project, the same id for both."""
    import threading

    import db.audit
    import db.projects

    retried = []
    retryable = db.audit.is_write_conflict
    monkeypatch.setattr(db.audit, "is_write_conflict", lambda exc: retried.append(type(exc).__name__) or retryable(exc))
    results: dict[str, int] = {}
    validate = db.projects._validated_project_data
    li_thread = None

    def li_accepts(proposal_id):
        with database.session() as li:
            results["li"] = accept_proposal(li, proposal_id, user="李四")

    def between_read_and_write(data):
        nonlocal li_thread
        if li_thread is None:
            li_thread = threading.Thread(target=li_accepts, args=(proposal.id,))
            li_thread.start()
            li_thread.join(timeout=1.0)  # SQLite: done; PostgreSQL: waiting for 张三's lock
        return validate(data)

    monkeypatch.setattr(db.projects, "_validated_project_data", between_read_and_write)
    with database.session() as zhang:
        proposal = pending_project(zhang)
        results["zhang"] = accept_proposal(zhang, proposal.id, user="张三")
    li_thread.join(timeout=30)
    assert not li_thread.is_alive()
    assert results["zhang"] == results["li"]
    assert retried == (["StaleDataError"] if database.engine.dialect.name == "sqlite" else [])
    with database.session() as session:
        assert len(projects_titled(session, proposal.data["title"])) == 1
        decided = next(p for p in list_proposals(session, find_plan(session, None).id) if p.id == proposal.id)
        assert decided.status == "accepted" and decided.result_id == results["zhang"]


def test_a_refusal_inside_a_callers_transaction_leaves_it_to_the_caller(database):
    """Form imports write many values in one transaction (commit=False): a refusal must not roll back the
    caller's transaction behind its back."""
    with database.session() as zhang, database.session() as li:
        gdp = gdp_view(zhang).id
        record_actual(zhang, gdp, 2023, Decimal("1"), origin="tui", user="张三")
        record_actual(li, gdp, 2021, Decimal("2"), origin="import", user="李四", commit=False)
        with pytest.raises(ConcurrentEditError):
            record_actual(li, gdp, 2023, Decimal("3"), origin="import", user="李四", commit=False,
                          expected_version=0)
        assert li.in_transaction()  # still the caller's to commit or roll back
        li.rollback()
    with database.session() as session:
        assert 2021 not in get_indicator(session, gdp).values


# ----------------------------------------------------------------------------------------------------------
# Users and units


def test_users_bound_to_a_unit(database):
    with database.session() as session:
        assert user_unit(session, "张三") is None  # the office role: everything
        bind_user_unit(session, "张三", "区教育局")
        bind_user_unit(session, "李四", "区发改委")
        assert user_unit(session, "张三") == "区教育局"
        assert user_units(session) == {"张三": "区教育局", "李四": "区发展改革委"}  # the list's full name
        bind_user_unit(session, "张三", None)
        assert user_unit(session, "张三") is None and user_units(session) == {"李四": "区发展改革委"}


def test_a_bound_user_changes_only_their_units_items_whatever_the_front_end(database, monkeypatch):
    """The binding is enforced where every front end saves (db), not only by what the TUI shows."""
    from db.audit import UnitAccessError

    with database.session() as session:
        plan_id = find_plan(session, None).id
        gdp = gdp_view(session).id
        set_indicator_fields(session, gdp, origin="tui", user="规划办", lead_unit="区发改委", partner_units="区统计局")
        school = add_project(session, plan_id, "某某学校新建工程", origin="tui", user="规划办", lead_unit="区教育局")
        milestone = add_milestone(session, school, "主体封顶", "2024-06", origin="tui", user="规划办")
        bind_user_unit(session, "张三", "区教育局")
        bind_user_unit(session, "李四", "区统计局")
    with database.session() as session:
        with pytest.raises(UnitAccessError) as refused:
            record_actual(session, gdp, 2021, Decimal("1000"), origin="cli", user="张三")
        assert refused.value.message == (
            "没有保存：你的账号（张三）绑定了“区教育局”，只能修改本单位牵头或配合的条目；"
            "“地区生产总值 2021年”的牵头单位是“区发展改革委”。如需修改请联系规划办。"
        )
        assert refused.value.exit_code == 7
        with pytest.raises(UnitAccessError):
            set_indicator_fields(session, gdp, origin="cli", user="张三", leader="王副区长")
        # a partner unit may enter figures; the lead unit's own items are theirs
        assert record_actual(session, gdp, 2021, Decimal("1000"), origin="cli", user="李四").changed
        update_project(session, school, origin="cli", user="张三", stage="已开工")
        update_milestone(session, milestone, origin="cli", user="张三", status="推进中")
        add_milestone(session, school, "竣工验收", "2025-06", origin="cli", user="张三")
        with pytest.raises(UnitAccessError):
            update_project(session, school, origin="cli", user="李四", stage="主体完工")
        with pytest.raises(UnitAccessError):
            update_milestone(session, milestone, origin="cli", user="李四", status="已完成")
        with pytest.raises(UnitAccessError):
            add_milestone(session, school, "李四加的节点", "2025", origin="cli", user="李四")
    with database.session() as session:
        project = next(p for p in list_projects(session, plan_id) if p.id == school)
        assert project.stage == "已开工" and [m.title for m in project.milestones] == ["主体封顶", "竣工验收"]
        assert project.milestones[0].status == "推进中"
        assert get_indicator(session, gdp).values[2021] == Decimal("1000")
        assert get_indicator(session, gdp).leader != "王副区长"
    # The CLI says the same, with its exit code, and writes nothing.
    from tui import cli

    monkeypatch.setenv("GUIHUA_USER", "张三")
    url = database.engine.url.render_as_string(hide_password=False) if database.path is None else str(database.path)
    result = CliRunner().invoke(cli.main, ["--db", url, "set", "地区生产总值", "2022", "1100"])
    assert result.exit_code == 7 and "绑定了“区教育局”" in result.output
    with database.session() as session:
        assert 2022 not in get_indicator(session, gdp).values


def test_user_command(database, monkeypatch, tmp_path):
    from tui import cli

    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    monkeypatch.setenv("GUIHUA_USER", "王五")
    url = database.engine.url.render_as_string(hide_password=False) if database.path is None else str(database.path)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli.main, ["--db", url, *args], catch_exceptions=False)

    result = run("user", "--name", "张三", "--unit", "教育局")
    assert result.exit_code == 0 and "已把用户“张三”绑定到“区教育局”" in result.output
    result = run("user")
    assert "当前用户：王五（科室角色" in result.output and "张三  →  区教育局" in result.output
    result = run("user", "--unit", "发改委")
    assert "已把用户“王五”绑定到“区发展改革委”" in result.output
    assert "只看、只改“区发展改革委”牵头的事项" in run("user").output
    assert "已解除用户“王五”与“区发展改革委”的绑定" in run("user", "--office").output
    result = run("user", "--name", "张三", "--unit", "不存在的局")
    assert result.exit_code == 3 and "单位列表中没有" in result.output
    with database.session() as session:
        assert user_units(session) == {"张三": "区教育局"}
