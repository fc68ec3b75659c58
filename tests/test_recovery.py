"""Recovery works in the states where it is needed (issue 13).

1. Creating and upgrading the schema is atomic; files left half-made by earlier guihua versions are
   recognised: a half-created new file is created again, an unstamped one upgraded from the revision its
   tables are, an interrupted upgrade refused untouched with the backup to restore named.
2. `restore`, `backups` and `check` work without opening the current database: truncated, header or first
   page damaged, empty, or missing.
3. A stored text that is not valid UTF-8 is reported by `check`, said plainly by the other commands, and
   such a file is refused as a backup.
4. Backups belong to one database.
5. guihua changes no file it refuses.

The same states under real kills and a full disk: tests/test_fault_injection.py.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from db.engine import DatabaseOpenError, open_database
from db.migrations import HEAD
from db.models import SQLModel
from importers.plan import ensure_bundled_plan
from tests.test_migrations import counts, released_database
from tui import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run(tmp_path, monkeypatch):
    """guihua's CLI on a database file: run(db, *args)."""
    monkeypatch.delenv("GUIHUA_DB", raising=False)
    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    runner = CliRunner()

    def invoke(db: Path, *args: str):
        result = runner.invoke(cli.main, ["--db", str(db), *args], catch_exceptions=False)
        assert "Traceback" not in result.output and "Traceback" not in result.stderr
        return result

    return invoke


def follow(run, db: Path, message: str):
    """Run the command a message names (its line starting with `guihua`), confirming the restore."""
    line = next((line.strip() for line in message.splitlines() if line.strip().startswith("guihua ")), None)
    assert line is not None, message
    words = shlex.split(line)[1:]
    assert words[:2] == ["--db", str(db)], line  # the command names this very database
    return run(db, *words[2:], "--yes")


def seeded(path: Path) -> Path:
    database = open_database(path)
    ensure_bundled_plan(database)
    database.dispose()
    return path


def tables_of(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def version_of(path: Path):
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        connection.close()


def set_marker(path: Path, value: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("DELETE FROM app_state WHERE key = 'marker'")
        connection.execute("INSERT INTO app_state (key, value) VALUES ('marker', ?)", (value,))
        connection.commit()
    finally:
        connection.close()


def marker(path: Path) -> str | None:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT value FROM app_state WHERE key = 'marker'").fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


# ----------------------------------------------------------------------------------------------------------
# 1. Schema creation and upgrades are atomic


def test_schema_changes_in_one_transaction_are_rolled_back_whole(tmp_path):
    """The driver would commit each CREATE on its own; schema_transaction makes DDL transactional."""
    from sqlalchemy import text

    from db.schema import schema_transaction

    engine = create_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    with engine.connect() as connection:
        with pytest.raises(RuntimeError):
            with schema_transaction(connection):
                connection.execute(text("CREATE TABLE a (x)"))
                connection.execute(text("CREATE TABLE b (x)"))
                with connection.begin_nested():  # savepoints work inside it
                    connection.execute(text("CREATE TABLE c (x)"))
                raise RuntimeError("killed")
        with schema_transaction(connection):
            connection.execute(text("CREATE TABLE d (x)"))
            try:
                with connection.begin_nested():
                    connection.execute(text("CREATE TABLE e (x)"))
                    raise ValueError
            except ValueError:
                pass
    engine.dispose()
    assert tables_of(tmp_path / "t.sqlite3") == {"d"}


@pytest.mark.parametrize("how", ["exception", "killed"])
def test_a_first_run_stopped_while_creating_the_schema_leaves_no_half_schema(tmp_path, how, run):
    path = tmp_path / "new.sqlite3"
    if how == "exception":
        import db.schema

        original = db.schema._stamp
        db.schema._stamp = lambda connection, revision: (_ for _ in ()).throw(OSError(28, "No space left"))
        try:
            with pytest.raises(OSError):
                open_database(path)
        finally:
            db.schema._stamp = original
    else:  # the process dies after every CREATE, before the COMMIT
        result = run_python(
            "import os, db.schema\n"
            "db.schema._stamp = lambda connection, revision: os._exit(9)\n"
            f"from db.engine import open_database\nopen_database({str(path)!r})\n", tmp_path)
        assert result.returncode == 9, result.stderr
    assert tables_of(path) == set()  # nothing half-made
    assert run(path, "plans").exit_code == 0  # the next run creates it whole
    assert version_of(path) == [(HEAD,)]


def _half_made(path: Path, tables: list[str], version: str | None | bool = None) -> None:
    """A file as an earlier guihua left it when a first run died: some of its tables, all empty."""
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[t] for t in tables])
    engine.dispose()
    if version is not None:
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        if isinstance(version, str):
            connection.execute("INSERT INTO alembic_version VALUES (?)", (version,))
        connection.commit()
        connection.close()


