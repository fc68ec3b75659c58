"""Which parts of a plan an indicator is tied to, and which other indicator a relative target reads. No I/O.

- `table_cell`: the cell of the plan's main-indicator table that names an indicator. A cell holding the whole
  name is it; PDF tables wrap long names over two cells, so otherwise it is the cell whose text ends with the
  longest start of the name, at least half the name and MIN_WRAPPED characters long (a shared start such as
  「单位地区生产总值」 of 「…能源消耗降低」 and 「…二氧化碳排放降低」 is not enough).
- `name_in_cell`: the part of the name that cell shows (marked when the user asks where the plan states it).
- `anchor_paragraph`: the first paragraph holding the indicator's text anchor.
- `reference_values`: a relative target (「与经济发展同步」) is judged against the indicator it names: the one
  with exactly that name, else one whose name contains it and is not itself a growth rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from core.targets import Target, TargetKind

MIN_WRAPPED = 6
_SPACES = re.compile(r"\s+")


class NamedSeries(Protocol):
    id: int | None
    name: str
    values: Mapping[int, Decimal]


def squash(text: str | None) -> str:
    """Text compared without white space (a PDF cell or a typed name may break anywhere)."""
    return _SPACES.sub("", text or "")


def table_cell(name: str, cells: Sequence[tuple[int, str]]) -> int | None:
    """The id of the cell naming `name` among `cells` (id, squashed text) in table order, or None."""
    name = squash(name)
    if not name:
        return None
    for cell_id, text in cells:
        if name in text:
            return cell_id
    shortest = _shortest_start(name)
    if shortest is None:
        return None
    head = name[:shortest]
    best, best_length = None, 0
    for cell_id, text in cells:
        if head not in text:  # fast refusal: the cell does not even hold the name's first part
            continue
        length = _wrapped_start(name, text, max(shortest, best_length + 1))
        if length:
            best, best_length = cell_id, length
    return best


def name_in_cell(name: str, cell_text: str) -> str:
    """The part of `name` (squashed) its table cell shows, to mark it there: the whole name, else the longest start
    of it the cell ends with (a name wrapped over two cells, as table_cell finds it); "" for neither."""
    name, text = squash(name), squash(cell_text)
    if not name or name in text:
        return name
    shortest = _shortest_start(name)
    length = _wrapped_start(name, text, shortest) if shortest is not None else 0
    return name[:length]


def _shortest_start(name: str) -> int | None:
    """The fewest characters of a wrapped name that identify it (half of it, at least MIN_WRAPPED), or None when
    the name is too short to be wrapped at all."""
    shortest = max(MIN_WRAPPED, (len(name) + 1) // 2)
    return shortest if len(name) > shortest else None


def _wrapped_start(name: str, text: str, at_least: int) -> int:
    """The length of the longest start of `name`, at least `at_least` long, that `text` ends with; else 0."""
    for length in range(len(name) - 1, at_least - 1, -1):
        if text.endswith(name[:length]):
            return length
    return 0


def anchor_paragraph(anchor: str | None, paragraphs: Iterable[tuple[int, str]]) -> int | None:
    """The id of the first paragraph (id, squashed text) holding the squashed `anchor`, or None."""
    anchor = squash(anchor)
    if not anchor:
        return None
    return next((paragraph_id for paragraph_id, text in paragraphs if anchor in text), None)


def relative_names(targets: Iterable[Target]) -> set[str]:
    """The indicators a relative target is measured against (「与经济发展同步」 → 地区生产总值…)."""
    return {t.relative_to for t in targets if t.kind == TargetKind.RELATIVE and t.relative_to}


def judged_against_others(targets: Iterable[Target]) -> bool:
    """Whether an indicator's judgement reads other indicators' values: a screen that re-judges only an edited
    row must re-judge these rows after any edit as well."""
    return any(t.kind == TargetKind.RELATIVE for t in targets)


def reference_values(targets: Iterable[Target], own_id: int | None,
                     others: Sequence[NamedSeries]) -> Mapping[int, Decimal] | None:
    """The values a relative target is judged against, or None when it names no indicator on the list."""
    for name in sorted(relative_names(targets)):
        exact = next((o for o in others if o.id != own_id and o.name == name), None)
        if exact is not None:
            return exact.values
        containing = next((o for o in others if o.id != own_id and name in o.name and "增长" not in o.name), None)
        if containing is not None:
            return containing.values
    return None
