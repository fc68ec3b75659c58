"""From one plan to the next: which indicators of a new plan continue indicators of the old one, and carrying
the old plan's final-year actual over as the new indicator's base-year value.

A 十五五 indicator's base year (2025) is the 十四五 plan's target year, and the figure the office already
recorded for 2025 under the old plan is that base value. `link_candidates` pairs indicators whose names are
the same once written alike (「地区生产总值（GDP）」 and 「地区生产总值」); names that merely resemble each other
(「地区生产总值」 and 「地区生产总值年均增长率」) are listed for the office to decide, never linked on a guess.
`carry_base_values` writes the linked values through db.indicators.record_actual (change log, unit access and
optimistic locking included), naming where each came from, and never overwrites a value the office entered.

The office's links are kept in app_state (key LINKS_KEY, JSON), not in a table of their own, so this needs no
schema migration; an indicator deleted since is simply dropped from them when they are read."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Iterable, Sequence

from sqlmodel import Session, select

from core.errors import NotFoundError, UserInputError
from core.period import Period, detect_period
from db.audit import current_user
from db.indicators import IndicatorView, decimal_text, find_indicator, list_indicators, record_actual
from db.models import AppState, ChangeLog, Plan
from db.plan_store import get_state

LINKS_KEY = "continuity.links:{new}:{old}"  # app_state: the links between two plans, JSON (see save_links)
SAME_NAME = "same_name"
OFFICE = "office"
HOW_LABELS = {SAME_NAME: "名称相同", OFFICE: "规划办指定"}
SIMILAR_RATIO = 0.6  # names at least this alike (difflib) are listed as possible matches, never linked

_SPACES = re.compile(r"\s+")
# A parenthesis holding only Latin letters, digits or signs names or qualifies what is already said:
# （GDP）, (R&D), （PM2.5）, （%）.
_ASCII_NOTE = re.compile(r"\([A-Za-z0-9.&%‰+\-/ ]*\)")
# A unit at the end of a name: （亿元）, （万人）, （%）.
_UNIT_NOTE = re.compile(r"\((?:%|‰|[^()]{0,4}(?:元|美元|吨|人|个|件|年|天|米|公顷|亩|瓦|度|户|所|张|床|辆|次|岁|平方米|立方米))\)$")
_MARKS = re.compile(r"[*＊★☆△▲※#“”‘’\"'「」『』]")


def normalise_name(name: str) -> str:
    """An indicator's name written one way: full-width forms folded (NFKC), spaces, quotes and marks such as
    「★」 dropped, and parentheses that only abbreviate or give a unit removed."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", _MARKS.sub("", text))
    text = _ASCII_NOTE.sub("", text)
    text = _UNIT_NOTE.sub("", text)
    return text.lower()


def _unit(unit: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", unit or ""))


# ----------------------------------------------------------------------------------------------------------
# Plans and their periods


def plan_period(plan: Plan) -> Period | None:
    """The plan's period: the stored years when the plan has them, else what its title says."""
    years = [getattr(plan, name, None) for name in ("base_year", "first_year", "target_year")]
    if all(isinstance(y, int) for y in years):
        return Period(*years)  # type: ignore[arg-type]
    return detect_period(plan.title or "", "") or detect_period(plan.name or "", "")


def previous_plan(session: Session, plan_id: int) -> Plan | None:
    """The plan this one follows: the one whose target year is this plan's base year (else the latest one
    ending before it); when the periods are not known, the plan imported last before it."""
    plan = _plan(session, plan_id)
    others = [p for p in session.exec(select(Plan).order_by(Plan.id)) if p.id != plan_id]
    period = plan_period(plan)
    dated = [(q, p) for q, p in ((plan_period(p), p) for p in others) if q is not None]
    if period is not None and dated:
        exact = [p for q, p in dated if q.target_year == period.base_year]
        if exact:
            return max(exact, key=lambda p: (p.imported_at, p.id))
        earlier = [(q.target_year, p.imported_at, p.id, p) for q, p in dated if q.target_year < period.target_year]
        return max(earlier, key=lambda t: t[:3])[3] if earlier else None
    earlier_imports = [p for p in others if (p.imported_at, p.id) < (plan.imported_at, plan.id)]
    return max(earlier_imports, key=lambda p: (p.imported_at, p.id)) if earlier_imports else None


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"没有编号为 {plan_id} 的规划。")
    return plan


