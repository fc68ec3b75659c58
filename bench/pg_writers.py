"""Many departments entering figures at once on one PostgreSQL server: WORKERS writer processes call
db.indicators.record_actual for SECONDS, each edit a unique value on a randomly chosen (indicator, year) of
the bundled plan's 28 indicators × 2021–2025. Reports edits per second and latency, then checks that no edit
was lost or duplicated: every acknowledged value is in the change log exactly once (and nothing else is),
each cell's change log is an unbroken chain (every change's old value is the previous change's new value),
and each cell holds its last logged value.

    .ci/pg-server start /tmp/pgbench --durable > /tmp/pgbench.env && . /tmp/pgbench.env
    python bench/pg_writers.py [--workers 20] [--seconds 30] [--cells 140] [--optimistic]
    .ci/pg-server stop /tmp/pgbench

--url (default: GUIHUA_TEST_PG_URL) names a database on the server whose role may create databases; the
benchmark works in a new database of its own and drops it afterwards (--keep keeps it). Without
--optimistic every save is last-write-wins (what `guihua set` does); with it each writer saves against the
version it loaded (as the TUI does) and, when refused, reloads and tries again: refusals are counted, and
only saved edits are acknowledged.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _writer(url: str, worker: int, cells: list[tuple[int, int]], start_at: float, stop_at: float,
            optimistic: bool, max_edits: int | None, queue) -> None:
    import db.audit
    from db.audit import ConcurrentEditError
    from db.engine import open_database
    from db.indicators import get_indicator, record_actual

    retries = Counter()
    retryable = db.audit.is_write_conflict

    def counting(exc):
        redo = retryable(exc)
        if redo:
            retries[type(exc).__name__] += 1
        return redo

    db.audit.is_write_conflict = counting
    database = open_database(url)
    rng = random.Random(worker)
    acked, latencies, refused = [], [], 0
    seq = 0
    while time.time() < start_at:
        time.sleep(0.001)
    try:
        while time.time() < stop_at and (max_edits is None or seq < max_edits):
            seq += 1
            indicator_id, year = rng.choice(cells)
            value = Decimal(worker * 10_000_000 + seq)  # unique across all writers
            began = time.perf_counter()
            while True:
                with database.session() as session:
                    expected = get_indicator(session, indicator_id).year_version(year) if optimistic else None
                    try:
                        edit = record_actual(session, indicator_id, year, value, origin="cli",
                                             user=f"writer{worker}", expected_version=expected)
                    except ConcurrentEditError:
                        refused += 1
                        continue  # reload and save again: the user decided after seeing the newer value
                break
            latencies.append(time.perf_counter() - began)
            acked.append((indicator_id, year, str(value), edit.change_ids))
    finally:
        database.dispose()
    queue.put((worker, acked, latencies, refused, dict(retries)))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def verify(url: str, acked: list[tuple[int, int, str, tuple[int, ...]]]) -> dict[str, int]:
    """Compare the change log with what the writers were told was saved."""
    from sqlmodel import select

    from db.engine import open_database
    from db.models import ChangeLog, IndicatorYear

    database = open_database(url)
    try:
        with database.session() as session:
            logged = list(session.exec(
                select(ChangeLog).where(ChangeLog.field == "actual", ChangeLog.user_name.startswith("writer"))
                .order_by(ChangeLog.id)
            ))
            cells = {(r.indicator_id, r.year): r.actual for r in session.exec(select(IndicatorYear))}
            initial = {}  # each cell's value before the benchmark: the first writer change's old value
    finally:
        database.dispose()
    by_value = Counter(r.new_value for r in logged)
    acked_values = {value: (ind, year, ids) for ind, year, value, ids in acked}
    lost = [v for v in acked_values if by_value[v] == 0]
    duplicated = [v for v, n in by_value.items() if n > 1]
    unacknowledged = [v for v in by_value if v not in acked_values]
    misattributed = [r.new_value for r in logged
                     if r.new_value in acked_values and (r.id not in acked_values[r.new_value][2]
                                                         or (r.indicator_id, r.year) != acked_values[r.new_value][:2])]
    chains = defaultdict(list)
    for r in logged:
        chains[(r.indicator_id, r.year)].append(r)
    broken = 0
    wrong_final = 0
    for cell, rows in chains.items():
        initial[cell] = rows[0].old_value
        broken += sum(1 for before, after in zip(rows, rows[1:]) if after.old_value != before.new_value)
        wrong_final += cells.get(cell) != rows[-1].new_value
    return {
        "acknowledged": len(acked),
        "logged": len(logged),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "logged but not acknowledged": len(unacknowledged),
        "logged under another cell or change id": len(misattributed),
        "broken chains (old value ≠ previous new value)": broken,
        "cells whose value is not their last logged value": wrong_final,
    }


def run(url: str, workers: int, seconds: float | None, *, cells: int = 140, optimistic: bool = False,
        max_edits: int | None = None, keep: bool = False, quiet: bool = False) -> dict:
    """Create a database, run the writers, verify. Returns the figures (used by tests/test_postgres.py)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from db.engine import open_database
    from db.indicators import list_indicators
    from db.plan_store import find_plan
    from importers.plan import ensure_bundled_plan

    base = make_url(url)
    if base.drivername in ("postgres", "postgresql"):
        base = base.set(drivername="postgresql+psycopg")
    name = f"guihua_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    bench_url = base.set(database=name).render_as_string(hide_password=False)
    try:
        database = open_database(bench_url)
        ensure_bundled_plan(database)
        with database.session() as session:
            views = list_indicators(session, find_plan(session, None).id)
            server = session.execute(text("SHOW server_version")).scalar_one()
            fsync = session.execute(text("SHOW fsync")).scalar_one()
            commit_mode = session.execute(text("SHOW synchronous_commit")).scalar_one()
        database.dispose()
        all_cells = [(v.id, year) for v in views for year in range(2021, 2026)]
        chosen = random.Random(0).sample(all_cells, min(cells, len(all_cells)))
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        start_at = time.time() + 3.0 + 0.1 * workers  # every process imported and connected before the start
        stop_at = start_at + (seconds if seconds is not None else 3600)
        processes = [context.Process(target=_writer, args=(bench_url, w, chosen, start_at, stop_at, optimistic,
                                                           max_edits, queue)) for w in range(1, workers + 1)]
        for p in processes:
            p.start()
        results = [queue.get(timeout=(seconds or 600) + 120) for _ in processes]
        for p in processes:
            p.join(timeout=30)
        elapsed = (min(stop_at, time.time()) - start_at) if seconds is not None else None
        acked = [a for _, worker_acked, _, _, _ in results for a in worker_acked]
        latencies = [x for _, _, worker_latencies, _, _ in results for x in worker_latencies]
        retries = Counter()
        for *_, worker_retries in results:
            retries.update(worker_retries)
        figures = {
            "server": f"PostgreSQL {server} (fsync={fsync}, synchronous_commit={commit_mode})",
            "workers": workers,
            "cells": len(chosen),
            "mode": "expected_version (reload and retry when refused)" if optimistic else "last write wins",
            "edits": len(acked),
            "seconds": elapsed,
            "edits_per_second": len(acked) / elapsed if elapsed else None,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
            "p95_ms": _percentile(latencies, 0.95) * 1000 if latencies else None,
            "p99_ms": _percentile(latencies, 0.99) * 1000 if latencies else None,
            "refused_and_retried_by_user": sum(r for _, _, _, r, _ in results),
            "redone_after_a_concurrent_write": dict(retries),
            "check": verify(bench_url, acked),
        }
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    if not quiet:
        report(figures)
    return figures


