"""How long the dialogs' keys take to be answered when the database is slow or does not answer (issue 16).

Runs the real app headless under Textual's Pilot at 140x40 on a fresh SQLite file with the bundled plan (and a
second plan with rows to check, for F9). Each scenario starts a fresh app at full speed and presses its keys
with tests/helpers.py `answers`: while a key is answered every SQL statement is held (up to 5 s), so a key that
waits for the database shows as ≥ 5,000 ms, and one that does not shows the time Textual takes to handle the key
and repaint. Statements the event loop ran itself are counted too. The same keys at full speed give the
machine's own cost.

    python bench/dialog_keys.py [--runs 3]
    PYTHONPATH=/path/to/an/older/checkout python bench/dialog_keys.py   # the same keys on older code
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: the project's tests/helpers.py, the code from PYTHONPATH first
    sys.path.append(str(HERE))

SCENARIOS = [  # (what, keys); the last key is the one timed
    ("填报表 Ctrl+F", ["ctrl+f"]),
    ("切换规划 F7", ["f7"]),
    ("导入规划 F8", ["f8"]),
    ("核对指标 F9", ["f9"]),
    ("核对指标 e（修改）", ["f9", "e"]),
    ("备份与恢复（命令面板）", ["ctrl+p", "备", "份", "enter"]),
    ("牵头单位筛选 u（F3）", ["f3", "u"]),
    ("单位选择中输入", ["f3", "u", "发"]),
    ("我的单位 Ctrl+U（F5）", ["f5", "ctrl+u"]),
]


async def measure(database, delay, keys: list[str], held: bool) -> tuple[float, int]:
    from tests.helpers import QuietApp, answers

    try:
        answered = await answers(lambda: QuietApp(database), delay, keys, hold=held)
    except AssertionError:  # a key still unanswered after 30 s: each of its statements waited 5 s on the loop
        return 30000.0, -1
    last = answered[-1]
    return last.seconds * 1000, last.on_event_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from db.engine import open_database
    from importers.plan import ensure_bundled_plan, import_plan_text
    from tests.helpers import QueryDelay
    from tests.test_indicator_check import PLAN

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "bench.sqlite3")
        ensure_bundled_plan(database)
        import_plan_text(database, PLAN.encode("utf-8"), source_name="十五五.txt")
        print("| key | full speed (median) | database held (median) | statements on the event loop |")
        print("| --- | --- | --- | --- |")
        with QueryDelay().installed(database.engine) as delay:
            for what, keys in SCENARIOS:
                fast = [asyncio.run(measure(database, delay, keys, held=False))[0] for _ in range(args.runs)]
                held = [asyncio.run(measure(database, delay, keys, held=True)) for _ in range(args.runs)]
                held_ms = statistics.median(ms for ms, _ in held)
                waited = " (waited for the database)" if held_ms >= 5000 else ""
                on_loop = max(n for _, n in held)
                print(f"| {what} | {statistics.median(fast):.0f} ms | {held_ms:.0f} ms{waited} | "
                      f"{on_loop if on_loop >= 0 else '6 or more (gave up after 30 s)'} |", flush=True)
        database.dispose()


if __name__ == "__main__":
    main()
