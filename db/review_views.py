"""What the review queue (tui.review) reads and writes, each call in its own session so the screen can run it in
a worker thread: the plan's proposals with what accepted ones became, and its decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from sqlmodel import Session

from core.errors import GuihuaError
from core.kinds import IndicatorKind, ProposalKind
from core.period import Period
from db.dialog_views import Outcome
from db.engine import Database
from db.plan_store import plan_period
from db.projects import ProposalView, list_proposals

ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class ReviewQueue:
    proposals: list[ProposalView]
    period: Period
    my_unit: str  # 「我的单位」 in effect ("" for none)
    unit_results: dict[tuple[str, int], tuple[str, str]]  # (kind, result id) -> (lead, partners), with my_unit


def read_review_queue(database: Database, plan_id: int | None) -> ReviewQueue:
    if plan_id is None:
        raise GuihuaError("没有打开的规划，无法审核。")
    from db.unit_views import read_my_unit

    my_unit = read_my_unit(database).chosen
    with database.session() as session:
        return ReviewQueue(
            proposals=list_proposals(session, plan_id),
            period=plan_period(session, plan_id),
            my_unit=my_unit,
            unit_results=_unit_results(session, plan_id) if my_unit else {},
        )


def _unit_results(session: Session, plan_id: int) -> dict[tuple[str, int], tuple[str, str]]:
    """Who is responsible for what accepted items became (for 「我的单位」)."""
    from db.indicators import list_indicators
    from db.projects import list_projects

    out = {(ProposalKind.PROJECT, p.id): (p.lead_unit, p.partner_units) for p in list_projects(session, plan_id)}
    for v in list_indicators(session, plan_id, kind=IndicatorKind.TEXT):
        out[(ProposalKind.TARGET, v.id)] = (v.lead_unit, v.partner_units)
    return out


def decide(database: Database, work: Callable[[Session], ResultT]) -> ResultT:
    """Run one decision (db.projects' accept_proposal, reject_proposal, merge_proposals…) in its own session.
    A value the store refuses (ValueError) is a GuihuaError saying nothing was saved."""
    try:
        with database.session() as session:
            return work(session)
    except ValueError as exc:
        raise GuihuaError(f"没有保存：{exc}") from exc


def attempt(database: Database, work: Callable[[Session], ResultT]) -> Outcome[ResultT]:
    """`decide`, for a dialog that shows a refusal in place: the refusal (and, when someone else saved first,
    the version now stored) comes back instead of being raised."""
    from db.audit import ConcurrentEditError

    try:
        return Outcome(decide(database, work))
    except ConcurrentEditError as exc:
        return Outcome(refused=exc.message, conflict_version=exc.current_version)
    except GuihuaError as exc:
        return Outcome(refused=exc.message)


def proposal_source(database: Database, block_id: int | None, phrase: str):
    """Where the plan states a proposal: its paragraph with the phrase marked (db.dialog_views.paragraph_source)."""
    from db.dialog_views import paragraph_source

    with database.session() as session:
        return paragraph_source(session, block_id, phrase)
