"""Backups through SQLite's backup API, rotation, restore with its checks, and `guihua check`."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import UserInputError
from db.backup import backup_now, check_backup_file, list_backups, restore_from, rotate, startup_backup_due
from db.check import run_checks
from db.indicators import find_indicator, list_indicators, record_actual
from db.plan_store import find_plan


def gdp(database):
    with database.session() as session:
        plan_id = find_plan(session, None).id
        return find_indicator(session, plan_id, "地区生产总值")


def test_backup_and_restore_round_trip(database, tmp_path):
    with database.session() as session:
        record_actual(session, gdp(database).id, 2021, Decimal("1000"), origin="cli")
    saved = backup_now(database, "manual")
    assert saved.parent == tmp_path / "备份"
    connection = sqlite3.connect(saved)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # standalone, no -wal
    connection.close()
    with database.session() as session:
        record_actual(session, gdp(database).id, 2021, Decimal("2000"), origin="cli")
    safety = restore_from(database, saved)
    assert gdp(database).values[2021] == Decimal("1000")
    assert [b.reason for b in list_backups(database)][:1] == ["restore"]
    restore_from(database, safety)  # the restore itself can be undone
    assert gdp(database).values[2021] == Decimal("2000")


@pytest.mark.parametrize(
    "content, message",
    [(b"random bytes that are not a database", "不是 guihua 数据库文件"), (None, "找不到备份文件")],
)
def test_restore_refuses_what_is_not_a_backup(database, tmp_path, content, message):
    path = tmp_path / "x.sqlite3"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserInputError, match=message):
        restore_from(database, path)
    assert len(list_indicators_of(database)) == 28


def list_indicators_of(database):
    with database.session() as session:
        return list_indicators(session, find_plan(session, None).id)


def test_restore_refuses_a_corrupt_or_foreign_or_newer_file(database, tmp_path):
    saved = backup_now(database, "manual")
    corrupt = tmp_path / "corrupt.sqlite3"
    data = bytearray(saved.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # trash the second page
    corrupt.write_bytes(bytes(data))
    with pytest.raises(UserInputError, match="完整性检查|已损坏"):
        check_backup_file(corrupt)
    foreign = tmp_path / "other.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(UserInputError, match="缺少规划表"):
        check_backup_file(foreign)
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(saved.read_bytes())
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num='9999'")
    connection.commit()
    connection.close()
    with pytest.raises(UserInputError, match="更新版本"):
        check_backup_file(newer)


def test_rotation_keeps_ten_recent_and_one_per_month(tmp_path):
    folder = tmp_path / "备份"
    folder.mkdir()
    start = datetime(2024, 1, 1, 9, 0, 0)
    names = []
    for day in range(0, 120, 3):  # 40 backups over four months
        stamp = (start + timedelta(days=day)).strftime("%Y%m%d-%H%M%S")
        name = f"guihua_{stamp}_startup.sqlite3"
        (folder / name).write_bytes(b"x")
        names.append(name)
    (folder / "notes.txt").write_text("kept")  # not ours: never deleted
    other = [f"guihua2_{stamp}_startup.sqlite3", f"十五五_{stamp}_startup.sqlite3"]  # other databases' backups
    for name in other:
        (folder / name).write_bytes(b"x")
    rotate(tmp_path / "guihua.sqlite3")
    left = sorted(p.name for p in folder.iterdir())
    assert "notes.txt" in left and set(other) <= set(left)
    kept = [n for n in left if n.startswith("guihua_")]
    assert set(names[-10:]) <= set(kept)
    months = {n[7:13] for n in kept}
    assert months == {"202401", "202402", "202403", "202404"}
    # The recent ten run from 03-31 to 04-27, so March's newest is among them: + January's and February's.
    assert len(kept) == 10 + 2


def test_startup_backup_at_most_hourly(database):
    assert startup_backup_due(database)
    backup_now(database, "startup")
    assert not startup_backup_due(database)


def test_check_reports_problems_plainly(database):
    assert all(f.ok for f in run_checks(database))
    connection = sqlite3.connect(database.path)
    connection.execute("INSERT INTO indicator_year (indicator_id, year, actual, stage, source, note, manual_note, "
                       "updated_by, version_id) VALUES (1, 2031, 'abc', '', '', '', '', '', 1)")
    connection.execute("UPDATE indicator SET lead_unit='不存在的局' WHERE id=2")
    connection.commit()
    connection.close()
    findings = {f.check: f for f in run_checks(database)}
    assert not findings["年份在规划期内"].ok and "2031" in findings["年份在规划期内"].detail
    assert not findings["数值可读"].ok
    assert "不存在的局" in findings["责任单位都在单位列表中"].detail


def test_a_database_on_a_network_share_opens_in_safe_mode(tmp_path, monkeypatch):
    import db.engine
    from db.engine import open_database

    monkeypatch.setattr(db.engine, "is_network_path", lambda path: True)
    database = open_database(tmp_path / "share.sqlite3")
    try:
        assert database.network_share
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
            assert connection.exec_driver_sql("PRAGMA locking_mode").scalar() == "exclusive"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 3  # EXTRA
    finally:
        database.dispose()


def test_network_filesystems_are_recognised_from_the_mount_table(tmp_path, monkeypatch):
    import sys

    from db import engine

    if sys.platform == "win32":
        pytest.skip("the mount table is Linux's")
    mounts = f"server:/export {tmp_path} nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n"
    real_read_text = engine.Path.read_text
    monkeypatch.setattr(engine.Path, "read_text",
                        lambda self, *a, **k: mounts if str(self) == "/proc/mounts" else real_read_text(self, *a, **k))
    assert engine.is_network_path(tmp_path / "sub")
    assert not engine.is_network_path(tmp_path.parent)


def test_leftovers_of_a_killed_backup_are_cleared_once_stale(sqlite_database):
    """A backup killed mid-write leaves 「….partial」: rotation removes it once nothing can be writing it."""
    import os
    import time

    from db.backup import backup_folder, backup_now, database_path

    path = database_path(sqlite_database)
    folder = backup_folder(path)
    folder.mkdir(exist_ok=True)
    prefix = path.name[: -len(".sqlite3")]
    stale, fresh = folder / f"{prefix}_20250101-000000_manual.sqlite3.partial", folder / f"{prefix}_x.sqlite3.partial"
    other = folder / "someone_else_20250101-000000_manual.sqlite3.partial"
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    backup_now(sqlite_database, "manual")
    assert not stale.exists() and fresh.exists() and other.exists()
