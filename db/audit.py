"""Who changed what: the user name recorded with every change, the change log rows themselves, which unit a
user is bound to, and the refusal of a save that would overwrite someone else's newer change.

Optimistic locking: Indicator, IndicatorYear, Project, Milestone and Proposal carry a version (SQLAlchemy's
version_id_col), raised by every save (the review queue words its refusal itself, db.projects). A screen
remembers the version it showed and passes it back as `expected_version`; when the row has moved on since,
the save is refused with ConcurrentEditError, whose message names who changed it, when, and to what (from
the change log), and nothing is written. The user reloads, or saves again with `overwrite=True`; both
changes stay in the history.

A save reads the row afresh and locks it until commit (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
writer at a time), so its check and its write see the same row. Should a write still be overtaken (a row
from an earlier read held in memory, or two people creating the same yearly record at the same moment), the
version column or the unique constraint stops it, and `retry_on_conflict` runs the save again on the newer
row, where the check decides afresh. Without `expected_version` a save is last-write-wins, as before, and
every save, overwritten or not, is in the change log with the value it replaced.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TypeVar

from sqlmodel import Session, select

from core.errors import GuihuaError
from core.units import involves
from db.models import AppState, ChangeLog
from db.units import resolve_unit

ORIGINS = ("tui", "cli", "import")
USER_STATE_KEY = "user.name"
USER_UNIT_KEY = "user.{name}.unit"  # app_state: the unit (牵头单位) a user is bound to
T = TypeVar("T")


def current_user(session: Session | None = None) -> str:
    """GUIHUA_USER, else the name configured in the database, else the OS login name.

    A server database is shared by many people, so a name stored in it would put everyone's changes under
    one name: there only GUIHUA_USER and the login name count (docs/deploy.md says to set GUIHUA_USER)."""
    name = os.environ.get("GUIHUA_USER", "").strip()
    if not name and session is not None and session.get_bind().dialect.name == "sqlite":
        row = session.get(AppState, USER_STATE_KEY)
        name = row.value.strip() if row is not None else ""
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no login name (some service accounts); still record something honest
            name = ""
    return name or "未知用户"


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def log_change(
    session: Session,
    *,
    user: str,
    origin: str,
    entity: str,
    entity_id: int,
    field: str,
    old: str | None,
    new: str | None,
    indicator_id: int | None = None,
    project_id: int | None = None,
    year: int | None = None,
    undo_of: int | None = None,
    at: datetime | None = None,
    source_file: str = "",
) -> ChangeLog:
    if origin not in ORIGINS:
        raise ValueError(f"unknown change origin {origin!r}")
    row = ChangeLog(
        changed_at=at or now(),
        user_name=user,
        origin=origin,
        entity=entity,
        entity_id=entity_id,
        indicator_id=indicator_id,
        project_id=project_id,
        year=year,
        field=field,
        old_value=old,
        new_value=new,
        undo_of=undo_of,
        source_file=source_file,
    )
    session.add(row)
    return row


# ----------------------------------------------------------------------------------------------------------
# Users bound to a unit


def _user_key(name: str) -> str:
    return USER_UNIT_KEY.format(name=name.strip())


def user_unit(session: Session, name: str) -> str | None:
    """The unit (its full name in the unit list) a user is bound to, or None: the office role, which sees
    and edits everything. A bound user's screens show and edit only items whose 牵头单位 is that unit."""
    if not name or not name.strip():
        return None
    row = session.get(AppState, _user_key(name))
    return row.value if row is not None and row.value else None


def bind_user_unit(session: Session, name: str, unit: str | None) -> None:
    """Bind a user to a unit, or with None unbind them, back to the office role. Commits.

    `unit` may be any name core.units' matching rules resolve to one unit of the list (「发改委」 binds to
    「区发展改革委」); a name matching none or several is refused with the candidates, never guessed."""
    from core.errors import UserInputError

    name = (name or "").strip()
    if not name:
        raise UserInputError("请给出用户名。")
    if unit:
        unit = resolve_unit(session, unit).name
    row = session.get(AppState, _user_key(name))
    if unit:
        if row is None:
            session.add(AppState(key=_user_key(name), value=unit))
        else:
            row.value = unit
    elif row is not None:
        session.delete(row)
    session.commit()


class UnitAccessError(GuihuaError):
    """A user bound to a unit tried to change an item their unit neither leads nor helps with."""

    exit_code = 7


