"""Storing an imported plan and reading it back: outline, a node's content in reading order, full-text search,
and the small app state (last plan, last place read). Every front end (TUI, CLI) goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, text
from sqlmodel import Session, select

from core.errors import NotFoundError, UserInputError
from core.kinds import BlockKind, NodeKind
from core.period import Period, period_containing, stated_period
from core.plan_text import Node, ParsedPlan, location_label
from db.models import AppState, Footnote, Indicator, Plan, PlanBlock, PlanNode, Proposal, Unit

if TYPE_CHECKING:
    from db.engine import Database

PARAGRAPH_KINDS = ("paragraph",)


# ----------------------------------------------------------------------------------------------------------
# Writing


def save_plan(
    session: Session,
    parsed: ParsedPlan,
    *,
    name: str,
    source_name: str,
    source_sha256: str,
    encoding: str,
    line_count: int,
    bundled: bool = False,
    period: Period | None = None,
) -> Plan:
    """Store a parsed plan under `name`. A plan of that name has its text replaced but keeps its row, so the
    indicators, figures and history attached to it survive a re-import. The caller commits.

    The plan's period is `period` when given (the office's correction, `import-plan --period`); else, on a
    re-import, the period already stored (its indicators and figures are kept under those years); else the one
    the plan states (core.period.stated_period: its title, then its opening text, then its whole text). A
    plan that states none is refused with a message saying how to give it: every year guihua shows follows
    the period, so none is ever assumed. A corrected period moves the plan's indicators to its years."""
    plan = session.exec(select(Plan).where(Plan.name == name)).first()
    if period is None and plan is not None and plan.target_year is not None:
        period = plan_period(session, plan.id)
    period = period or stated_period(parsed)
    if period is None:
        example = period_containing(date.today().year).text
        raise UserInputError(
            f"{source_name}：规划文本中没有写明规划期（如“第十五个五年规划”“{example}年”），无法判断各年数据属于哪一年。"
            f"没有导入任何内容。请指明规划期后重新导入，例如：guihua import-plan {source_name} --period {example}"
        )
    if plan is not None:
        if plan.target_year is not None and plan_period(session, plan.id) != period:
            _move_indicators(session, plan.id, plan_period(session, plan.id), period)
        clear_plan_text(session, plan)
    else:
        plan = Plan(name=name)
    plan.base_year, plan.first_year, plan.target_year = period.base_year, period.first_year, period.target_year
    plan.title = parsed.title or name
    plan.source_name = source_name
    plan.source_sha256 = source_sha256
    plan.encoding = encoding
    plan.line_count = line_count
    plan.imported_at = datetime.now(timezone.utc).replace(microsecond=0)
    plan.bundled = bundled
    session.add(plan)
    session.flush()
    # Rows are numbered in document order first and inserted a level at a time, then all blocks at once: a
    # flush per row cost two thirds of a big plan's import (4,400 flushes for a 250,000-character plan).
    ordinal = 0
    levels: list[list[tuple[PlanNode, PlanNode | None]]] = []
    blocks: list[tuple[dict, PlanNode, list[tuple[int, int]]]] = []

    def number(node: Node, parent: PlanNode | None, depth: int) -> None:
        nonlocal ordinal
        ordinal += 1
        row = PlanNode(
            plan_id=plan.id,
            kind=node.kind,
            number=node.number,
            title=node.title,
            ordinal=ordinal,
            depth=depth,
            line_start=node.line_start,
            line_end=node.line_end,
        )
        if len(levels) <= depth:
            levels.append([])
        levels[depth].append((row, parent))
        for item in node.items:
            if isinstance(item, Node):
                number(item, row, depth + 1)
                continue
            ordinal += 1
            block = dict(
                plan_id=plan.id,
                kind=item.kind,
                text=item.text,
                ordinal=ordinal,
                line_start=item.line_start,
                line_end=item.line_end,
            )
            blocks.append((block, row, item.markers))

    for node in parsed.nodes:
        number(node, None, 0)
    for level in levels:
        for row, parent in level:
            row.parent_id = parent.id if parent is not None else None
        session.add_all([row for row, _ in level])
        session.flush()
    # Blocks go in as one executemany (no model objects, no RETURNING, which SQLite < 3.35 lacks); the few
    # that carry footnote markers are added as objects, for their ids.
    marked: list[tuple[PlanBlock, list[tuple[int, int]]]] = []
    plain = []
    for block, row, markers in blocks:
        block["node_id"] = row.id
        if markers:
            marked.append((PlanBlock(**block), markers))
        else:
            plain.append(block)
    if plain:
        session.execute(insert(PlanBlock.__table__), plain)
    session.add_all([block for block, _ in marked])
    session.flush()
    marker_blocks: dict[int, tuple[int, int]] = {}  # footnote number -> (block id, offset)
    for block, markers in marked:
        for footnote_number, offset in markers:
            marker_blocks[footnote_number] = (block.id, offset)
    for note in parsed.footnotes:
        block_id, offset = marker_blocks.get(note.number, (None, None))
        row = Footnote(
            plan_id=plan.id,
            block_id=block_id,
            number=note.number,
            text=note.text,
            marker_offset=offset,
            line_start=note.line_start,
            line_end=note.line_end,
        )
        session.add(row)
    session.flush()
    return plan


