"""Backups of the SQLite database, made with SQLite's online backup API (never a plain file copy, which can
catch a live database mid-transaction), kept in a 「备份」 folder beside the database.

Backups belong to one database: they are named after it (`<name>_<time>_<reason>.sqlite3`, where <name> is
the database's file name without `.sqlite3`, so the default guihua.sqlite3 keeps the `guihua_…` names of
earlier versions), and listing, rotation and the hourly start-up check look only at that database's own.
Two databases in one folder never delete each other's backups.

Rotation keeps the newest KEEP_RECENT backups plus the newest one of every month, so five years of work are
covered by a few dozen files. Restoring checks the chosen file first and never opens the current database
through guihua (it may be damaged, missing, or half-upgraded, which is when a restore is needed): a healthy
current database is backed up and overwritten through the backup API; a damaged one is kept aside as
「已损坏_…」 for support and replaced by a copy of the backup; a missing one is created from it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
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
DAMAGED_PREFIX = "已损坏_"  # a damaged database kept aside by restore: never listed, rotated or restored
_SIDE_FILES = ("-wal", "-journal", "-shm")


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


@dataclass(frozen=True)
class Restored:
    safety: Path | None  # the backup of the current database made first (it was healthy)
    damaged: Path | None  # where the damaged current database was kept aside
    created: bool  # there was no current database


def database_path(database) -> Path:
    """The SQLite file of a Database, or a path given as such."""
    if isinstance(database, (str, os.PathLike)):
        return Path(database).expanduser()
    if database.path is None:
        raise UserInputError("服务器数据库（PostgreSQL）请用 pg_dump 备份，见 docs/deploy.md。")
    return database.path


_sqlite_only = database_path  # the name earlier callers used


def backup_folder(path: Path) -> Path:
    return Path(path).parent / BACKUP_FOLDER


def backup_prefix(path: Path) -> str:
    """What a database's backups are named after: its file name, without `.sqlite3`."""
    name = Path(path).name
    return name[: -len(".sqlite3")] if name.endswith(".sqlite3") and len(name) > len(".sqlite3") else name


def _pattern(path: Path) -> re.Pattern:
    return re.compile(rf"^{re.escape(backup_prefix(path))}_(\d{{8}}-\d{{6}})(?:-\d+)?_([a-z]+)\.sqlite3$")


def _read_only_uri(path: Path) -> str:
    return Path(path).resolve().as_uri() + "?mode=ro"


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database, through the backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source_connection = sqlite3.connect(_read_only_uri(source), uri=True)
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


def backup_now(database, reason: str = "manual", target: Path | None = None, *, rotate_after: bool = True) -> Path:
    """Back up the database; returns the backup's path. Rotation runs after every automatic backup."""
    path = database_path(database)
    if not path.exists():
        raise BackupError(f"数据库文件不存在：{path}")
    folder = backup_folder(path)
    if target is None:
        prefix = backup_prefix(path)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{prefix}_{stamp}_{reason}.sqlite3"
        counter = 1
        while target.exists():
            target = folder / f"{prefix}_{stamp}-{counter}_{reason}.sqlite3"
            counter += 1
    try:
        copy_database(path, Path(target))
    except sqlite3.Error as exc:
        raise BackupError(f"备份失败：{exc}。数据库本身没有改动。") from None
    except OSError as exc:
        if getattr(exc, "errno", None) == 28:
            raise BackupError(f"磁盘空间不足，无法备份到 {folder}。请清理磁盘后重试。") from None
        raise BackupError(f"无法写入备份 {target}：{exc.strerror or exc}") from None
    if rotate_after and (reason != "manual" or Path(target).parent == folder):
        rotate(path)
    return Path(target)


def list_backups(database) -> list[BackupFile]:
    """This database's own backups, newest first (works whether or not the database can be opened)."""
    path = database_path(database)
    folder = backup_folder(path)
    pattern = _pattern(path)
    found = []
    if folder.is_dir():
        for file in folder.iterdir():
            match = pattern.match(file.name)
            if match:
                try:
                    taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
                    found.append(BackupFile(file, taken, match.group(2), file.stat().st_size))
                except (ValueError, OSError):
                    continue  # not a real date, or deleted meanwhile
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def rotate(database, keep_recent: int = KEEP_RECENT) -> list[Path]:
    """Delete this database's backups beyond the newest `keep_recent`, except the newest of each month.
    Returns what was deleted. Other databases' backups and any other file are never touched."""
    files = list_backups(database)  # newest first
    keep = {b.path for b in files[:keep_recent]}
    months_seen = set()
    for backup in files:
        month = (backup.taken_at.year, backup.taken_at.month)
        if month not in months_seen:
            months_seen.add(month)
            keep.add(backup.path)
    deleted = []
    for backup in files:
        if backup.path not in keep:
            backup.path.unlink(missing_ok=True)
            deleted.append(backup.path)
    # A backup killed while it was written leaves 「…sqlite3.partial」; after ten minutes nothing is writing it.
    prefix = backup_prefix(database_path(database))
    for partial in backup_folder(database_path(database)).glob(f"{prefix}_*.partial"):
        try:
            if time.time() - partial.stat().st_mtime > 600:
                partial.unlink()
                deleted.append(partial)
        except OSError:
            pass
    return deleted