def check_unit_access(session: Session, user: str, *, lead: str | None, partners: str | None, what: str) -> None:
    """Refuse a change by a user bound to a unit (user_unit) to an item that unit neither leads nor helps
    with. Enforced here, under every front end (TUI, CLI, form imports), not only by what the screens show."""
    unit = user_unit(session, user)
    if unit is None or involves(unit, lead, partners):
        return
    raise UnitAccessError(
        f"没有保存：你的账号（{user}）绑定了“{unit}”，只能修改本单位牵头或配合的条目；"
        f"{what}的牵头单位是“{lead or '未填写'}”。如需修改请联系规划办。"
    )


def user_units(session: Session) -> dict[str, str]:
    """Every user bound to a unit: {user name: unit}."""
    prefix, suffix = "user.", ".unit"
    rows = session.exec(select(AppState).where(AppState.key.startswith(prefix), AppState.key.endswith(suffix)))
    return {row.key[len(prefix) : -len(suffix)]: row.value for row in rows if row.value}


# ----------------------------------------------------------------------------------------------------------
# Two people editing the same record


class ConcurrentEditError(GuihuaError):
    """The record was saved by someone else after this user loaded it; this save was refused, nothing written.
    `user`, `changed_at` (UTC), `changes` ([(label, new value)]) describe the other person's latest save."""

    exit_code = 6

    def __init__(self, message: str, *, user: str | None = None, changed_at: datetime | None = None,
                 changes: list[tuple[str, str | None]] | None = None, current_version: int | None = None,
                 happened: str = "") -> None:
        super().__init__(message)
        # what the other person did, without the advice on what to do next (a screen that has already
        # reloaded gives its own advice)
        self.happened = happened or message
        self.user = user
        self.changed_at = changed_at
        self.changes = changes or []
        self.current_version = current_version

    @property
    def new_value(self) -> str | None:
        return self.changes[0][1] if self.changes else None


RELOAD_ADVICE = "请重新载入后再修改，或选择覆盖。"


