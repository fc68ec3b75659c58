"""Which unit (牵头单位 / 配合单位) an item involves. Unit lists are stored as the picker wrote them: full names
from the unit list, several separated by 、 (typed or imported text may use commas, semicolons, slashes or
spaces)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def split_units(text: str | None) -> list[str]:
    return [u for u in _SEPARATORS.split(text or "") if u]


def involves(unit: str, lead: str | None, partners: str | None) -> bool:
    """Whether `unit` leads the item or helps with it."""
    return bool(unit) and (unit == (lead or "") or unit in split_units(partners))
