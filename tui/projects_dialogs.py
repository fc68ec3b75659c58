"""The projects screen's dialogs: which fields its forms ask for, and how dates may be written. The dialogs
themselves are tui.pickers' (FieldsForm, PromptScreen, ChoicePicker); saving is the screen's."""

from __future__ import annotations

from core.schedule import INVESTMENT_UNITS, MILESTONE_STATUSES, PROJECT_CATEGORIES, PROJECT_STAGES
from db.indicators import decimal_text
from db.projects import MilestoneView, ProjectView
from tui.pickers import Field
from tui.projects_list import plan_time

MILESTONE_NOTE = "逾期由计划时间和状态自动判断，不用填写。"
PROJECT_NOTE = "单位从列表中选择：回车或直接输入单位名称中的字。"


def due_hint(year: int) -> str:
    """How a due date may be written, with examples in `year` (this year, within the plan's period)."""
    return f"可写 {year}-06-30、{year}-06、{year}Q2、{year}年上半年 或 {year}；留空表示不设。"


def done_date_hint(year: int) -> str:
    return f"写成 {year}-06-30 这样的日期；保存后状态为“已完成”。"


def new_milestone_fields(year: int) -> list[Field]:
    return [
        Field("title", "名称", placeholder="如：完成立项、开工建设、主体完工"),
        Field("due", "计划时间", placeholder="如：{y}-06-30、{y}-06、{y}Q2、{y}年上半年、{y}".format(y=year)),
        Field("note", "备注"),
    ]


def milestone_fields(m: MilestoneView, year: int) -> list[Field]:
    return [
        Field("title", "名称", m.title),
        Field("due", "计划时间", m.due.text if m.due else "",
              placeholder="如：{y}-06-30、{y}-06、{y}Q2、{y}年上半年".format(y=year)),
        Field("status", "状态", m.status, kind="select", options=[(s, s) for s in MILESTONE_STATUSES]),
        Field("done_date", "完成日期", m.done_date.isoformat() if m.done_date else "",
              placeholder=f"如：{year}-06-30（日期）"),
        Field("note", "备注", m.note),
    ]


def project_fields(project: ProjectView, year: int) -> list[Field]:
    categories = list(PROJECT_CATEGORIES)
    if project.category and project.category not in categories:
        categories.append(project.category)
    return [
        Field("title", "项目名称", project.title),
        Field("category", "类别", project.category, kind="select", options=[(c, c) for c in categories]),
        Field("lead_unit", "牵头单位", project.lead_unit, kind="unit"),
        Field("partner_units", "配合单位", project.partner_units, kind="units"),
        # as officials write them (2024年下半年, not the stored 2024H2); either form reads back the same
        Field("planned_start", "计划开工", plan_time(project.planned_start),
              placeholder="如：{y}、{y}Q3、{y}-06".format(y=year)),
        Field("planned_finish", "计划完成", plan_time(project.planned_finish),
              placeholder="如：{y}、{y}年上半年".format(y=year)),
        Field("stage", "形象进度", project.stage, kind="select", options=[(s, s) for s in PROJECT_STAGES]),
        Field("total_investment", "总投资", decimal_text(project.total_investment) or ""),
        Field("annual_plan_investment", "年度计划投资", decimal_text(project.annual_plan_investment) or ""),
        Field("completed_investment", "累计完成投资", decimal_text(project.completed_investment) or ""),
        Field("investment_unit", "投资单位", project.investment_unit, kind="select",
              options=[(u, u) for u in INVESTMENT_UNITS]),
        Field("note", "备注", project.note),
    ]
