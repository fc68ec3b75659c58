"""The unit list and 「我的单位」 as the pickers show them, each call opening its own session (run off the event
loop: tui.base fetch).

「我的单位」 is a bound user's unit always (guihua user --name … --unit …); otherwise what the office chose (app
state ui.my_unit), or "" for all units."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from db.audit import current_user, user_unit
from db.engine import Database
from db.plan_store import get_state, set_state
from db.units import list_units

MY_UNIT_KEY = "ui.my_unit"  # app_state key of the 「我的单位」 filter


@dataclass(frozen=True)
class UnitChoice:
    name: str
    short_name: str = ""


@dataclass(frozen=True)
class MyUnit:
    bound: str  # the unit this user's account is bound to ("" for the office role): the choice is not theirs
    chosen: str  # 「我的单位」 in effect: the bound unit, else what the office chose, else ""
    units: list[UnitChoice] = field(default_factory=list)  # the unit list, to choose from


def unit_choices(database: Database) -> list[UnitChoice]:
    with database.session() as session:
        return [UnitChoice(u.name, u.short_name) for u in list_units(session)]


def read_my_unit(database: Database, *, with_units: bool = False) -> MyUnit:
    """「我的单位」 (and, with_units, the list to choose from); a broken state table must not stop a screen from
    showing: then no unit."""
    try:
        with database.session() as session:
            bound = user_unit(session, current_user(session)) or ""
            chosen = bound or get_state(session, MY_UNIT_KEY) or ""
            units = [UnitChoice(u.name, u.short_name) for u in list_units(session)] if with_units else []
            return MyUnit(bound, chosen, units)
    except SQLAlchemyError:
        return MyUnit("", "")


def save_my_unit(database: Database, name: str) -> str:
    """Store the office's 「我的单位」 ("" for all units); the name stored."""
    with database.session() as session:
        set_state(session, MY_UNIT_KEY, name)
    return name