ALL_TABLES = [t.name for t in SQLModel.metadata.sorted_tables]


@pytest.mark.parametrize(
    "tables, version",
    [
        (ALL_TABLES[:1], None),  # killed at the first CREATE
        (ALL_TABLES[:5], None),  # the 10th fsync of a first run (issue 13)
        (ALL_TABLES[:-1], None),  # all but one
        (ALL_TABLES, None),  # all tables, the version table not yet made
        (ALL_TABLES, True),  # version table made, not yet filled
        ([], True),  # only the empty version table
        ([], HEAD),  # only the version table, filled
    ],
    ids=["one-table", "five-tables", "all-but-one", "all-unstamped", "empty-version", "version-only", "stamp-only"],
)
def test_a_half_made_new_file_is_finished_or_made_again(tmp_path, run, tables, version):
    path = tmp_path / "half.sqlite3"
    _half_made(path, tables, version)
    result = run(path, "plans")
    assert result.exit_code == 0, result.stderr
    assert "内置" in result.output
    assert version_of(path) == [(HEAD,)]
    assert not (tmp_path / "备份").exists()  # nothing to back up: it held nothing
    assert run(path, "check").exit_code == 0


def test_half_made_tables_holding_data_are_not_dropped(tmp_path, run):
    """Only empty tables are made again: guihua's tables with rows in them and no version are an interrupted
    upgrade, refused untouched."""
    path = tmp_path / "data.sqlite3"
    _half_made(path, ALL_TABLES[:3])
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO app_state (key, value) VALUES ('last_plan', '1')")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    result = run(path, "plans")
    assert result.exit_code == 4 and "数据库升级失败" in result.stderr and "被中断" in result.stderr
    assert path.read_bytes() == before


def _fail_in_migration_0005(exc=RuntimeError("0005 exploded")):
    """Make migration 0005 fail after 0002–0004 and 0005's own ALTERs have run."""
    import core.period

    def broken(*args, **kwargs):
        raise exc

    return core.period, "detect_period", broken


def test_a_failed_upgrade_is_rolled_back_whole(tmp_path, monkeypatch, run):
    path = tmp_path / "old.sqlite3"
    released_database(path)
    before, structure = counts(path), tables_of(path)
    monkeypatch.setattr(*_fail_in_migration_0005())
    result = run(path, "plans")
    assert result.exit_code == 4 and "数据库升级失败，已整体撤回，数据库没有改动" in result.stderr
    assert "详细信息已写入日志" in result.stderr and "0005 exploded" in (tmp_path / "log" / "guihua.log").read_text()
    assert tables_of(path) == structure and counts(path) == before  # as it was: 0.1's tables, no version table
    monkeypatch.undo()
    assert run(path, "plans").exit_code == 0  # fixed guihua: upgrades
    assert version_of(path) == [(HEAD,)] and counts(path) == before


def test_an_upgrade_killed_half_way_is_as_if_it_never_started(tmp_path, run):
    path = tmp_path / "old.sqlite3"
    released_database(path)
    before, structure = counts(path), tables_of(path)
    result = run_python(
        "import os, core.period\n"
        "core.period.detect_period = lambda *a, **k: os._exit(9)\n"
        f"from db.engine import open_database\nopen_database({str(path)!r})\n", tmp_path)
    assert result.returncode == 9, result.stderr
    assert tables_of(path) == structure and counts(path) == before
    assert run(path, "plans").exit_code == 0
    assert version_of(path) == [(HEAD,)] and counts(path) == before
    assert len(list((tmp_path / "备份").glob("old_*_migration.sqlite3"))) == 2  # one per attempt, both whole
    for backup in (tmp_path / "备份").glob("old_*_migration.sqlite3"):
        assert counts(backup) == before


def test_a_released_database_whose_old_upgrade_was_killed_is_upgraded(tmp_path, run):
    """guihua before issue 13 committed the version table's CREATE on its own: killed right after, a 0.1
    database had an empty alembic_version and was refused for good (「别的程序的数据库」)."""
    path = tmp_path / "old.sqlite3"
    released_database(path)
    before = counts(path)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    connection.commit()
    connection.close()
    for command in ("backups", "check", "plans"):
        result = run(path, command)
        assert result.exit_code == 0, (command, result.stderr)
    assert version_of(path) == [(HEAD,)] and counts(path) == before


