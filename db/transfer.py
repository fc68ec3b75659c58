"""Moving a SQLite database onto a PostgreSQL server (`guihua migrate-db --to URL`).

Every table is copied row for row with its ids, so the change log, undo and every link between rows stay
valid; then the server's id sequences are set past the copied ids. The copy is read from a snapshot taken
with SQLite's backup API (a consistent picture even while someone works), and written in one transaction:
the server database ends up holding all of it or none of it. Row counts are compared before the commit.
Only an empty target is accepted, so nothing on the server is ever overwritten.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Connection

from core.errors import GuihuaError, UserInputError
from db.models import SQLModel

BATCH = 2000


class TransferError(GuihuaError):
    exit_code = 4


@dataclass(frozen=True)
class TransferResult:
    target: str  # the server database, password hidden
    counts: dict[str, int]  # table -> rows copied

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _tables():
    return list(SQLModel.metadata.sorted_tables)  # parents before children


def _ordered(table):
    """Rows in an order the target's foreign keys accept: a node's parent is copied before the node."""
    if "depth" in table.c and "parent_id" in table.c:
        return select(table).order_by(table.c.depth, *table.primary_key.columns)
    return select(table).order_by(*table.primary_key.columns)


def row_counts(connection: Connection) -> dict[str, int]:
    return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in _tables()}


def _fix_sequences(connection: Connection) -> None:
    """Set each id sequence past the copied ids, so the next row the app adds gets a fresh id."""
    for table in _tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].name != "id" or not columns[0].autoincrement:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {table.name}"
            ),
            {"table": table.name},
        )


def copy_to_server(source, target_url: str, progress: Callable[[str, int], None] | None = None) -> TransferResult:
    """Copy the SQLite database `source` (a db.engine.Database) into the empty PostgreSQL database at
    `target_url`, whose schema is created at the newest version if it has none yet."""
    from db.backup import copy_database
    from db.engine import is_server_url, open_database

    if source.path is None:
        raise UserInputError("migrate-db 把本机的 SQLite 数据库文件复制到服务器；当前 --db 已经是服务器数据库。")
    if not is_server_url(target_url):
        raise UserInputError(
            "--to 应是 PostgreSQL 数据库地址，如 postgresql+psycopg://用户名:密码@服务器地址/数据库名（见 docs/deploy.md）。"
        )
    target = open_database(target_url)  # refuses a foreign or newer database; creates an empty one's tables
    try:
        if target.engine.dialect.name != "postgresql":
            raise UserInputError("--to 应是 PostgreSQL 数据库地址。")
        with tempfile.TemporaryDirectory(prefix="guihua-migrate-") as folder:
            snapshot = Path(folder) / "snapshot.sqlite3"
            copy_database(source.path, snapshot)
            reader = create_engine(f"sqlite:///{snapshot}")
            try:
                with reader.connect() as src, target.engine.connect() as dst:
                    counts = _copy(src, dst, target.target, progress)
            finally:
                reader.dispose()
        return TransferResult(target.target, counts)
    finally:
        target.dispose()


def _copy(src: Connection, dst: Connection, where: str, progress) -> dict[str, int]:
    present = {name: n for name, n in row_counts(dst).items() if n}
    if present:
        listed = "、".join(f"{name} {n} 行" for name, n in list(present.items())[:6])
        raise UserInputError(
            f"目标数据库不是空的（{listed}），没有复制任何内容：{where}\n"
            "migrate-db 只复制到新建的空数据库，不会覆盖服务器上已有的数据。请管理员新建一个空数据库后重试（见 docs/deploy.md）。"
        )
    expected = row_counts(src)
    for table in _tables():
        copied = 0
        rows = src.execute(_ordered(table)).mappings()
        while batch := rows.fetchmany(BATCH):
            dst.execute(insert(table), [dict(row) for row in batch])
            copied += len(batch)
        if progress:
            progress(table.name, copied)
    _fix_sequences(dst)
    actual = row_counts(dst)
    if actual != expected:
        dst.rollback()
        differ = "、".join(f"{t}（本机 {expected[t]} 行，服务器 {actual[t]} 行）" for t in expected if expected[t] != actual.get(t))
        raise TransferError(f"复制后行数不一致，已整体撤回，服务器上没有留下任何数据：{differ}")
    dst.commit()
    return expected
