"""What the `guihua` command line reads and writes, each as one call that opens its own session.

tui.cli only parses arguments and prints: every query it needs is here, taking the Database and returning
plain data (views, dataclasses, dicts ready for --json), so that no session and no SQL live in the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from core.errors import UserInputError
from core.kinds import IndicatorKind
from core.period import Period
from core.progress import Assessment, Verdict
from db.engine import Database
from db.indicators import HistoryEntry, IndicatorView
from db.plan_store import OutlineNode, SearchPage
from db.projects import MilestoneView, ProjectView, ProposalView

# ----------------------------------------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class PlanRef:
    """A plan as the command line names it, detached from the session."""

    id: int
    name: str
    title: str
    source_name: str
    imported_at: datetime
    bundled: bool
    period: Period

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "title": self.title, "source": self.source_name,
                "imported_at": self.imported_at.isoformat(), "bundled": self.bundled,
                "period": {"base_year": self.period.base_year, "first_year": self.period.first_year,
                           "target_year": self.period.target_year}}


def _ref(session, plan) -> PlanRef:
    from db.plan_store import plan_period

    return PlanRef(plan.id, plan.name, plan.title, plan.source_name, plan.imported_at, plan.bundled,
                   plan_period(session, plan.id))


def plan_ref(database: Database, plan_key: str | int | None) -> PlanRef:
    """The plan `--plan` names (name, part of a name, or id; None: the plan opened last)."""
    from db.plan_store import find_plan

    with database.session() as session:
        return _ref(session, find_plan(session, plan_key))


def all_plans(database: Database) -> list[PlanRef]:
    from db.plan_store import list_plans

    with database.session() as session:
        return [_ref(session, plan) for plan in list_plans(session)]


def plan_outline(database: Database, plan_key: str | None) -> tuple[PlanRef, list[OutlineNode]]:
    from db.plan_store import find_plan, outline

    with database.session() as session:
        plan = _ref(session, find_plan(session, plan_key))
        return plan, outline(session, plan.id)


def plan_outline_json(database: Database, plan_key: str | None) -> dict:
    """The plan's whole structure with its paragraphs and footnotes (`outline --json`)."""
    from db.plan_store import find_plan, outline_tree

    with database.session() as session:
        plan = find_plan(session, plan_key)
        return {"plan": {"id": plan.id, "name": plan.name, "title": plan.title}, "nodes": outline_tree(session, plan.id)}


def search_plan(database: Database, plan_key: str | None, query: str, *, limit: int | None,
                offset: int = 0) -> tuple[PlanRef, SearchPage]:
    """One page of the occurrences of `query` in the plan, with how many there are in all."""
    from db.plan_store import find_plan, search_page

    with database.session() as session:
        plan = _ref(session, find_plan(session, plan_key))
        return plan, search_page(session, plan.id, query, limit=limit, offset=offset)


# ----------------------------------------------------------------------------------------------------------
# Indicators


@dataclass
class IndicatorTable:
    """A plan's indicators judged as of one year (`guihua indicators`); `per_year` holds every plan year's
    status only when it was asked for (the JSON output), since judging is most of the work at scale; the JSON
    shows each year's code and label alone, so those are judged without their words (db.indicators.status_table)."""

    plan: PlanRef
    views: list[IndicatorView]
    as_of: int
    current: dict[int, Assessment] | dict[int, Verdict]  # Verdicts (labels alone) unless every_year
    per_year: dict[int, dict[int, Verdict]] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return self.plan.period

    def as_json(self) -> list[dict]:
        return [
            {
                "id": v.id,
                "category": v.category,
                "name": v.name,
                "unit": v.unit,
                "attribute": v.attribute,
                "target_text": v.target_text,
                "growth_text": v.growth_text,
                "lead_unit": v.lead_unit,
                "values": _year_values(v.values, self.period.years),
                "status": {str(y): {"code": a[v.id].code, "label": a[v.id].label} for y, a in self.per_year.items()},
                "as_of": {"year": self.as_of, "code": self.current[v.id].code, "label": self.current[v.id].label,
                          "explanation": self.current[v.id].explanation},
            }
            for v in self.views
        ]


def _year_values(values: dict[int, Decimal], years) -> dict[str, float | None]:
    # IndicatorView.values builds its dict on each access: read once per indicator, not twice per year
    return {str(y): (float(values[y]) if y in values else None) for y in years}


