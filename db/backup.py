"""Backups of the SQLite database, made with SQLite's online backup API (never a plain file copy, which can
catch a live database mid-transaction), kept in a 「备份」 folder beside the database.

Rotation keeps the newest KEEP_RECENT backups plus the newest one of every month, so five years of work are
covered by a few dozen files. Restoring checks the chosen file first and backs up the current database.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from core.errors import GuihuaError, UserInputError

BACKUP_FOLDER = "备份"
KEEP_RECENT = 10
REASONS = {
    "startup": "启动时",
    "manual": "手动",
    "import": "导入前",
    "restore": "恢复前",
    "migration": "升级前",
}
_NAME = re.compile(r"^guihua_(\d{8}-\d{6})(?:-\d+)?_([a-z]+)\.sqlite3$")


class BackupError(GuihuaError):
    exit_code = 5


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    reason: str
    size: int

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def backup_folder(database_path: Path) -> Path:
    return database_path.parent / BACKUP_FOLDER


def _sqlite_only(database) -> Path:
    if database.path is None:
        raise UserInputError("服务器数据库（PostgreSQL）请用 pg_dump 备份，见 docs/deploy.md。")
    return database.path


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database, through the backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        target_connection = sqlite3.connect(partial)
        try:
            source_connection.backup(target_connection)
            # A backup is a standalone file: no -wal beside it.
            target_connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            target_connection.close()
    finally:
        source_connection.close()
    partial.replace(target)


def backup_now(database, reason: str = "manual", target: Path | None = None) -> Path:
    """Back up the database; returns the backup's path. Rotation runs after every automatic backup."""
    path = _sqlite_only(database)
    if not path.exists():
        raise BackupError(f"数据库文件不存在：{path}")
    folder = backup_folder(path)
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"guihua_{stamp}_{reason}.sqlite3"
        counter = 1
        while target.exists():
            target = folder / f"guihua_{stamp}-{counter}_{reason}.sqlite3"
            counter += 1
    try:
        copy_database(path, Path(target))
    except sqlite3.Error as exc:
        raise BackupError(f"备份失败：{exc}。数据库本身没有改动。") from None
    except OSError as exc:
        if getattr(exc, "errno", None) == 28:
            raise BackupError(f"磁盘空间不足，无法备份到 {folder}。请清理磁盘后重试。") from None
        raise BackupError(f"无法写入备份 {target}：{exc.strerror or exc}") from None
    if reason != "manual" or target.parent == folder:
        rotate(folder)
    return Path(target)


def list_backups(database) -> list[BackupFile]:
    folder = backup_folder(_sqlite_only(database))
    found = []
    if folder.is_dir():
        for file in folder.iterdir():
            match = _NAME.match(file.name)
            if match:
                taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
                found.append(BackupFile(file, taken, match.group(2), file.stat().st_size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def rotate(folder: Path, keep_recent: int = KEEP_RECENT) -> list[Path]:
    """Delete backups beyond the newest `keep_recent`, except the newest of each month. Returns deleted."""
    files = []
    for file in folder.iterdir() if folder.is_dir() else []:
        match = _NAME.match(file.name)
        if match:
            files.append((datetime.strptime(match.group(1), "%Y%m%d-%H%M%S"), file.name, file))
    files.sort(reverse=True)
    keep = {f for _, _, f in files[:keep_recent]}
    months_seen = set()
    for taken, _, file in files:
        month = (taken.year, taken.month)
        if month not in months_seen:
            months_seen.add(month)
            keep.add(file)
    deleted = []
    for _, _, file in files:
        if file not in keep:
            file.unlink(missing_ok=True)
            deleted.append(file)
    return deleted


def startup_backup_due(database, every: timedelta = timedelta(hours=1)) -> bool:
    """One automatic start-up backup an hour is plenty: officials restart guihua many times a day."""
    backups = [b for b in list_backups(database) if b.reason == "startup"]
    return not backups or datetime.now() - backups[0].taken_at > every


def check_backup_file(path: Path) -> str:
    """Make sure a file is a healthy guihua database before restoring it. Returns its schema version."""
    from db.migrations import KNOWN_REVISIONS

    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"找不到备份文件：{path}")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise UserInputError(f"{path.name} 不是 guihua 数据库文件，没有恢复。")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            version = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                version = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise UserInputError(f"{path.name} 已损坏，无法读取（{exc}），没有恢复。") from None
    if result != "ok":
        raise UserInputError(f"{path.name} 未通过完整性检查（{result}），没有恢复。")
    if "plan" not in tables:
        raise UserInputError(f"{path.name} 不是 guihua 数据库（缺少规划表），没有恢复。")
    version = version or "0001"
    if version not in KNOWN_REVISIONS:
        raise UserInputError(f"{path.name} 来自更新版本的 guihua（数据库版本 {version}），请先升级 guihua 再恢复。")
    return version


def restore_from(database, backup: Path) -> Path:
    """Replace the database's contents with a backup's. Checks the backup, then backs up the current
    database (returned, so the user can undo the restore), then copies through the backup API."""
    path = _sqlite_only(database)
    check_backup_file(backup)
    safety = backup_now(database, "restore")
    database.dispose()  # no pooled connection may hold the old pages
    source = sqlite3.connect(f"file:{Path(backup)}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(path, timeout=5)
        try:
            source.backup(target)
        except sqlite3.OperationalError as exc:
            raise BackupError(f"恢复失败：{exc}（数据库可能正被另一个 guihua 使用）。当前数据未改动，备份在 {safety}。") from None
        finally:
            target.close()
    finally:
        source.close()
    return safety
