"""An app for the reader snapshot: a fresh database opened at 第一章 › 第一节 (via the remembered place)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from db.engine import open_database
from db.plan_store import find_plan, outline, set_state
from importers.plan import ensure_bundled_plan
from tui.app import GuihuaApp


class SnapshotApp(GuihuaApp):
    CURSOR_BLINK = False


def make_app() -> GuihuaApp:
    folder = Path(tempfile.mkdtemp(prefix="guihua-snap-"))
    database = open_database(folder / "snap.db")
    ensure_bundled_plan(database)
    with database.session() as session:
        plan = find_plan(session, None)
        section = next(n for root in outline(session, plan.id) for n in root.walk() if n.label == "第一节 发展基础")
        set_state(session, f"last_node:{plan.id}", str(section.id))
    return SnapshotApp(database)


app = make_app()
