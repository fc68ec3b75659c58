"""Cold start of `guihua` to its first painted screen, as a person sees it: the real command in tmux, timed
from launch until the screen's frame is painted (「目录」, the tree's title) and until the chapter tree is
filled (「第一章」: the outline, read in a worker after the first paint). Also times a read-only CLI command.

    python bench/startup.py [--runs 10]      (needs tmux)
"""

from __future__ import annotations

import argparse
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
    for label, values in (("TUI cold start to the first paint (frame)", frame),
                          ("TUI cold start to the chapter tree filled", tui), ("`guihua plans` (CLI, read only)", cli)):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({args.runs} runs)")


if __name__ == "__main__":
    main()
