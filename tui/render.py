"""Pure helpers that turn plan content into Rich text for the reader and the search results.

Kept free of widgets so they can be tested and reused without running the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from core.kinds import NodeKind

if TYPE_CHECKING:  # types only: the reader paints before db (SQLAlchemy) is imported
    from db.plan_store import FootnoteRef, OutlineNode, SearchHit

INDENT = "\u3000\u3000"  # two full-width spaces: the usual Chinese first-line indent
HIT_STYLE = "bold black on yellow"
MARKER_STYLE = "bold cyan"

KIND_PREFIX = {NodeKind.BOX: "专栏 ", NodeKind.FIGURE: "图 ", NodeKind.TABLE: "表 "}


def tree_label(node: OutlineNode) -> str:
    """What the chapter tree shows for a node."""
    return KIND_PREFIX.get(node.kind, "") + node.label


def marked_text(
    text: str,
    footnotes: list[FootnoteRef] | None = None,
    hit: tuple[int, int] | None = None,
    prefix: str = "",
    style: str = "",
) -> Text:
    """`text` with footnote markers 「[n]」 inserted at their offsets and the `hit` span highlighted."""
    footnotes = footnotes or []
    at: dict[int, list[int]] = {}
    for note in footnotes:
        offset = note.offset if note.offset is not None and 0 <= note.offset <= len(text) else len(text)
        at.setdefault(offset, []).append(note.number)
    cuts = {0, len(text), *at}
    if hit is not None:
        start, end = max(0, min(hit[0], len(text))), max(0, min(hit[1], len(text)))
        cuts.update((start, end))
    else:
        start = end = -1
    ordered = sorted(cuts)
    out = Text(prefix, style=style)
    for index, position in enumerate(ordered):
        for number in at.get(position, []):
            out.append(f"[{number}]", style=MARKER_STYLE)
        if index + 1 < len(ordered):
            following = ordered[index + 1]
            piece = text[position:following]
            inside = start <= position and following <= end and start < end
            out.append(piece, style=f"{style} {HIT_STYLE}".strip() if inside else style)
    return out


def note_text(note: FootnoteRef, hit: tuple[int, int] | None = None) -> Text:
    """A footnote as 「注n：…」 below its paragraph."""
    return marked_text(note.text, hit=hit, prefix=f"注{note.number}：")


def hit_context(hit: SearchHit, width: int = 18) -> Text:
    """One search result: the location, then the hit in context with the match highlighted."""
    before, middle, after = hit.context(width)
    clean = lambda s: s.replace("\n", " ")  # noqa: E731
    out = Text()
    out.append(hit.location, style="bold")
    if hit.footnote_number:
        out.append(f" · 注{hit.footnote_number}", style="dim")
    out.append("\n  ")
    out.append(clean(before), style="dim")
    out.append(clean(middle), style=HIT_STYLE)
    out.append(clean(after), style="dim")
    return out

