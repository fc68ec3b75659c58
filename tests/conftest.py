from __future__ import annotations

import pytest

from core.plan_text import ParsedPlan, parse_plan
from importers.plan import bundled_plan_bytes


@pytest.fixture(scope="session")
def seed_text() -> str:
    return bundled_plan_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def seed_plan(seed_text) -> ParsedPlan:
    return parse_plan(seed_text)


@pytest.fixture
def database(tmp_path):
    """A real SQLite file holding the bundled plan, as a first run leaves it."""
    from db.engine import open_database
    from importers.plan import ensure_bundled_plan

    db = open_database(tmp_path / "guihua.sqlite3")
    ensure_bundled_plan(db)
    yield db
    db.dispose()
