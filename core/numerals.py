"""Chinese numerals as plans write their ordinals: 一 → 1, 十三 → 13, 二十一 → 21, 一百零二 → 102, and Arabic or
full-width digits. One reader for headings (第十三章), periods (十五五) and box numbers."""

from __future__ import annotations

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def cn_number(text: str) -> int | None:
    """The value of a Chinese or Arabic ordinal; None if the text is not one."""
    text = text.strip().translate(_FULL_WIDTH)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current
