"""Fill-in forms: issue one workbook per lead unit, fill every input cell, read them back and apply them.

    python bench/forms.py [--scale 1] [--runs 3]

--scale 10 adds synthetic indicators (and projects' milestones) to make the plan ten times larger.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from db.engine import open_database
from db.indicators import CatalogueEntry, list_indicators, load_catalogue, set_indicator_fields
from db.projects import accept_proposal, add_milestone, list_proposals, list_units, update_project
from exports.forms import INDICATOR_SHEET, MILESTONE_SHEET, write_forms
from importers.forms import apply_forms, read_forms
from importers.plan import ensure_bundled_plan


def prepare(folder: Path, scale: int):
    database = open_database(folder / "bench.sqlite3")
    ensure_bundled_plan(database)
    with database.session() as session:
        if scale > 1:
            extra = [CatalogueEntry(category="合成", name=f"合成指标{i}", unit="亿元", target_text="100",
                                    growth_text="", attribute="预期性", base=Decimal(50)) for i in range(28 * (scale - 1))]
            load_catalogue(session, 1, extra, origin="cli")
        units = [u.name for u in list_units(session)][:10]
        for index, view in enumerate(list_indicators(session, 1)):
            set_indicator_fields(session, view.id, origin="cli", lead_unit=units[index % len(units)])
        for index, proposal in enumerate(list_proposals(session, 1, "project")[: 10 * scale]):
            project_id = accept_proposal(session, proposal.id, origin="cli")
            update_project(session, project_id, origin="cli", lead_unit=units[index % len(units)])
            for step in ("前期工作", "开工建设", "竣工投用"):
                add_milestone(session, project_id, step, "2024", origin="cli")
    return database


def fill(path: Path) -> None:
    workbook = load_workbook(path)
    if INDICATOR_SHEET in workbook.sheetnames:
        sheet = workbook[INDICATOR_SHEET]
        for row in range(5, sheet.max_row + 1):
            if isinstance(sheet.cell(row=row, column=10).value, int):
                sheet.cell(row=row, column=7).value = 100 + row / 10
                sheet.cell(row=row, column=9).value = "快报"
    if MILESTONE_SHEET in workbook.sheetnames:
        sheet = workbook[MILESTONE_SHEET]
        for row in range(5, sheet.max_row + 1):
            if isinstance(sheet.cell(row=row, column=9).value, int):
                sheet.cell(row=row, column=6).value = "推进中"
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"write forms": [], "read forms": [], "apply forms": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            database = prepare(folder, args.scale)
            start = time.perf_counter()
            written = write_forms(database, 1, 2024, output_dir=folder / "forms")
            timings["write forms"].append(time.perf_counter() - start)
            for form in written:
                fill(form.path)
            start = time.perf_counter()
            review = read_forms(database, [folder / "forms"])
            timings["read forms"].append(time.perf_counter() - start)
            start = time.perf_counter()
            result = apply_forms(database, review)
            timings["apply forms"].append(time.perf_counter() - start)
            assert not review.refused and len(result.applied) == len(review.changes)
            rows = sum(f.indicators + f.milestones for f in written)
            database.dispose()
    print(f"scale {args.scale}: {len(written)} workbooks, {rows} rows, {len(result.applied)} changes applied")
    for label, values in timings.items():
        print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms ({args.runs} runs)")


if __name__ == "__main__":
    main()
