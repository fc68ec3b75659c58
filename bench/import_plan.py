"""First-run import of the bundled plan: parse alone, and parse + store into a fresh SQLite file.

    python bench/import_plan.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from core.plan_text import parse_plan
from db.engine import open_database
from importers.plan import bundled_plan_bytes, ensure_bundled_plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    text = bundled_plan_bytes().decode("utf-8")
    parse_times, import_times = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        parse_plan(text)
        parse_times.append(time.perf_counter() - start)
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            database = open_database(Path(folder) / "bench.sqlite3")  # schema created here, outside the timing
            start = time.perf_counter()
            ensure_bundled_plan(database)
            import_times.append(time.perf_counter() - start)
            database.dispose()
    for label, values in (("parse only", parse_times), ("first-run import (parse + store)", import_times)):
        print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms ({args.runs} runs)")


if __name__ == "__main__":
    main()
