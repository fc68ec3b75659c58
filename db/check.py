"""`guihua check`: SQLite's own checks plus guihua's consistency rules, as a plain list of findings.

`check_file` reads a SQLite file without opening it through guihua (so it works on a damaged, half-upgraded
or foreign file): can SQLite read it, integrity_check, foreign_key_check, and whether every stored text is
valid UTF-8 (Python's sqlite3 cannot read a row whose text is not, and every command reading that row would
fail). `run_checks` adds guihua's own rules on an open database; a rule that cannot read its rows says so
instead of stopping the others.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from core.schedule import MILESTONE_STATUSES, parse_due
from core.targets import ValueParseError
from db.models import Indicator, IndicatorYear, Milestone, Project, Unit

TEXT_CHECK = "文字可读（UTF-8）"
# Findings that mean the file itself is damaged: the answer is a backup.
DAMAGE_CHECKS = {"文件可读", "完整性检查（integrity_check）", TEXT_CHECK}


@dataclass(frozen=True)
class Finding:
    ok: bool
    check: str
    detail: str


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def damaged_texts(raw: sqlite3.Connection, limit: int = 20) -> list[str]:
    """Where a stored text is not valid UTF-8, as 「表 indicator_year 第 7 行（id 7）的 updated_at 列」."""
    found: list[str] = []
    tables = {}
    for (table,) in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall():
        try:
            tables[table] = [row[1] for row in raw.execute(f"PRAGMA table_info({_quoted(table)})")]
        except sqlite3.DatabaseError:
            continue
    previous = raw.text_factory
    raw.text_factory = bytes  # texts come back undecoded: each is checked here, not by the driver
    try:
        for table, columns in tables.items():
            if not columns:
                continue
            key = "id" if "id" in columns else "rowid"
            picks = ", ".join(f"CASE WHEN typeof({_quoted(c)}) = 'text' THEN {_quoted(c)} END" for c in columns)
            try:
                rows = raw.execute(f"SELECT {key}, {picks} FROM {_quoted(table)}")
            except sqlite3.OperationalError:  # a table without rowid and without id
                key = None
                rows = raw.execute(f"SELECT NULL, {picks} FROM {_quoted(table)}")
            for row in rows:
                for column, value in zip(columns, row[1:]):
                    if value is None:
                        continue
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError:
                        where = f"（{key} {row[0].decode() if isinstance(row[0], bytes) else row[0]}）" if key else ""
                        found.append(f"表 {table}{where}的 {column} 列")
                        if len(found) >= limit:
                            return found
    finally:
        raw.text_factory = previous
    return found


def check_file(path: Path) -> list[Finding]:
    """SQLite-level checks of a database file, through a read-only connection."""
    from db.engine import read_only_connection

    path = Path(path)
    try:
        connection = read_only_connection(path)
    except (sqlite3.Error, OSError) as exc:
        return [Finding(False, "文件可读", f"SQLite 无法打开这个文件：{exc}")]
    try:
        try:
            integrity = [r[0] for r in connection.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            return [Finding(False, "文件可读", f"文件已损坏，SQLite 无法读取：{exc}")]
        findings = [Finding(integrity == ["ok"], "完整性检查（integrity_check）",
                            "正常" if integrity == ["ok"] else "；".join(integrity[:10]))]
        try:
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            findings.append(Finding(not broken, "外键检查（foreign_key_check）",
                                    "正常" if not broken else f"{len(broken)} 行引用了不存在的记录：{broken[:5]}"))
            texts = damaged_texts(connection)
            findings.append(Finding(not texts, TEXT_CHECK,
                                    "正常" if not texts else f"{len(texts)} 处文字已损坏：" + "；".join(texts[:10])))
        except sqlite3.DatabaseError as exc:
            findings.append(Finding(False, "文件可读", f"读取时出错：{exc}"))
        return findings
    finally:
        connection.close()


def run_checks(database) -> list[Finding]:
    findings: list[Finding] = []
    if database.engine.dialect.name == "sqlite" and database.path is not None:
        findings += check_file(database.path)
    elif database.engine.dialect.name == "sqlite":
        with database.session() as session:
            integrity = [r[0] for r in session.execute(text("PRAGMA integrity_check")).fetchall()]
        findings.append(Finding(integrity == ["ok"], "完整性检查（integrity_check）",
                                "正常" if integrity == ["ok"] else "；".join(integrity[:10])))
    for rule in (_years_and_values, _units, _milestones):
        findings += _run_rule(database, rule)
    return findings


_RULE_NAMES = {
    "_years_and_values": ("年份在规划期内", "数值可读"),
    "_units": ("责任单位都在单位列表中",),
    "_milestones": ("里程碑数据",),
}


def _run_rule(database, rule) -> list[Finding]:
    try:
        with database.session() as session:
            return rule(session)
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc))
        why = ("有文字已损坏，无法读取（见“文字可读”一项）" if "decode" in reason.lower()
               else f"无法读取：{reason}")
        return [Finding(False, name, why) for name in _RULE_NAMES[rule.__name__]]


def _years_and_values(session) -> list[Finding]:
    indicators = {i.id: i for i in session.exec(select(Indicator))}
    outside, not_numbers = [], []
    for row in session.exec(select(IndicatorYear)):
        indicator = indicators.get(row.indicator_id)
        if indicator and not indicator.base_year <= row.year <= indicator.target_year:
            outside.append(f"{indicator.name} {row.year}年")
        for name in ("actual", "target"):
            value = getattr(row, name)
            if value is not None:
                try:
                    Decimal(value)
                except InvalidOperation:
                    not_numbers.append(f"{indicator.name if indicator else row.indicator_id} {row.year}年“{value}”")
    return [Finding(not outside, "年份在规划期内", "正常" if not outside else "、".join(outside[:10])),
            Finding(not not_numbers, "数值可读", "正常" if not not_numbers else "、".join(not_numbers[:10]))]


def _units(session) -> list[Finding]:
    units = {u.name for u in session.exec(select(Unit))}
    owners = list(session.exec(select(Indicator))) + list(session.exec(select(Project)))
    unknown = sorted({
        name
        for owner in owners
        for field in ("lead_unit", "partner_units")
        for name in (getattr(owner, field) or "").split("、")
        if name and name not in units
    })
    return [Finding(not unknown, "责任单位都在单位列表中", "正常" if not unknown else "不在列表中：" + "、".join(unknown[:10]))]


def _milestones(session) -> list[Finding]:
    bad_milestones = []
    for m in session.exec(select(Milestone)):
        try:
            if m.due:
                parse_due(m.due)
        except ValueParseError:
            bad_milestones.append(f"“{m.title}”的计划时间“{m.due}”")
        if m.status not in MILESTONE_STATUSES:
            bad_milestones.append(f"“{m.title}”的状态“{m.status}”")
        if m.status == "已完成" and m.done_date is None:
            bad_milestones.append(f"“{m.title}”已完成但没有完成日期")
    return [Finding(not bad_milestones, "里程碑数据", "正常" if not bad_milestones else "；".join(bad_milestones[:10]))]