def report(f: dict) -> None:
    print(f"{f['server']}; {f['workers']} writer processes, {f['cells']} cells, {f['mode']}")
    print(f"  {f['edits']} edits in {f['seconds']:.1f} s: {f['edits_per_second']:.0f} edits/s")
    print(f"  latency per edit (session, read, write, change log, commit): p50 {f['p50_ms']:.1f} ms, "
          f"p95 {f['p95_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms")
    print(f"  saves redone after a concurrent write: {f['redone_after_a_concurrent_write'] or 'none'}; "
          f"refused (expected_version) and retried: {f['refused_and_retried_by_user']}")
    bad = {k: v for k, v in f["check"].items() if k not in ("acknowledged", "logged") and v}
    print(f"  check: {f['check']['acknowledged']} acknowledged, {f['check']['logged']} in the change log; "
          + ("no edit lost or duplicated, every chain unbroken" if not bad else f"PROBLEMS: {bad}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("GUIHUA_TEST_PG_URL"))
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--cells", type=int, default=140, help="how many (indicator, year) cells the writers share")
    parser.add_argument("--optimistic", action="store_true", help="save against the loaded version, retry when refused")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or set GUIHUA_TEST_PG_URL (see .ci/pg-server)")
    figures = run(args.url, args.workers, args.seconds, cells=args.cells, optimistic=args.optimistic, keep=args.keep)
    bad = {k: v for k, v in figures["check"].items() if k not in ("acknowledged", "logged") and v}
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
