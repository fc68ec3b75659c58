"""Line breaking for Chinese text.

Rich (and Textual's Content, which uses Rich's `divide_line`) breaks lines only at spaces. Chinese has no
spaces, so a paragraph like 「（2021-2025 年），是我国……」 wraps right after the one space and leaves a
ragged short line. We let every Chinese character be its own "word" while keeping closing punctuation
on the character before it and opening punctuation on the character after it (basic 避头尾 rules)."""

from __future__ import annotations

import re

OPEN = "（《「『“‘〔【〈［｛"
CLOSE = "，。、；：？！）》」』”’〕】〉］｝…·％"
CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’…·"
)
WORD = re.compile(rf"\s*(?:[{OPEN}]*[^\s{CJK}]+[{CLOSE}]*|[{OPEN}]*[{CJK}][{CLOSE}]*)\s*")


def install() -> None:
    """Make Rich's word splitter CJK aware (no-op if Rich's internals moved)."""
    try:
        from rich import _wrap
    except ImportError:  # pragma: no cover
        return
    if isinstance(getattr(_wrap, "re_word", None), re.Pattern):
        _wrap.re_word = WORD
