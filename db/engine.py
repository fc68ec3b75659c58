"""Where the database lives and how it is opened.

The embedded default is a SQLite file in the user data directory. `--db PATH` or the GUIHUA_DB environment
variable choose another file, or a PostgreSQL server (`postgresql+psycopg://user:password@host/db`) that many
departments share. Every SQLite connection gets the durability pragmas from the engineering notes; a server
database is reached through psycopg, with its password never shown in a message.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
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


def is_server_url(target: str | os.PathLike) -> bool:
    return "://" in str(target)


SERVER_URL_HELP = "PostgreSQL 数据库地址的格式：postgresql+psycopg://用户名:密码@服务器地址:端口/数据库名（见 docs/deploy.md）。"


def server_url(target: str):
    """The SQLAlchemy URL of a server database. `postgres://` and `postgresql://` mean psycopg 3."""
    try:
        url = make_url(target)
    except ArgumentError:
        raise DatabaseOpenError(f"数据库地址写得不对：{_mask(target)}\n{SERVER_URL_HELP}") from None
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise DatabaseOpenError(
            f"不支持这种数据库：{url.drivername}（{url.render_as_string(hide_password=True)}）\n"
            f"guihua 支持本机的 SQLite 文件和 PostgreSQL 服务器。{SERVER_URL_HELP}"
        )
    if not url.database:
        raise DatabaseOpenError(f"数据库地址中缺少数据库名：{url.render_as_string(hide_password=True)}\n{SERVER_URL_HELP}")
    return url


def _mask(target: str) -> str:
    """A URL for messages: the password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(target))


def create_server_engine(url) -> Engine:
    """An engine for a PostgreSQL server: stale pooled connections are replaced before use (a server restart
    or a dropped VPN must not surface as an error on the next save), and a dead server is reported within
    seconds instead of hanging."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseOpenError(
            "连接 PostgreSQL 服务器需要 psycopg 组件，本机还没有安装。\n"
            "请安装：pip install \"guihua[postgres]\"（离线安装包已包含该组件）。"
        ) from None
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": "guihua"},
    )


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
            from db.backup import list_backups, restore_advice

            damaged = ""
            if list_backups(path):  # guihua kept backups of a database by this name: its start may be damaged
                damaged = f"\n如果它原来是 guihua 数据库、开头被损坏了：{restore_advice(path)}"
            raise DatabaseOpenError(
                f"这个文件不是 guihua 数据库（也不是 SQLite 数据库）：{path}\n请用 --db 指定正确的数据库文件，或换一个新文件名。"
                + damaged
            )


def read_only_connection(path: Path, *, immutable: bool = True) -> sqlite3.Connection:
    """A connection that cannot change the file: not its journal mode, not its contents. A WAL database
    without a -wal file has no writer and nothing outside the main file: it is read as immutable, so no
    -wal/-shm files are created beside someone else's database either (immutable=False: always with
    SQLite's locks, for a second look)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    idle_wal = immutable and header[18:20] == b"\x02\x02" and not Path(f"{path}-wal").exists()
    return sqlite3.connect(path.resolve().as_uri() + ("?immutable=1" if idle_wal else "?mode=ro"), uri=True)


def _inspect_before_opening(path: Path, target: str) -> None:
    """Refuse a file that is not guihua's, is damaged, or is from a newer guihua, before the first connection
    that could change it (the pragmas switch a file to WAL). Reads through a read-only connection; a file
    that cannot be opened read-only here (a live WAL database without its -shm in a read-only folder …) is
    left to the normal open, which says what is wrong."""
    if not path.exists() or path.stat().st_size == 0:
        return
    from db.schema import classify_sqlite

    for immutable in (True, False):  # damage seen without locks is looked at again with them
        try:
            raw = read_only_connection(path, immutable=immutable)
        except (sqlite3.Error, OSError):
            return
        try:
            verdict = classify_sqlite(raw)
            problem = raw.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.OperationalError:
            return
        except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
            problem = str(exc)
        finally:
            raw.close()
        if problem == "ok":
            break
    else:
        raise damaged_database_error(path, target, problem)
    refusal = _refusal(verdict.kind, verdict.revision, target, path)
    if refusal is not None:
        raise refusal


def damaged_database_error(path: Path, target: str, detail: str = "") -> DatabaseOpenError:
    """E02: the file is damaged. Names the backup to restore and the exact command."""
    from db.backup import restore_advice

    return DatabaseOpenError(
        f"数据库文件已损坏：{target}\n{restore_advice(path)}\n"
        f"（用 guihua check 可以查看损坏的详情。）"
    )