def startup_backup_due(database, every: timedelta = timedelta(hours=1)) -> bool:
    """One automatic start-up backup an hour is plenty: officials restart guihua many times a day."""
    backups = [b for b in list_backups(database) if b.reason == "startup"]
    return not backups or datetime.now() - backups[0].taken_at > every


# ----------------------------------------------------------------------------------------------------------
# Checking a backup


def check_backup_file(path: Path) -> str:
    """Make sure a file is a healthy guihua database before restoring it. Returns its schema version."""
    from db.check import damaged_texts
    from db.migrations import HEAD
    from db.schema import classify_sqlite

    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"找不到备份文件：{path}")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise UserInputError(f"{path.name} 不是 guihua 数据库文件，没有恢复。")
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            verdict = classify_sqlite(connection) if result == "ok" else None
            texts = damaged_texts(connection) if result == "ok" else []
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise UserInputError(f"{path.name} 已损坏，无法读取（{exc}），没有恢复。") from None
    if result != "ok":
        raise UserInputError(f"{path.name} 未通过完整性检查（{result}），没有恢复。")
    if verdict.kind in ("new", "foreign", "half-new"):
        raise UserInputError(f"{path.name} 不是 guihua 数据库（缺少规划表），没有恢复。")
    if verdict.kind == "newer":
        raise UserInputError(f"{path.name} 来自更新版本的 guihua（数据库版本 {verdict.revision}），请先升级 guihua 再恢复。")
    if verdict.kind == "interrupted":
        raise UserInputError(f"{path.name} 是一次被中断的升级留下的数据库，结构不完整，不能用来恢复。请选择更早的备份。")
    if texts:
        raise UserInputError(
            f"{path.name} 中有 {len(texts)} 处文字已损坏（不是有效的 UTF-8 文字），没有恢复：{'；'.join(texts[:5])}。"
            "请选择其他备份。"
        )
    return verdict.revision or HEAD


def usable_backup(database, prefer: str | None = None, limit: int = 12) -> BackupFile | None:
    """The newest of this database's backups that would pass check_backup_file (those of reason `prefer`
    first), looking at no more than `limit` of them."""
    backups = list_backups(database)
    if prefer:
        backups = [b for b in backups if b.reason == prefer] + [b for b in backups if b.reason != prefer]
    for backup in backups[:limit]:
        try:
            check_backup_file(backup.path)
        except (UserInputError, OSError):
            continue
        return backup
    return None


def _quote(value: str) -> str:
    return f'"{value}"' if re.search(r"""[\s"'&|;<>()$`\\!*?#~]""", value.replace(os.sep, "")) else value


def restore_command(database, backup: Path) -> str:
    """The command that restores `backup` into this database, as the user would type it."""
    from db.engine import ENV_VAR, default_db_path

    path = database_path(database)
    words = ["guihua"]
    try:
        is_default = path.resolve() == default_db_path().resolve() and not os.environ.get(ENV_VAR)
    except OSError:
        is_default = False
    if not is_default:
        words += ["--db", _quote(str(path))]
    return " ".join(words + ["restore", _quote(str(backup))])


def restore_advice(database, prefer: str | None = None) -> str:
    """What to do about a damaged or unusable database, in one or two lines: the exact restore command."""
    path = database_path(database)
    found = usable_backup(path, prefer=prefer)
    if found is None:
        return (f"“备份”文件夹（{backup_folder(path)}）中没有这个数据库的可用备份。"
                "如果别处存有备份，可用 guihua restore 备份文件 恢复。")
    return (f"请用 {found.taken_at:%Y-%m-%d %H:%M} 的备份（{found.reason_label}）恢复：\n  {restore_command(path, found.path)}\n"
            "（guihua backups 列出这个数据库的全部备份。）")


# ----------------------------------------------------------------------------------------------------------
# Restoring


