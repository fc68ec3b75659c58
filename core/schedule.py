"""Project milestones: due dates as offices write them, overdue as a computed fact, and roll-ups.

A due date may be a day (2023-06-30), a month (2023-06), a quarter (2023Q2) or a year (2023): offices plan
「二季度完成」 as often as a day. A milestone is overdue when its due period has ended and it is neither done
nor cancelled; nobody types 「逾期」. A project is overdue when one of its milestones is, or, having no milestones,
when its planned finish has passed before it was 建成投用 (project_overdue: every layer asks this one rule).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.targets import ValueParseError

MILESTONE_STATUSES = ("未开始", "推进中", "已完成", "滞后", "已取消")
CLOSED_STATUSES = ("已完成", "已取消")
PROJECT_STAGES = ("前期工作", "已开工", "基本过半", "主体完工", "建成投用")
PROJECT_CATEGORIES = ("重大产业项目", "基础设施", "民生工程", "生态环境", "平台载体", "改革任务", "其他")
INVESTMENT_UNITS = ("万元", "亿元")

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:底|末)?$")
_QUARTER = re.compile(r"^(\d{4})(?:[Qq]([1-4])|年?第?([1-4一二三四])季度(?:末|底)?)$")
_HALF = re.compile(r"^(\d{4})年?(上|下)半年(?:末|底)?$")
_YEAR = re.compile(r"^(\d{4})年?(?:底|末)?$")


@dataclass(frozen=True, order=True)
class Due:
    """A due period. `last_day` is when it ends: the milestone is overdue from the day after."""

    last_day: date
    text: str  # canonical: 2023-06-30, 2023-06, 2023Q2, 2023H1, 2023
    precision: str  # day / month / quarter / half / year

    @property
    def label(self) -> str:
        year = self.last_day.year
        if self.precision == "day":
            return f"{year}年{self.last_day.month}月{self.last_day.day}日"
        if self.precision == "month":
            return f"{year}年{self.last_day.month}月"
        if self.precision == "quarter":
            return f"{year}年第{'一二三四'[(self.last_day.month - 1) // 3]}季度"
        if self.precision == "half":
            return f"{year}年{'上' if self.last_day.month == 6 else '下'}半年"
        return f"{year}年"


def _check_year(text: str, year: int) -> None:
    if not 1990 <= year <= 2100:
        raise ValueParseError(text, f"“{text}”的年份 {year} 不合理")


def parse_due(text: str) -> Due:
    """Read a due date: 2023-06-30, 2023/6/30, 2023年6月30日, 2023-06, 2023年6月, 2023Q2, 2023年二季度,
    2023年上半年, 2023, 2023年底. Raises ValueParseError with a Chinese reason."""
    raw = (text or "").strip()
    clean = raw.translate(_FULL_WIDTH).replace(" ", "")
    if not clean:
        raise ValueParseError(raw, "日期为空")
    try:
        if match := _DAY.match(clean):
            year, month, day = (int(g) for g in match.groups())
            _check_year(raw, year)
            moment = date(year, month, day)
            return Due(moment, moment.isoformat(), "day")
        if match := _MONTH.match(clean):
            year, month = int(match.group(1)), int(match.group(2))
            _check_year(raw, year)
            last = date(year, month, calendar.monthrange(year, month)[1])
            return Due(last, f"{year}-{month:02d}", "month")
        if match := _QUARTER.match(clean):
            year, quarter = int(match.group(1)), _QUARTER_WORDS[match.group(2) or match.group(3)]
            _check_year(raw, year)
            month = quarter * 3
            return Due(date(year, month, calendar.monthrange(year, month)[1]), f"{year}Q{quarter}", "quarter")
        if match := _HALF.match(clean):
            year = int(match.group(1))
            _check_year(raw, year)
            first_half = match.group(2) == "上"
            last = date(year, 6, 30) if first_half else date(year, 12, 31)
            return Due(last, f"{year}H{1 if first_half else 2}", "half")
        if match := _YEAR.match(clean):
            year = int(match.group(1))
            _check_year(raw, year)
            return Due(date(year, 12, 31), str(year), "year")
        if re.fullmatch(r"\d{4}H[12]", clean):
            return parse_due(f"{clean[:4]}年{'上' if clean[-1] == '1' else '下'}半年")
    except ValueError as exc:
        if isinstance(exc, ValueParseError):
            raise
        raise ValueParseError(raw, f"“{raw}”不是有效日期（月份或日子超出范围）") from None
    raise ValueParseError(raw, f"“{raw}”不是可识别的日期，可写 2023-06-30、2023-06、2023Q2、2023年上半年 或 2023")


def parse_day(text: str) -> date:
    """A calendar day (for done dates): only the day precision is accepted."""
    due = parse_due(text)
    if due.precision != "day":
        raise ValueParseError(text, f"“{text}”不是具体日期，请写成 2023-06-30")
    return due.last_day


def is_overdue(due: Due | None, status: str, today: date) -> bool:
    return due is not None and status not in CLOSED_STATUSES and due.last_day < today


FINISHED_STAGE = PROJECT_STAGES[-1]  # 建成投用: nothing left to be late with


def finish_overdue(planned_finish: Due | None, stage: str, statuses: Iterable[str], today: date) -> bool:
    """With no milestone to judge it by (none, or only cancelled ones) a project is overdue once its planned
    finish has passed, unless it is 建成投用: otherwise a project nobody planned in detail could never be late."""
    if planned_finish is None or stage == FINISHED_STAGE:
        return False
    if any(status != "已取消" for status in statuses):
        return False
    return planned_finish.last_day < today


def project_overdue(planned_finish: Due | None, stage: str, milestones: Iterable[tuple[Due | None, str]],
                    today: date) -> bool:
    """A project is overdue when one of its milestones is (due, status), or by finish_overdue's rule."""
    milestones = list(milestones)
    return any(is_overdue(due, status, today) for due, status in milestones) or finish_overdue(
        planned_finish, stage, (status for _, status in milestones), today)


@dataclass(frozen=True)
class MilestoneFacts:
    """What the roll-up needs of a milestone."""

    group: str  # chapter, unit … whatever the caller groups by
    status: str
    due: Due | None


@dataclass
class Rollup:
    total: int = 0
    done: int = 0
    cancelled: int = 0
    due_soon: int = 0  # open, due within the next 30 days
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.total - self.done - self.cancelled


SOON_DAYS = 30


def is_due_soon(due: Due | None, status: str, today: date, soon_days: int = SOON_DAYS) -> bool:
    """Open, not overdue, and due within the next `soon_days` days."""
    return (due is not None and status not in CLOSED_STATUSES and not due.last_day < today
            and (due.last_day - today).days <= soon_days)


def rollup(milestones: Iterable[MilestoneFacts], today: date, soon_days: int = SOON_DAYS) -> dict[str, Rollup]:
    result: dict[str, Rollup] = {}
    for m in milestones:
        r = result.setdefault(m.group, Rollup())
        r.total += 1
        if m.status == "已完成":
            r.done += 1
        elif m.status == "已取消":
            r.cancelled += 1
        elif is_overdue(m.due, m.status, today):
            r.overdue += 1
        elif is_due_soon(m.due, m.status, today, soon_days):
            r.due_soon += 1
    return result