def open_database(target: str | os.PathLike | None = None) -> Database:
    """Open (and on first use create) the database. Raises DatabaseOpenError with a Chinese message."""
    resolved = resolve_target(target)
    if is_server_url(resolved):
        url = server_url(resolved)
        engine = create_server_engine(url)
        database = Database(engine, url.render_as_string(hide_password=True), None)
    else:
        path = Path(resolved).expanduser()
        _check_sqlite_file(path)
        _inspect_before_opening(path, str(path))
        created = not path.exists() or path.stat().st_size == 0
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
    except (DatabaseError, sqlite3.Error) as exc:  # OperationalError included; sqlite3's own from raw reads
        engine.dispose()
        raise _explain(exc, database) from exc
    except BaseException:
        engine.dispose()  # no pooled connection left behind (a server counts them)
        raise
    if database.path is not None and created:
        _mention_backups_of_a_new_file(database.path)
    return database


def _mention_backups_of_a_new_file(path: Path) -> None:
    """A new database where one by that name had backups: the file was deleted or moved. Say how to get it
    back (guihua just made an empty one in its place)."""
    from db.backup import list_backups, restore_advice

    try:
        if not list_backups(path):
            return
        advice = restore_advice(path)
    except (OSError, GuihuaError):
        return
    print(f"提示：{path} 原来不存在，已新建数据库；“备份”文件夹中有这个数据库以前的备份。\n"
          f"如果要找回原来的数据，{advice}", file=sys.stderr)


def explain_database_error(exc: Exception, target: str) -> GuihuaError | None:
    """A known database failure met while working (not only at opening), in Chinese; None if unknown."""
    if _is_server_error(exc):
        return _explain_server_at_work(exc, target)
    detail = str(getattr(exc, "orig", exc)).lower()
    where = f"：{target}" if target else "。"
    if "locked" in detail or "busy" in detail:
        return DatabaseOpenError(f"数据库正被另一个 guihua 使用（已锁定），这次修改没有保存{where}\n请关闭其他 guihua 窗口后重试。")
    if "disk" in detail and "full" in detail:
        return DatabaseOpenError(f"磁盘已满，这次修改没有保存{where}\n请清理磁盘空间后重试。")
    if "readonly" in detail or "read-only" in detail:
        return DatabaseOpenError(f"数据库文件只读，这次修改没有保存{where}\n请检查文件和文件夹的权限。")
    if "malformed" in detail or "not a database" in detail:
        return damaged_database_error(Path(target), target, detail) if target else DatabaseOpenError(
            "数据库文件已损坏。请运行 guihua check 检查，或用 guihua restore 从备份恢复。")
    if "could not decode to utf-8" in detail:
        return damaged_text_error(exc, target)
    if "disk i/o" in detail:
        return DatabaseOpenError(f"读写数据库文件时出错（磁盘已满、磁盘或网络故障）{where}\n请检查磁盘后重试。")
    return None


def damaged_text_error(exc: Exception, target: str) -> DatabaseOpenError:
    """A stored text that is not valid UTF-8 (a flipped bit on disk, another program writing to the file)."""
    found = re.search(r"column '([^']*)'", str(getattr(exc, "orig", exc)))
    where = f"（{found.group(1)} 列）" if found else ""
    advice = "请用 guihua restore 从备份恢复。"
    if target and not is_server_url(target):
        from db.backup import restore_advice

        advice = restore_advice(Path(target))
    return DatabaseOpenError(
        f"数据库中有一处文字已损坏{where}，不是有效的 UTF-8 文字，无法读取：{target}\n"
        f"{advice}\n（用 guihua check 可以列出全部损坏的记录。）"
    )


def _is_server_error(exc: Exception) -> bool:
    return type(getattr(exc, "orig", exc)).__module__.startswith("psycopg")


def _sqlstate(exc: Exception) -> str:
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) or ""


def _server_of(target: str) -> str:
    """host:port/database of a (masked) URL, for messages."""
    try:
        url = make_url(target)
    except ArgumentError:
        return target
    host = url.host or "本机"
    return f"{host}:{url.port or 5432}/{url.database}"


# Lost connections: the server went away, was restarted, or the network dropped (SQLSTATE class 08, 57P0x).
_LOST = ("server closed the connection", "connection is closed", "terminating connection", "connection refused",
         "could not receive data", "could not send data", "ssl syscall error", "consuming input failed",
         "connection timed out", "no route to host", "network is unreachable", "connection reset")


