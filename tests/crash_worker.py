"""Run by tests/test_crash.py in a separate process: a long run of edits through guihua's own operation,
printing one line per edit only after record_actual has returned (committed). The test kills it with SIGKILL."""

from __future__ import annotations

import sys
from decimal import Decimal

from db.engine import open_database
from db.indicators import list_indicators, record_actual
from db.plan_store import find_plan


def main(path: str, start: int) -> None:
    database = open_database(path)
    with database.session() as session:
        ids = [v.id for v in list_indicators(session, find_plan(session, None).id)]
    counter = start
    while True:
        for year in range(2021, 2026):
            for indicator_id in ids:
                counter += 1
                print(f"try {indicator_id} {year} {counter}", flush=True)
                with database.session() as session:
                    record_actual(session, indicator_id, year, Decimal(counter), origin="cli", user="crash-test")
                print(f"ack {indicator_id} {year} {counter}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
