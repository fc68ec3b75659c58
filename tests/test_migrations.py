"""Schema upgrades keep every row: a database with the first released schema and data in every table is
upgraded to head; the migrations produce exactly the models' schema; a newer database is refused."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from db.engine import DatabaseOpenError, open_database
from db.migrations import HEAD, KNOWN_REVISIONS
from db.schema import MIGRATIONS, upgrade
from importers.plan import ensure_bundled_plan


def released_database(path: Path) -> None:
    """A database as guihua 0.1 left it (schema 0001, no version table), with rows in every table."""
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE alembic_version")  # 0.1 created its tables without Alembic
    connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS plan_search USING fts5(text, plan_id UNINDEXED, node_id UNINDEXED, "
        "block_id UNINDEXED, footnote_id UNINDEXED, tokenize='trigram')"
    )
    connection.execute(
        "INSERT INTO plan VALUES (1, '旧规划', '某区国民经济和社会发展第十四个五年规划纲要', 'old.txt', 'abc', 'utf-8', 10, ?, 1)",
        (datetime(2026, 1, 1).isoformat(" "),),
    )
    connection.execute("INSERT INTO plan_node VALUES (1, 1, NULL, 'chapter', '第一章', '总体要求', 1, 0, 1, 5)")
    connection.execute("INSERT INTO plan_node VALUES (2, 1, 1, 'section', '第一节', '发展基础', 2, 1, 2, 5)")
    connection.execute("INSERT INTO plan_block VALUES (1, 1, 2, 'paragraph', '地区生产总值年均增长8%左右。', 3, 3, 4)")
    connection.execute("INSERT INTO footnote VALUES (1, 1, 1, 1, '注释一', 5, 5, 5)")
    connection.execute("INSERT INTO app_state VALUES ('last_plan', '1')")
    connection.execute("INSERT INTO plan_search VALUES ('地区生产总值年均增长8%左右。', 1, 2, 1, NULL)")
    connection.commit()
    connection.close()


def counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        tables = ("plan", "plan_node", "plan_block", "footnote", "app_state")
        return {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        connection.close()


def table_names(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def test_the_released_schema_upgrades_without_losing_a_row(tmp_path):
    path = tmp_path / "old.sqlite3"
    released_database(path)
    before = counts(path)
    database = open_database(path)  # upgrades, after a backup
    try:
        assert counts(path) == before
        connection = sqlite3.connect(path)
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT text FROM plan_block").fetchone()[0] == "地区生产总值年均增长8%左右。"
        connection.close()
        assert "plan_search" not in table_names(path)  # 0003: search reads the tables, the FTS copy is gone
        backups = list((tmp_path / "备份").glob("old_*_migration.sqlite3"))  # named after the database
        assert len(backups) == 1 and counts(backups[0]) == before  # the backup holds the old database
        from db.plan_store import search

        with database.session() as session:
            assert [h.block_id for h in search(session, 1, "生产总值")] == [1]
    finally:
        database.dispose()


def test_an_fts_table_this_sqlite_cannot_load_is_left_alone(tmp_path):
    """A 0.1 database carried to a machine whose SQLite lacks FTS5 or its trigram tokenizer (Kylin V10 and
    UOS 20 ship older SQLite): dropping plan_search fails there, so 0003 leaves it; nothing reads it."""
    path = tmp_path / "old.sqlite3"
    released_database(path)
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE plan_search")
    connection.execute("PRAGMA writable_schema = ON")  # a virtual table whose module this SQLite does not have
    connection.execute(
        "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'plan_search',"
        " 'plan_search', 0, 'CREATE VIRTUAL TABLE plan_search USING no_such_module(text)')"
    )
    connection.commit()
    connection.close()
    connection = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="no such module"):
        connection.execute("DROP TABLE plan_search")
    connection.close()
    before = counts(path)
    database = open_database(path)
    try:
        assert counts(path) == before and "plan_search" in table_names(path)
        from db.plan_store import search

        with database.session() as session:
            assert [h.block_id for h in search(session, 1, "生产总值")] == [1]
    finally:
        database.dispose()
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    connection.close()


def test_a_new_database_needs_no_virtual_table(tmp_path):
    """Nothing in a new database needs FTS5 or any other SQLite extension."""
    path = tmp_path / "new.sqlite3"
    database = open_database(path)
    ensure_bundled_plan(database)
    database.dispose()
    connection = sqlite3.connect(path)
    virtual = connection.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'").fetchall()
    connection.close()
    assert virtual == []


@pytest.mark.parametrize("guarded", [False, True])
def test_a_parent_table_rebuild_cascades_unless_foreign_keys_are_off(tmp_path, guarded):
    """The trap from the engineering notes: a batch rebuild of `plan` with foreign keys on deletes every
    node, block and footnote. upgrade() runs migrations inside foreign_keys_off; here a rebuild is forced."""
    from contextlib import nullcontext

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from db.engine import _set_sqlite_pragmas
    from db.schema import foreign_keys_off

    path = tmp_path / "old.sqlite3"
    released_database(path)
    before = counts(path)
    engine = create_engine(f"sqlite:///{path}")
    from sqlalchemy import event

    event.listen(engine, "connect", _set_sqlite_pragmas)  # guihua's pragmas: foreign keys on
    with engine.connect() as connection, (foreign_keys_off(connection) if guarded else nullcontext()):
        operations = Operations(MigrationContext.configure(connection, opts={"render_as_batch": True}))
        with operations.batch_alter_table("plan", recreate="always") as batch:
            batch.alter_column("title", existing_type=None, nullable=False)
        connection.commit()
    engine.dispose()
    after = counts(path)
    if guarded:
        assert after == before
    else:
        assert after["plan_node"] == 0 and after["plan_block"] == 0  # the trap is real


def test_migrations_build_exactly_the_models_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import SQLModel

    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": lambda o, n, t, r, c: not (t == "table" and n.startswith("plan_search")),
                              "compare_server_default": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_known_revisions_match_the_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == KNOWN_REVISIONS and script.get_current_head() == HEAD


def test_a_new_database_is_created_at_head_without_alembic(tmp_path):
    path = tmp_path / "new.sqlite3"
    open_database(path).dispose()
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    connection.close()
    assert not (tmp_path / "备份").exists()  # nothing to back up or migrate


def test_a_database_from_a_newer_guihua_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_database(path).dispose()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError, match="来自更新版本的 guihua"):
        open_database(path)
    assert path.read_bytes() == before


def test_0005_reads_each_stored_plan_s_period(tmp_path):
    """Schema 0004 with data: plans that state their period in the title, only in their text, only through
    their indicators' years, or nowhere. 0005 keeps every row and gives each plan its period."""
    path = tmp_path / "0004.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0004")
    engine.dispose()
    connection = sqlite3.connect(path)
    imported = datetime(2026, 1, 1).isoformat(" ")
    titles = {
        1: "某区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
        2: "某市国民经济和社会发展第十五个五年规划纲要",
        3: "某县发展规划纲要",  # its text says 「“十五五”时期」
        4: "某镇发展纲要",  # its indicators were tracked 2020–2025
        5: "某园区纲要",  # nothing at all
        6: "某区专项规划（2024—2026年）",
    }
    for plan_id, title in titles.items():
        connection.execute(
            "INSERT INTO plan (id, name, title, source_name, source_sha256, encoding, line_count, imported_at, bundled)"
            " VALUES (?, ?, ?, 'p.txt', 'x', 'utf-8', 10, ?, 0)", (plan_id, f"规划{plan_id}", title, imported))
        connection.execute(
            "INSERT INTO plan_node (id, plan_id, parent_id, kind, number, title, ordinal, depth, line_start, line_end)"
            " VALUES (?, ?, NULL, 'front', NULL, '序言', 1, 0, 1, 2)", (plan_id, plan_id))
        text = "“十五五”时期是关键五年，“十四五”时期成就显著。" if plan_id == 3 else "全区上下共同奋斗。"
        connection.execute(
            "INSERT INTO plan_block (id, plan_id, node_id, kind, text, ordinal, line_start, line_end)"
            " VALUES (?, ?, ?, 'paragraph', ?, 2, 2, 2)", (plan_id, plan_id, plan_id, text))
    connection.execute(
        "INSERT INTO indicator (id, plan_id, kind, ordinal, category, name, unit, attribute, target_text, growth_text,"
        " base_year, target_year, lead_unit, partner_units, leader, note, text_anchor, version_id)"
        " VALUES (1, 4, 'main', 1, '经济', '地区生产总值', '亿元', '预期性', '1500', '', 2020, 2025, '', '', '', '', '', 1)")
    connection.commit()
    connection.close()
    before = counts(path)

    database = open_database(path)
    database.dispose()
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
        periods = {row[0]: row[1:] for row in connection.execute(
            "SELECT id, base_year, first_year, target_year FROM plan ORDER BY id")}
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()
    assert counts(path) == before
    assert periods == {
        1: (2020, 2021, 2025),
        2: (2025, 2026, 2030),
        3: (2025, 2026, 2030),
        4: (2020, 2021, 2025),
        5: (2020, 2021, 2025),  # what guihua before 0005 showed for every plan
        6: (2023, 2024, 2026),
    }
