"""Import a plan's text file into the database. Everything is checked and parsed before the first write, and
the write is one transaction: a bad file changes nothing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from core.errors import UserInputError
from core.period import Period
from core.plan_text import NotAPlanError, ParsedPlan, decode_plan_bytes, parse_plan
from sqlmodel import select

from db.engine import Database
from db.indicators import CatalogueEntry, indicator_count, link_to_text, load_catalogue
from db.models import Plan, Proposal
from db.projects import list_units, load_units, relink_projects, run_finder
from db.plan_store import plan_count, save_plan

MAX_PLAN_BYTES = 20 * 1024 * 1024  # a plan's text is ~100 KB; 20 MB is far beyond any real one
BUNDLED_RESOURCE = "taizhou_yyz_14th_plan.txt"
BUNDLED_UNITS = "taizhou_yyz_units.csv"


@dataclass
class ImportResult:
    plan_id: int
    name: str
    title: str
    chapters: int
    sections: int
    paragraphs: int
    footnotes: int
    replaced: bool
    warnings: list[str]


def read_plan_file(path: Path) -> bytes:
    if not path.exists():
        raise UserInputError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserInputError(f"这是一个文件夹，不是规划文本文件：{path}")
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise UserInputError(f"文件太大（{size // (1024 * 1024)} MB），不像规划文本：{path}\n规划文本一般不超过 1 MB。")
        return path.read_bytes()
    except PermissionError as exc:
        raise UserInputError(f"没有权限读取文件：{path}") from exc


def parse_plan_bytes(data: bytes, source_name: str) -> tuple[ParsedPlan, str, str]:
    """Decode and parse; errors name the file. Returns (parsed plan, decoded text, encoding)."""
    if not data.strip():
        raise UserInputError(f"{source_name}：文件是空的，没有导入任何内容。")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserInputError(f"{source_name}：这是二进制文件，不是文本。请导入规划的 .txt 文本（从 PDF 或 Word 另存为文本）。")
    try:
        text, encoding = decode_plan_bytes(data)
        parsed = parse_plan(text)
    except NotAPlanError as exc:
        raise UserInputError(f"{source_name}：{exc.message}。没有导入任何内容。") from exc
    return parsed, text, encoding


def default_plan_name(parsed: ParsedPlan, fallback: str) -> str:
    """A short name for the command line: the district before 「国民经济…」, plus the plan period."""
    title = parsed.title or ""
    match = re.match(r"^(.{2,30}?)(国民经济和社会发展|经济和社会发展)", title)
    district = match.group(1) if match else ""
    period = "十四五规划" if "十四个五年" in title else ("十五五规划" if "十五个五年" in title else "规划")
    return f"{district}{period}" if district else fallback


def import_plan_text(
    database: Database,
    data: bytes,
    *,
    source_name: str,
    name: str | None = None,
    bundled: bool = False,
    catalogue: list[CatalogueEntry] | None = None,
    period: Period | None = None,
) -> ImportResult:
    """Parse and store a plan's text (and, for the bundled plan, its indicator catalogue) in one transaction."""
    parsed, text, encoding = parse_plan_bytes(data, source_name)
    plan_name = (name or "").strip() or default_plan_name(parsed, Path(source_name).stem)
    with database.session() as session:
        replaced = session.exec(select(Plan).where(Plan.name == plan_name)).first() is not None
        plan = save_plan(
            session,
            parsed,
            name=plan_name,
            source_name=source_name,
            source_sha256=hashlib.sha256(data).hexdigest(),
            encoding=encoding,
            line_count=len(text.splitlines()),
            bundled=bundled,
            period=period,
        )
        if catalogue:
            load_catalogue(session, plan.id, catalogue, origin="import", commit=False)
        elif replaced:
            link_to_text(session, plan.id)  # indicators survive a re-import: point them at the new text
            relink_projects(session, plan.id)
        session.commit()
        plan_id = plan.id
        # Propose what the text commits to; reviewed proposals are recognised by key and left alone.
        run_finder(session, plan_id)
    nodes = list(parsed.walk())
    return ImportResult(
        plan_id=plan_id,
        name=plan_name,
        title=parsed.title,
        chapters=sum(1 for n in nodes if n.kind == "chapter"),
        sections=sum(1 for n in nodes if n.kind == "section"),
        paragraphs=sum(len(n.paragraphs()) for n in nodes),
        footnotes=len(parsed.footnotes),
        replaced=replaced,
        warnings=parsed.warnings,
    )


def import_plan_file(
    database: Database, path: str | Path, name: str | None = None, *, period: Period | None = None
) -> ImportResult:
    """`period` corrects the period the plan states (or supplies it where the plan does not say)."""
    path = Path(path)
    return import_plan_text(database, read_plan_file(path), source_name=path.name, name=name, period=period)


def bundled_plan_bytes() -> bytes:
    return resources.files("importers").joinpath("data", BUNDLED_RESOURCE).read_bytes()


def bundled_units() -> list[tuple[str, str, str]]:
    """The district's units (departments, towns and streets) shipped with the bundled plan."""
    import csv
    import io

    data = resources.files("importers").joinpath("data", BUNDLED_UNITS).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(data)))[1:]
    return [(name, short, kind) for name, short, kind in rows]


def ensure_bundled_plan(database: Database) -> ImportResult | None:
    """First run: import the bundled plan, its indicator catalogue and unit list, and propose the targets and
    projects its text commits to. Later runs: nothing, unless the database predates a part of that."""
    from importers.catalogue import bundled_catalogue_entries

    with database.session() as session:
        if plan_count(session):
            # A database from an earlier guihua: add what it lacks, once.
            bundled = session.exec(select(Plan).where(Plan.bundled == True)).first()  # noqa: E712
            if bundled is not None and not indicator_count(session, bundled.id):
                load_catalogue(session, bundled.id, bundled_catalogue_entries(), origin="import")
            if not list_units(session):
                load_units(session, bundled_units())
                session.commit()
            if bundled is not None and session.exec(
                select(Proposal.id).where(Proposal.plan_id == bundled.id).limit(1)
            ).first() is None:
                run_finder(session, bundled.id)
            return None
    result = import_plan_text(
        database,
        bundled_plan_bytes(),
        source_name=BUNDLED_RESOURCE,
        bundled=True,
        catalogue=bundled_catalogue_entries(),
    )
    with database.session() as session:
        load_units(session, bundled_units())
        session.commit()
    return result