def _interrupted(path: Path) -> Path:
    """A database at 0001 whose upgrade by an earlier guihua died after some of 0002's tables were created
    (each CREATE committed on its own), with its good migration backup taken first and, as that guihua did
    at every later start, a migration backup of the broken file after it. Returns the good backup."""
    from db.backup import backup_now

    engine = create_engine(f"sqlite:///{path}")
    from db.schema import upgrade

    upgrade(engine, "0001")
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO plan VALUES (1, '旧规划', '某区第十四个五年规划纲要', 'old.txt', 'abc', 'utf-8', 10, "
                       "'2026-01-01 00:00:00', 0)")
    connection.commit()
    connection.close()
    good = backup_now(path, "migration")
    stamp = datetime.now() - timedelta(minutes=5)
    good = good.rename(good.with_name(f"{path.stem}_{stamp:%Y%m%d-%H%M%S}_migration.sqlite3"))
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE unit (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, "
                       "short_name VARCHAR NOT NULL, kind VARCHAR NOT NULL)")
    connection.commit()
    connection.close()
    backup_now(path, "migration")  # the half-upgraded file, backed up by the next (failing) start
    return good


def test_an_interrupted_upgrade_is_refused_untouched_and_the_named_restore_works(tmp_path, run):
    path = tmp_path / "old.sqlite3"
    good = _interrupted(path)
    before = path.read_bytes()
    result = run(path, "plans")
    assert result.exit_code == 4 and "数据库升级失败" in result.stderr and "被中断" in result.stderr
    assert good.name in result.stderr  # the good backup, not the newer one of the broken file
    assert path.read_bytes() == before and len(list((tmp_path / "备份").iterdir())) == 2  # no new backup
    listed = run(path, "backups")
    assert listed.exit_code == 0 and good.name in listed.output
    checked = run(path, "check")
    assert checked.exit_code == 4 and good.name in checked.stderr  # says what it is and what to do
    restored = follow(run, path, result.stderr)
    assert restored.exit_code == 0, restored.stderr
    opened = run(path, "plans")
    assert opened.exit_code == 0 and "旧规划" in opened.output  # restored, then upgraded
    assert version_of(path) == [(HEAD,)]


def test_a_version_that_does_not_match_the_tables_is_an_interrupted_upgrade(tmp_path):
    path = tmp_path / "odd.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    from db.schema import upgrade

    upgrade(engine)
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '0004'")  # 0005's columns are there already
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError, match="被中断"):
        open_database(path)
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------------------------------------
# 2. restore, backups and check without opening the current database


