"""Key press to repainted grid while entering data in the 主要指标 screen, with the plan's 28 indicators and with
1,000 (the 28 plus 972 synthetic ones loaded through db.indicators.load_catalogue into a temporary database).

The real app runs headless under Textual's Pilot at 140x40. For each of --edits edits the cursor is put on a
2021 cell (not timed), the value's characters are typed, then Enter. The first half of the edits give empty
cells their first value (which creates the indicator's yearly row in the database); the second half change
those same cells again. Each key is sent the way Pilot sends it (a Key event through the headless driver)
and timed with time.perf_counter until the screen shows it:

- "Enter": from sending Enter until the row's year cell holds the new value, the editor is closed, every
  message queue of the app and screen is drained (cursor move, status line) and the compositor has repainted
  the dirty regions (`screen._on_timer_update()`, what `pilot.pause()` ends with; it renders the changed
  lines to the headless driver). That covers parsing, record_actual (SQLite commit, synchronous=FULL),
  reading the indicator back, re-judging its row (and the rows judged against other indicators), updating the
  changed cells, moving the cursor and the repaint. The detail panel is not in it: it follows 80 ms after
  the keys stop (tui.grid.DETAIL_DELAY), by design.
- "digit": the same for one character typed into the open editor, until the editor shows it and is repainted.

`pilot.press()` + `pilot.pause()` is not used for the timing: both wait for the process to look idle by
sleeping in 20 ms steps (textual._wait.wait_for_idle), which adds 40-80 ms of sleeping to every key and would
measure Pilot, not the app. (For the record: measured that way the figures are about 80 ms per digit and
200 ms per Enter at any row count.)

The district-scale first load (issue 14): `--scale FILE.sqlite3` (made by bench/scale_dataset.py: 2,000
indicators × 20 recorded values) times F3 from the key to the grid's first rows painted, on a fresh app each
run, and counts how often the grid read its data on that first show.

    python bench/grid_keypress.py [--edits 200] [--scale FILE.sqlite3 [--runs 5]]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.engine import open_database  # noqa: E402
from db.indicators import CatalogueEntry, list_indicators, load_catalogue  # noqa: E402
from db.plan_store import find_plan  # noqa: E402
from importers.plan import ensure_bundled_plan  # noqa: E402
from tui.app import GuihuaApp  # noqa: E402
from tui.cli import GC_THRESHOLDS  # noqa: E402

TARGETS = [("力争{}", "8%左右"), ("≥{}", ""), ("{}", ""), ("完成市下达目标", ""), ("＜{}", ""), ("", "﹥20%")]


class BenchApp(GuihuaApp):
    CURSOR_BLINK = False


def synthetic(count: int) -> list[CatalogueEntry]:
    entries = []
    for i in range(count):
        target, growth = TARGETS[i % len(TARGETS)]
        base = Decimal(100 + i % 50)
        entries.append(
            CatalogueEntry(
                category=f"合成类别{i // 100 + 1}",
                name=f"合成指标{i + 1:04d}",
                unit="亿元",
                target_text=target.format(base * 2) if "{}" in target else target,
                growth_text=growth,
                attribute="约束性" if i % 4 == 0 else "预期性",
                base=base,
            )
        )
    return entries


def make_database(folder: Path, total: int):
    database = open_database(folder / f"bench-{total}.sqlite3")
    ensure_bundled_plan(database)
    with database.session() as session:
        plan = find_plan(session, None)
        have = len(list_indicators(session, plan.id))
        if total > have:
            load_catalogue(session, plan.id, synthetic(total - have), origin="import")
        assert len(list_indicators(session, plan.id)) == total
    return database


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def key(pilot, name: str, char: str | None, done) -> float:
    """Send one key; seconds until `done()` holds, all queues are drained and the screen is repainted."""
    from textual import events

    app = pilot.app
    event = events.Key(name, char)
    event.set_sender(app)
    start = time.perf_counter()
    app._driver.send_message(event)
    deadline = start + 60
    while True:
        await pilot._wait_for_screen()  # event based: every widget has handled what was queued
        if done():
            break
        if time.perf_counter() > deadline:
            raise RuntimeError(f"key {name!r} had no visible effect")
        await asyncio.sleep(0.001)  # a worker (thread) is still reading: let it post its message
    await pilot._wait_for_screen()  # follow-up messages (cursor moved, detail panel)
    app.screen._on_timer_update()  # composite and render the dirty regions now
    return time.perf_counter() - start


async def measure(database, edits: int) -> dict[str, list[float]]:
    app = BenchApp(database)
    times: dict[str, list[float]] = {"open": [], "first": [], "change": [], "digit": []}
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("f3")
        await pilot.pause()
        times["open"].append(time.perf_counter() - start)
        grid = app.screen
        table = grid.table
        rows = [i for i in range(table.row_count) if not table.is_category(i)]
        column = table.get_column_index("y2021")
        half = max(1, edits // 2)
        if len(rows) >= half:
            cells = [rows[(n * 7) % len(rows)] for n in range(half)]  # spread over the table, GDP included
        else:
            cells = [rows[n % len(rows)] for n in range(half)]
        for n in range(2 * half):
            table.move_cursor(row=cells[n % half], column=column)
            await pilot.pause()
            indicator = str(table.current_indicator())
            kind = "first" if table.get_cell(indicator, "y2021").plain == "" else "change"
            # near the row's base value: a figure far off its path asks before saving (core.plausibility)
            base = float(grid.view(int(indicator)).values.get(2020) or 100)
            value = f"{base + n * 0.1 + 0.05:.2f}"
            shown = value.rstrip("0")
            for index, char in enumerate(value):
                typed = value[: index + 1]
                spent = await key(pilot, "full_stop" if char == "." else char, char, lambda: grid.editor.value == typed)
                if index:  # the first character opens the editor; the echo is measured on the others
                    times["digit"].append(spent)
            spent = await key(
                pilot,
                "enter",
                None,
                lambda: grid.editing is None and table.get_cell(indicator, "y2021").plain == shown,
            )
            times[kind].append(spent)
    return times


async def first_rows(database, reads: list[int]) -> float:
    """Seconds from F3 to the grid's first rows painted (the first F3 of a fresh app)."""
    from tui import grid

    app = BenchApp(database)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        count = _count_reads(grid)
        spent = await key(pilot, "f3", None, lambda: _rows_shown(app))
        await pilot.pause(0.3)  # anything the first show still triggers (a second read) is counted too
        reads.append(count())
    return spent