def indicator_table(database: Database, plan_key: str | None, year: int | None, *, text_targets: bool = False,
                    every_year: bool = False) -> IndicatorTable:
    """The plan's main indicators (or, `text_targets`, the targets accepted from its text) judged as of `year`
    (default: the latest year with figures); `every_year` also judges each plan year."""
    from db.indicators import latest_year, list_indicators, status_as_of, status_table
    from db.plan_store import find_plan

    with database.session() as session:
        plan = _ref(session, find_plan(session, plan_key))
        views = list_indicators(session, plan.id, kind=IndicatorKind.TEXT if text_targets else IndicatorKind.MAIN)
        base, end = plan.period.base_year, plan.period.target_year  # whatever year a text target ends on
        as_of = year if year is not None else (latest_year(views) or base + 1)  # --year 0 is refused below
        if not views:
            return IndicatorTable(plan, [], as_of, {})
        if not base < as_of <= end:
            raise UserInputError(f"年份 {as_of} 不在规划期 {base + 1}—{end} 年内。")
        judged = views if not text_targets else views + list_indicators(session, plan.id)
        # the plain list shows each status's label alone; the JSON also says why
        if every_year:
            per_year, current = status_table(session, judged, range(base + 1, end + 1), as_of)
        else:
            per_year, current = {}, status_as_of(session, judged, as_of)
    return IndicatorTable(plan, views, as_of, current, per_year)


def indicator_history(database: Database, plan_key: str | None,
                      name_or_id: str) -> tuple[IndicatorView, list[HistoryEntry]]:
    from db.indicators import find_indicator, history
    from db.plan_store import find_plan

    with database.session() as session:
        view = find_indicator(session, find_plan(session, plan_key).id, name_or_id)
        return view, history(session, view.id)


@dataclass(frozen=True)
class YearEntry:
    """What `guihua set` did: the value (edit) and/or the manual judgement (judged), and the status after."""

    view: IndicatorView
    old: Decimal | None
    edit: object | None  # db.indicators.Edit
    judged: object | None
    status: Assessment | None
    manual_status: str | None
    manual_note: str


def enter_year(database: Database, plan_key: str | None, indicator: str, year: int, *, number: Decimal | None,
               value_given: bool, force: bool, note: str | None, stage: str | None, source: str | None,
               judgement: dict, typed_value: str = "") -> YearEntry:
    """Record an indicator's value for a year and/or a manual judgement, refusing an implausible value unless
    `force` (core.plausibility), and judge the indicator afterwards."""
    from db.indicators import STAGES, assess_all, find_indicator, list_indicators, record_actual, set_year_fields
    from db.plan_store import find_plan

    with database.session() as session:
        plan = find_plan(session, plan_key)
        view = find_indicator(session, plan.id, indicator)
        old = view.values.get(year)
        if not view.base_year <= year <= view.target_year or (stage and stage not in STAGES):
            force = True  # the save below refuses it with the plainer reason
        reason = view.doubt(year, number) if value_given and not force and number != old else None
        if reason:
            raise UserInputError(f"没有保存：{reason}。如确认无误，请加 --force 重新执行"
                                 f"（guihua set {view.name} {year} {typed_value.strip()} --force）。")
        edit = None
        if value_given:
            edit = record_actual(session, view.id, year, number, note=note, stage=stage, source=source, origin="cli")
        judged = None
        if judgement:
            if not value_given:
                judgement = {**judgement, **{k: v for k, v in (("note", note), ("stage", stage), ("source", source))
                                             if v is not None}}
            judged = set_year_fields(session, view.id, year, origin="cli", **judgement)
        views = list_indicators(session, plan.id, kind=None)
        status = assess_all(session, views, year)[view.id] if year > view.base_year else None
        record = next(v for v in views if v.id == view.id).years.get(year)
    return YearEntry(view, old, edit, judged, status, record.manual_status if record else None,
                     record.manual_note if record else "")


# ----------------------------------------------------------------------------------------------------------
# Units, users


def unit_list(database: Database) -> list[dict]:
    from db.units import list_units

    with database.session() as session:
        return [{"id": u.id, "name": u.name, "short_name": u.short_name, "kind": u.kind} for u in list_units(session)]


def new_unit(database: Database, name: str, short_name: str = "", kind: str = "") -> str:
    from db.units import add_unit

    with database.session() as session:
        return add_unit(session, name, short_name, kind).name


def tidy_unit_names(database: Database, *, apply: bool):
    from db.units_migration import tidy_units

    with database.session() as session:
        return tidy_units(session, origin="cli", apply=apply)


@dataclass(frozen=True)
class UserInfo:
    user: str
    unit: str | None
    bound: dict[str, str]

    def as_dict(self) -> dict:
        return {"user": self.user, "unit": self.unit,
                "bound": [{"user": u, "unit": n} for u, n in sorted(self.bound.items())]}


def user_info(database: Database, name: str | None) -> UserInfo:
    from db.audit import current_user, user_unit, user_units

    with database.session() as session:
        who = (name or "").strip() or current_user(session)
        return UserInfo(who, user_unit(session, who), user_units(session))


