"""The projects (F5) and summary (F6) screens at district scale (issue 14): from the key to the first rows shown.

Runs the real app headless under Textual's Pilot at 140x40 on a database from bench/scale_dataset.py (5,000
projects × 3 milestones, 2,000 indicators with 20 values each on the default plan). For each run a fresh app
starts, waits until start-up is over, then gets F5 (or F6) as a Key event through the headless driver, the way
Pilot sends keys; the time runs until the screen's list holds its first rows and the compositor has repainted
(`screen._on_timer_update()`, what `pilot.pause()` ends with). "complete": until the project list holds every
row (it adds those beyond the first screenful in slices), or the summary has judged its indicators too. Also counted:
how many times the screen read the projects on its first show (list_projects calls, counted for 0.5 s after the
rows appeared), and, on the shown screen, the time a key takes to be answered: `o` (filter to overdue
projects, projects screen) and ↑ or ↓ (another chapter, summary screen: its detail pane follows).

`pilot.press()` + `pilot.pause()` is not used for the timing: both wait for the process to look idle in 20 ms
sleeps and would measure Pilot (see bench/grid_keypress.py).

    python bench/screens.py [--dataset FILE] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale_dataset import build_scale_dataset  # noqa: E402
from db.engine import open_database  # noqa: E402
from tui.app import GuihuaApp  # noqa: E402
from tui.cli import GC_THRESHOLDS  # noqa: E402


class BenchApp(GuihuaApp):
    CURSOR_BLINK = False


def _count_project_reads():
    """Count db.projects.list_projects calls from now on, wherever a module imported it; returns the counter."""
    import db.projects

    calls = [0]
    original = db.projects.list_projects

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "list_projects", None) is original:
            module.list_projects = counted
    return lambda: calls[0]


async def key(pilot, name: str, done, wait: float = 60) -> float:
    """Send one key; seconds until `done()` holds and the screen has been repainted with it. `done` is polled
    every 2 ms rather than after draining every queue: the project list goes on adding rows beyond the first
    screenful in slices, and the first rows are on screen before the last slice is added."""
    from textual import events

    app = pilot.app
    event = events.Key(name, None)
    event.set_sender(app)
    start = time.perf_counter()
    app._driver.send_message(event)
    deadline = start + wait
    while not done():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"key {name!r} had no visible effect within {wait} s")
        await asyncio.sleep(0.002)
    app.screen._on_timer_update()  # composite and render the dirty regions now
    return time.perf_counter() - start


async def all_rows(pilot, start: float) -> float:
    """Seconds from `start` until the project list holds every row its filter admits."""
    table = pilot.app.screen.query_one("#project-table")
    while not getattr(table, "filled", True):
        await asyncio.sleep(0.002)
    return time.perf_counter() - start


def _rows(app, screen_id: str, table_id: str) -> int:
    screen = app.screen
    if screen.id != screen_id or not screen.is_mounted:
        return 0
    tables = screen.query(table_id)
    return tables.first().row_count if tables else 0


async def first_show(database, which: str) -> dict[str, float]:
    import tui.projects  # noqa: F401 - imported before counting, so its own name is counted too

    try:
        import db.project_views  # noqa: F401
    except ImportError:  # before the screens read through db.project_views
        pass
    app = BenchApp(database)
    out: dict[str, float] = {}
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        reads = _count_project_reads()
        if which == "f5":
            start = time.perf_counter()
            out["first"] = await key(pilot, "f5", lambda: _rows(app, "projects-screen", "#project-table") > 0)
            out["all"] = await all_rows(pilot, start)
            await asyncio.sleep(0.5)
            await app.workers.wait_for_complete()
            await pilot.pause()
            out["reads"] = reads()
            table = app.screen.query_one("#project-table")
            before = table.row_count
            await pilot._wait_for_screen()
            out["key"] = await key(pilot, "o", lambda: 0 < table.row_count != before)
        else:
            start = time.perf_counter()
            out["first"] = await key(pilot, "f6", lambda: _rows(app, "summary-screen", "#summary-chapters") > 0)
            head = app.screen.query_one("#summary-head")
            while "正在判断" in str(head.render()):  # the indicators' column and pane follow
                await asyncio.sleep(0.002)
            out["all"] = time.perf_counter() - start
            await asyncio.sleep(0.5)
            await app.workers.wait_for_complete()
            await pilot.pause()
            out["reads"] = reads()
            detail = app.screen.query_one("#summary-detail-box")
            chapters = app.screen.query_one("#summary-chapters")
            before = str(detail.border_title)
            step = "up" if chapters.cursor_row == chapters.row_count - 1 else "down"
            await pilot._wait_for_screen()
            try:
                out["key"] = await key(pilot, step, lambda: str(detail.border_title) != before, wait=10)
            except RuntimeError:  # before the pane had a title naming its row, there was nothing to wait for
                out["key"] = float("nan")
    return out


def summary(values: list[float]) -> str:
    values = [v for v in values if v == v]  # NaN: not measurable
    if not values:
        return "—"
    return f"median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, help="a file made by bench/scale_dataset.py (made afresh if absent)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("GUIHUA_USER", "bench")
    gc.set_threshold(*GC_THRESHOLDS)  # as the guihua command runs (tui.cli.run)
    with tempfile.TemporaryDirectory() as folder:
        path = args.dataset or Path(folder) / "scale.sqlite3"
        if not path.exists():
            build_scale_dataset(path)
        for which, name in (("f5", "projects (F5), then o"), ("f6", "summary (F6), then ↑/↓")):
            runs = []
            for _ in range(args.runs):
                database = open_database(path)
                gc.collect()
                runs.append(asyncio.run(first_show(database, which)))
                database.dispose()
            complete = f"; complete {summary([r['all'] for r in runs])}" if all("all" in r for r in runs) else ""
            print(f"{name}: first rows {summary([r['first'] for r in runs])}{complete}; "
                  f"reads on first show {[int(r['reads']) for r in runs]}; key {summary([r['key'] for r in runs])}")


if __name__ == "__main__":
    main()