def _explain_server_at_work(exc: Exception, target: str) -> GuihuaError | None:
    """A PostgreSQL failure met while saving or reading, after the database was opened."""
    state = _sqlstate(exc)
    detail = str(getattr(exc, "orig", exc)).lower()
    where = _server_of(target)
    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or any(w in detail for w in _LOST):
        return DatabaseOpenError(
            f"与数据库服务器（{where}）的连接中断，这次修改没有保存。\n请检查网络，或请管理员确认服务器在运行，然后重试。"
        )
    if state in ("40001", "40P01", "55P03"):
        return DatabaseOpenError("这条记录正被其他人同时修改，这次修改没有保存。请稍候重试。")
    if state == "42501":
        return DatabaseOpenError(
            f"当前数据库用户没有权限做这项修改（{where}）。\n请管理员按 docs/deploy.md 为 guihua 的应用账号授权。"
        )
    if state == "53100":
        return DatabaseOpenError(f"数据库服务器磁盘已满，这次修改没有保存（{where}）。请通知管理员清理磁盘。")
    if state == "53300":
        return DatabaseOpenError(f"数据库服务器的连接数已满（{where}）。请稍后重试，或请管理员调大 max_connections。")
    if state == "25006":
        return DatabaseOpenError(f"数据库服务器处于只读状态，这次修改没有保存（{where}）。请通知管理员。")
    return None


def _explain_server(exc: Exception, database: Database) -> DatabaseOpenError:
    """Why a PostgreSQL database could not be opened, in words an office can act on."""
    state = _sqlstate(exc)
    raw = str(getattr(exc, "orig", exc))
    detail = raw.lower()
    where = _server_of(database.target)
    try:
        user = make_url(database.target).username or "（未写用户名）"
        name = make_url(database.target).database
    except ArgumentError:
        user, name = "（未知）", "（未知）"
    if state == "28P01" or "password authentication failed" in detail:
        return DatabaseOpenError(
            f"数据库用户名或密码不对，服务器拒绝登录：用户“{user}”，服务器 {where}。\n"
            "请检查数据库地址中的用户名和密码（注意大小写），或向管理员确认。"
        )
    if "no password supplied" in detail or "password is required" in detail:
        return DatabaseOpenError(
            f"服务器要求密码，但数据库地址中没有写密码：用户“{user}”，服务器 {where}。\n{SERVER_URL_HELP}"
        )
    if state == "3D000" or ("database" in detail and "does not exist" in detail):
        return DatabaseOpenError(
            f"服务器 {where.rsplit('/', 1)[0]} 上没有名为“{name}”的数据库。\n"
            "请检查数据库名，或请管理员先按 docs/deploy.md 创建数据库。"
        )
    if "pg_hba.conf" in detail:
        return DatabaseOpenError(
            f"数据库服务器不允许从本机连接（{where}）。\n请管理员在服务器的 pg_hba.conf 中允许本机所在网段，见 docs/deploy.md。"
        )
    if "role" in detail and "does not exist" in detail:
        return DatabaseOpenError(f"数据库服务器上没有用户“{user}”（{where}）。请检查用户名，或请管理员创建该用户。")
    if state == "42501" or "permission denied" in detail:
        return DatabaseOpenError(
            f"数据库用户“{user}”没有权限建立或升级 guihua 的数据表（{where}）。\n"
            "新数据库的建立和版本升级须由管理员用数据库所有者账号完成一次，见 docs/deploy.md。"
        )
    if state == "53300" or "too many clients" in detail or "too many connections" in detail:
        return DatabaseOpenError(f"数据库服务器的连接数已满（{where}）。请稍后重试，或请管理员调大 max_connections。")
    if state == "57P03" or "starting up" in detail or "shutting down" in detail:
        return DatabaseOpenError(f"数据库服务器正在启动或关闭（{where}），暂时不能连接。请稍后重试。")
    if "could not translate host name" in detail or "name or service not known" in detail or "nodename nor servname" in detail:
        return DatabaseOpenError(f"找不到数据库服务器“{where.split(':')[0]}”：地址写错了，或本机的网络/DNS 不通。请检查数据库地址。")
    if any(w in detail for w in ("connection refused", "timeout expired", "timed out", "no route to host",
                                 "network is unreachable", "could not connect", "connection failed")):
        return DatabaseOpenError(
            f"无法连接到数据库服务器 {where}：服务器没有响应。\n"
            "请检查：服务器是否开机、PostgreSQL 是否在运行、地址和端口是否正确、本机网络或防火墙是否放行。"
        )
    if not state:  # no answer from a server at all (libpq may word this in the local language)
        return DatabaseOpenError(
            f"无法连接到数据库服务器 {where}。\n原因：{raw.strip()}\n"
            "请检查：服务器是否开机、PostgreSQL 是否在运行、地址和端口是否正确、本机网络或防火墙是否放行。"
        )
    return DatabaseOpenError(f"无法打开数据库：{database.target}\n原因：{raw.strip()}")


