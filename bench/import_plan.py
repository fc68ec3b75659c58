"""First-run import of the bundled plan: parse alone, and parse + store into a fresh SQLite file.

    python bench/import_plan.py [--runs 10]
    python bench/import_plan.py --scale 10 [--runs 3]   # the plan N times over, imported as guihua import-plan does

With --scale, the seed's 13 chapters are repeated N times and numbered on (第14章 …), and the whole import
(parse, store, finder, the plan's own indicator table) is timed with its parts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import re

from core.numerals import cn_number
from core.plan_text import parse_plan
from db.engine import open_database
from importers.plan import bundled_plan_bytes, ensure_bundled_plan

_CHAPTER = re.compile(r"^(\s*)第([一二三四五六七八九十]+)章")


def scaled_plan(times: int) -> str:
    """The bundled plan's body `times` over, chapters numbered on, under its front matter."""
    lines = bundled_plan_bytes().decode("utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if _CHAPTER.match(line))
    chapters = sum(1 for line in lines[first:] if _CHAPTER.match(line))
    out = lines[:first]
    for copy in range(times):
        for line in lines[first:]:
            match = _CHAPTER.match(line)
            if match:
                line = f"{match.group(1)}第{copy * chapters + cn_number(match.group(2))}章{line[match.end():]}"
            out.append(line)
    return "\n".join(out)


def scaled_import(times: int, runs: int) -> None:
    import importers.plan as plan_import

    data = scaled_plan(times).encode("utf-8")
    parts: dict[str, list[float]] = {"parse": [], "finder": [], "total": []}

    def timed(name, function):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts[name].append(time.perf_counter() - start)
        return run

    plan_import.parse_plan_bytes = timed("parse", plan_import.parse_plan_bytes)
    plan_import.run_finder = timed("finder", plan_import.run_finder)
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            database = open_database(Path(folder) / "bench.sqlite3")
            timed("total", plan_import.import_plan_text)(database, data, source_name="scaled.txt", name="bench")
            database.dispose()
    shown = ", ".join(f"{name} {statistics.median(values):.2f} s" for name, values in parts.items())
    print(f"{times}x plan ({len(data) // 1000:,} KB): median of {runs}: {shown}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scale", type=int, default=0, help="import the plan this many times over instead")
    args = parser.parse_args()
    if args.scale:
        scaled_import(args.scale, args.runs)
        return
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