def _damage(path: Path, how: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "header":
        path.write_bytes(b"\x00" * 16 + bytes(data[16:]))
    elif how == "first-page":
        data[100:4096] = b"\xff" * 3996
        path.write_bytes(bytes(data))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "missing":
        path.unlink()
    elif how == "stale-wal":  # the file is gone, a -wal of it is left behind
        path.unlink()
        Path(f"{path}-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 60)


@pytest.fixture
def with_backup(tmp_path, run):
    """A database holding marker 「备份时」 in its one backup and 「最新」 itself."""
    path = seeded(tmp_path / "g.sqlite3")
    set_marker(path, "备份时")
    assert run(path, "backup").exit_code == 0
    set_marker(path, "最新")
    return path


@pytest.mark.parametrize("how", ["truncated", "header", "first-page", "empty", "missing", "stale-wal"])
def test_restore_backups_and_check_work_on_a_damaged_or_missing_database(tmp_path, run, with_backup, how):
    path = with_backup
    _damage(path, how)
    listed = run(path, "backups")
    assert listed.exit_code == 0 and "手动" in listed.output
    checked = run(path, "check")
    assert checked.exit_code == 1
    assert f"guihua --db {path} restore" in checked.output  # what to do, exactly
    if how not in ("empty", "missing", "stale-wal"):
        opened = run(path, "plans")
        assert opened.exit_code == 4, opened.output
        message = opened.stderr
        assert "已损坏" in message or "不是 guihua 数据库" in message
    else:
        message = checked.output
    restored = follow(run, path, message)
    assert restored.exit_code == 0, restored.stderr
    assert marker(path) == "备份时"
    assert run(path, "check").exit_code == 0 and run(path, "plans").exit_code == 0
    kept = list((tmp_path / "备份").glob("已损坏_*"))
    if how in ("truncated", "header", "first-page", "stale-wal"):
        assert kept  # the damaged file is kept for support …
    assert all(str(k) not in run(path, "backups").output for k in kept)  # … and never offered as a backup


def test_a_damaged_database_without_backups_says_so(tmp_path, run):
    path = seeded(tmp_path / "g.sqlite3")
    _damage(path, "first-page")
    result = run(path, "plans")
    assert result.exit_code == 4 and "已损坏" in result.stderr and "没有这个数据库的可用备份" in result.stderr


def test_restore_into_a_healthy_database_keeps_a_backup_of_it(tmp_path, run, with_backup):
    path = with_backup
    backup = next((tmp_path / "备份").glob("g_*_manual.sqlite3"))
    result = run(path, "restore", str(backup), "--yes")
    assert result.exit_code == 0 and "恢复前的数据库已备份到" in result.output
    assert marker(path) == "备份时"
    safety = next((tmp_path / "备份").glob("g_*_restore.sqlite3"))
    assert marker(safety) == "最新"


def test_restore_never_deletes_the_backup_it_restores(tmp_path, with_backup):
    """Rotation runs after the restore: the oldest backup can be restored even when the safety backup
    would push it out of the kept set."""
    from db.backup import restore_from

    path = with_backup
    folder = tmp_path / "备份"
    oldest = next(folder.glob("g_*_manual.sqlite3"))
    old = oldest.rename(folder / "g_20240101-090000_manual.sqlite3")
    for day in range(2, 14):
        (folder / f"g_202401{day:02d}-090000_startup.sqlite3").write_bytes(old.read_bytes())
    restore_from(path, old)
    assert marker(path) == "备份时"


def test_a_new_file_where_a_database_had_backups_says_how_to_get_it_back(tmp_path, run, with_backup):
    path = with_backup
    _damage(path, "missing")
    result = run(path, "plans")
    assert result.exit_code == 0 and "原来不存在，已新建数据库" in result.stderr
    assert follow(run, path, result.stderr).exit_code == 0
    assert marker(path) == "备份时"


# ----------------------------------------------------------------------------------------------------------
# 3. Text that is not valid UTF-8


def _flip(path: Path, table: str, column: str, key: str = "id") -> int:
    connection = sqlite3.connect(path)
    try:
        row_id, value = connection.execute(f"SELECT {key}, {column} FROM {table} WHERE {column} <> '' LIMIT 1").fetchone()
        data = bytearray(str(value).encode("utf-8"))
        data[min(3, len(data) - 1)] = 0xFF  # one flipped byte
        connection.execute(f"UPDATE {table} SET {column} = CAST(? AS TEXT) WHERE {key} = ?", (bytes(data), row_id))
        connection.commit()
        return row_id
    finally:
        connection.close()


def test_a_text_that_is_not_utf8_is_reported_and_said_plainly(tmp_path, run, with_backup):
    path = with_backup
    assert run(path, "set", "地区生产总值", "2021", "1000").exit_code == 0
    row = _flip(path, "indicator_year", "updated_at")
    checked = run(path, "check")
    assert checked.exit_code == 1
    assert f"表 indicator_year（id {row}）的 updated_at 列" in checked.output
    assert "restore" in checked.output
    for command in (("indicators",), ("history", "地区生产总值"), ("export", "-o", str(tmp_path / "x.xlsx"))):
        result = run(path, *command)
        assert result.exit_code == 4, (command, result.output)
        assert "文字已损坏" in result.stderr and "updated_at" in result.stderr and "guihua --db" in result.stderr
    assert run(path, "plans").exit_code == 0  # what does not read the row still works
    # Such a file is refused as a backup, saying what is damaged.
    other = seeded(tmp_path / "other" / "h.sqlite3")
    refused = run(other, "restore", str(path), "--yes")
    assert refused.exit_code == 2 and "文字已损坏" in refused.stderr and "indicator_year" in refused.stderr
    # Doing what the message says repairs it.
    assert follow(run, path, run(path, "indicators").stderr).exit_code == 0
    assert run(path, "indicators").exit_code == 0 and run(path, "check").exit_code == 0


@pytest.mark.parametrize("table, column, key", [("plan_block", "text", "id"), ("app_state", "value", "rowid")])
def test_damaged_text_anywhere_is_found_by_check(tmp_path, run, table, column, key):
    path = seeded(tmp_path / "g.sqlite3")
    set_marker(path, "某个值")
    _flip(path, table, column, key)
    checked = run(path, "check")
    assert checked.exit_code == 1 and f"表 {table}" in checked.output and f"的 {column} 列" in checked.output


# ----------------------------------------------------------------------------------------------------------
# 4. Backups belong to one database


def test_two_databases_in_one_folder_keep_their_own_backups(tmp_path, run):
    from db.backup import backup_now, list_backups, startup_backup_due

    first, second = seeded(tmp_path / "十四五.sqlite3"), tmp_path / "十五五.sqlite3"
    second.write_bytes(first.read_bytes())
    folder = tmp_path / "备份"
    folder.mkdir(exist_ok=True)
    start = datetime(2026, 1, 5, 9, 0, 0)
    for i in range(15):  # 15 old backups each, all in January
        stamp = (start + timedelta(hours=i)).strftime("%Y%m%d-%H%M%S")
        for name in ("十四五", "十五五"):
            (folder / f"{name}_{stamp}_startup.sqlite3").write_bytes(first.read_bytes())
    saved = backup_now(first, "startup")
    assert saved.name.startswith("十四五_")
    assert len(list_backups(first)) == 10  # rotated: the ten newest (January's newest among them)
    assert len(list_backups(second)) == 15  # untouched
    assert not startup_backup_due(first) and startup_backup_due(second)  # the hourly check counts its own
    listed = run(second, "backups")
    assert listed.exit_code == 0 and "十四五_" not in listed.output and listed.output.count("十五五_") == 15


def test_backup_names(tmp_path):
    from db.backup import backup_prefix, list_backups

    assert backup_prefix(Path("guihua.sqlite3")) == "guihua"  # the default database keeps the old names
    assert backup_prefix(Path("十五五.sqlite3")) == "十五五"
    assert backup_prefix(Path("plan.db")) == "plan.db"
    folder = tmp_path / "备份"
    folder.mkdir()
    for name in ("guihua_20260101-090000_manual.sqlite3", "guihua2_20260101-090000_manual.sqlite3",
                 "guihua_20260101-090000_manual.sqlite3.partial", "已损坏_guihua_20260101-090000.sqlite3"):
        (folder / name).write_bytes(b"x")
    assert [b.path.name for b in list_backups(tmp_path / "guihua.sqlite3")] == ["guihua_20260101-090000_manual.sqlite3"]
    assert [b.path.name for b in list_backups(tmp_path / "guihua2.sqlite3")] == ["guihua2_20260101-090000_manual.sqlite3"]


# ----------------------------------------------------------------------------------------------------------
# 5. guihua changes no file it refuses


def _foreign(path: Path, statements: list[str], wal: bool = False) -> None:
    connection = sqlite3.connect(path)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "statements, wal",
    [
        (["CREATE TABLE customers (id INTEGER)", "INSERT INTO customers VALUES (1)"], False),
        (["CREATE TABLE customers (id INTEGER)", "INSERT INTO customers VALUES (1)"], True),
        (["CREATE TABLE plan (id INTEGER PRIMARY KEY, name TEXT, cost REAL)", "INSERT INTO plan VALUES (1, 'x', 2.5)"],
         False),
        (["CREATE TABLE plan (id INTEGER PRIMARY KEY, name TEXT, cost REAL)"], False),
        (["CREATE TABLE plan (id INTEGER PRIMARY KEY)", "CREATE TABLE alembic_version (version_num VARCHAR(32))",
          "INSERT INTO alembic_version VALUES ('0002')"], False),
        (["CREATE TABLE orders (id INTEGER)", "CREATE TABLE alembic_version (version_num VARCHAR(32))",
          "INSERT INTO alembic_version VALUES ('ae1027a6acf')"], False),
    ],
    ids=["other-program", "other-program-wal", "unrelated-plan-table", "empty-unrelated-plan", "other-alembic-plan",
         "other-alembic"],
)
def test_another_programs_database_is_left_byte_for_byte(tmp_path, run, statements, wal):
    path = tmp_path / "other.sqlite3"
    _foreign(path, statements, wal)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for command in (("plans",), ("check",), ("set", "地区生产总值", "2021", "1")):
        result = run(path, *command)
        assert result.exit_code == 4 and "别的程序的数据库" in result.stderr, (command, result.stderr)
    assert run(path, "backups").exit_code == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "log"} == before  # no WAL, no backup
    backup = seeded(tmp_path / "mine" / "g.sqlite3")
    refused = run(path, "restore", str(backup), "--yes")
    assert refused.exit_code == 2 and "不会覆盖" in refused.stderr
    assert path.read_bytes() == before["other.sqlite3"]