def _local(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()


def concurrent_edit_error(
    session: Session,
    *,
    entity: str,
    entity_id: int | None,
    what: str,
    label: Callable[[str], str],
    current_version: int | None,
) -> ConcurrentEditError:
    """The refusal, worded from the latest change-log entry of the record (all fields saved with it).
    `what` names the record when the log has nothing to say; label(field) names one of its fields."""
    rows = []
    if entity_id is not None:
        rows = list(session.exec(
            select(ChangeLog)
            .where(ChangeLog.entity == entity, ChangeLog.entity_id == entity_id)
            .order_by(ChangeLog.id.desc())
            .limit(50)
        ))
    if not rows:
        happened = f"没有保存：{what}已被其他人修改。"
        return ConcurrentEditError(happened + RELOAD_ADVICE, current_version=current_version, happened=happened)
    latest = rows[0]
    group = []
    for row in rows:  # one save writes several fields with one time stamp
        if row.user_name != latest.user_name or row.changed_at != latest.changed_at:
            break
        group.append(row)
    group.reverse()
    changes = [(label(row.field), row.new_value) for row in group]
    told = "、".join(f"把“{name}”改为 {value}" if value not in (None, "") else f"把“{name}”清空"
                     for name, value in changes)
    happened = f"没有保存：{latest.user_name} 于 {_local(latest.changed_at):%Y-%m-%d %H:%M} 已{told}。"
    return ConcurrentEditError(happened + RELOAD_ADVICE, user=latest.user_name, changed_at=latest.changed_at,
                               changes=changes, current_version=current_version, happened=happened)


def check_version(
    session: Session,
    *,
    expected: int | None,
    current: int | None,
    overwrite: bool,
    entity: str,
    entity_id: int | None,
    what: str,
    label: Callable[[str], str],
    commit: bool = True,
) -> None:
    """Refuse a save made on an outdated view of the record. `expected` is the version the user saw (None: the
    caller does not track versions, last write wins; 0: the record did not exist yet); `current` is the
    record's version now (None or 0 when it does not exist)."""
    if expected is None or overwrite or (current or 0) == expected:
        return
    error = concurrent_edit_error(session, entity=entity, entity_id=entity_id, what=what, label=label,
                                  current_version=current or 0)
    if commit:
        session.rollback()  # nothing was written; end the transaction so no lock or snapshot is held
    raise error


def _blank_none(value):
    """"" as None; everything else, 0 and False included, as it is."""
    return None if value is None or value == "" else value


def log_changes(session: Session, entries: list[dict]) -> None:
    """Many change log rows in one INSERT (a catalogue's thousands of new indicators): each entry holds
    log_change's keyword arguments. No ChangeLog objects are made, so nothing can undo these by id."""
    from sqlalchemy import insert

    if not entries:
        return
    rows = []
    for entry in entries:
        if entry["origin"] not in ORIGINS:
            raise ValueError(f"unknown change origin {entry['origin']!r}")
        rows.append({"changed_at": entry.get("at") or now(), "user_name": entry["user"], "origin": entry["origin"],
                     "entity": entry["entity"], "entity_id": entry["entity_id"],
                     "indicator_id": entry.get("indicator_id"), "project_id": entry.get("project_id"),
                     "year": entry.get("year"), "field": entry["field"], "old_value": entry.get("old"),
                     "new_value": entry.get("new"), "undo_of": None, "source_file": entry.get("source_file", "")})
    session.execute(insert(ChangeLog), rows)


def ever_held(session: Session, entity: str, entity_id: int, field: str, text: str) -> bool:
    """Whether the change log shows the field holding `text` at some time (as the old or the new value): a
    name changed after a form was issued still identifies the same item."""
    from sqlmodel import or_

    return session.exec(
        select(ChangeLog.id).where(
            ChangeLog.entity == entity, ChangeLog.entity_id == entity_id, ChangeLog.field == field,
            or_(ChangeLog.old_value == text, ChangeLog.new_value == text),
        ).limit(1)
    ).first() is not None


def changed_fields(row, values: Mapping[str, object]) -> list[tuple[str, object, object]]:
    """(field, old, new) for each value that differs from the row's; "" and None count as the same."""
    return [(name, getattr(row, name), value) for name, value in values.items()
            if _blank_none(getattr(row, name)) != _blank_none(value)]


def save_changes(
    session: Session,
    row,
    changes: list[tuple[str, object, object]],
    *,
    entity: str,
    what: str,
    label: Callable[[str], str],
    expected_version: int | None,
    overwrite: bool,
    user: str,
    origin: str,
    at: datetime,
    units: tuple[str | None, str | None],
    show: Callable[[object], str | None] = _blank_none,
    touch: Mapping[str, object] | None = None,
    commit: bool = True,
    **log_fields,
) -> list[ChangeLog]:
    """The common end of every save of a versioned record: refuse it when the user is bound to a unit that
    `units` (lead, partners of the item) does not name (check_unit_access), or when someone saved the record
    after the user saw it (check_version); else set the changed fields (and `touch`, set but not logged, such
    as updated_at) and log each change, old and new, under one time stamp. `changes` comes from
    changed_fields; with none, nothing is checked or written. A new row (not yet inserted) that is refused is
    taken out of the session, so a caller's later flush cannot insert it empty."""
    if not changes:
        return []
    try:
        with session.no_autoflush:  # the checks read the database: no half-set row may be flushed first
            check_unit_access(session, user, lead=units[0], partners=units[1], what=what)
            check_version(session, expected=expected_version, current=row.version_id, overwrite=overwrite,
                          entity=entity, entity_id=row.id, what=what, label=label, commit=commit)
    except (ConcurrentEditError, UnitAccessError) as refusal:
        if row in session.new:
            session.expunge(row)
        if commit and isinstance(refusal, UnitAccessError):
            session.rollback()  # nothing was written; release the row lock (check_version does the same)
        raise
    for name, _, value in changes:
        setattr(row, name, value)
    for name, value in (touch or {}).items():
        setattr(row, name, value)
    session.flush()  # one UPDATE (one version step) for the whole save; gives a new row its id
    logged = [
        log_change(session, user=user, origin=origin, entity=entity, entity_id=row.id, field=name,
                   old=show(old), new=show(value), at=at, **log_fields)
        for name, old, value in changes
    ]
    session.flush()  # the log rows' ids, for undo
    return logged


def is_write_conflict(exc: Exception) -> bool:
    """Whether a failed write lost a race with another writer (and may simply be run again)."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(exc, StaleDataError):
        return True  # the row was saved by someone else between reading and writing it
    orig = getattr(exc, "orig", None)
    if isinstance(exc, IntegrityError):  # two people created the same row (a yearly record, a split part) at once
        return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)
    # PostgreSQL: deadlock detected / serialization failure; the transaction was rolled back, run it again
    return getattr(orig, "sqlstate", None) in ("40P01", "40001")


def retry_on_conflict(session: Session, work: Callable[[], T], *, commit: bool = True, attempts: int = 8) -> T:
    """Run a save; when the row changed under it (or was created at the same moment), roll back and run it
    again on the newer row, where check_version decides afresh. With commit=False the caller's transaction
    is not ours to roll back: the error goes to the caller."""
    for attempt in range(attempts):
        try:
            return work()
        except Exception as exc:
            if not commit or not is_write_conflict(exc):
                raise
            session.rollback()  # also after the last attempt: leave the session usable, not half-failed
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
