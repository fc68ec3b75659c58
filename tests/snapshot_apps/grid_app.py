"""An app for the grid snapshot: a fresh database with some 2021 figures, so the status column shows every
colour (on schedule, behind, a binding indicator behind, needs a person, no data). Times and the user name in
the detail panel's history are pinned so the picture is the same on every machine."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

os.environ["GUIHUA_USER"] = "测试员"
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()

import db.audit  # noqa: E402
import db.indicators  # noqa: E402

FIXED = datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc)
db.audit.now = lambda: FIXED
db.indicators.now = lambda: FIXED

from db.engine import open_database  # noqa: E402
from db.indicators import list_indicators, record_actual  # noqa: E402
from db.plan_store import find_plan  # noqa: E402
from importers.plan import ensure_bundled_plan  # noqa: E402
from tui.app import GuihuaApp  # noqa: E402


class SnapshotApp(GuihuaApp):
    CURSOR_BLINK = False


FIGURES_2021 = {
    "地区生产总值": "1049.7",  # on schedule
    "一般公共预算收入": "93",  # behind
    "常住人口城镇化率": "80.9",
    "林木覆盖率": "23.8",  # binding and below its line
    "公众安全感": "98.7",
}


def make_app() -> GuihuaApp:
    folder = Path(tempfile.mkdtemp(prefix="guihua-snap-"))
    database = open_database(folder / "snap.db")
    ensure_bundled_plan(database)
    with database.session() as session:
        plan = find_plan(session, None)
        views = {v.name: v for v in list_indicators(session, plan.id)}
        for name, value in FIGURES_2021.items():
            record_actual(session, views[name].id, 2021, Decimal(value), origin="tui")
    return SnapshotApp(database)


app = make_app()
