"""Finding a phrase in a paragraph the way people read it: line breaks and spaces from a PDF do not count."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def phrase_span(text: str, phrase: str) -> tuple[int, int] | None:
    """Where `phrase` stands in `text`, ignoring whitespace (PDF line breaks); offsets are `text`'s own."""
    if not phrase:
        return None
    at = text.find(phrase)
    if at >= 0:
        return at, at + len(phrase)
    wanted = _SPACES.sub("", phrase)
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    at = "".join(text[i] for i in kept).find(wanted)
    if not wanted or at < 0:
        return None
    return kept[at], kept[at + len(wanted) - 1] + 1
