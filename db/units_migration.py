"""Tidy old free-text 牵头单位 / 配合单位 to the unit list's names (guihua units --tidy).

Before units were chosen from the list, indicators' units were typed: 「发改委」 on one, 「区发展改革委」 on
another, so 「我的单位」 and the fill-in forms missed some. Each name in an item's unit text is rewritten to the
list's full name when exactly one unit matches it by the core.units rules (full or short name, the name without
the district prefix, 发展改革委 ↔ 发改委 style abbreviations). A name that matches no unit, or several, is left
as it is and listed for the office to decide, with the units it might mean: nothing is guessed. Every rewrite is
logged (db.audit.log_change) like any other change, so history shows it and it can be traced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import Session, select

from core.units import matching_units, split_units, unit_core
from db.audit import current_user, log_change, now
from db.models import Indicator, Project, Unit

UNIT_FIELDS = {"lead_unit": "牵头单位", "partner_units": "配合单位"}


@dataclass(frozen=True)
class UnitFix:
    """One field rewritten (or, in a dry run, to be rewritten)."""

    entity: str  # indicator / project
    entity_id: int
    item: str  # the indicator's or project's name
    field: str
    old: str
    new: str

    def as_dict(self) -> dict:
        return {"entity": self.entity, "id": self.entity_id, "item": self.item, "field": UNIT_FIELDS[self.field],
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class UnitDoubt:
    """A name the tidy-up left as it is: no unit matches it, or several do (`candidates`)."""

    entity: str
    entity_id: int
    item: str
    field: str
    name: str
    candidates: tuple[str, ...]

    @property
    def reason(self) -> str:
        if len(self.candidates) > 1:
            return f"可能是：{'、'.join(self.candidates)}，请选定一个"
        if self.candidates:
            return f"可能是“{self.candidates[0]}”，请确认"
        return "单位列表中没有相近的单位，请选择或先添加该单位"

    def as_dict(self) -> dict:
        return {"entity": self.entity, "id": self.entity_id, "item": self.item, "field": UNIT_FIELDS[self.field],
                "name": self.name, "candidates": list(self.candidates)}


@dataclass
class TidyResult:
    fixed: list[UnitFix] = field(default_factory=list)
    unsure: list[UnitDoubt] = field(default_factory=list)


def _candidates(name: str, units: list[Unit]) -> tuple[str, ...]:
    """What an unsure name might mean, for the office to choose from: the pickers' looser rule, else the units
    whose name holds the name's stem (「区自然资源局」 → 「自然资源」 → 「市自然资源和规划局高港分局」)."""
    found = matching_units(name, units)
    if not found:
        stem = re.sub(r"(?:分局|局|委员会|委|办公室|办)$", "", unit_core(name))  # 「区自然资源局」 → 「自然资源」
        found = [u for u in units if len(stem) >= 2 and (stem in u.name or unit_core(u.name) in stem)]
    return tuple(u.name for u in found[:6])


def tidy_text(text: str | None, units: list[Unit]) -> tuple[str, list[tuple[str, tuple[str, ...]]]]:
    """(the text with every surely matched name replaced by the list's full name, joined by 、; the unsure names
    with their candidates). Unsure names stay in the text as they were written."""
    names: list[str] = []
    unsure: list[tuple[str, tuple[str, ...]]] = []
    for part in split_units(text):
        found = matching_units(part, units, loose=False)
        if len(found) == 1:
            name = found[0].name
        else:
            name = part
            unsure.append((part, _candidates(part, units)))
        if name not in names:
            names.append(name)
    return "、".join(names), unsure


def tidy_units(session: Session, *, origin: str = "cli", user: str | None = None, apply: bool = True) -> TidyResult:
    """Rewrite every indicator's and project's unit text to the list's names where that is sure (see the module
    docstring); `apply=False` only says what would change. One transaction, committed before it returns."""
    units = list(session.exec(select(Unit).order_by(Unit.ordinal, Unit.id)))
    result = TidyResult()
    if not units:
        return result
    user = user or current_user(session)
    stamp = now()
    rows = [("indicator", r) for r in session.exec(select(Indicator).order_by(Indicator.plan_id, Indicator.ordinal))]
    rows += [("project", r) for r in session.exec(select(Project).order_by(Project.plan_id, Project.id))]
    for entity, row in rows:
        item = row.name if entity == "indicator" else row.title
        for name in UNIT_FIELDS:
            old = getattr(row, name) or ""
            new, unsure = tidy_text(old, units)
            result.unsure += [UnitDoubt(entity, row.id, item, name, part, candidates) for part, candidates in unsure]
            if new == old:
                continue
            result.fixed.append(UnitFix(entity, row.id, item, name, old, new))
            if not apply:
                continue
            setattr(row, name, new)
            owner = {"indicator_id": row.id} if entity == "indicator" else {"project_id": row.id}
            log_change(session, user=user, origin=origin, entity=entity, entity_id=row.id, field=name,
                       old=old or None, new=new or None, at=stamp, **owner)
    if apply and result.fixed:
        session.commit()
    else:
        session.rollback()
    return result
