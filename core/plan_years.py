"""Which year the indicator grid judges its status column by, and which years a pasted row fills. No I/O.

The status year is a plan year (the base year has nothing to judge): it opens at the latest year any indicator
has a figure for, so a session in year three shows year three, and stays inside the plan's years when stepped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.period import Period


def latest_reported_year(series: Iterable[tuple[int, Iterable[int]]]) -> int | None:
    """The latest year after its base year that any indicator reports a figure for.

    `series`: per indicator, its base year and the years it has an actual value for."""
    latest = None
    for base_year, years in series:
        for year in years:
            if year > base_year and (latest is None or year > latest):
                latest = year
    return latest


def clamp_status_year(period: Period, year: int) -> int:
    """`year` moved into the plan years the status can be judged for (first year … target year)."""
    return min(max(year, period.first_year), period.target_year)


def opening_status_year(period: Period, latest: int | None) -> int:
    """The status year a freshly opened grid shows: the latest year with data, else the plan's first year."""
    return clamp_status_year(period, latest if latest is not None else period.first_year)


def stepped_status_year(period: Period, year: int, step: int) -> int | None:
    """The status year `step` years from `year`, or None when that leaves the plan years."""
    wanted = year + step
    return wanted if period.first_year <= wanted <= period.target_year else None


class PasteTooLong(ValueError):
    """More pasted values than years from the starting year to the plan's end."""

    def __init__(self, count: int, room: int) -> None:
        super().__init__(f"{count} values, {room} years")
        self.count = count
        self.room = room


def paste_years(years: Sequence[int], start: int, count: int) -> list[int]:
    """The years `count` values pasted into `start`'s cell fill: `start` and the years to its right, in order.

    Raises PasteTooLong when the row is longer than the years left (nothing is filled then)."""
    room = [y for y in years if y >= start]
    if count > len(room):
        raise PasteTooLong(count, len(room))
    return room[:count]