def _move_indicators(session: Session, plan_id: int, old: Period, new: Period) -> None:
    """A corrected period: the plan's indicators that tracked the old base or target year track the new one."""
    for row in session.exec(select(Indicator).where(Indicator.plan_id == plan_id)):
        if row.base_year == old.base_year:
            row.base_year = new.base_year
        if row.target_year == old.target_year:
            row.target_year = new.target_year
    session.flush()


def clear_plan_text(session: Session, plan: Plan) -> None:
    """Remove a plan's text (nodes, blocks, footnotes), keeping the plan row and its indicators."""
    # The remembered place points at this text's rows; a re-import gets new ids, so forget it.
    session.execute(delete(AppState).where(AppState.key == f"last_node:{plan.id}"))
    session.execute(delete(Footnote).where(Footnote.plan_id == plan.id))
    session.execute(delete(PlanBlock).where(PlanBlock.plan_id == plan.id))
    session.execute(delete(PlanNode).where(PlanNode.plan_id == plan.id))
    session.flush()


def delete_plan(session: Session, plan: Plan) -> None:
    """Remove a plan with everything attached to it (the database cascades to indicators and figures)."""
    clear_plan_text(session, plan)
    session.execute(delete(AppState).where(AppState.key == "last_plan", AppState.value == str(plan.id)))
    session.delete(plan)
    session.flush()


# ----------------------------------------------------------------------------------------------------------
# Plans and app state


def list_plans(session: Session) -> list[Plan]:
    return list(session.exec(select(Plan).order_by(Plan.id)))


def plan_period(session: Session, plan_id: int) -> Period:
    """The plan's period, as stored at import (or by migration 0005 for older plans): what every layer shows
    and writes years by. Raises NotFoundError for an unknown plan."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"没有编号为 {plan_id} 的规划。")
    if plan.base_year is None or plan.first_year is None or plan.target_year is None:
        # Not reachable through guihua (import refuses a plan without a period, 0005 fills older rows).
        raise UserInputError(f"规划「{plan.name}」没有记录规划期。请用 guihua import-plan 文件 --period 起止年份 重新导入。")
    return Period(plan.base_year, plan.first_year, plan.target_year)


def plan_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Plan)).one()


def get_state(session: Session, key: str) -> str | None:
    row = session.get(AppState, key)
    return row.value if row else None


def states_with_prefix(session: Session, prefix: str) -> dict[str, str]:
    """Every app state value whose key starts with `prefix` (「export.」 settings …), by key."""
    return {row.key: row.value for row in session.exec(select(AppState).where(AppState.key.startswith(prefix)))}


def plan_by_id(session: Session, plan_id: int) -> Plan | None:
    """The plan with this id, or None (find_plan refuses a missing plan; this lets the caller word it)."""
    return session.get(Plan, plan_id)


def plan_named(session: Session, name: str) -> Plan | None:
    """The plan stored under exactly this name, if any (an import under the same name replaces it)."""
    return session.exec(select(Plan).where(Plan.name == name)).first()


def bundled_plan(session: Session) -> Plan | None:
    """The bundled seed plan, if this database holds it."""
    return session.exec(select(Plan).where(Plan.bundled == True)).first()  # noqa: E712


@dataclass(frozen=True)
class BundledGaps:
    """What a database lacks of guihua's first-run set-up (importers.plan.ensure_bundled_plan fills it)."""

    no_plan: bool = False  # a new database: the bundled plan, its catalogue and the unit list to import
    catalogue_for: int | None = None  # the bundled plan (from an older guihua) without its indicator catalogue
    units: bool = False  # no unit list yet
    proposals_for: int | None = None  # the bundled plan without the finder's proposals

    def __bool__(self) -> bool:
        return self.no_plan or self.units or self.catalogue_for is not None or self.proposals_for is not None