def current_state(path: Path) -> str:
    """What the current database file is, read without guihua opening it: "missing", "healthy" (SQLite
    reads it, it passes quick_check and is guihua's), "foreign" (another program's database) or "damaged"."""
    from db.schema import classify_sqlite

    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return "missing"
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return "damaged"
    from db.engine import read_only_connection

    def judge(connection: sqlite3.Connection) -> str:
        try:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return "damaged"
            return "foreign" if classify_sqlite(connection).kind == "foreign" else "healthy"
        finally:
            connection.close()

    # Read-only first (nothing changes, not even beside another program's file); then read-write, which
    # recovers what a killed writer left in a journal.
    for connect in (lambda: read_only_connection(path), lambda: sqlite3.connect(path, timeout=5)):
        try:
            return judge(connect())
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise BackupError(f"数据库正被另一个 guihua 使用，没有恢复：{path}\n请关闭其他 guihua 窗口后重试。") from None
        except sqlite3.DatabaseError:
            return "damaged"
    return "damaged"


def _keep_damaged(path: Path) -> Path | None:
    """Copy a damaged database (with its -wal and -journal, which belong to it) into the backup folder as
    「已损坏_<name>_<time>.sqlite3」, for support. Returns the copy of the main file (or of what there was)."""
    import shutil

    folder = backup_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = folder / f"{DAMAGED_PREFIX}{backup_prefix(path)}_{stamp}.sqlite3"
    counter = 1
    while kept.exists():
        kept = folder / f"{DAMAGED_PREFIX}{backup_prefix(path)}_{stamp}-{counter}.sqlite3"
        counter += 1
    copied = None
    for suffix in ("", "-wal", "-journal"):
        source = Path(f"{path}{suffix}")
        if source.exists() and source.stat().st_size > 0:
            target = Path(f"{kept}{suffix}")
            shutil.copyfile(source, target)
            with target.open("rb+") as handle:
                os.fsync(handle.fileno())
            copied = copied or target
    if copied is not None:
        _fsync_folder(folder)
    return copied


def _replace_with_copy(path: Path, backup: Path) -> None:
    """Write the backup's contents into a new file beside the database, then put it in the database's place.
    The old file's journals go first: left beside the new file, SQLite would replay them into it."""
    fresh = path.with_name(path.name + ".restoring")
    fresh.unlink(missing_ok=True)
    source = sqlite3.connect(_read_only_uri(backup), uri=True)
    try:
        target = sqlite3.connect(fresh)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()
    with fresh.open("rb+") as handle:
        os.fsync(handle.fileno())
    for suffix in _SIDE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, path)
    _fsync_folder(path.parent)


def restore_database(database, backup: Path) -> Restored:
    """Replace the database's contents with a backup's, without opening the database through guihua.
    Checks the backup first; then, by the state of the current file: healthy → back it up (returned as
    `safety`, so the restore can be undone) and copy through the backup API; damaged → keep it aside and put
    a copy of the backup in its place; missing → create it from the backup; another program's → refuse."""
    path = database_path(database)
    backup = Path(backup)
    check_backup_file(backup)
    if not isinstance(database, (str, os.PathLike)):
        database.dispose()  # no pooled connection may hold the old pages
    if backup.resolve() == path.resolve():
        raise UserInputError(f"{backup.name} 就是当前的数据库文件，不能用它恢复自己。")
    state = current_state(path)
    if state == "foreign":
        raise UserInputError(f"{path} 是别的程序的数据库，不是 guihua 数据库；guihua 不会覆盖它，没有恢复。"
                             "请用 --db 指定要恢复的 guihua 数据库文件。")
    try:
        if state == "healthy":
            safety = backup_now(path, "restore", rotate_after=False)
            source = sqlite3.connect(_read_only_uri(backup), uri=True)
            try:
                target = sqlite3.connect(path, timeout=5)
                try:
                    source.backup(target)
                except sqlite3.OperationalError as exc:
                    raise BackupError(
                        f"恢复失败：{exc}（数据库可能正被另一个 guihua 使用）。当前数据未改动，备份在 {safety}。") from None
                finally:
                    target.close()
            finally:
                source.close()
            rotate(path)
            return Restored(safety, None, False)
        path.parent.mkdir(parents=True, exist_ok=True)
        damaged = _keep_damaged(path)
        _replace_with_copy(path, backup)
    except OSError as exc:
        if getattr(exc, "errno", None) == 28:
            raise BackupError(f"磁盘空间不足，没有恢复：{path}。请清理磁盘后重试。") from None
        raise BackupError(f"无法写入 {path}：{exc.strerror or exc}，没有恢复。") from None
    except sqlite3.Error as exc:
        raise BackupError(f"恢复失败：{exc}。") from None
    rotate(path)
    return Restored(None, damaged, state == "missing" and damaged is None)


def restore_from(database, backup: Path) -> Path | None:
    """restore_database, returning the safety backup of the database it replaced (or where a damaged one
    was kept)."""
    restored = restore_database(database, backup)
    return restored.safety or restored.damaged