# ----------------------------------------------------------------------------------------------------------
# Links


@dataclass(frozen=True)
class IndicatorRef:
    id: int
    name: str
    unit: str = ""

    @property
    def shown(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class Link:
    """The new plan's indicator `new` continues the old plan's `old`."""

    new: IndicatorRef
    old: IndicatorRef
    how: str = SAME_NAME  # SAME_NAME: proposed from the names; OFFICE: the office linked them

    @property
    def how_label(self) -> str:
        return HOW_LABELS.get(self.how, self.how)


@dataclass(frozen=True)
class Unsure:
    """A new indicator that may continue one of `candidates`: listed for the office, not linked."""

    new: IndicatorRef
    candidates: tuple[IndicatorRef, ...]
    reason: str


@dataclass
class LinkCandidates:
    new_plan: str
    old_plan: str
    links: list[Link] = field(default_factory=list)
    unsure: list[Unsure] = field(default_factory=list)
    unmatched_new: list[IndicatorRef] = field(default_factory=list)  # no old indicator resembles these
    unmatched_old: list[IndicatorRef] = field(default_factory=list)  # old indicators no new one continues
    unlinked: list[IndicatorRef] = field(default_factory=list)  # same-name pairs the office said are not one


def _ref(view: IndicatorView) -> IndicatorRef:
    return IndicatorRef(view.id, view.name, view.unit)


def _saved(session: Session, new_plan_id: int, old_plan_id: int) -> dict:
    raw = get_state(session, LINKS_KEY.format(new=new_plan_id, old=old_plan_id))
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def link_candidates(session: Session, new_plan_id: int, old_plan_id: int) -> LinkCandidates:
    """Links between the two plans' main indicators: the office's own (saved by carry_base_values or
    save_links), then pairs whose names are the same once written alike (normalise_name) and whose units
    agree. Everything else is listed: possible matches (a name containing the other, or much alike, or the
    same name with another unit) and indicators with no counterpart."""
    new_plan, old_plan = _plan(session, new_plan_id), _plan(session, old_plan_id)
    if new_plan_id == old_plan_id:
        raise UserInputError("新旧规划是同一个规划，请选择两个不同的规划。")
    news = list_indicators(session, new_plan_id)
    olds = list_indicators(session, old_plan_id)
    new_by_id = {v.id: v for v in news}
    old_by_id = {v.id: v for v in list_indicators(session, old_plan_id, kind=None)}
    new_all = {v.id: v for v in list_indicators(session, new_plan_id, kind=None)}
    saved = _saved(session, new_plan_id, old_plan_id)
    result = LinkCandidates(new_plan.name, old_plan.name)

    office: dict[int, IndicatorRef] = {}
    for pair in saved.get("office", []):
        try:
            new_id, old_id = int(pair[0]), int(pair[1])
        except (TypeError, ValueError, IndexError):
            continue
        if new_id in new_all and old_id in old_by_id:
            office[new_id] = _ref(old_by_id[old_id])
    unlinked = {int(i) for i in saved.get("unlinked", []) if str(i).isdigit() and int(i) in new_all}

    by_name: dict[str, list[IndicatorView]] = {}
    for old in olds:
        by_name.setdefault(normalise_name(old.name), []).append(old)
    linked_old: set[int] = set()
    order = news + [new_all[i] for i in office if i not in new_by_id]  # office links may name text indicators
    for new in order:
        ref = _ref(new)
        if new.id in office:
            result.links.append(Link(ref, office[new.id], OFFICE))
            linked_old.add(office[new.id].id)
            continue
        if new.id in unlinked:
            result.unlinked.append(ref)
            continue
        same = by_name.get(normalise_name(new.name), [])
        fitting = [o for o in same if not _unit(o.unit) or not _unit(new.unit) or _unit(o.unit) == _unit(new.unit)]
        if len(fitting) == 1:
            result.links.append(Link(ref, _ref(fitting[0]), SAME_NAME))
            linked_old.add(fitting[0].id)
            continue
        if same:
            reason = "名称相同但单位不同" if not fitting else "名称相同的旧指标不止一个"
            result.unsure.append(Unsure(ref, tuple(_ref(o) for o in same), reason))
            continue
        close = _similar(new, olds)
        if close:
            result.unsure.append(Unsure(ref, tuple(_ref(o) for o in close), "名称相近"))
        else:
            result.unmatched_new.append(ref)
    result.unmatched_old = [_ref(o) for o in olds if o.id not in linked_old]
    return result


def _similar(new: IndicatorView, olds: Iterable[IndicatorView], limit: int = 3) -> list[IndicatorView]:
    """Old indicators whose names contain the new one's (or the reverse), or are much alike; best first."""
    wanted = normalise_name(new.name)
    scored = []
    for old in olds:
        name = normalise_name(old.name)
        if not name or not wanted:
            continue
        ratio = SequenceMatcher(None, wanted, name).ratio()
        if wanted in name or name in wanted:
            ratio = max(ratio, 0.99)
        if ratio >= SIMILAR_RATIO:
            scored.append((-ratio, old.ordinal, old))
    return [old for _, _, old in sorted(scored, key=lambda t: t[:2])[:limit]]


def choose_links(
    session: Session,
    candidates: LinkCandidates,
    new_plan_id: int,
    old_plan_id: int,
    *,
    link: Sequence[tuple[str, str]] = (),
    unlink: Sequence[str] = (),
) -> LinkCandidates:
    """The office's decisions on top of the proposals: `link` pairs (new indicator, old indicator), each named
    as find_indicator accepts (name, id, or a part only one name contains); `unlink` new indicators that do
    not continue the old indicator proposed for them. Returns the candidates with these applied."""
    chosen = {}
    for new_key, old_key in link:
        new = _ref(find_indicator(session, new_plan_id, new_key))
        chosen[new.id] = Link(new, _ref(find_indicator(session, old_plan_id, old_key)), OFFICE)
    dropped = {_ref(find_indicator(session, new_plan_id, key)) for key in unlink}
    dropped_ids = {r.id for r in dropped} - set(chosen)
    links = {l.new.id: l for l in candidates.links}
    unlinked = {r.id: r for r in candidates.unlinked}
    for new_id in dropped_ids:
        ref = links.pop(new_id).new if new_id in links else next(r for r in dropped if r.id == new_id)
        unlinked[new_id] = ref
    for new_id, item in chosen.items():
        links[new_id] = item
        unlinked.pop(new_id, None)
    olds = {r.id: r for r in candidates.unmatched_old + [l.old for l in candidates.links]}
    olds.update((l.old.id, l.old) for l in links.values())
    linked_old = {l.old.id for l in links.values()}
    settled = set(links) | set(unlinked)
    return LinkCandidates(
        candidates.new_plan,
        candidates.old_plan,
        links=list(links.values()),
        unsure=[u for u in candidates.unsure if u.new.id not in settled],
        unmatched_new=[r for r in candidates.unmatched_new if r.id not in settled],
        unmatched_old=[r for r in olds.values() if r.id not in linked_old],
        unlinked=list(unlinked.values()),
    )


def save_links(
    session: Session, new_plan_id: int, old_plan_id: int, links: Sequence[Link], unlinked: Iterable[IndicatorRef] = (),
    *, commit: bool = True,
) -> None:
    """Keep the links in app_state: the office's own pairs and the same-name pairs it refused (proposals are
    worked out afresh each time), and every link as it stood, for whoever reads the two plans side by side."""
    data = {
        "office": [[l.new.id, l.old.id] for l in links if l.how == OFFICE],
        "unlinked": sorted({r.id for r in unlinked}),
        "links": [[l.new.id, l.old.id, l.how] for l in links],
    }
    session.merge(AppState(key=LINKS_KEY.format(new=new_plan_id, old=old_plan_id),
                           value=json.dumps(data, ensure_ascii=False)))
    if commit:
        session.commit()


# ----------------------------------------------------------------------------------------------------------
# Carrying the base values


@dataclass(frozen=True)
class Carried:
    link: Link
    year: int
    value: Decimal
    stage: str
    source: str
    replaced: Decimal | None = None  # a value carried earlier from an older figure, now brought up to date


@dataclass(frozen=True)
class Skipped:
    link: Link
    reason: str


@dataclass
class CarryResult:
    new_plan: str
    old_plan: str
    year: int | None  # the old plan's target year
    dry_run: bool
    carried: list[Carried] = field(default_factory=list)
    unchanged: list[Carried] = field(default_factory=list)  # already holds the old plan's value
    skipped: list[Skipped] = field(default_factory=list)


def carry_source(old_plan_name: str, year: int) -> str:
    return f"承接《{old_plan_name}》{year}年实际值"


def _carried_by_us(session: Session, indicator_id: int, year: int, record, source: str) -> bool:
    """Whether the base value there was written by an earlier carry (not entered by the office): its source
    is the carry's own and the last change to the value came from an import."""
    if record is None or record.source != source:
        return False
    last = session.exec(
        select(ChangeLog)
        .where(ChangeLog.indicator_id == indicator_id, ChangeLog.year == year, ChangeLog.field == "actual")
        .order_by(ChangeLog.id.desc())
    ).first()
    return last is not None and last.origin == "import"


def carry_base_values(
    session: Session,
    new_plan_id: int,
    old_plan_id: int,
    links: Sequence[Link],
    *,
    unlinked: Iterable[IndicatorRef] = (),
    user: str | None = None,
    dry_run: bool = False,
) -> CarryResult:
    """For each link whose new indicator's base year is the old plan's target year, and whose old indicator
    has an actual for that year: record it as the new indicator's base-year actual (its stage too), source
    「承接《旧规划》2025年实际值」, origin "import". A value already there is left alone and reported as skipped,
    unless an earlier carry wrote it. All values and the links are written in one transaction; with
    `dry_run` nothing is written and the result says what would be."""
    new_plan, old_plan = _plan(session, new_plan_id), _plan(session, old_plan_id)
    period = plan_period(old_plan)
    olds = {v.id: v for v in list_indicators(session, old_plan_id, kind=None)}
    news = {v.id: v for v in list_indicators(session, new_plan_id, kind=None)}
    result = CarryResult(new_plan.name, old_plan.name, period.target_year if period else None, dry_run)
    user = user or current_user(session)
    writes: list[tuple[Carried, IndicatorView]] = []
    for link in links:
        new, old = news.get(link.new.id), olds.get(link.old.id)
        if new is None or old is None:
            result.skipped.append(Skipped(link, "指标已不存在"))
            continue
        year = period.target_year if period else old.target_year
        if result.year is None:
            result.year = year
        if new.base_year != year:
            result.skipped.append(Skipped(link, f"新指标的基数年份是{new.base_year}年，不是《{old_plan.name}》的目标年{year}年"))
            continue
        record = old.years.get(year)
        if record is None or record.actual is None:
            result.skipped.append(Skipped(link, f"《{old_plan.name}》中“{old.name}”还没有{year}年实际值"))
            continue
        source = carry_source(old_plan.name, year)
        carried = Carried(link, year, record.actual, record.stage, source)
        current = new.years.get(year)
        if current is not None and current.actual is not None:
            if current.actual == record.actual:
                result.unchanged.append(carried)
                continue
            if not _carried_by_us(session, new.id, year, current, source):
                result.skipped.append(Skipped(
                    link, f"已录入{year}年数值 {decimal_text(current.actual)}（来源：{current.source or '未填'}），不覆盖"))
                continue
            carried = Carried(link, year, record.actual, record.stage, source, replaced=current.actual)
        result.carried.append(carried)
        writes.append((carried, new))
    if dry_run:
        return result
    try:
        for carried, new in writes:
            record_actual(session, new.id, carried.year, carried.value, source=carried.source,
                          stage=carried.stage or None, origin="import", user=user, commit=False,
                          expected_version=new.year_version(carried.year))
        save_links(session, new_plan_id, old_plan_id, links, unlinked, commit=False)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result



def carry_from_previous_plan(session: Session, plan_id: int, *, user: str | None = None) -> CarryResult | None:
    """Right after the office confirms a new plan's indicators: those that continue an indicator of the plan
    before it (same name once written alike, same unit: link_candidates' confident links, or links the office
    made) take its final-year actual as their base-year value. Nothing is overwritten; None when there is no
    earlier plan. The office changes or unlinks them as with 「承接上一规划的基数」."""
    previous = previous_plan(session, plan_id)
    if previous is None:
        return None
    candidates = link_candidates(session, plan_id, previous.id)
    if not candidates.links:
        return None
    return carry_base_values(session, plan_id, previous.id, candidates.links, unlinked=candidates.unlinked, user=user)
