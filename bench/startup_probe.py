"""Run the real `guihua --db DB` (tui.cli.main, no subcommand) headless in this process and report, as one JSON
line on stdout, what had happened by its first paint and by the plan's outline on screen: whether SQLAlchemy was
imported yet, the process's CPU time, the reader's text, whether the importers (the start-up work done after
the plan is shown) were imported before it. Used by bench/startup.py (CPU time, steadier than the
wall clock on a shared machine) and tests/test_startup.py. With `python -X importtime`, the line
「guihua-probe: first paint」 written to stderr marks where the first paint falls among the imports.

    python bench/startup_probe.py DB
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(db: str) -> None:
    from tui import app as tui_app
    from tui import cli

    seen: dict[str, object] = {}
    app_class = tui_app.GuihuaApp
    on_mount, plan_opened = app_class.on_mount, app_class.plan_opened

    def at_first_paint(app) -> None:
        seen["cpu_first_paint"] = time.process_time()
        seen["sqlalchemy_at_first_paint"] = "sqlalchemy" in sys.modules
        os.write(2, b"guihua-probe: first paint\n")  # importtime writes to the file descriptor, not sys.stderr
        seen["text_at_first_paint"] = app.screen_text_for_tests()

    def mounted(app) -> None:  # asked first, so it runs before anything the App itself asks after the refresh
        seen["cpu_app_mounted"] = time.process_time()  # a lower bound of the first paint
        app.call_after_refresh(at_first_paint, app)
        on_mount(app)

    def at_plan_opened(app, *args) -> None:
        plan_opened(app, *args)
        seen["cpu_plan_opened"] = time.process_time()
        seen["importers_at_plan_opened"] = "importers.plan" in sys.modules  # the tree waits for no importer
        app.call_after_refresh(app.exit)

    app_class.on_mount = mounted
    app_class.plan_opened = at_plan_opened
    run_guarded = tui_app.run_guarded
    tui_app.run_guarded = lambda app, **options: run_guarded(app, headless=True, size=(120, 36), **options)
    code = 0
    try:
        cli.main(["--db", db])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    seen["exit_code"] = code
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