def first_run_gaps(database: Database) -> BundledGaps:
    """bundled_gaps in a session of its own: checked by every command before its work, in a few small queries
    and without importing the importers."""
    with database.session() as session:
        return bundled_gaps(session)


def bundled_gaps(session: Session) -> BundledGaps:
    """What the database lacks of the first-run set-up (none of it, nearly always)."""
    if not plan_count(session):
        return BundledGaps(no_plan=True)
    bundled = bundled_plan(session)

    def lacks(query) -> bool:
        return session.exec(query.limit(1)).first() is None

    bundled_id = bundled.id if bundled else None
    return BundledGaps(
        catalogue_for=bundled_id if bundled and lacks(select(Indicator.id).where(Indicator.plan_id == bundled_id))
        else None,
        units=lacks(select(Unit.id)),
        proposals_for=bundled_id if bundled and lacks(select(Proposal.id).where(Proposal.plan_id == bundled_id))
        else None,
    )


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(AppState, key)
    if row is None:
        session.add(AppState(key=key, value=value))
    else:
        row.value = value
    session.commit()


def find_plan(session: Session, name_or_id: str | int | None) -> Plan:
    """The plan named (or numbered) so; without a name, the plan opened last, else the bundled one."""
    if name_or_id is None or name_or_id == "":
        last = get_state(session, "last_plan")
        plan = session.get(Plan, int(last)) if last and last.isdigit() else None
        plan = plan or session.exec(select(Plan).where(Plan.bundled == True).order_by(Plan.id)).first()  # noqa: E712
        plan = plan or session.exec(select(Plan).order_by(Plan.id)).first()
        if plan is None:
            raise NotFoundError("数据库中还没有任何规划。请先用 guihua import-plan 文件 导入规划文本。")
        return plan
    key = str(name_or_id).strip()
    plan = session.exec(select(Plan).where(Plan.name == key)).first()
    if plan is None and key.isdigit():
        plan = session.get(Plan, int(key))
    if plan is None:
        matches = [p for p in list_plans(session) if key in p.name or key in p.title]
        if len(matches) == 1:
            plan = matches[0]
        elif len(matches) > 1:
            names = "、".join(p.name for p in matches)
            raise UserInputError(f"「{key}」对应多个规划：{names}。请写完整名称或编号。")
    if plan is None:
        raise NotFoundError(f"没有找到规划「{key}」。用 guihua plans 查看已导入的规划。")
    return plan


PLAN_CHOICE_KEY = "ui.plan_choice"  # app_state: the plan the user last chose, and the newest plan at that moment


def _newest_plan(session: Session) -> Plan | None:
    return session.exec(select(Plan).order_by(Plan.imported_at.desc(), Plan.id.desc())).first()


def _plan_stamp(plan: Plan) -> str:
    """A plan's identity and import time: it changes when a plan is imported (or re-imported) after a choice."""
    return f"{plan.id}@{plan.imported_at:%Y-%m-%dT%H:%M:%S}"


def default_plan_id(session: Session) -> int | None:
    """The plan a screen opens when none is named: the plan the user chose last, unless a plan has been imported
    since that choice, in which case the newest imported plan (a new plan is what the office wants to see).
    None when the database holds no plan."""
    import json

    newest = _newest_plan(session)
    if newest is None:
        return None
    try:
        choice = json.loads(get_state(session, PLAN_CHOICE_KEY) or "{}")
        chosen, newest_then = int(choice["plan_id"]), str(choice["newest"])
    except (ValueError, KeyError, TypeError):
        return newest.id
    if newest_then == _plan_stamp(newest) and session.get(Plan, chosen) is not None:
        return chosen
    return newest.id


def remember_plan_choice(session: Session, plan_id: int) -> None:
    """The user chose a plan: open it by default until another plan is imported (see default_plan_id)."""
    import json

    newest = _newest_plan(session)
    stamp = _plan_stamp(newest) if newest is not None else ""
    session.merge(AppState(key=PLAN_CHOICE_KEY, value=json.dumps({"plan_id": plan_id, "newest": stamp})))
    session.merge(AppState(key="last_plan", value=str(plan_id)))  # the CLI's default follows the choice
    session.commit()


