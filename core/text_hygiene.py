"""Which characters text may hold once guihua has it, and how stored text is shown on a terminal.

Control characters arrive by accident: pasted from a terminal (ESC colour sequences, BEL), from a Word soft line
break (\\x0b) or page break (\\x0c), from a PDF whose font maps glyphs to \\x02, from a damaged file. They are
invisible in guihua's screens, Excel's file format cannot hold most of them (openpyxl refuses them with
IllegalCharacterError), and on a terminal they act instead of showing (ESC starts cursor and colour sequences,
BEL rings). So every entry point cleans them out (the db write operations, catalogue and plan import) and every
export cleans again before writing a cell.

The rule:
- removed everywhere: C0 controls other than TAB, LF and CR; DEL; C1 controls (U+0080–U+009F); lone
  surrogates (the stand-ins Python uses for bytes that are not UTF-8); the non-characters U+FFFE and U+FFFF.
- line breaks: CR LF and CR become LF; \\x0b, \\x0c, the ASCII separators \\x1c–\\x1e, NEL and the Unicode line and paragraph separators
  are line breaks too. A field that holds several lines (notes) keeps LF and TAB; a one-line field (names,
  units, titles) turns each run of them into one space.
- plan text keeps its lines as the file has them (line numbers refer to them): only the removed characters
  go, \\x0b and \\x0c included (the parser ignores them at a line's edges, which is where files put them).

No I/O; pure functions.
"""

from __future__ import annotations

import re
import unicodedata

# What Excel's file format and a terminal cannot take, beyond the line breaks handled below.
_REFUSED = "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff"
_REFUSED_RE = re.compile(f"[{_REFUSED}]")
# Line breaks other than LF (and the CR LF pair).
_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK_RE = re.compile(f"\r\n|[\r{_BREAKS}]")
_LINE_SPACE_RE = re.compile(f"[\t\n\r{_BREAKS}]+")
_ANY_BAD_RE = re.compile(f"[{_REFUSED}\r{_BREAKS}]")
_PLAN_REFUSED_RE = re.compile(f"[{_REFUSED}\x0b\x0c\x1c\x1d\x1e\x85]")

# Shown on a terminal instead of a control character: the Unicode control pictures (␛ for ESC, ␇ for BEL).
_TERMINAL_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def is_clean(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` already follows the rule (clean_text would return it unchanged)."""
    return clean_text(text, multiline=multiline) == text


def clean_text(text: str | None, *, multiline: bool = False) -> str:
    """`text` with refused characters removed and line breaks normalised (see the module docstring).
    `multiline`: the field may hold several lines and tabs (notes); otherwise they become spaces.
    None gives ""."""
    if not text:
        return ""
    if not _ANY_BAD_RE.search(text) and (multiline or ("\n" not in text and "\t" not in text)):
        return text  # the common case: nothing to do
    text = _REFUSED_RE.sub("", text)
    if multiline:
        return _BREAK_RE.sub("\n", text)
    return _LINE_SPACE_RE.sub(" ", text)


def clean_optional(text: str | None, *, multiline: bool = False) -> str | None:
    """As clean_text, keeping None (「not given」) as None."""
    return None if text is None else clean_text(text, multiline=multiline)


def clean_plan_text(text: str) -> str:
    """A plan's text with refused characters (and \\x0b, \\x0c, NEL, the ASCII separators) removed; lines,
    tabs and CR are left as they are for the parser."""
    return _PLAN_REFUSED_RE.sub("", text) if _PLAN_REFUSED_RE.search(text) else text


def first_refused(text: str, *, allow_newlines: bool = True) -> str | None:
    """The first character of `text` the rule removes or changes (for a message naming it), or None.
    `allow_newlines`: LF, CR and TAB are fine (a command-line argument, a note)."""
    for ch in text:
        if _REFUSED_RE.match(ch) or (ch in _BREAKS) or (not allow_newlines and ch in "\t\n\r"):
            return ch
    return None


def describe_char(ch: str) -> str:
    """A character named for a message: 「U+000B（垂直制表符）」; bytes that are not UTF-8 as 「字节 0xFF」."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: an undecodable byte
        return f"字节 0x{code - 0xDC00:02X}（不是 UTF-8 文字）"
    names = {0x00: "空字符", 0x07: "响铃", 0x08: "退格", 0x09: "制表符", 0x0A: "换行", 0x0B: "垂直制表符",
             0x0C: "换页符", 0x0D: "回车", 0x1B: "ESC 控制符", 0x7F: "删除符"}
    name = names.get(code) or ("控制字符" if unicodedata.category(ch) in ("Cc", "Cs", "Cn") else "特殊字符")
    return f"U+{code:04X}（{name}）"


def printable_for_terminal(text: str) -> str:
    """`text` safe to write to a terminal: control characters (ESC, BEL, backspace, C1 …) are shown as
    visible symbols (␛, ␇ …) instead of acting, and stand-ins for bytes that are not UTF-8 as \\xNN, which
    any terminal encoding can print. LF and TAB are kept."""
    if not _TERMINAL_UNSAFE_RE.search(text):
        return text
    return _TERMINAL_UNSAFE_RE.sub(_visible, text)


def _visible(match: re.Match) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\x{code:02x}"  # C1 controls
