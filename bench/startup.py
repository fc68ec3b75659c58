"""Cold start of `guihua` to its first painted screen, as a person sees it: the real command in tmux, timed
from launch until the screen's frame is painted (「目录」, the tree's title) and until the chapter tree is
filled (「第一章」: the outline, read in a worker after the first paint). Also times a read-only CLI command, and,
steadier on a shared machine than the wall clock, the process's CPU time at the first paint and at the outline on
screen (bench/startup_probe.py, headless) and where SQLAlchemy's import falls against the first paint
(`python -X importtime`).

    python bench/startup.py [--runs 10]      (needs tmux)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY_TEXT = "第一章"  # the tree shows the chapters once the outline has been read
FRAME_TEXT = "目录"  # the first paint: the reader's frame, before the outline arrives


def time_tui_start(guihua: str, db: Path, ready_text: str = READY_TEXT) -> float:
    name = f"guihua-bench-{os.getpid()}"
    for attempt in range(5):
        start = time.perf_counter()
        launched = subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "36",
                                   f"{guihua} --db {db}"], capture_output=True, text=True)
        if launched.returncode == 0:
            break
        # the previous run's server may still be shutting down ("server exited unexpectedly"): try again
        time.sleep(0.2)
    else:
        raise RuntimeError(f"tmux could not start guihua: {launched.stderr.strip()}")
    try:
        while time.perf_counter() - start < 20:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if ready_text in screen:
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError("guihua did not paint within 20 s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


PROBE = Path(__file__).resolve().parent / "startup_probe.py"


def probe_cpu(db: Path) -> tuple[float, float]:
    """CPU seconds of a headless `guihua` at its first paint and at the outline on screen."""
    done = subprocess.run([sys.executable, str(PROBE), str(db)], check=True, capture_output=True, text=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    return seen["cpu_first_paint"], seen["cpu_plan_opened"]


def sqlalchemy_before_first_paint(db: Path) -> str:
    """From `python -X importtime`: how many modules of sqlalchemy/sqlmodel/db were imported before the first
    paint, and the import time of sqlalchemy, sqlmodel and db.models after it (each line's cumulative time)."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(PROBE), str(db)], check=True,
                          capture_output=True, text=True)
    before, after = 0, 0
    painted = False
    for line in done.stderr.splitlines():
        if line.startswith("guihua-probe: first paint"):
            painted = True
            continue
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:") or not parts[1].strip().isdigit():
            continue
        name = parts[2].strip()
        if name.split(".")[0] in ("sqlalchemy", "sqlmodel", "db"):
            if painted:
                after += int(parts[1]) if name in ("sqlalchemy", "sqlmodel", "db.models") else 0  # cumulative, disjoint
            else:
                before += 1
    return f"{before} modules before the first paint; sqlalchemy + sqlmodel + db.models {after / 1e6:.2f} s after it"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    guihua = shutil.which("guihua") or str(Path(sys.executable).parent / "guihua")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        subprocess.run([guihua, "--db", str(db), "plans"], check=True, capture_output=True)  # first run: import
        frame = [time_tui_start(guihua, db, FRAME_TEXT) for _ in range(args.runs)]
        tui = [time_tui_start(guihua, db) for _ in range(args.runs)]
        cli = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([guihua, "--db", str(db), "plans"], check=True, capture_output=True)
            cli.append(time.perf_counter() - start)
        cpu = [probe_cpu(db) for _ in range(args.runs)]
        imports = sqlalchemy_before_first_paint(db)
    for label, values in (("TUI cold start to the first paint (frame)", frame),
                          ("TUI cold start to the chapter tree filled", tui), ("`guihua plans` (CLI, read only)", cli)):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({args.runs} runs)")
    print(f"CPU time to the first paint (headless): median {statistics.median(c[0] for c in cpu) * 1000:.0f} ms; "
          f"to the outline on screen: median {statistics.median(c[1] for c in cpu) * 1000:.0f} ms ({args.runs} runs)")
    print(f"python -X importtime: {imports}")


if __name__ == "__main__":
    main()