def _rows_shown(app) -> bool:
    from tui.grid import GridScreen

    screen = app.screen
    if not isinstance(screen, GridScreen) or not screen.is_mounted:
        return False
    tables = screen.query("#grid")
    return bool(tables) and tables.first().row_count > 0


def _count_reads(grid_module):
    """Count the grid's data reads (its loading function) from now on; returns the counter."""
    calls = [0]
    loader = getattr(grid_module, "READ_GRID", None)
    if loader is None:  # before the grid read through db.grid_views: GridScreen.load did the reading
        original = grid_module.GridScreen.load

        def counted(self, *args, **kwargs):
            calls[0] += 1
            return original(self, *args, **kwargs)

        grid_module.GridScreen.load = counted
    else:
        original = loader.__call__ if not hasattr(loader, "__wrapped__") else loader

        def counted_read(*args, **kwargs):
            calls[0] += 1
            return original(*args, **kwargs)

        grid_module.READ_GRID = counted_read
    return lambda: calls[0]


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--scale", type=Path, help="a database from bench/scale_dataset.py: time the first F3")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gc.set_threshold(*GC_THRESHOLDS)  # as the guihua command runs (tui.cli.run)
    if args.scale:
        spent, reads = [], []
        for _ in range(args.runs):
            database = open_database(args.scale)
            gc.collect()
            spent.append(asyncio.run(first_rows(database, reads)))
            database.dispose()
        print(f"{args.scale.name}: first F3 to the first rows painted {summary(spent)}; data reads on first show {reads}")
        return
    with tempfile.TemporaryDirectory() as folder:
        for total in (28, 1000):
            database = make_database(Path(folder), total)
            gc.collect()  # the catalogue import's garbage is not the grid's
            times = asyncio.run(measure(database, args.edits))
            database.dispose()
            print(f"{total} indicators, first F3 to the painted grid {times['open'][0] * 1000:.0f} ms")
            print(f"  Enter, first value in a cell:   {summary(times['first'])}")
            print(f"  Enter, changing a value:        {summary(times['change'])}")
            print(f"  Enter, all:                     {summary(times['first'] + times['change'])}")
            print(f"  a character typed in the editor: {summary(times['digit'])}")


if __name__ == "__main__":
    main()
