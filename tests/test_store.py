"""Importing into a real SQLite file, re-importing, bad files, outline and search."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from core.errors import UserInputError
from db.engine import DatabaseOpenError, open_database
from db.plan_store import find_plan, list_plans, node_content, outline, outline_tree, search
from importers.plan import ensure_bundled_plan, import_plan_file
from tests.test_plan_text import OTHER_PLAN


def counts(db) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("plan", "plan_node", "plan_block", "footnote")
        }


def test_first_run_imports_the_bundled_plan_once(database):
    before = counts(database)
    assert before["plan"] == 1
    assert ensure_bundled_plan(database) is None
    assert counts(database) == before


def test_a_database_from_an_earlier_guihua_gets_what_it_lacks_on_the_next_command(database, tmp_path):
    """Units, the bundled plan's catalogue and the finder's proposals came in later releases: a database without
    them gets them on its next command (tui.cli.complete_first_run), and a complete one costs no import."""
    import subprocess
    import sys

    from db.plan_store import bundled_gaps
    from tui.cli import complete_first_run

    with database.session() as session:
        assert not bundled_gaps(session)
        plan_id = find_plan(session, None).id
        for table in ("indicator_year", "indicator", "proposal", "unit"):
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()
        gaps = bundled_gaps(session)
    assert gaps and (gaps.catalogue_for, gaps.units, gaps.proposals_for, gaps.no_plan) == (plan_id, True, plan_id, False)
    assert complete_first_run(database) is None  # nothing imported anew: the plan was there
    with database.engine.connect() as connection:
        filled = {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                  for table in ("indicator", "proposal", "unit")}
    assert filled["indicator"] == 28 and filled["proposal"] > 100 and filled["unit"] > 20, filled
    with database.session() as session:
        assert not bundled_gaps(session)
    if database.path is not None:  # a complete database: `guihua plans` never imports the importers
        probe = ("import sys; from click.testing import CliRunner; from tui.cli import main; "
                 f"r = CliRunner().invoke(main, ['--db', {str(database.path)!r}, 'plans']); "
                 "print(r.exit_code, 'importers.plan' in sys.modules)")
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
        assert out.split() == ["0", "False"], out


def test_durability_pragmas(database):
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000


def test_reimport_replaces_cleanly_and_a_second_plan_is_kept(database, tmp_path):
    seed = tmp_path / "seed.txt"
    from importers.plan import bundled_plan_bytes

    seed.write_bytes(bundled_plan_bytes())
    before = counts(database)
    result = import_plan_file(database, seed)
    assert result.replaced
    assert counts(database) == before
    other = tmp_path / "other.txt"
    other.write_bytes(OTHER_PLAN.encode("gb18030"))
    second = import_plan_file(database, other)
    assert not second.replaced and second.chapters == 2
    with database.session() as session:
        assert [p.name for p in list_plans(session)] == ["泰州医药高新区（高港区）十四五规划", "某某区十四五规划"]
    import_plan_file(database, other)
    assert counts(database)["plan"] == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "文件是空的"),
        (b"\x00\x01\x02binary", "二进制文件"),
        ("只是几句话。\n没有章。".encode(), "未找到任何章"),
        (bytes(range(0x80, 0xFF)) * 4, "编码"),
        # GB18030 decodes most byte soup; then it is "no chapters", still changing nothing.
        (b"\xc4\xe3\xba\xc3" * 50, "未找到任何章"),
    ],
)
def test_bad_files_change_nothing(database, tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    before = counts(database)
    with pytest.raises(UserInputError) as caught:
        import_plan_file(database, bad)
    assert message in caught.value.message
    assert "bad.txt" in caught.value.message
    assert counts(database) == before


def test_missing_file_and_folder(database, tmp_path):
    with pytest.raises(UserInputError, match="找不到文件"):
        import_plan_file(database, tmp_path / "nope.txt")
    with pytest.raises(UserInputError, match="文件夹"):
        import_plan_file(database, tmp_path)


def test_not_a_database_is_refused(tmp_path):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(DatabaseOpenError, match="不是 guihua 数据库"):
        open_database(bogus)
    assert bogus.read_text(encoding="utf-8") == "这不是数据库"


def test_outline_tree_shape(database):
    with database.session() as session:
        plan = find_plan(session, None)
        tree = outline_tree(session, plan.id)
    assert [n["kind"] for n in tree] == ["front"] + ["chapter"] * 13
    first = tree[1]
    assert (first["number"], first["title"]) == ("第一章", "高质量发展呈现新图景")
    section = first["children"][0]
    assert len(section["paragraphs"]) == 7
    assert [(f["number"], f["paragraph"]) for f in section["footnotes"]] == [(1, 1), (2, 2)]
    assert section["children"][0]["kind"] == "figure"
    assert tree[3]["lead_in"][0].startswith("始终锚定")
    kinds = {n["kind"] for root in tree for n in _walk(root)}
    assert kinds == {"front", "chapter", "section", "box", "figure", "table"}


def _walk(node):
    yield node
    for child in node["children"]:
        yield from _walk(child)


def test_node_content_in_reading_order(database):
    with database.session() as session:
        plan = find_plan(session, None)
        first_section = outline(session, plan.id)[1].children[0]
        content = node_content(session, first_section.id)
    assert content.location == "第一章 › 第一节"
    assert [i.kind for i in content.items][:3] == ["paragraph", "figure", "paragraph"]
    assert [f.number for f in content.footnotes] == [1, 2]


@pytest.mark.parametrize(
    "query, expected_min, first_location",
    [
        ("医药", 50, "前言"),
        ("城市框架进一步拉开", 1, "第一章 › 第一节"),
        ("药", 100, "前言"),  # one character: the LIKE fallback
        ("ICGEB", 3, "第一章 › 第一节"),
        ("通过 UFI", 1, "第五章 › 第三节"),
        ("寺巷中心小学", 1, "第十二章 › 第三节 › 义务教育学校提质工程"),
    ],
)
def test_search_finds_chinese_substrings(database, query, expected_min, first_location):
    with database.session() as session:
        plan = find_plan(session, None)
        hits = search(session, plan.id, query)
    assert len(hits) >= expected_min
    assert hits[0].location == first_location
    first_word = query.split()[0]
    assert all(h.text[h.start : h.end].lower() == first_word.lower() for h in hits)


def test_search_reports_every_occurrence_in_reading_order(database):
    with database.session() as session:
        plan = find_plan(session, None)
        hits = search(session, plan.id, "ICGEB")
    assert [(h.location, h.footnote_number) for h in hits] == [
        ("第一章 › 第一节", None),
        ("第一章 › 第一节", 1),  # the footnote's own text, listed after the paragraph it annotates
        ("第六章 › 第一节", None),
    ]


def test_search_treats_like_wildcards_literally(database):
    with database.session() as session:
        plan = find_plan(session, None)
        percent = search(session, plan.id, "%")
        assert percent and all(h.text[h.start] == "%" for h in percent)
        assert search(session, plan.id, "_") == []
        assert search(session, plan.id, "") == []


def test_database_is_a_plain_sqlite_file(database):
    connection = sqlite3.connect(database.path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


def test_replacing_a_plan_keeps_the_plan_but_forgets_the_place_read(database, tmp_path):
    from db.plan_store import get_state, set_state
    from importers.plan import bundled_plan_bytes

    with database.session() as session:
        plan = find_plan(session, None)
        set_state(session, f"last_node:{plan.id}", "12345")
        set_state(session, "last_plan", str(plan.id))
    seed = tmp_path / "seed.txt"
    seed.write_bytes(bundled_plan_bytes())
    result = import_plan_file(database, seed)
    assert result.replaced and result.plan_id == plan.id  # indicators and figures hang on this row
    with database.session() as session:
        assert get_state(session, f"last_node:{plan.id}") is None  # the text's rows are new
        assert get_state(session, "last_plan") == str(plan.id)
        assert find_plan(session, None).name == "泰州医药高新区（高港区）十四五规划"
