"""Which unit (牵头单位 / 配合单位) an item involves, and how a typed unit name is matched to the unit list.

Unit lists are stored as the picker wrote them: full names from the unit list, several separated by 、 (typed or
imported text may use commas, semicolons, slashes or spaces).

Matching rules (shared by the validation of indicators' units and by the tidy-up of old free text):
- the full name or the short name (简称) of a unit is that unit;
- names are compared without the district prefix (「区发改委」, 「高港区发改委」 and 「发改委」 are the same office)
  and with the usual abbreviations expanded the same way (「发展和改革委员会」, 「发展改革委」 → 「发改委」);
- `loose` (what the pickers and resolve_unit also accept): a part that only one unit's full name contains.
A name that fits several units matches none of them: the caller asks, it never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_SPACES = re.compile(r"\s+")
_DISTRICT = re.compile(r"^(?:泰州市?)?(?:医药高新区|高港区|区)")
_BRANCH = re.compile(r"(?:泰州)?市(.+局)(?:高港|医药高新区)分局")
# Long forms → the abbreviation offices write; applied to both sides, longest first.
_ABBREVIATIONS = (
    ("发展和改革委员会", "发改委"),
    ("发展改革委员会", "发改委"),
    ("发展和改革委", "发改委"),
    ("发展改革委", "发改委"),
    ("发展和改革局", "发改局"),
    ("发展改革局", "发改局"),
    ("卫生健康委员会", "卫健委"),
    ("卫生和健康委员会", "卫健委"),
    ("卫生健康委", "卫健委"),
    ("工业和信息化局", "工信局"),
    ("人力资源和社会保障局", "人社局"),
    ("住房和城乡建设局", "住建局"),
    ("文化广电和旅游局", "文旅局"),
    ("市场监督管理局", "市场监管局"),
    ("委员会", "委"),
)


class NamedUnit(Protocol):
    name: str
    short_name: str


U = TypeVar("U", bound=NamedUnit)


def split_units(text: str | None) -> list[str]:
    return [u for u in _SEPARATORS.split(text or "") if u]


def involves(unit: str, lead: str | None, partners: str | None) -> bool:
    """Whether `unit` leads the item or helps with it."""
    return bool(unit) and (unit == (lead or "") or unit in split_units(partners))


def unit_core(name: str) -> str:
    """A unit's name without spaces and without the district prefix (as db.projects compares names); a city
    bureau's district branch is the 区 bureau offices call it (「市生态环境局高港分局」 → 「生态环境局」)."""
    squashed = _SPACES.sub("", name or "")
    branch = _BRANCH.fullmatch(squashed)
    if branch:
        return branch.group(1)
    return _DISTRICT.sub("", squashed) or squashed


def unit_key(name: str) -> str:
    """unit_core() with the long forms abbreviated: 「区发展改革委」 and 「发改委」 give the same key."""
    key = unit_core(name)
    for long, short in _ABBREVIATIONS:
        key = key.replace(long, short)
    return key


def matching_units(text: str, units: Sequence[U], *, loose: bool = True) -> list[U]:
    """The units `text` may name, best rule first: one unit when it is clear, several when it is ambiguous,
    none when it is not on the list."""
    wanted = _SPACES.sub("", text or "")
    if not wanted:
        return []
    exact = [u for u in units if wanted == u.name]
    if exact:
        return exact[:1]
    short = [u for u in units if u.short_name and wanted == u.short_name]
    if short:
        return _unique(short)
    key = unit_key(wanted)
    by_key = [u for u in units if key in (unit_key(u.name), unit_key(u.short_name) if u.short_name else None)]
    if by_key or not loose:
        return _unique(by_key)
    return _unique([u for u in units if wanted in u.name])


def _unique(found: Iterable[U]) -> list[U]:
    seen: dict[str, U] = {}
    for unit in found:
        seen.setdefault(unit.name, unit)
    return list(seen.values())