# ----------------------------------------------------------------------------------------------------------
# Outline and content


@dataclass
class OutlineNode:
    id: int
    kind: str
    number: str | None
    title: str
    line_start: int
    line_end: int
    children: list["OutlineNode"] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def outline(session: Session, plan_id: int) -> list[OutlineNode]:
    rows = session.exec(select(PlanNode).where(PlanNode.plan_id == plan_id).order_by(PlanNode.ordinal)).all()
    by_id: dict[int, OutlineNode] = {}
    roots: list[OutlineNode] = []
    for row in rows:
        node = OutlineNode(row.id, row.kind, row.number, row.title, row.line_start, row.line_end)
        by_id[row.id] = node
        (by_id[row.parent_id].children if row.parent_id in by_id else roots).append(node)
    return roots


@dataclass
class FootnoteRef:
    number: int
    text: str
    offset: int | None


@dataclass
class ContentItem:
    """One thing to show in the reader, in reading order."""

    kind: str  # heading, paragraph, lead_in, subheading, box_title, box_group, box_item, figure, table_title, ...
    text: str
    node_id: int
    block_id: int | None = None
    depth: int = 0  # how far below the viewed node
    footnotes: list[FootnoteRef] = field(default_factory=list)
    line_start: int = 0


@dataclass
class NodeContent:
    node: PlanNode
    path: list[PlanNode]  # from the root down to the node itself
    items: list[ContentItem]
    footnotes: list[FootnoteRef]

    @property
    def location(self) -> str:
        return location_label(self.path)


def node_path(session: Session, node: PlanNode) -> list[PlanNode]:
    path = [node]
    while path[0].parent_id is not None:
        path.insert(0, session.get(PlanNode, path[0].parent_id))
    return path


def node_content(session: Session, node_id: int) -> NodeContent:
    """The node's own text and everything below it, in reading order."""
    node = session.get(PlanNode, node_id)
    if node is None:
        raise NotFoundError(f"没有找到编号为 {node_id} 的章节。")
    nodes = session.exec(select(PlanNode).where(PlanNode.plan_id == node.plan_id).order_by(PlanNode.ordinal)).all()
    children: dict[int | None, list[PlanNode]] = {}
    for row in nodes:
        children.setdefault(row.parent_id, []).append(row)
    subtree: list[PlanNode] = []

    def collect(row: PlanNode):
        subtree.append(row)
        for child in children.get(row.id, []):
            collect(child)

    collect(node)
    ids = [row.id for row in subtree]
    blocks = session.exec(select(PlanBlock).where(PlanBlock.node_id.in_(ids)).order_by(PlanBlock.ordinal)).all()
    notes = session.exec(
        select(Footnote).where(Footnote.block_id.in_([b.id for b in blocks])).order_by(Footnote.number)
    ).all() if blocks else []
    notes_by_block: dict[int, list[FootnoteRef]] = {}
    for note in notes:
        notes_by_block.setdefault(note.block_id, []).append(FootnoteRef(note.number, note.text, note.marker_offset))

    entries: list[tuple[int, ContentItem]] = []
    depth_of = {node.id: 0}
    for row in subtree[1:]:
        depth_of[row.id] = depth_of[row.parent_id] + 1
        kind = {"box": "box_title", "figure": "figure", "table": "table_title"}.get(row.kind, "heading")
        label = f"{row.number} {row.title}" if row.number else row.title
        entries.append((row.ordinal, ContentItem(kind, label, row.id, None, depth_of[row.id], line_start=row.line_start)))
    for block in blocks:
        entries.append(
            (
                block.ordinal,
                ContentItem(
                    block.kind,
                    block.text,
                    block.node_id,
                    block.id,
                    depth_of[block.node_id],
                    notes_by_block.get(block.id, []),
                    block.line_start,
                ),
            )
        )
    entries.sort(key=lambda pair: pair[0])
    items = [item for _, item in entries]
    footnotes = [ref for item in items for ref in item.footnotes]
    return NodeContent(node, node_path(session, node), items, footnotes)


