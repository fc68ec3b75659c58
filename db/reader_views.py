"""What the plan reader (tui.reader) reads and writes, each call in its own session so the screen can run it in
a worker thread: the open plan's outline, a node's content, full-text search, and the place last read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from db.engine import Database
from db.plan_store import (
    NodeContent,
    OutlineNode,
    SearchHit,
    default_plan_id,
    find_plan,
    get_state,
    node_content,
    outline,
    plan_count,
    remember_plan_choice,
    search,
    set_state,
)


@dataclass(frozen=True)
class PlanOutline:
    """A plan as the reader opens it."""

    plan_id: int
    name: str
    roots: list[OutlineNode]
    last_node: int | None  # the place last read in it, if any
    plans_in_database: int


def open_plan_outline(database: Database, plan_id: int | None, *, chosen: bool = False) -> PlanOutline:
    """The plan (None: the one to open by default) with its outline. `chosen`: the user picked it, so it opens
    by default from now on. Raises GuihuaError (Chinese) when there is no such plan."""
    with database.session() as session:
        if plan_id is None:
            plan_id = default_plan_id(session)  # None: find_plan says there is no plan yet
        plan = find_plan(session, plan_id)
        roots = outline(session, plan.id)
        last = get_state(session, f"last_node:{plan.id}")
        count = plan_count(session)
        if chosen:
            remember_plan_choice(session, plan.id)
    last_node = int(last) if last and last.isdigit() else None
    return PlanOutline(plan.id, plan.name, roots, last_node, count)


def read_node(database: Database, node_id: int) -> NodeContent:
    with database.session() as session:
        return node_content(session, node_id)


def search_plan(database: Database, plan_id: int, query: str) -> list[SearchHit]:
    with database.session() as session:
        return search(session, plan_id, query)


def remember_place(database: Database, plan_id: int, node_id: int, *, first: bool) -> bool:
    """Store the place read (and, the first time in a session, the plan read); False when the database cannot
    be written (a read-only copy must not stop reading)."""
    try:
        with database.session() as session:
            set_state(session, f"last_node:{plan_id}", str(node_id))
            if first:
                set_state(session, "last_plan", str(plan_id))
    except SQLAlchemyError:
        return False
    return True


def keep_plan_choice(database: Database, plan_id: int) -> bool:
    """The user chose the plan already open: still a choice to remember. False when it cannot be written."""
    try:
        with database.session() as session:
            remember_plan_choice(session, plan_id)
    except SQLAlchemyError:
        return False
    return True
