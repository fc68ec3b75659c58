"""Which indicators the grid's filters let through (类别, 状态, 约束性, 牵头单位, 我的单位). No I/O.

The 牵头单位 filter matches the way every layer matches unit names (core.units): typing 「发改委」 finds the rows
led by 「区发展改革委」; any row whose 牵头单位 simply contains the typed text is kept as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core.progress import Status
from core.units import NamedUnit, involves, matching_units, split_units


class Filterable(Protocol):
    category: str
    binding: bool
    lead_unit: str
    partner_units: str


def unit_names_for(text: str, units: Sequence[NamedUnit]) -> tuple[str, ...]:
    """The unit list's full names `text` may mean (core.units' rules, loose): every one when it is ambiguous,
    since a filter shows rows rather than writing a name."""
    return tuple(u.name for u in matching_units(text, units))


@dataclass(frozen=True)
class IndicatorFilter:
    category: str | None = None
    status: Status | None = None
    binding_only: bool = False
    unit_text: str = ""  # what was typed for 牵头单位
    unit_names: tuple[str, ...] = field(default=())  # the units it names (unit_names_for)
    my_unit: str = ""  # 「我的单位」: lead or partner

    @property
    def narrowed(self) -> bool:
        """Whether anything but 「我的单位」 filters rows (those filters are what `x` clears)."""
        return self.category is not None or self.status is not None or self.binding_only or bool(self.unit_text)

    def leads(self, lead_unit: str) -> bool:
        if not self.unit_text:
            return True
        if self.unit_text in (lead_unit or ""):
            return True
        leads = split_units(lead_unit)
        return any(name in leads for name in self.unit_names)

    def admits(self, item: Filterable, status: Status | None) -> bool:
        """Whether the row shows; `status` is its judged status (None while it is not judged yet)."""
        if self.category is not None and item.category != self.category:
            return False
        if self.binding_only and not item.binding:
            return False
        if self.status is not None and status != self.status:
            return False
        if not self.leads(item.lead_unit):
            return False
        if self.my_unit and not involves(self.my_unit, item.lead_unit, item.partner_units):
            return False
        return True