def bind_user(database: Database, name: str | None, unit_name: str | None) -> tuple[str, str | None, str | None]:
    """Bind the user to the unit `unit_name` names (None: unbind). (user, unit now, unit before)."""
    from db.audit import bind_user_unit, current_user, user_unit
    from db.units import resolve_unit

    with database.session() as session:
        who = (name or "").strip() or current_user(session)
        before = user_unit(session, who)
        unit = resolve_unit(session, unit_name).name if unit_name else None
        bind_user_unit(session, who, unit)
        return who, unit, before


# ----------------------------------------------------------------------------------------------------------
# Projects, milestones, the review queue


def plan_projects(database: Database, plan_key: str | None, unit_name: str | None = None) -> list[ProjectView]:
    """The plan's projects in reading order; `unit_name`: only those the unit leads or partners in."""
    from db.plan_store import find_plan
    from db.projects import list_projects
    from db.units import resolve_unit

    with database.session() as session:
        projects = list_projects(session, find_plan(session, plan_key).id)
        if unit_name:
            unit = resolve_unit(session, unit_name).name
            projects = [p for p in projects if unit == p.lead_unit or unit in p.partner_units.split("、")]
    return projects


def plan_project(database: Database, plan_key: str | None, project: str) -> ProjectView:
    from db.plan_store import find_plan
    from db.projects import find_project

    with database.session() as session:
        return find_project(session, find_plan(session, plan_key).id, project)


def add_project_milestone(database: Database, plan_key: str | None, project: str, title: str, due: str = "",
                          note: str = "") -> ProjectView:
    from db.plan_store import find_plan
    from db.projects import add_milestone, find_project

    with database.session() as session:
        found = find_project(session, find_plan(session, plan_key).id, project)
        add_milestone(session, found.id, title, due, note=note, origin="cli")
        return found


def complete_milestone(database: Database, plan_key: str | None, project: str, milestone: str,
                       day: date) -> tuple[ProjectView, MilestoneView]:
    from db.plan_store import find_plan
    from db.projects import find_milestone, find_project, mark_milestone_done

    with database.session() as session:
        found = find_project(session, find_plan(session, plan_key).id, project)
        done = find_milestone(found, milestone)
        mark_milestone_done(session, done.id, day, origin="cli")
        return found, done


def plan_proposals(database: Database, plan_key: str | None, kind: str, status: str | None) -> list[ProposalView]:
    from db.plan_store import find_plan
    from db.projects import list_proposals

    with database.session() as session:
        return list_proposals(session, find_plan(session, plan_key).id, kind, status)


def review_proposals(database: Database, action: str, ids: list[int]):
    """accept / reject / reopen each proposal in turn; yields (id, what it became) as each is done, so the
    caller can say so before a later one is refused."""
    from db.projects import accept_proposal, reject_proposal, reopen_proposal

    with database.session() as session:
        for proposal_id in ids:
            if action == "accept":
                yield proposal_id, accept_proposal(session, proposal_id, origin="cli")
            elif action == "reject":
                yield proposal_id, reject_proposal(session, proposal_id)
            else:
                yield proposal_id, reopen_proposal(session, proposal_id)


# ----------------------------------------------------------------------------------------------------------
# The plan's own main indicators, and carrying a plan over to the next


def indicator_proposals(database: Database, plan_key: str | None, *, accept_all: bool):
    """(plan, accepted ids, carried base values or None, proposals, whether the plan has main indicators)."""
    from db.plan_indicators import confirm_indicators, has_main_indicators, list_indicator_proposals
    from db.plan_store import find_plan

    with database.session() as session:
        plan = _ref(session, find_plan(session, plan_key))
        accepted: list[int] = []
        carried = None
        if accept_all:
            accepted, carried = confirm_indicators(session, plan.id, origin="cli")
        return plan, accepted, carried, list_indicator_proposals(session, plan.id), has_main_indicators(session, plan.id)


def plan_links(database: Database, old_key: str, new_key: str, links: list[tuple[str, str]], unlinks):
    """(new plan id, old plan id, link candidates) between two plans, with the user's links and unlinks applied."""
    from db.continuity import choose_links, link_candidates
    from db.plan_store import find_plan

    with database.session() as session:
        old_plan, new_plan = find_plan(session, old_key), find_plan(session, new_key)
        candidates = link_candidates(session, new_plan.id, old_plan.id)
        if links or unlinks:
            candidates = choose_links(session, candidates, new_plan.id, old_plan.id, link=links, unlink=unlinks)
        return new_plan.id, old_plan.id, candidates


def carry_plan_values(database: Database, new_id: int, old_id: int, candidates, *, dry_run: bool):
    from db.continuity import carry_base_values

    with database.session() as session:
        return carry_base_values(session, new_id, old_id, candidates.links, unlinked=candidates.unlinked,
                                 dry_run=dry_run)
