"""The layers hold (issue 16, Measures): a check anyone can run with `pytest tests/test_layering.py`.

- SQL lives only in db/: no `select(` call in core/, importers/, exports/ or tui/;
- screens reach the database only through tui/base.py's fetch(): no `database.session(` anywhere in tui/;
- no `# type: ignore[attr-defined]` in tui/ (screens use the typed `self.guihua`);
- no import runs back up the layers: tui → importers, exports → db → core (core imports none of the others,
  db none of importers, exports or tui, importers and exports not tui), function-level imports included.

Each failure lists every offending line as file:line, so what is left to move is plain to see.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "db", "importers", "exports", "tui")
LAYER = {"core": 0, "db": 1, "importers": 2, "exports": 2, "tui": 3}


def sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts and "__pycache__" not in p.parts)


def offending_lines(paths: list[Path], pattern: re.Pattern) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line if pattern.pattern.startswith("#") else line.split("#", 1)[0]  # comments may mention it
            if pattern.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


SELECT_CALL = re.compile(r"(?<![\w.])select\(")  # SQLAlchemy/SQLModel's select(), not a widget's .select()
SESSION_CALL = re.compile(r"\bdatabase\.session\(")
ATTR_IGNORE = re.compile(r"#\s*type:\s*ignore\[attr-defined\]")


def test_the_checks_find_what_they_look_for():
    """The patterns themselves: a check that could never match would pass for ever."""
    assert SELECT_CALL.search("rows = session.exec(select(Plan))") and not SELECT_CALL.search("table.select(1)")
    assert SESSION_CALL.search("with self.app.database.session() as s:")
    assert ATTR_IGNORE.search("x = self.app.database  # type: ignore[attr-defined]")
    assert imports_up(ast.parse("from db.models import Plan"), "core") == [(1, "db.models")]
    assert imports_up(ast.parse("def f():\n    import tui.app"), "db") == [(2, "tui.app")]
    assert imports_up(ast.parse("from core.units import split_units\nfrom exports import forms"), "importers") == []


def test_no_sql_outside_db():
    found = offending_lines(sources("core", "importers", "exports", "tui"), SELECT_CALL)
    assert not found, "select( outside db/ (make it a db function):\n" + "\n".join(found)


def test_no_database_sessions_in_the_screens():
    found = offending_lines(sources("tui"), SESSION_CALL)
    assert not found, "database.session( in tui/ (call a db function through fetch()):\n" + "\n".join(found)


def test_no_attr_defined_ignores_in_tui():
    found = offending_lines(sources("tui"), ATTR_IGNORE)
    assert not found, "type: ignore[attr-defined] in tui/ (use self.guihua):\n" + "\n".join(found)


def imports_up(tree: ast.AST, package: str) -> list[tuple[int, str]]:
    """(line, module) of each import in a module of `package` that names a higher layer."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYER and LAYER[top] > LAYER[package]:
                found.append((node.lineno, name))
    return found


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "tui"])
def test_no_import_runs_back_up_the_layers(package):
    found = []
    for path in sources(package):
        for line, name in imports_up(ast.parse(path.read_text(encoding="utf-8")), package):
            found.append(f"{path.relative_to(ROOT)}:{line}: imports {name}")
    assert not found, f"{package}/ imports a higher layer:\n" + "\n".join(found)