def _explain(exc: Exception, database: Database) -> DatabaseOpenError:
    if database.path is None:
        return _explain_server(exc, database)
    detail = str(getattr(exc, "orig", exc))
    if "locked" in detail:
        return DatabaseOpenError(f"数据库正被另一个 guihua 使用（已锁定）：{database.target}\n请关闭其他 guihua 窗口后重试。")
    if "readonly" in detail or "unable to open" in detail:
        return DatabaseOpenError(f"无法写入数据库文件：{database.target}\n请检查文件夹权限，或用 --db 指定其他位置。")
    if "malformed" in detail or "not a database" in detail:
        return damaged_database_error(database.path, database.target, detail)
    if "disk" in detail and "full" in detail:
        return DatabaseOpenError(f"磁盘已满，无法写入数据库：{database.target}\n请清理磁盘空间后重试。")
    if "disk i/o" in detail.lower():
        return DatabaseOpenError(
            f"读写数据库文件时出错：{database.target}\n请检查磁盘：空间是否已满，磁盘或网络是否有故障；处理后重试，数据库没有改动。"
        )
    return DatabaseOpenError(f"无法打开数据库：{database.target}\n原因：{detail}")


FOREIGN_MESSAGE = ("这个文件是别的程序的数据库，不是 guihua 数据库：{target}\n"
                   "guihua 没有改动它。请用 --db 指定 guihua 的数据库文件，或换一个新文件名。")


def _refusal(kind: str, revision: str | None, target: str, path: Path | None) -> DatabaseOpenError | None:
    """The message for a database guihua will not open (db.schema.Verdict kinds); None for the others."""
    if kind == "foreign":
        return DatabaseOpenError(FOREIGN_MESSAGE.format(target=target))
    if kind == "newer":
        return DatabaseOpenError(
            f"这个数据库来自更新版本的 guihua（数据库版本 {revision}），本程序不能打开，以免损坏数据：{target}\n"
            "请安装新版本的 guihua 后再打开。"
        )
    if kind == "interrupted":
        advice = "请用升级前的备份恢复。"
        if path is not None:
            from db.backup import restore_advice

            advice = restore_advice(path, prefer="migration")
        return DatabaseOpenError(
            f"数据库升级失败：上次升级数据库结构时被中断（断电或程序被强行结束），数据库结构不完整，guihua 没有改动它：{target}\n"
            f"{advice}\n恢复后重新打开 guihua，会先备份再重新升级。"
        )
    return None


def prepare_schema(database: Database) -> None:
    """New database: create it. Older one: back it up, then upgrade. Newer one: refuse."""
    from db.schema import (ForeignDatabaseError, InterruptedUpgradeError, NewerDatabaseError, ensure_schema,
                           upgrade)

    try:
        pending = ensure_schema(database.engine)
    except ForeignDatabaseError:
        raise _refusal("foreign", None, database.target, database.path) from None
    except NewerDatabaseError as exc:
        raise _refusal("newer", exc.version, database.target, database.path) from None
    except InterruptedUpgradeError as exc:
        raise _refusal("interrupted", exc.version, database.target, database.path) from None
    if pending is None:
        return
    saved = None
    if database.path is not None:
        from db.backup import backup_now

        saved = backup_now(database, "migration")
        print(f"数据库需要升级，已先备份到：{saved}", file=sys.stderr)
    else:
        print(f"数据库需要升级：{database.target}（在一个事务中完成，失败会整体撤回）", file=sys.stderr)
    try:
        upgrade(database.engine)
    except Exception as exc:
        if database.path is None and (_sqlstate(exc) == "42501" or "permission denied" in str(exc).lower()):
            raise _explain_server(exc, database) from exc
        if database.path is not None and isinstance(exc, DatabaseError):
            known = _explain(exc, database)  # a full disk, a lock …: said as such, nothing was changed
            if not known.message.startswith("无法打开数据库"):
                raise known from exc
        kept = f"\n升级前的备份：{saved}" if saved else ""
        error = DatabaseOpenError(
            f"数据库升级失败，已整体撤回，数据库没有改动：{database.target}{kept}\n"
            "请把日志发给技术支持；问题解决之前，可以继续使用原来版本的 guihua 打开它。"
        )
        error.log_cause = True  # the front end writes the traceback to the log file and names it
        raise error from exc