def outline_tree(session: Session, plan_id: int) -> list[dict]:
    """The plan as nested dicts for `guihua outline --json`."""
    nodes = session.exec(select(PlanNode).where(PlanNode.plan_id == plan_id).order_by(PlanNode.ordinal)).all()
    blocks = session.exec(select(PlanBlock).where(PlanBlock.plan_id == plan_id).order_by(PlanBlock.ordinal)).all()
    notes = session.exec(select(Footnote).where(Footnote.plan_id == plan_id).order_by(Footnote.number)).all()
    blocks_by_node: dict[int, list[PlanBlock]] = {}
    for block in blocks:
        blocks_by_node.setdefault(block.node_id, []).append(block)
    notes_by_block: dict[int | None, list[Footnote]] = {}
    for note in notes:
        notes_by_block.setdefault(note.block_id, []).append(note)
    dicts: dict[int, dict] = {}
    roots: list[dict] = []
    for row in nodes:
        own = blocks_by_node.get(row.id, [])
        paragraphs = [b for b in own if b.kind in PARAGRAPH_KINDS]
        footnotes = []
        for index, block in enumerate(paragraphs):
            for note in notes_by_block.get(block.id, []):
                footnotes.append({"number": note.number, "text": note.text, "paragraph": index, "offset": note.marker_offset})
        for block in own:
            if block.kind not in PARAGRAPH_KINDS:
                for note in notes_by_block.get(block.id, []):
                    footnotes.append({"number": note.number, "text": note.text, "paragraph": None, "offset": note.marker_offset})
        entry = {
            "id": row.id,
            "kind": row.kind,
            "number": row.number,
            "title": row.title,
            "paragraphs": [b.text for b in paragraphs],
            "footnotes": footnotes,
            "blocks": [{"kind": b.kind, "text": b.text, "lines": [b.line_start, b.line_end]} for b in own],
            "lines": [row.line_start, row.line_end],
            "children": [],
        }
        if row.kind == NodeKind.CHAPTER:
            entry["lead_in"] = [b.text for b in own if b.kind == BlockKind.LEAD_IN]
        dicts[row.id] = entry
        (dicts[row.parent_id]["children"] if row.parent_id in dicts else roots).append(entry)
    orphans = notes_by_block.get(None, [])
    if orphans:
        roots.append(
            {
                "id": None, "kind": "front", "number": None, "title": "未关联的脚注", "paragraphs": [],
                "footnotes": [{"number": n.number, "text": n.text, "paragraph": None} for n in orphans],
                "blocks": [], "children": [],
            }
        )
    return roots


# ----------------------------------------------------------------------------------------------------------
# Search


@dataclass
class SearchHit:
    node_id: int
    block_id: int | None
    footnote_number: int | None
    location: str
    text: str  # the whole paragraph (or title, or footnote)
    start: int  # where the first query word occurs in text
    end: int

    def context(self, width: int = 24) -> tuple[str, str, str]:
        """(before, hit, after) around the occurrence, trimmed to about `width` characters each side."""
        before = self.text[max(0, self.start - width) : self.start]
        after = self.text[self.end : self.end + width]
        if self.start > width:
            before = "…" + before
        if self.end + width < len(self.text):
            after = after + "…"
        return before, self.text[self.start : self.end], after


def _like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _contains_like_sqlite(text_value: str, word: str) -> bool:
    """`text LIKE '%word%'` as SQLite decides it: only ASCII letters match regardless of case."""
    return word.translate(_ASCII_LOWER) in text_value.translate(_ASCII_LOWER)


