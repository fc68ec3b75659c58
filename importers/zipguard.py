"""Checks on an untrusted zip container (.docx, .xlsx) before any library inflates or parses it.

Refused: more members than a document has, more unpacked data than any document holds, a compression ratio
only a zip bomb reaches, encrypted members, and XML parts that declare a DTD or entities (billion laughs,
external entities): Office files never contain either. Messages are Chinese fragments; the caller adds the
file's name and what was not imported.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 2000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 100
    ratio_floor_bytes: int = 1024 * 1024  # below this much unpacked data a high ratio cannot hurt


class ZipProblem(Exception):
    """Why a container is refused; `message` is Chinese and ends with a full stop."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_DECLARATIONS = [word.encode(codec) for word in ("<!doctype", "<!entity") for codec in ("ascii", "utf-16-le", "utf-16-be")]
_CHUNK = 1024 * 1024


def open_zip(data: bytes, *, limits: ZipLimits = ZipLimits()) -> zipfile.ZipFile:
    """Open `data` as a zip after checking its directory against `limits`. Raises ZipProblem."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise ZipProblem("文件内容不是压缩包格式（Office 文件都是），可能已损坏或被改名。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # noqa: BLE001 - BadZipFile, struct errors, bad names: all a damaged directory
        raise ZipProblem("文件已损坏（压缩包目录无法读取）。") from exc
    if len(members) > limits.max_members:
        raise ZipProblem(f"文件内部包含 {len(members)} 个部件（上限 {limits.max_members}），不像是正常文档，疑似恶意构造。")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise ZipProblem(
            f"文件解压后达 {unpacked / 1024 / 1024:.0f} MB（上限 {limits.max_unpacked_bytes // 1024 // 1024} MB），疑似“压缩炸弹”。"
        )
    if unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1):
        raise ZipProblem(f"文件压缩比异常（约 {unpacked // max(packed, 1)} 倍），疑似“压缩炸弹”。")
    if any(m.flag_bits & 0x1 for m in members):
        raise ZipProblem("文件内容已加密。请取消密码后重新保存再导入。")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, at most `limit` of them (the directory's sizes were checked; this guards a lying one)."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, OSError, NotImplementedError) as exc:
        raise ZipProblem(f"文件内部的 {name} 已损坏。") from exc
    if len(data) > limit:
        raise ZipProblem(f"文件内部的 {name} 解压后过大，疑似“压缩炸弹”。")
    return data


def find_xml_declarations(archive: zipfile.ZipFile, limits: ZipLimits = ZipLimits()) -> str | None:
    """The first member that declares a DTD or an entity (in UTF-8 or UTF-16), or None. Every member is
    looked at, whatever its name: a part's name does not prove what it holds."""
    budget = limits.max_unpacked_bytes
    tail = max(len(d) for d in _DECLARATIONS)
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            with archive.open(info) as handle:
                previous = b""
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        break
                    budget -= len(chunk)
                    if budget < 0:
                        raise ZipProblem("文件解压后过大，疑似“压缩炸弹”。")
                    window = (previous + chunk).lower()
                    if any(d in window for d in _DECLARATIONS):
                        return info.filename
                    previous = window[-tail:]
        except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, NotImplementedError) as exc:
            raise ZipProblem(f"文件内部的 {info.filename} 已损坏或使用了不支持的压缩方式。") from exc
    return None


def check_workbook(path) -> None:
    """Refuse an .xlsx before openpyxl opens it: a zip bomb, or any part that declares a DTD or an entity.
    openpyxl parses with lxml when lxml is installed (python-docx brings it), and lxml's safe parser leaves
    entities unexpanded instead of refusing them as defusedxml does; this check does not depend on either."""
    try:
        data = open(path, "rb").read()
    except OSError as exc:
        raise ZipProblem("文件无法读取。") from exc
    archive = open_zip(data)
    member = find_xml_declarations(archive)
    if member is not None:
        raise ZipProblem(f"文件含有不安全的 XML 内容（{member} 中有实体或 DTD 声明，可能是恶意构造的文件），已拒绝。")
