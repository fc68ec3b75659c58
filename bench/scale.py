"""Every CLI command an office runs, at district scale (issue 14): whole `guihua` processes against the dataset of
bench/scale_dataset.py (6 plans; 2,000 indicators with 20 recorded values each and 5,000 projects × 3
milestones on the default plan). Commands that write run on a fresh copy of the dataset each time (the copy is
made outside the timing).

    python bench/scale.py [--runs 3] [--dataset FILE] [--only export,search-many]

Prints one line per command: median and max wall-clock seconds, median CPU seconds (user + system, steadier
when other jobs share the machine), and the command's last line of output.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale_dataset import build_scale_dataset

GUIHUA = Path(sys.executable).with_name("guihua")


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # after `guihua --db FILE`; {dir} is the run's folder, {plan10} the 10× plan file
    writes: bool = False  # run on a fresh copy of the dataset with the 10× plan added


CASES = (
    Case("--version", ("--version",)),
    Case("plans", ("plans",)),
    Case("indicators", ("indicators",)),
    Case("indicators --json", ("indicators", "--json")),
    Case("projects", ("projects",)),
    Case("search 发展", ("search", "发展")),
    Case("search 发展 in the 10× plan", ("search", "发展", "--plan", "十倍规划"), writes=True),
    Case("export", ("export", "-o", "{dir}/pack.xlsx")),
    Case("import-catalogue (2,000 rows)", ("import-catalogue", "{dir}/catalogue.csv", "--plan", "规划副本1"),
         writes=True),
    Case("import-plan (10× the seed)", ("import-plan", "{plan10}", "--name", "十倍规划2"), writes=True),
)


def _run(args: list[str], env: dict) -> tuple[float, float, str]:
    """(wall-clock seconds, CPU seconds of the process, its last line). CPU time says more than wall time when
    other jobs share the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(GUIHUA), *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):  # search exits 1 when nothing is found
        raise SystemExit(f"guihua {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    lines = (done.stdout or done.stderr).strip().splitlines()
    return elapsed, cpu, lines[-1][:70] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dataset", type=Path, help="an existing dataset file (default: build one)")
    parser.add_argument("--only", help="comma-separated case names (the part before the first space)")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    env = {**os.environ, "GUIHUA_USER": "bench", "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        dataset = args.dataset
        if dataset is None:
            dataset = work / "scale.sqlite3"
            made = build_scale_dataset(dataset)
            print(f"dataset built in {made.seconds:.1f} s")
        from importers.plan import bundled_plan_bytes

        plan10 = work / "plan10.txt"  # the seed's text ten times over, as bench/search.py makes it
        plan10.write_bytes(b"\n".join([bundled_plan_bytes()] * 10))
        _run(["--db", str(dataset), "export-catalogue", str(work / "catalogue.csv")], env)
        with_plan10 = work / "with_plan10.sqlite3"  # what writing cases start from
        shutil.copyfile(dataset, with_plan10)
        _run(["--db", str(with_plan10), "import-plan", str(plan10), "--name", "十倍规划"], env)
        for case in CASES:
            if wanted and case.name.split(" ")[0] not in wanted:
                continue
            times, cpu_times, last = [], [], ""
            for run in range(args.runs):
                target = dataset
                if case.writes:
                    target = work / f"copy{run}.sqlite3"
                    shutil.copyfile(with_plan10, target)
                command = [a.format(dir=work, plan10=plan10) for a in ("--db", str(target), *case.args)]
                elapsed, cpu, last = _run(command, env)
                times.append(elapsed)
                cpu_times.append(cpu)
                if case.writes:
                    target.unlink()
                    shutil.rmtree(work / "备份", ignore_errors=True)
            print(f"{case.name:32} wall median {statistics.median(times):6.2f} s  max {max(times):6.2f} s"
                  f"  CPU median {statistics.median(cpu_times):6.2f} s  | {last}")


if __name__ == "__main__":
    main()
