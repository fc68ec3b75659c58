"""Plain text: bytes to text. UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK and
GB2312); binary content that is not one of the formats guihua reads is refused."""

from __future__ import annotations

from core.errors import UserInputError
from core.plan_text import NotAPlanError, decode_plan_bytes

from importers.formats import SUPPORTED, PlanSource, check_chars


def is_binary(data: bytes) -> bool:
    """NUL bytes near the start mean binary content, unless a UTF-16 BOM explains them."""
    return b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


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
        return decode_plan_bytes(data)
    except NotAPlanError as exc:
        raise UserInputError(f"{source_name}：{exc.message}。没有导入任何内容。") from exc


def read_text(data: bytes, source_name: str) -> PlanSource:
    text, encoding = decode_text(data, source_name)
    check_chars(len(text), source_name)
    return PlanSource("text", encoding, text=text)
