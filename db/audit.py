"""Who changed what: the user name recorded with every change, and the change log rows themselves."""

from __future__ import annotations

import getpass
import os
from datetime import datetime, timezone

from sqlmodel import Session

from db.models import AppState, ChangeLog

ORIGINS = ("tui", "cli", "import")
USER_STATE_KEY = "user.name"


def current_user(session: Session | None = None) -> str:
    """GUIHUA_USER, else the name configured in the database, else the OS login name."""
    name = os.environ.get("GUIHUA_USER", "").strip()
    if not name and session is not None:
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
