"""Time to draft the evaluation report (guihua report) for the seed plan with five years of figures for all
28 main indicators, an accepted text target and 30 projects with 3 milestones each: each kind of report,
written to a .docx through the same path as the CLI (figures, the meeting pack's table rows, python-docx,
safe save). The first run in the process includes importing python-docx and lxml.

    python bench/report.py [--runs 5]
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
from db.indicators import list_indicators, record_actual
from db.plan_store import find_plan, plan_period
from db.projects import accept_proposal, add_milestone, add_project, list_proposals
from importers.plan import ensure_bundled_plan


def five_years(folder: Path):
    database = open_database(folder / "bench.sqlite3")
    ensure_bundled_plan(database)
    with database.session() as session:
        plan_id = find_plan(session, None).id
        period = plan_period(session, plan_id)
        for index, view in enumerate(list_indicators(session, plan_id)):
            base = view.values.get(period.base_year) or Decimal(10 + index)
            for n, year in enumerate(period.plan_years, start=1):
                value = (base * Decimal("1.06") ** n).quantize(Decimal("0.1"))
                record_actual(session, view.id, year, value, origin="import", user="bench")
        target = next(p for p in list_proposals(session, plan_id, "target"))
        accept_proposal(session, target.id, origin="import")
        for p in range(30):
            project_id = add_project(session, plan_id, f"合成项目{p:02d}", origin="import", user="bench")
            for m, due in enumerate(period.plan_years[1::2]):
                add_milestone(session, project_id, f"节点{m + 1}", str(due), origin="import", user="bench")
    return database, plan_id, period


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database, plan_id, period = five_years(Path(folder))
        today = date(period.target_year + 1, 12, 2)
        started = time.perf_counter()
        from exports.report import write_report

        write_report(database, plan_id, output=Path(folder) / "first.docx", today=today)
        print(f"first report in the process (imports python-docx): {(time.perf_counter() - started) * 1000:.0f} ms")
        for kind in ("总结", "中期", "年度"):
            times = []
            for run in range(args.runs):
                start = time.perf_counter()
                result = write_report(database, plan_id, kind=kind, output=Path(folder) / f"{kind}{run}.docx", today=today)
                times.append(time.perf_counter() - start)
            size = result.path.stat().st_size // 1024
            print(f"{kind}: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                  f"({args.runs} runs, {size} KB)")
        database.dispose()


if __name__ == "__main__":
    main()
