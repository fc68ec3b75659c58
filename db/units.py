"""The unit list (责任单位): listing, adding, and resolving a typed name to one unit by core.units' matching
rules. Lower than db.projects and db.audit use it, so both can resolve names without importing each other."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlmodel import Session, select

from core.errors import NotFoundError, UserInputError
from core.text_hygiene import clean_text
from core.units import matching_units, split_units, unit_core
from db.models import Unit

_SPACES = re.compile(r"\s+")


def list_units(session: Session) -> list[Unit]:
    return list(session.exec(select(Unit).order_by(Unit.ordinal, Unit.id)))


def add_unit(session: Session, name: str, short_name: str = "", kind: str = "") -> Unit:
    name, short_name, kind = (_SPACES.sub("", clean_text(name)), clean_text(short_name), clean_text(kind))
    if not name:
        raise UserInputError("单位名称不能为空。")
    units = list_units(session)
    for unit in units:
        same_core = unit_core(name) in (unit_core(unit.name), unit.short_name)
        if same_core or (short_name and unit.short_name == short_name.strip()):
            raise UserInputError(f"已有相近的单位“{unit.name}”，请直接选用，避免同一单位出现两个名称。")
    ordinal = max((u.ordinal for u in units), default=0) + 1
    unit = Unit(name=name, short_name=short_name.strip(), kind=kind.strip(), ordinal=ordinal)
    session.add(unit)
    session.commit()
    return unit


def resolve_unit(session: Session, text: str, units: list[Unit] | None = None) -> Unit:
    """The one unit `text` names (full name, short name, 「发改委」 for 「区发展改革委」, or a part only one
    unit's name contains: core.units.matching_units); refused when it names none or several."""
    if not _SPACES.sub("", text or ""):
        raise UserInputError("请给出单位名称。")
    matches = matching_units(text, list_units(session) if units is None else units)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"单位列表中没有“{text}”。用 guihua units 查看，或先添加该单位。")
    raise UserInputError(f"“{text}”对应多个单位：{'、'.join(u.name for u in matches[:10])}。请写出单位全称。")


def resolve_units(session: Session, text: str) -> str:
    """「发改委、工信局」 → the units' full names joined by 、; each must be on the list."""
    units = list_units(session)
    return "、".join(resolve_unit(session, part, units).name for part in split_units(text))


def load_units(session: Session, rows: Iterable[tuple[str, str, str]]) -> int:
    """Seed the list (name, short name, kind), skipping names already there. Caller commits."""
    existing = {unit_core(u.name) for u in list_units(session)}
    added = 0
    for ordinal, (name, short, kind) in enumerate(rows, start=1):
        if unit_core(name) in existing:
            continue
        session.add(Unit(name=name, short_name=short, kind=kind, ordinal=ordinal))
        existing.add(unit_core(name))
        added += 1
    session.flush()
    return added