def _search_rows(session: Session, plan_id: int, words: list[str]) -> list:
    """(text, node_id, block_id, footnote_id) of every searchable row (node titles, blocks, footnotes) holding
    all words, in the order the plan reads (titles and blocks, then footnotes by id), so that ties in the
    final sort fall the same way on both databases.

    SQLite: `LIKE '%词%' ESCAPE`, evaluated on every row, case-insensitive for ASCII letters only. A plan is a
    few thousand rows, so a scan answers in milliseconds (docs/benchmarks.md) and needs nothing newer than the
    SQLite that Kylin V10 or UOS 20 ship (an FTS5 trigram index would need 3.34, and LIKE with ESCAPE never
    used it anyway).

    PostgreSQL: ILIKE (served by the pg_trgm indexes when there are any), then held to SQLite's rule above,
    since ILIKE also folds non-ASCII letters."""
    params: dict = {f"w{i}": _like_pattern(w) for i, w in enumerate(words)}
    params["plan_id"] = plan_id
    sqlite = session.get_bind().dialect.name == "sqlite"

    def matching(column: str) -> str:
        test = "LIKE {0} ESCAPE '\\'" if sqlite else "ILIKE {0}"
        return " AND ".join(f"{column} " + test.format(f":w{i}") for i in range(len(words)))

    rows = session.execute(
        text(
            "SELECT text, node_id, block_id, footnote_id FROM ("
            f" SELECT title AS text, id AS node_id, CAST(NULL AS INTEGER) AS block_id,"
            f"  CAST(NULL AS INTEGER) AS footnote_id, 0 AS part, ordinal AS seq"
            f"  FROM plan_node WHERE plan_id = :plan_id AND title <> '' AND {matching('title')}"
            f" UNION ALL SELECT text, node_id, id, NULL, 0, ordinal"
            f"  FROM plan_block WHERE plan_id = :plan_id AND {matching('text')}"
            f" UNION ALL SELECT f.text, b.node_id, f.block_id, f.id, 1, f.id"
            f"  FROM footnote f LEFT JOIN plan_block b ON b.id = f.block_id"
            f"  WHERE f.plan_id = :plan_id AND {matching('f.text')}"
            ") AS found ORDER BY part, seq"
        ),
        params,
    ).all()
    if sqlite:
        return rows
    return [row for row in rows if all(_contains_like_sqlite(row.text, w) for w in words)]


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: `hits` from the `offset`-th occurrence on, and how many there are in all."""

    hits: list[SearchHit]
    total: int
    offset: int = 0


def search(session: Session, plan_id: int, query: str, limit: int | None = 500) -> list[SearchHit]:
    """The first `limit` occurrences (None: all) of the first word in rows that contain all words, in reading
    order (see search_page)."""
    return search_page(session, plan_id, query, limit=limit).hits


def search_page(session: Session, plan_id: int, query: str, *, limit: int | None = None,
                offset: int = 0) -> SearchPage:
    """Every occurrence of the first word in rows that contain all words, in reading order: all of them are
    counted, and `limit` of them from the `offset`-th on (0-based) are returned with their context.

    Rows are found by `_search_rows` (SQLite and PostgreSQL give the same rows); the occurrences, their
    order and the context are worked out here, the same way for both."""
    words = [w for w in query.split() if w]
    if not words:
        return SearchPage([], 0, offset)
    rows = _search_rows(session, plan_id, words)
    if not rows:
        return SearchPage([], 0, offset)
    nodes = {n.id: n for n in session.exec(select(PlanNode).where(PlanNode.plan_id == plan_id)).all()}
    block_ids = [r.block_id for r in rows if r.block_id is not None]
    ordinals = {
        b.id: b.ordinal for b in session.exec(select(PlanBlock).where(PlanBlock.id.in_(block_ids))).all()
    } if block_ids else {}
    footnote_numbers = {
        f.id: f.number for f in session.exec(select(Footnote).where(Footnote.plan_id == plan_id)).all()
    }
    path_cache: dict[int, str] = {}

    def location(node_id: int | None) -> str:
        if node_id is None:
            return "脚注"
        if node_id not in path_cache:
            path = [nodes[node_id]]
            while path[0].parent_id is not None:
                path.insert(0, nodes[path[0].parent_id])
            path_cache[node_id] = location_label(path)
        return path_cache[node_id]

    # Every occurrence is found and sorted by its place; only the page's hits are built (locations and all).
    found: list[tuple[tuple, int]] = []
    first = words[0].lower()
    for index, row in enumerate(rows):
        lowered = row.text.lower()
        start = lowered.find(first)
        node_ordinal = nodes[row.node_id].ordinal if row.node_id in nodes else 10**9
        ordinal = ordinals.get(row.block_id, node_ordinal)
        in_footnote = 1 if row.footnote_id and footnote_numbers.get(row.footnote_id) else 0
        while start != -1:
            found.append(((ordinal, in_footnote, start), index))
            start = lowered.find(first, start + max(1, len(first)))
    found.sort(key=lambda pair: pair[0])
    page = found[offset:] if limit is None else found[offset:offset + limit]
    hits = []
    for (_, _, start), index in page:
        row = rows[index]
        footnote = footnote_numbers.get(row.footnote_id) if row.footnote_id else None
        hits.append(SearchHit(row.node_id, row.block_id, footnote, location(row.node_id), row.text, start,
                              start + len(first)))
    return SearchPage(hits, len(found), offset)
