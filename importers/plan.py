"""Import a plan's file (.docx, .pdf, .html/.htm or text) into the database. Everything is read, checked and
parsed before the first write, and the write is one transaction: a bad file changes nothing. Which reader runs
is decided by `importers.formats` from the file's content and name."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from core.errors import UserInputError
from core.kinds import NodeKind
from core.period import Period
from core.plan_text import NotAPlanError, ParsedPlan, parse_plan, parse_plan_lines
from db.engine import Database
from db.indicators import CatalogueEntry, link_to_text, load_catalogue
from db.plan_store import bundled_gaps, plan_named, save_plan
from db.projects import load_units, relink_projects, run_finder
from importers.formats import MAX_BYTES, read_plan_source, refuse_by_name, size_limit, too_large_message

MAX_PLAN_BYTES = MAX_BYTES["text"]  # a plan's text is ~0.8 MB; .docx and .pdf have their own limits
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
    indicator_proposals: int = 0  # rows read from the plan's 主要指标 table, waiting for the office to confirm


def read_plan_file(path: Path) -> bytes:
    """The file's bytes, after the checks that need no reading: it exists, is a file, is a format guihua reads
    (by name), and is not larger than its format (by its first bytes) allows."""
    if not path.exists():
        raise UserInputError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserInputError(f"这是一个文件夹，不是规划文件：{path}")
    refuse_by_name(path.name)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4096)
        label, limit = size_limit(head, path.name)
        if size > limit:
            raise UserInputError(too_large_message(path.name, size, label, limit))
        return path.read_bytes()
    except PermissionError as exc:
        raise UserInputError(f"没有权限读取文件：{path}") from exc
    except IsADirectoryError as exc:
        raise UserInputError(f"这是一个文件夹，不是规划文件：{path}") from exc
    except OSError as exc:
        raise UserInputError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc


def parse_plan_bytes(data: bytes, source_name: str) -> tuple[ParsedPlan, str, str]:
    """Read (by format), decode and parse; errors name the file. Returns (parsed plan, the text the plan's line
    numbers refer to, the format stored as the plan's encoding: 「utf-8」, 「docx」, 「pdf」, 「html:gb18030」…)."""
    if not data.strip():
        raise UserInputError(f"{source_name}：文件是空的，没有导入任何内容。")
    source = read_plan_source(data, source_name)
    try:
        parsed = parse_plan_lines(source.lines) if source.lines is not None else parse_plan(source.text or "")
    except NotAPlanError as exc:
        raise UserInputError(_not_a_plan_message(source_name, source.format, exc.message)) from exc
    return parsed, source.as_text(), source.encoding


def _not_a_plan_message(source_name: str, fmt: str, reason: str) -> str:
    if fmt == "html":
        return (
            f"{source_name}：这个网页里没有规划正文（{reason}）。请在浏览器中打开规划全文所在的网页再“另存为 → 网页，"
            "仅 HTML”，或下载规划的 Word/PDF 文件后导入。没有导入任何内容。"
        )
    if fmt in ("docx", "pdf"):
        kind = "Word 文件" if fmt == "docx" else "PDF"
        return f"{source_name}：{reason}。这个{kind}看起来不是规划纲要（规划应有“第一章”等章节标题）。没有导入任何内容。"
    return f"{source_name}：{reason}。没有导入任何内容。"


def default_plan_name(parsed: ParsedPlan, fallback: str, period: Period | None = None) -> str:
    """A short name for the command line: the district before 「国民经济…」 (or before the period's name), plus
    the period's short name: 「苏州市十五五规划」."""
    from core.period import stated_period

    title = parsed.title or ""
    match = re.match(
        r"^(.{2,30}?)(国民经济和社会发展|经济和社会发展|经济社会发展|[“\"「]|第[一二三四五六七八九十]+个五年|十[一二三四五六七八九]?五)", title
    )
    district = match.group(1) if match else ""
    period = period or stated_period(parsed)
    short = period.short_name if period is not None else ""
    return f"{district}{short}规划" if district else fallback


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
    plan_name = (name or "").strip() or default_plan_name(parsed, Path(source_name).stem, period)
    with database.session() as session:
        replaced = plan_named(session, plan_name) is not None
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
        from db.plan_indicators import propose_plan_indicators  # the plan's own 主要指标 table, for the office to confirm
        proposed = propose_plan_indicators(session, plan_id, parsed)
    nodes = list(parsed.walk())
    return ImportResult(
        plan_id=plan_id,
        name=plan_name,
        title=parsed.title,
        chapters=sum(1 for n in nodes if n.kind == NodeKind.CHAPTER),
        sections=sum(1 for n in nodes if n.kind == NodeKind.SECTION),
        paragraphs=sum(len(n.paragraphs()) for n in nodes),
        footnotes=len(parsed.footnotes),
        replaced=replaced,
        warnings=parsed.warnings,
        indicator_proposals=proposed,
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
    projects its text commits to. Later runs: nothing, unless the database predates a part of that
    (db.plan_store.bundled_gaps)."""
    from importers.catalogue import bundled_catalogue_entries

    with database.session() as session:
        gaps = bundled_gaps(session)
        if not gaps.no_plan:
            # A database from an earlier guihua: add what it lacks, once.
            if gaps.catalogue_for is not None:
                load_catalogue(session, gaps.catalogue_for, bundled_catalogue_entries(), origin="import")
            if gaps.units:
                load_units(session, bundled_units())
                session.commit()
            if gaps.proposals_for is not None:
                run_finder(session, gaps.proposals_for)
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
