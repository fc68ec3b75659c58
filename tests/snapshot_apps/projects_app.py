"""An app for the projects snapshot: a fresh database with a few accepted projects, their units and stages, and
milestones done, due soon and overdue on a pinned day (GUIHUA_TODAY), so the screen shows every colour."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ["GUIHUA_USER"] = "测试员"
os.environ["GUIHUA_TODAY"] = "2024-07-01"

from db.engine import open_database  # noqa: E402
from db.plan_store import find_plan  # noqa: E402
from db.projects import (  # noqa: E402
    accept_proposal,
    add_milestone,
    list_proposals,
    mark_milestone_done,
    update_project,
)
from importers.plan import ensure_bundled_plan  # noqa: E402
from tui.app import GuihuaApp  # noqa: E402


class SnapshotApp(GuihuaApp):
    CURSOR_BLINK = False


def make_app() -> GuihuaApp:
    folder = Path(tempfile.mkdtemp(prefix="guihua-snap-"))
    database = open_database(folder / "snap.db")
    ensure_bundled_plan(database)
    with database.session() as session:
        plan = find_plan(session, None)
        pending = list_proposals(session, plan.id, "project", "pending")
        ids = [accept_proposal(session, p.id) for p in pending[:9]]
        update_project(session, ids[1], origin="tui", lead_unit="工信局", partner_units="发改委、商务局",
                       category="重大产业项目", stage="已开工", planned_start="2022", planned_finish="2024年下半年",
                       total_investment="50", annual_plan_investment="12", completed_investment="31",
                       investment_unit="亿元", note="一期厂房已封顶")
        done = add_milestone(session, ids[1], "完成立项", "2022Q1", origin="tui")
        mark_milestone_done(session, done, parse("2022-03-18"), origin="tui")
        add_milestone(session, ids[1], "主体开工", "2024-03", origin="tui", note="等待施工许可")
        add_milestone(session, ids[1], "设备安装", "2024-07-20", origin="tui")
        add_milestone(session, ids[1], "建成投产", "2025年上半年", origin="tui")
        update_project(session, ids[2], origin="tui", lead_unit="卫健委", stage="前期工作")
        add_milestone(session, ids[2], "完成选址", "2024Q3", origin="tui")
        update_project(session, ids[3], origin="tui", lead_unit="科技局", stage="主体完工")
        first = add_milestone(session, ids[3], "主体完工", "2023", origin="tui")
        mark_milestone_done(session, first, parse("2023-11-30"), origin="tui")
    return SnapshotApp(database)


def parse(text: str):
    from core.schedule import parse_day

    return parse_day(text)


app = make_app()
