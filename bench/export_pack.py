"""Time to write the meeting pack: the seed plan (28 indicators, figures for two years, a few projects) and a
synthetic plan ten times larger (280 indicators, 300 projects with 3 milestones each).

    python bench/export_pack.py [--runs 5] [--charts]

--charts adds the sheet of charts (one native Excel chart per main indicator with a numeric target).
CPU time (of this process) is printed beside the wall time: it moves less when other jobs share the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from db.engine import open_database
from db.indicators import CatalogueEntry, list_indicators, load_catalogue, record_actual
from db.plan_store import find_plan
from db.projects import add_milestone, add_project
from exports.meeting_pack import PackOptions, write_pack
from importers.plan import ensure_bundled_plan


def seed_database(folder: Path, scale: int):
    database = open_database(folder / "bench.sqlite3")
    ensure_bundled_plan(database)
    with database.session() as session:
        plan_id = find_plan(session, None).id
        if scale > 1:
            entries = [
                CatalogueEntry(category=f"类别{i % 5}", name=f"合成指标{i:04d}", unit="亿元", target_text=str(100 + i),
                               growth_text="8%左右" if i % 2 else "", attribute="预期性", base=Decimal(50 + i))
                for i in range(28 * (scale - 1))
            ]
            load_catalogue(session, plan_id, entries, origin="import")
        for view in list_indicators(session, plan_id):
            for year in (2021, 2022):
                base = view.values.get(2020) or Decimal(10)
                record_actual(session, view.id, year, base * Decimal("1.07") ** (year - 2020), origin="import", user="bench")
        for p in range(30 * scale):
            project_id = add_project(session, plan_id, f"合成项目{p:04d}", origin="import", user="bench")
            for m, due in enumerate(("2022Q2", "2023-06", "2025")):
                add_milestone(session, project_id, f"节点{m + 1}", due, origin="import", user="bench")
    return database, plan_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--charts", action="store_true", help="with the sheet of charts")
    args = parser.parse_args()
    for label, scale in (("seed plan", 1), ("10x plan", 10)):
        with tempfile.TemporaryDirectory() as folder:
            database, plan_id = seed_database(Path(folder), scale)
            times, cpu_times = [], []
            for run in range(args.runs):
                start, cpu_start = time.perf_counter(), time.process_time()
                write_pack(database, plan_id, output=Path(folder) / f"pack{run}.xlsx",
                           options=PackOptions(year=2022, today=date(2024, 7, 1), charts=args.charts))
                times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu_start)
            database.dispose()
        print(f"{label}{' with charts' if args.charts else ''}: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms, CPU median {statistics.median(cpu_times) * 1000:.0f} ms ({args.runs} runs)")


if __name__ == "__main__":
    main()
