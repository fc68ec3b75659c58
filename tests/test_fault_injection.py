"""Fault injection: guihua killed with SIGKILL at every fsync, and a first run on a full disk.

strace (`-e inject=SYSCALL:signal=SIGKILL:when=N`) kills the real `guihua` process at the N-th call of
fdatasync, fsync or rename, for every N the operation makes, in five operations that change files: a first
run (schema creation and the bundled plan), an upgrade from the first released schema (guihua 0.1), an
import (import-plan, with its automatic backup), a restore (over a healthy database, and over a damaged one)
and an export. After each kill the test runs guihua's commands on what was left and asserts that each one
works, or says exactly what to do (a command line in its message), and that doing it succeeds; and that no
acknowledged write was lost and no half-done one shows (a plan is there whole or not at all, a restored
database is the old one or the backup, an exported workbook is complete or absent).

Kill points are counted by tracing one undisturbed run of each operation. At most MAX_KILL_POINTS per
operation are used, spread evenly (every one today: see docs/benchmarks.md, "Fault injection (issue 13)").
The killed runs go two at a time; the checks after them run in this process, through the CLI. The whole
module takes about a minute on a 2-core machine.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui import cli

ROOT = Path(__file__).resolve().parent.parent
STRACE = shutil.which("strace")
KILL_SYSCALLS = ("fdatasync", "fsync", "rename", "renameat", "renameat2")
MAX_KILL_POINTS = 60  # per operation; spread evenly when an operation makes more
WORKERS = 2
SMALL_PLAN = (
    "某镇国民经济和社会发展第十五个五年规划纲要\n\n第一章 总体要求\n\n第一节 发展基础\n\n"
    "地区生产总值年均增长6%左右。\n\n第二章 产业发展\n\n到2030年规模以上工业产值达到1000亿元。\n"
)
COMMANDS = (("plans",), ("indicators", "--json"), ("search", "医药"), ("backups",), ("check",))
OLD_PLAN_COMMANDS = (("plans",), ("indicators", "--json"), ("search", "生产总值"), ("backups",), ("check",))


def _strace_works() -> bool:
    if STRACE is None or sys.platform != "linux":
        return False
    probe = subprocess.run([STRACE, "-f", "-qq", "-o", os.devnull, "-e", "trace=fsync", "true"], capture_output=True)
    return probe.returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _strace_works(), reason="needs strace with ptrace (.ci/run installs it)"),
]


def guihua_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tui.cli", "--db", str(db), *args]


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GUIHUA_DB"}
    env.update(PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(home / "state"), LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return env


def count_kill_points(command: list[str], cwd: Path) -> dict[str, int]:
    """How many times an undisturbed run calls each of KILL_SYSCALLS."""
    trace = cwd / "trace.txt"
    result = subprocess.run([STRACE, "-f", "-qq", "-o", str(trace), "-e", "trace=" + ",".join(KILL_SYSCALLS),
                             *command], cwd=cwd, env=environment(cwd), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    counts = {name: 0 for name in KILL_SYSCALLS}
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        found = re.match(r"^\d+\s+(\w+)\(", line)
        if found and found.group(1) in counts:
            counts[found.group(1)] += 1
    trace.unlink()
    return counts


def kill_points(counts: dict[str, int]) -> list[tuple[str, int]]:
    points = [(name, n) for name in KILL_SYSCALLS for n in range(1, counts[name] + 1)]
    if len(points) > MAX_KILL_POINTS:
        step = len(points) / MAX_KILL_POINTS
        points = [points[int(i * step)] for i in range(MAX_KILL_POINTS)]
    return points


@dataclass
class Killed:
    folder: Path
    db: Path
    point: tuple[str, int]
    returncode: int = 0
    stdout: str = ""
    notes: list[str] = field(default_factory=list)


def run_killed(case: Killed, command: list[str]) -> Killed:
    name, n = case.point
    result = subprocess.run(
        [STRACE, "-f", "-qq", "-o", os.devnull, "-e", f"trace={name}", "-e", f"inject={name}:signal=SIGKILL:when={n}",
         *command],
        cwd=case.folder, env=environment(case.folder), capture_output=True, text=True, timeout=120,
    )
    case.returncode, case.stdout = result.returncode, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    return case


def run_all(cases: list[Killed], command_of) -> list[Killed]:
    with ThreadPoolExecutor(WORKERS) as pool:
        done = list(pool.map(lambda case: run_killed(case, command_of(case)), cases))
    killed = sum(case.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL) for case in done)
    assert killed == len(done), f"only {killed} of {len(done)} runs were killed at their kill point"
    return done


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    monkeypatch.delenv("GUIHUA_DB", raising=False)
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def run(db: Path, *args: str):
        result = runner.invoke(cli.main, ["--db", str(db), *args], catch_exceptions=False)
        assert "Traceback" not in result.output and "Traceback" not in result.stderr
        return result

    return run


def what_to_do(message: str) -> list[str] | None:
    """The command a message tells the user to run (an indented line starting with `guihua`)."""
    for line in message.splitlines():
        if line.strip().startswith("guihua "):
            return shlex.split(line.strip())[1:]
    return None


def settle(invoke, case: Killed, commands=COMMANDS) -> None:
    """Every command works, or says exactly what to do; doing it makes every command work."""
    followed = False
    for args in commands:
        result = invoke(case.db, *args)
        if result.exit_code == 0:
            continue
        advice = what_to_do(result.stderr + result.output)
        assert advice is not None and not followed, (case.point, args, result.exit_code, result.stderr, result.output)
        with_yes = advice + (["--yes"] if "restore" in advice else [])
        done = invoke(case.db, *with_yes[2:]) if with_yes[:1] == ["--db"] else invoke(case.db, *with_yes)
        assert done.exit_code == 0, (case.point, advice, done.stderr)
        case.notes.append(" ".join(advice))
        followed = True
        again = invoke(case.db, *args)
        assert again.exit_code == 0, (case.point, args, again.stderr)


def plan_shape(db: Path, name: str | None = None) -> tuple[int, int, int] | None:
    connection = sqlite3.connect(db)
    try:
        where, params = ("WHERE name = ?", (name,)) if name else ("WHERE bundled = 1", ())
        row = connection.execute(f"SELECT id FROM plan {where}", params).fetchone()
        if row is None:
            return None
        return tuple(connection.execute(f"SELECT COUNT(*) FROM {table} WHERE plan_id = ?", (row[0],)).fetchone()[0]
                     for table in ("plan_node", "plan_block", "indicator"))
    finally:
        connection.close()


def fresh_copy(source: Path, folder: Path, name: str = "guihua.sqlite3") -> Path:
    from db.backup import copy_database

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    copy_database(source, target)
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA journal_mode=WAL")  # as guihua leaves its database
    finally:
        connection.close()
    return target


def report(operation: str, cases: list[Killed]) -> None:
    """One line per operation (pytest -s shows it; docs/benchmarks.md quotes it)."""
    tally: dict[str, int] = {}
    for case in cases:
        tally[case.point[0]] = tally.get(case.point[0], 0) + 1
    print(f"\nfault injection — {operation}: {len(cases)} kill points "
          f"({', '.join(f'{n}×{name}' for name, n in tally.items())})")


# ----------------------------------------------------------------------------------------------------------


def test_a_first_run_killed_at_every_fsync(tmp_path, invoke, _sqlite_seeded):
    probe = tmp_path / "probe"
    probe.mkdir()
    points = kill_points(count_kill_points(guihua_command(probe / "guihua.sqlite3", "plans"), probe))
    assert len(points) >= 5
    cases = []
    for i, point in enumerate(points):
        folder = tmp_path / f"k{i}"
        folder.mkdir()
        cases.append(Killed(folder, folder / "guihua.sqlite3", point))
    run_all(cases, lambda case: guihua_command(case.db, "plans"))
    whole = plan_shape(_sqlite_seeded)
    for case in cases:
        settle(invoke, case)
        assert plan_shape(case.db) == whole, case.point  # the bundled plan, whole
    report("first run", cases)


def test_a_first_run_on_a_full_disk(tmp_path, invoke, _sqlite_seeded):
    """The disk fills up at the N-th write SQLite makes (every later write fails with ENOSPC, as on a disk
    with little space left), for N spread over a whole first run: a clear message, nothing half-made, and
    the next run on a disk with space works."""
    probe = tmp_path / "probe"
    probe.mkdir()
    trace = probe / "writes.txt"
    subprocess.run([STRACE, "-f", "-qq", "-o", str(trace), "-e", "trace=pwrite64",
                    *guihua_command(probe / "guihua.sqlite3", "plans")], cwd=probe, env=environment(probe), check=True,
                   capture_output=True)
    writes = sum(1 for line in trace.read_text().splitlines() if "pwrite64(" in line)
    assert writes > 20
    points = sorted({1, 2, 3, 4, 6, 10, writes // 8, writes // 4, writes // 2, writes - 5})
    for n in points:
        folder = tmp_path / f"full{n}"
        folder.mkdir()
        db = folder / "guihua.sqlite3"
        result = subprocess.run([STRACE, "-f", "-qq", "-o", os.devnull, "-e", "trace=pwrite64", "-e",
                                 f"inject=pwrite64:error=ENOSPC:when={n}+", *guihua_command(db, "plans")],
                                cwd=folder, env=environment(folder), capture_output=True, text=True, timeout=120)
        assert "Traceback" not in result.stderr, (n, result.stderr)
        if result.returncode != 0:
            assert result.returncode == 4, (n, result.returncode, result.stderr)
            assert "磁盘已满" in result.stderr or "读写数据库文件时出错" in result.stderr, (n, result.stderr)
        settle(invoke, Killed(folder, db, ("ENOSPC", n)))
        assert plan_shape(db) == plan_shape(_sqlite_seeded), n
    print(f"\nfault injection — first run, disk full: {len(points)} cases (ENOSPC from the N-th of {writes} writes)")


def test_an_upgrade_from_the_first_released_schema_killed_at_every_fsync(tmp_path, invoke):
    from tests.test_migrations import counts, released_database

    original = tmp_path / "released.sqlite3"
    released_database(original)
    before = counts(original)
    probe = tmp_path / "probe"
    points = kill_points(count_kill_points(guihua_command(fresh_copy(original, probe), "plans"), probe))
    cases = []
    for i, point in enumerate(points):
        folder = tmp_path / f"k{i}"
        cases.append(Killed(folder, fresh_copy(original, folder), point))
    run_all(cases, lambda case: guihua_command(case.db, "plans"))
    from db.migrations import HEAD

    for case in cases:
        settle(invoke, case, OLD_PLAN_COMMANDS)
        assert counts(case.db) == before, case.point  # no row lost, none doubled
        connection = sqlite3.connect(case.db)
        try:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
        finally:
            connection.close()
        for backup in (case.folder / "备份").glob("*.sqlite3"):
            if backup.name.startswith("guihua_"):
                assert counts(backup) == before  # every migration backup listed holds the old database whole
    report("upgrade from 0.1", cases)


def test_an_import_killed_at_every_fsync(tmp_path, invoke, _sqlite_seeded):
    plan_file = tmp_path / "小规划.txt"
    plan_file.write_text(SMALL_PLAN, encoding="utf-8")
    probe = tmp_path / "probe"
    args = ("import-plan", str(plan_file), "--name", "小规划")
    probe_db = fresh_copy(_sqlite_seeded, probe)
    points = kill_points(count_kill_points(guihua_command(probe_db, *args), probe))
    whole = plan_shape(probe_db, "小规划")
    assert whole is not None
    cases = []
    for i, point in enumerate(points):
        folder = tmp_path / f"k{i}"
        cases.append(Killed(folder, fresh_copy(_sqlite_seeded, folder), point))
    run_all(cases, lambda case: guihua_command(case.db, *args))
    for case in cases:
        settle(invoke, case)
        shape = plan_shape(case.db, "小规划")
        assert shape in (None, whole), (case.point, shape)  # whole or not at all
        if "已导入" in case.stdout:
            assert shape == whole, case.point  # acknowledged: it must be there
        if shape is None:
            assert invoke(case.db, *args).exit_code == 0
            assert plan_shape(case.db, "小规划") == whole
    report("import", cases)


def _marked(db: Path, value: str) -> None:
    connection = sqlite3.connect(db)
    try:
        connection.execute("UPDATE app_state SET value = ? WHERE key = 'fault_marker'", (value,))
        if not connection.total_changes:
            connection.execute("INSERT INTO app_state (key, value) VALUES ('fault_marker', ?)", (value,))
        connection.commit()
    finally:
        connection.close()


def _marker(db: Path) -> str:
    """The marker a database holds, or "damaged" when SQLite cannot read it."""
    try:
        connection = sqlite3.connect(db)  # read-write, as guihua opens it: a killed writer's WAL is recovered
        try:
            row = connection.execute("SELECT value FROM app_state WHERE key = 'fault_marker'").fetchone()
            return row[0] if row else "none"
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return "damaged"


@pytest.mark.parametrize("current", ["healthy", "damaged"])
def test_a_restore_killed_at_every_fsync(tmp_path, invoke, _sqlite_seeded, current):
    """The backup holds marker 「备份」, the current database 「当前」 (or is damaged): after a kill the
    database is the old one or the backup, never a mixture; 「已恢复」 printed means the backup's."""
    backup = tmp_path / "chosen.sqlite3"
    fresh_copy(_sqlite_seeded, tmp_path, backup.name)
    _marked(backup, "备份")

    def prepare(folder: Path) -> Path:
        db = fresh_copy(_sqlite_seeded, folder)
        _marked(db, "当前")
        if current == "damaged":
            data = bytearray(db.read_bytes())
            data[100:4096] = b"\xff" * 3996  # the first page's b-tree: SQLite cannot read the schema
            db.write_bytes(bytes(data))
        return db

    args = ("restore", str(backup), "--yes")
    probe = tmp_path / "probe"
    points = kill_points(count_kill_points(guihua_command(prepare(probe), *args), probe))
    cases = []
    for i, point in enumerate(points):
        folder = tmp_path / f"k{i}"
        cases.append(Killed(folder, prepare(folder), point))
    run_all(cases, lambda case: guihua_command(case.db, *args))
    before = "当前" if current == "healthy" else "damaged"
    for case in cases:
        state = _marker(case.db)
        assert state in (before, "备份"), (case.point, state)  # the old database or the backup, no mixture
        if "已恢复" in case.stdout:
            assert state == "备份", case.point  # acknowledged
        if state == "damaged":  # still the damaged file: guihua says so, and the restore, run again, works
            said = invoke(case.db, "plans")
            assert said.exit_code == 4 and "已损坏" in said.stderr, (case.point, said.stderr)
        else:
            settle(invoke, case)
        if state != "备份":  # not restored yet: doing it again succeeds
            assert invoke(case.db, *args).exit_code == 0, case.point
            assert _marker(case.db) == "备份"
            settle(invoke, case)
    report(f"restore over a {current} database", cases)


def test_an_export_killed_at_every_fsync(tmp_path, invoke, _sqlite_seeded):
    from openpyxl import load_workbook

    probe = tmp_path / "probe"
    probe_db = fresh_copy(_sqlite_seeded, probe)
    points = kill_points(count_kill_points(guihua_command(probe_db, "export", "-o", str(probe / "会议.xlsx")), probe))
    assert points, "an export makes no fsync or rename"
    sheets = load_workbook(probe / "会议.xlsx").sheetnames
    cases = []
    for i, point in enumerate(points):
        folder = tmp_path / f"k{i}"
        cases.append(Killed(folder, fresh_copy(_sqlite_seeded, folder), point))
    run_all(cases, lambda case: guihua_command(case.db, "export", "-o", str(case.folder / "会议.xlsx")))
    for case in cases:
        target = case.folder / "会议.xlsx"
        if target.exists():
            assert load_workbook(target).sheetnames == sheets, case.point  # complete, or not there
        settle(invoke, case)
        assert invoke(case.db, "export", "-o", str(target)).exit_code == 0
        assert load_workbook(target).sheetnames == sheets
    report("export", cases)
