"""Units, the review queue and projects with milestones, in a real SQLite file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from core.errors import NotFoundError, UserInputError
from db.indicators import list_indicators, record_actual
from db.models import ChangeLog, PlanBlock, Proposal
from db.plan_store import find_plan
from db.projects import (
    accept_proposal,
    add_milestone,
    add_proposal,
    add_unit,
    edit_proposal,
    find_project,
    list_projects,
    list_proposals,
    list_units,
    mark_milestone_done,
    merge_proposals,
    reject_proposal,
    reopen_proposal,
    resolve_unit,
    resolve_units,
    run_finder,
    split_proposal,
    summary,
    update_milestone,
    update_project,
)


@pytest.fixture
def plan_id(database):
    with database.session() as session:
        return find_plan(session, None).id


def proposal(session, plan_id, kind, contains):
    return next(p for p in list_proposals(session, plan_id, kind) if contains in p.text or contains in p.label)


def test_first_run_proposes_targets_and_projects_with_their_paragraph(database, plan_id):
    with database.session() as session:
        targets = list_proposals(session, plan_id, "target")
        projects = list_proposals(session, plan_id, "project")
        assert len(targets) >= 50 and len(projects) >= 80
        assert all(p.status == "pending" for p in targets + projects)
        hi_tech = proposal(session, plan_id, "target", "高新技术企业突")
        block = session.get(PlanBlock, hi_tech.block_id)
        assert hi_tech.data["value"] == "500" and hi_tech.data["unit"] == "家" and hi_tech.data["comparator"] == ">="
        assert "500" in block.text and hi_tech.chapter.startswith("第六章")
        gazelle = proposal(session, plan_id, "target", "瞪羚企业")
        assert gazelle.block_id == hi_tech.block_id and gazelle.data["value"] == "50"
        schools = [p for p in projects if p.data.get("box_title") == "义务教育学校提质工程"]
        assert len(schools) == 16
        assert any(p.data["title"] == "寺巷中心小学" and p.data["action"] == "迁建" for p in schools)
        gdp = proposal(session, plan_id, "target", "1500")
        assert gdp.data["same_as_main"] == "地区生产总值"


def test_rerunning_the_finder_never_duplicates(database, plan_id):
    with database.session() as session:
        before = len(list_proposals(session, plan_id))
        first = proposal(session, plan_id, "target", "瞪羚企业")
        reject_proposal(session, first.id)
        result = run_finder(session, plan_id)
        assert (result.targets_new, result.projects_new) == (0, 0) and result.already_known == before
        assert len(list_proposals(session, plan_id)) == before
        assert session.get(Proposal, first.id).status == "rejected"


def test_accepting_a_target_makes_a_text_indicator_with_progress(database, plan_id):
    with database.session() as session:
        item = proposal(session, plan_id, "target", "高新技术企业突")
        indicator_id = accept_proposal(session, item.id, origin="tui", user="张三")
        assert accept_proposal(session, item.id, origin="tui") == indicator_id  # idempotent
        text = [v for v in list_indicators(session, plan_id, kind="text")]
        assert [(v.name, v.target_text, v.unit) for v in text] == [("高新技术企业", "≥500", "家")]
        assert text[0].text_block_id == item.block_id and text[0].category.startswith("第六章")
        assert len(list_indicators(session, plan_id)) == 28  # the main table is untouched
        record_actual(session, indicator_id, 2020, 200, origin="tui")
        record_actual(session, indicator_id, 2022, 330, origin="tui")
        from db.indicators import assess_all

        views = list_indicators(session, plan_id, kind=None)
        assessment = assess_all(session, views, 2022)[indicator_id]
        assert assessment.code in ("on_track", "ahead")  # 130 of 300 by 40% elapsed
        assert session.get(Proposal, item.id).reviewed_by == "张三"


def test_edit_split_merge_reject_reopen_and_add_by_hand(database, plan_id):
    with database.session() as session:
        item = proposal(session, plan_id, "target", "瞪羚企业")
        edited = edit_proposal(session, item.id, {"metric": "瞪羚企业数", "value": "60"})
        assert edited.data["metric"] == "瞪羚企业数" and edited.data["value"] == "60"
        with pytest.raises(UserInputError, match="目标值"):
            edit_proposal(session, item.id, {"value": "六十x"})
        project = proposal(session, plan_id, "project", "寺巷中心小学")
        parts = split_proposal(session, project.id, [{"title": "寺巷中心小学", "action": "迁建"},
                                                     {"title": "寺巷中心小学附属幼儿园", "action": "新建"}])
        assert len(parts) == 2 and session.get(Proposal, project.id).status == "merged"
        merge_proposals(session, parts[0], [parts[1]])
        assert session.get(Proposal, parts[1]).status == "merged"
        reopen_proposal(session, parts[1])
        assert session.get(Proposal, parts[1]).status == "pending"
        reject_proposal(session, parts[1])
        hand = add_proposal(session, plan_id, "project", {"title": "高港区档案馆", "action": "新建"})
        with pytest.raises(UserInputError, match="已有相同"):
            add_proposal(session, plan_id, "project", {"title": "高港区档案馆", "action": "新建"})
        assert session.get(Proposal, hand).added_by_hand
        accepted = accept_proposal(session, item.id, origin="tui")
        with pytest.raises(UserInputError, match="已采纳"):
            reject_proposal(session, item.id)
        assert accepted


def test_units_refuse_near_duplicates_and_resolve_short_names(database):
    with database.session() as session:
        assert len(list_units(session)) >= 30
        assert resolve_unit(session, "发改委").name == "区发展改革委"
        assert resolve_unit(session, "寺巷").name == "寺巷街道"
        with pytest.raises(UserInputError, match="已有相近的单位"):
            add_unit(session, "高港区发展改革委")
        with pytest.raises(NotFoundError):
            resolve_unit(session, "外星办")
        assert resolve_units(session, "发改委、工信局") == "区发展改革委、区工业和信息化局"
        add_unit(session, "医药高新区管委会", "管委会", "园区")
        assert resolve_unit(session, "管委会").kind == "园区"


@pytest.fixture
def school(database, plan_id):
    with database.session() as session:
        item = proposal(session, plan_id, "project", "寺巷中心小学")
        return accept_proposal(session, item.id, origin="tui")


def test_project_fields_units_and_history(database, plan_id, school):
    with database.session() as session:
        update_project(session, school, origin="tui", user="李四", lead_unit="教育局", partner_units="住建局、寺巷",
                       planned_finish="2024年上半年", stage="已开工", total_investment="1.2", investment_unit="亿元",
                       category="民生工程")
        with pytest.raises(UserInputError, match="形象进度"):
            update_project(session, school, origin="tui", stage="快完了")
        with pytest.raises(NotFoundError):
            update_project(session, school, origin="tui", lead_unit="随便写的局")
        p = find_project(session, plan_id, "寺巷中心")
        assert (p.lead_unit, p.partner_units, p.planned_finish, p.stage) == (
            "区教育局", "区住房和城乡建设局、寺巷街道", "2024H1", "已开工")
        assert p.chapter.startswith("第") and p.action == "迁建"
        fields = {c.field for c in session.exec(select(ChangeLog).where(ChangeLog.project_id == school))}
        assert {"title", "lead_unit", "stage", "total_investment"} <= fields


def test_milestones_overdue_done_and_summary(database, plan_id, school):
    with database.session() as session:
        update_project(session, school, origin="tui", lead_unit="教育局")
        design = add_milestone(session, school, "完成设计", "2023Q1", origin="tui")
        build = add_milestone(session, school, "主体完工", "2024-06", origin="tui")
        add_milestone(session, school, "交付使用", "", origin="tui")
        with pytest.raises(UserInputError, match="计划时间"):
            add_milestone(session, school, "开学", "明年九月", origin="tui")
        today = date(2024, 7, 15)
        p = find_project(session, plan_id, str(school))
        assert [m.overdue(today) for m in p.milestones] == [True, True, False]
        mark_milestone_done(session, design, date(2023, 3, 20), origin="tui")
        update_milestone(session, build, origin="tui", status="推进中", note="主体结构封顶")
        p = find_project(session, plan_id, str(school))
        assert [m.overdue(today) for m in p.milestones] == [False, True, False]
        assert p.milestones[0].done_date == date(2023, 3, 20) and p.done_count == 1
        update_milestone(session, design, origin="tui", status="推进中")  # reopened: done date cleared
        assert find_project(session, plan_id, str(school)).milestones[0].done_date is None
        result = summary(list_projects(session, plan_id), today)
        assert result.by_unit["区教育局"].overdue == 2
        assert result.stages == {"（未填）": 1}
