"""`guihua import-catalogue` of a district-scale catalogue (issue 14: 2,000 rows took 3 s; goal < 1 s).

    python bench/import_catalogue.py [--rows 2000] [--runs 3]

The bundled catalogue's 28 rows are repeated with numbered names (each with a base value where the seed has
one, a lead and a partner unit) up to --rows, written as the .csv the importer reads, and imported into a
freshly seeded database (seeding and the file outside the timing), as the command does it.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db.engine import open_database  # noqa: E402
from exports.catalogue import export_catalogue_file  # noqa: E402
from importers.catalogue import import_catalogue_file  # noqa: E402
from importers.plan import ensure_bundled_plan  # noqa: E402

UNITS = ["区发展改革委", "区统计局", "区科技局", "区教育局"]


def catalogue_rows(seed_csv: Path, count: int) -> list[list[str]]:
    rows = list(csv.reader(seed_csv.read_text(encoding="utf-8-sig").splitlines()))
    header, body = rows[0], rows[1:]
    out = [header, *body]
    lead, partners, anchor = header.index("牵头单位"), header.index("配合单位"), header.index("文中出处")
    for i in range(count - len(body)):
        row = list(body[i % len(body)])
        row[1] = f"{row[1]}第{i}项"
        row[lead], row[partners], row[anchor] = UNITS[i % 4], UNITS[(i + 1) % 4], ""
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        seeded = folder / "seeded.sqlite3"
        database = open_database(seeded)
        ensure_bundled_plan(database)
        export_catalogue_file(database, 1, folder / "seed.csv")
        database.dispose()
        path = folder / "catalogue.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(catalogue_rows(folder / "seed.csv", args.rows))
        times = []
        for run in range(args.runs):
            copy = folder / f"run{run}.sqlite3"
            shutil.copy(seeded, copy)
            database = open_database(copy)
            start = time.perf_counter()
            imported = import_catalogue_file(database, 1, path)
            times.append(time.perf_counter() - start)
            database.dispose()
        result = imported.result
        print(f"{args.rows:,} rows (added {result.added:,}, unchanged {result.unchanged}): "
              f"median {statistics.median(times):.2f} s, max {max(times):.2f} s ({args.runs} runs)")


if __name__ == "__main__":
    main()
