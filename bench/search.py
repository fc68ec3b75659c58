"""Time of one search (db.plan_store.search) over the seed plan and over a plan ten times its size, for words
of one to four characters, a word found nowhere, and two words. The TUI runs a search 0.2 s after typing
stops, so each must come back well inside a keypress.

    python bench/search.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from db.engine import open_database
from db.plan_store import find_plan, search
from importers.plan import bundled_plan_bytes, ensure_bundled_plan, import_plan_text

QUERIES = ("绿", "生态", "高质量发展", "乡村振兴", "量子计算机", "创新 人才", "GDP")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "bench.sqlite3")
        ensure_bundled_plan(database)
        with database.session() as session:
            seed_id = find_plan(session, None).id
        # The seed's text ten times over: a plan ten times the size with the same shape.
        big_id = import_plan_text(database, b"\n".join([bundled_plan_bytes()] * 10), source_name="big.txt",
                                  name="十倍规划").plan_id
        for label, plan_id in (("seed plan", seed_id), ("10x plan", big_id)):
            for query in QUERIES:
                times, found = [], 0
                for _ in range(args.runs):
                    with database.session() as session:
                        start = time.perf_counter()
                        found = len(search(session, plan_id, query))
                        times.append(time.perf_counter() - start)
                times.sort()
                p95 = times[max(0, round(0.95 * len(times)) - 1)]
                print(f"{label:9} {query:8} {found:4} hits  median {statistics.median(times) * 1000:6.1f} ms"
                      f"  p95 {p95 * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
