"""Plain text: bytes to text. UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK and
GB2312); binary content that is not one of the formats guihua reads is refused, and so is a text with NUL
bytes anywhere in it (a damaged file, or not text at all). Control characters are removed from the text
(core.text_hygiene): they cannot be shown, exported or printed."""

from __future__ import annotations

from core.errors import UserInputError
from core.plan_text import NotAPlanError, decode_plan_bytes
from core.text_hygiene import clean_plan_text

from importers.formats import SUPPORTED, PlanSource, check_chars

SNIFF_BYTES = 8192  # NUL bytes this near the start: a binary file, said as such


def is_binary(data: bytes) -> bool:
    """NUL bytes near the start mean binary content, unless a UTF-16 BOM explains them."""
    return b"\x00" in data[:SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode_text(data: bytes, source_name: str) -> tuple[str, str]:
    """(text, encoding name) for a text file's bytes; errors name the file."""
    if not data.strip():
        raise UserInputError(f"{source_name}：文件是空的，没有导入任何内容。")
    if is_binary(data):
        raise UserInputError(
            f"{source_name}：这是二进制文件，不是文本，也不是 guihua 能读取的格式。"
            f"请导入规划的{SUPPORTED}。没有导入任何内容。"
        )
    try:
        text, encoding = decode_plan_bytes(data)
    except NotAPlanError as exc:
        raise UserInputError(f"{source_name}：{exc.message}。没有导入任何内容。") from exc
    if "\x00" in text:  # further in than is_binary looks, or a UTF-16 file's
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise UserInputError(
            f"{source_name}：第 {line} 行含有空字符（NUL），这不是完整的文本文件（可能已损坏，或是其他格式的文件改了扩展名）。"
            f"请用记事本或 WPS 打开检查，另存为文本文件后再导入，或导入规划的{SUPPORTED}。没有导入任何内容。"
        )
    return text, encoding


def read_text(data: bytes, source_name: str) -> PlanSource:
    text, encoding = decode_text(data, source_name)
    check_chars(len(text), source_name)
    return PlanSource("text", encoding, text=clean_plan_text(text))
