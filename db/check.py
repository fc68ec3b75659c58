"""`guihua check`: SQLite's own checks plus guihua's consistency rules, as a plain list of findings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import text
from sqlmodel import select

from core.schedule import MILESTONE_STATUSES, parse_due
from core.targets import ValueParseError
from db.models import Indicator, IndicatorYear, Milestone, Project, Unit


@dataclass(frozen=True)
class Finding:
    ok: bool
    check: str
    detail: str


def run_checks(database) -> list[Finding]:
    findings: list[Finding] = []
    with database.session() as session:
        if database.engine.dialect.name == "sqlite":
            integrity = [r[0] for r in session.execute(text("PRAGMA integrity_check")).fetchall()]
            findings.append(Finding(integrity == ["ok"], "完整性检查（integrity_check）",
                                    "正常" if integrity == ["ok"] else "；".join(integrity[:10])))
            broken = session.execute(text("PRAGMA foreign_key_check")).fetchall()
            findings.append(Finding(not broken, "外键检查（foreign_key_check）",
                                    "正常" if not broken else f"{len(broken)} 行引用了不存在的记录：{broken[:5]}"))
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
        findings.append(Finding(not outside, "年份在规划期内", "正常" if not outside else "、".join(outside[:10])))
        findings.append(Finding(not not_numbers, "数值可读", "正常" if not not_numbers else "、".join(not_numbers[:10])))
        units = {u.name for u in session.exec(select(Unit))}
        unknown = sorted({
            name
            for owner in list(indicators.values()) + list(session.exec(select(Project)))
            for field in ("lead_unit", "partner_units")
            for name in (getattr(owner, field) or "").split("、")
            if name and name not in units
        })
        findings.append(Finding(not unknown, "责任单位都在单位列表中",
                                "正常" if not unknown else "不在列表中：" + "、".join(unknown[:10])))
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
        findings.append(Finding(not bad_milestones, "里程碑数据",
                                "正常" if not bad_milestones else "；".join(bad_milestones[:10])))
    return findings
