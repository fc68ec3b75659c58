"""Where the database lives and how it is opened.

The embedded default is a SQLite file in the user data directory. `--db PATH` or the GUIHUA_DB environment
variable choose another file. Every connection gets the durability pragmas from the engineering notes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, create_engine

from core.errors import GuihuaError
from db import models  # noqa: F401  (registers the tables)

ENV_VAR = "GUIHUA_DB"
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseOpenError(GuihuaError):
    exit_code = 4


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("guihua", appauthor=False) / "guihua.sqlite3"


def resolve_target(cli_value: str | os.PathLike | None) -> str:
    """The database chosen by --db, else GUIHUA_DB, else the default file."""
    value = cli_value or os.environ.get(ENV_VAR) or default_db_path()
    return str(value)


@dataclass
class Database:
    engine: Engine
    target: str
    path: Path | None  # None for server databases
    network_share: bool = False  # opened in safe mode: rollback journal, one guihua at a time

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "afs", "ceph", "glusterfs",
                       "davfs", "fuse.davfs", "9p", "fuse.gvfsd-fuse", "fuse.rclone"}
NETWORK_WARNING = (
    "提示：数据库位于网络共享文件夹（{path}）。SQLite 的预写日志在网络文件系统上不可靠，guihua 已改用安全模式："
    "回滚日志、同一时间只允许一个 guihua 打开。建议把数据库放在本机磁盘上；多人同时录入请使用 PostgreSQL（见 docs/deploy.md）。"
)


def is_network_path(path: Path) -> bool:
    """Whether a path lies on a network share (SMB/NFS …), where WAL and locks are unsafe."""
    try:
        resolved = path.resolve()
    except OSError:
        return False
    if sys.platform == "win32":
        text = str(resolved)
        if text.startswith("\\\\"):
            return True  # a UNC path: \\server\share
        import ctypes

        drive = os.path.splitdrive(text)[0] + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE: a mapped network drive
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    best, fstype = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3:
            point = parts[1].replace("\\040", " ")
            if (str(resolved) == point or str(resolved).startswith(point.rstrip("/") + "/")) and len(point) > len(best):
                best, fstype = point, parts[2]
    return fstype in NETWORK_FILESYSTEMS


def _set_network_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA synchronous=EXTRA")
    cursor.execute("PRAGMA locking_mode=EXCLUSIVE")  # one writer; a second guihua is told the file is in use
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise DatabaseOpenError(f"数据库路径是一个文件夹，不是文件：{path}\n请用 --db 指定一个文件路径。")
    if path.exists() and path.stat().st_size > 0:
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except PermissionError as exc:
            raise DatabaseOpenError(f"没有权限读取数据库文件：{path}\n请检查文件权限，或用 --db 指定其他位置。") from exc
        if header != SQLITE_HEADER:
            raise DatabaseOpenError(
                f"这个文件不是 guihua 数据库（也不是 SQLite 数据库）：{path}\n请用 --db 指定正确的数据库文件，或换一个新文件名。"
            )


def open_database(target: str | os.PathLike | None = None) -> Database:
    """Open (and on first use create) the database. Raises DatabaseOpenError with a Chinese message."""
    resolved = resolve_target(target)
    if "://" in resolved:
        engine = create_engine(resolved)
        database = Database(engine, resolved, None)
    else:
        path = Path(resolved).expanduser()
        _check_sqlite_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseOpenError(f"无法创建数据库所在的文件夹：{path.parent}\n原因：{exc.strerror or exc}") from exc
        network = is_network_path(path.parent)
        engine = create_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _set_network_pragmas if network else _set_sqlite_pragmas)
        database = Database(engine, str(path), path, network_share=network)
    try:
        prepare_schema(database)
    except DatabaseError as exc:  # OperationalError included
        raise _explain(exc, database) from exc
    return database


def explain_database_error(exc: Exception, target: str) -> GuihuaError | None:
    """A known database failure met while working (not only at opening), in Chinese; None if unknown."""
    detail = str(getattr(exc, "orig", exc)).lower()
    if "locked" in detail or "busy" in detail:
        return DatabaseOpenError(f"数据库正被另一个 guihua 使用（已锁定），这次修改没有保存：{target}\n请关闭其他 guihua 窗口后重试。")
    if "disk" in detail and "full" in detail:
        return DatabaseOpenError(f"磁盘已满，这次修改没有保存：{target}\n请清理磁盘空间后重试。")
    if "readonly" in detail or "read-only" in detail:
        return DatabaseOpenError(f"数据库文件只读，这次修改没有保存：{target}\n请检查文件和文件夹的权限。")
    if "malformed" in detail or "not a database" in detail:
        return DatabaseOpenError(f"数据库文件已损坏：{target}\n请运行 guihua check 检查，或用 guihua restore 从备份恢复。")
    if "disk i/o" in detail:
        return DatabaseOpenError(f"读写数据库文件时出错（磁盘或网络故障）：{target}\n请检查磁盘后重试。")
    return None


def _explain(exc: Exception, database: Database) -> DatabaseOpenError:
    detail = str(getattr(exc, "orig", exc))
    if "locked" in detail:
        return DatabaseOpenError(f"数据库正被另一个 guihua 使用（已锁定）：{database.target}\n请关闭其他 guihua 窗口后重试。")
    if "readonly" in detail or "unable to open" in detail:
        return DatabaseOpenError(f"无法写入数据库文件：{database.target}\n请检查文件夹权限，或用 --db 指定其他位置。")
    if "malformed" in detail or "not a database" in detail:
        return DatabaseOpenError(f"数据库文件已损坏或不是 guihua 数据库：{database.target}\n请从备份恢复，或用 --db 指定其他文件。")
    if "disk" in detail and "full" in detail:
        return DatabaseOpenError(f"磁盘已满，无法写入数据库：{database.target}\n请清理磁盘空间后重试。")
    return DatabaseOpenError(f"无法打开数据库：{database.target}\n原因：{detail}")


def prepare_schema(database: Database) -> None:
    """New database: create it. Older one: back it up, then upgrade. Newer one: refuse."""
    from db.schema import ForeignDatabaseError, NewerDatabaseError, ensure_schema, pending_upgrade, upgrade

    try:
        ensure_schema(database.engine)
        if pending_upgrade(database.engine) is None:
            return
    except ForeignDatabaseError:
        raise DatabaseOpenError(
            f"这个文件是别的程序的数据库，不是 guihua 数据库：{database.target}\n"
            "guihua 没有改动它。请用 --db 指定 guihua 的数据库文件，或换一个新文件名。"
        ) from None
    except NewerDatabaseError as exc:
        raise DatabaseOpenError(
            f"这个数据库来自更新版本的 guihua（数据库版本 {exc.version}），本程序不能打开，以免损坏数据：{database.target}\n"
            "请安装新版本的 guihua 后再打开。"
        ) from None
    if database.path is not None:
        from db.backup import backup_now

        saved = backup_now(database, "migration")
        print(f"数据库需要升级，已先备份到：{saved}", file=sys.stderr)
    try:
        upgrade(database.engine)
    except Exception as exc:
        error = DatabaseOpenError(
            f"数据库升级失败：{database.target}\n升级前的备份在数据库旁的“备份”文件夹中，可用 guihua restore 恢复；"
            "请把日志发给技术支持。"
        )
        error.log_cause = True  # the front end writes the traceback to the log file and names it
        raise error from exc
