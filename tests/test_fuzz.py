"""Hostile and broken input for the importers: random and truncated files, a zip bomb, an XML entity attack,
a 100 MB text, wrong encodings. Each must end in a clear UserInputError (or a clean import), never another
exception, and a refused file must leave the database exactly as it was.

Example counts are bounded so CI stays fast; docs/benchmarks.md records how many cases a run tries."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UserInputError
from db.plan_store import find_plan

TABLES = ("plan", "plan_node", "plan_block", "footnote", "indicator", "indicator_year", "change_log", "proposal",
          "project", "milestone", "unit")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fingerprint(database) -> dict[str, int]:
    """Every row of every table, hashed: equal fingerprints mean nothing changed."""
    connection = sqlite3.connect(database.path)
    try:
        return {t: hash(tuple(connection.execute(f"SELECT * FROM {t} ORDER BY 1"))) for t in TABLES}
    finally:
        connection.close()


def refused_or_clean(action) -> bool:
    """True when the input was refused with a user message; False when it was accepted."""
    try:
        action()
    except UserInputError as exc:
        assert exc.message and "Traceback" not in exc.message
        return True
    return False


@pytest.fixture
def plan_id(database):
    with database.session() as session:
        return find_plan(session, None).id


# ----------------------------------------------------------------------------------------------------------
# Catalogue files


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_random_bytes_as_a_catalogue(database, plan_id, tmp_path, data, suffix):
    from importers.catalogue import import_catalogue_file

    before = fingerprint(database)
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    if refused_or_clean(lambda: import_catalogue_file(database, plan_id, path)):
        assert fingerprint(database) == before


@FUZZ
@given(rows=st.lists(st.lists(st.text(max_size=12), max_size=9), max_size=8))
def test_random_cells_under_a_real_header(database, plan_id, tmp_path, rows):
    import csv

    from importers.catalogue import import_catalogue_file

    before = fingerprint(database)
    path = tmp_path / "cells.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["类别", "指标", "单位", "2020年基数", "2025年目标", "年均增速", "属性"], *rows])
    if refused_or_clean(lambda: import_catalogue_file(database, plan_id, path)):
        assert fingerprint(database) == before


def real_catalogue(tmp_path: Path, database, plan_id) -> bytes:
    from exports.catalogue import export_catalogue_file

    path = tmp_path / "real.xlsx"
    export_catalogue_file(database, plan_id, path)
    return path.read_bytes()


def test_truncated_workbooks(database, plan_id, tmp_path):
    from importers.catalogue import import_catalogue_file

    data = real_catalogue(tmp_path, database, plan_id)
    before = fingerprint(database)
    tried = 0
    for cut in range(0, len(data), max(1, len(data) // 60)):
        path = tmp_path / "cut.xlsx"
        path.write_bytes(data[:cut])
        assert refused_or_clean(lambda: import_catalogue_file(database, plan_id, path))
        tried += 1
    assert tried >= 60 and fingerprint(database) == before


def test_a_zip_bomb_is_refused_before_it_inflates(database, plan_id, tmp_path):
    from importers.catalogue import import_catalogue_file

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
                member.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    before = fingerprint(database)
    with pytest.raises(UserInputError, match="解压后过大"):
        import_catalogue_file(database, plan_id, path)
    assert fingerprint(database) == before


def test_an_xml_entity_attack_is_refused(database, plan_id, tmp_path):
    from importers.catalogue import import_catalogue_file

    data = real_catalogue(tmp_path, database, plan_id)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10))
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            content = laughs.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, content)
    before = fingerprint(database)
    with pytest.raises(UserInputError):
        import_catalogue_file(database, plan_id, path)
    assert fingerprint(database) == before


# ----------------------------------------------------------------------------------------------------------
# Plan text


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_as_a_plan(database, data):
    from importers.plan import import_plan_text

    before = fingerprint(database)
    if refused_or_clean(lambda: import_plan_text(database, data, source_name="fuzz.txt", name="模糊测试")):
        assert fingerprint(database) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=200_000), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_truncated_and_re_encoded_seed(database, seed_text, cut, encoding):
    from importers.plan import import_plan_text

    data = seed_text.encode(encoding)[:cut]
    before = fingerprint(database)
    if refused_or_clean(lambda: import_plan_text(database, data, source_name="cut.txt", name="截断")):
        assert fingerprint(database) == before


def test_a_100_mb_text_is_refused_without_reading_it(database, tmp_path):
    from importers.plan import import_plan_file

    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, no disk used
    before = fingerprint(database)
    with pytest.raises(UserInputError, match="文件太大"):
        import_plan_file(database, path)
    assert fingerprint(database) == before


def test_a_text_in_a_wrong_encoding(database):
    from importers.plan import import_plan_text

    data = "第一章 总则\n".encode("utf-8") + bytes(range(128, 256)) * 20
    before = fingerprint(database)
    assert refused_or_clean(lambda: import_plan_text(database, data, source_name="mixed.txt", name="乱码"))
    assert fingerprint(database) == before
