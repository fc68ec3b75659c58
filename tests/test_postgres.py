"""guihua on a PostgreSQL server: opening and its failures, schema creation and migrations, search giving
exactly SQLite's results, roles, the command line, and moving a SQLite database onto a server (migrate-db).

Skipped without GUIHUA_TEST_PG_URL (`.ci/run` starts a server and sets it). The tests shared with SQLite run
on PostgreSQL through the `database` fixture (tests/conftest.py); these are the ones only a server has.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import DatabaseOpenError, open_database
from db.migrations import HEAD
from db.plan_store import find_plan, search
from db.schema import PG_SEARCH_INDEXES, pg_search_indexes, upgrade
from importers.plan import ensure_bundled_plan, import_plan_text
from tests.test_plan_text import OTHER_PLAN

pytestmark = pytest.mark.usefixtures("pg_server")  # every test here needs the server: skipped without one


def plain_url(database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


# ----------------------------------------------------------------------------------------------------------
# Opening, and why it fails


def test_a_new_server_database_is_created_at_head_with_search_indexes(pg_urls):
    url = pg_urls()
    database = open_database(url)
    try:
        assert database.path is None and "***" in database.target and make_url(url).password not in database.target
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
            assert pg_search_indexes(connection) == set(PG_SEARCH_INDEXES)
        assert ensure_bundled_plan(database) is not None
    finally:
        database.dispose()
    reopened = open_database(url)  # a second start: nothing to create
    reopened.dispose()


def _with(url: str, **parts) -> str:
    return make_url(url).set(**parts).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(password="wrong-password"), "用户名或密码不对"),
        (dict(database="no_such_database"), "上没有名为“no_such_database”的数据库"),
        (dict(port=1), "无法连接到数据库服务器 127.0.0.1:1"),
        (dict(host="no-such-host.invalid"), "找不到数据库服务器“no-such-host.invalid”"),
        (dict(username="nobody_here"), "用户名或密码不对"),
    ],
    ids=["password", "database", "refused", "dns", "role"],
)
def test_server_failures_are_explained_without_the_password(pg_server, change, message):
    url = _with(pg_server.url_of("guihua_ci"), **change)
    with pytest.raises(DatabaseOpenError) as failed:
        open_database(url)
    assert message in failed.value.message
    assert pg_server.url.password not in failed.value.message and "wrong-password" not in failed.value.message
    assert failed.value.exit_code == 4


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://a:secret@host/db", "不支持这种数据库：mysql"),
        ("postgresql://a:secret@host", "缺少数据库名"),
    ],
)
def test_unsupported_or_incomplete_urls(url, message):
    with pytest.raises(DatabaseOpenError) as failed:
        open_database(url)
    assert message in failed.value.message and "secret" not in failed.value.message


def test_plain_postgresql_urls_mean_psycopg(pg_urls):
    url = make_url(pg_urls()).set(drivername="postgresql").render_as_string(hide_password=False)
    database = open_database(url)
    assert database.engine.dialect.driver == "psycopg"
    database.dispose()


def test_a_missing_driver_is_explained(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg" or name.startswith("psycopg."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(DatabaseOpenError, match=r"guihua\[postgres\]"):
        open_database("postgresql+psycopg://a:b@127.0.0.1/x")


def test_losing_the_server_while_working_is_explained(pg_database, pg_server):
    """The server ends every connection (a restart, a dropped network): the next save says so in Chinese,
    and the one after it works again on a fresh connection."""
    from sqlalchemy.exc import DBAPIError

    from db.engine import explain_database_error
    from db.indicators import find_indicator, record_actual

    with pg_database.session() as session:
        gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值").id
        session.connection()  # a connection in use by this session
        name = make_url(plain_url(pg_database)).database
        pg_server.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        with pytest.raises(DBAPIError) as lost:
            record_actual(session, gdp, 2023, Decimal("1"), origin="cli")
        explained = explain_database_error(lost.value, pg_database.target)
        assert explained is not None and "连接中断，这次修改没有保存" in explained.message
    with pg_database.session() as session:  # pool_pre_ping replaces the dead pooled connections
        assert record_actual(session, gdp, 2023, Decimal("2"), origin="cli").changed


# ----------------------------------------------------------------------------------------------------------
# Schema and migrations


def test_migrations_build_exactly_the_models_schema_on_postgres(pg_urls):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.migrations.filters import include_object
    from db.models import SQLModel

    engine = create_engine(pg_urls())
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object, "compare_type": True,
                                                                 "compare_server_default": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        assert pg_search_indexes(connection) == set(PG_SEARCH_INDEXES)
    engine.dispose()


def test_an_old_server_database_is_upgraded_without_losing_a_row(pg_urls):
    url = pg_urls()
    engine = create_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO plan VALUES (1, '旧规划', '某区规划纲要', 'old.txt', 'abc', 'utf-8', 10, '2026-01-01', true)"))
        connection.execute(text("INSERT INTO plan_node VALUES (1, 1, NULL, 'chapter', '第一章', '总体要求', 1, 0, 1, 5)"))
        connection.execute(text(
            "INSERT INTO plan_block VALUES (1, 1, 1, 'paragraph', '地区生产总值年均增长8%左右。', 2, 3, 4)"))
        connection.execute(text("INSERT INTO app_state VALUES ('last_plan', '1')"))
    engine.dispose()
    database = open_database(url)  # upgrades in one transaction
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
            assert connection.execute(text("SELECT COUNT(*) FROM plan_block")).scalar_one() == 1
        with database.session() as session:
            assert [h.block_id for h in search(session, 1, "生产总值")] == [1]
    finally:
        database.dispose()


def test_a_server_database_from_a_newer_guihua_is_refused(pg_database):
    url = plain_url(pg_database)
    with pg_database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    pg_database.dispose()
    with pytest.raises(DatabaseOpenError, match="来自更新版本的 guihua"):
        open_database(url)


def test_another_programs_server_database_is_not_touched(pg_urls):
    url = pg_urls()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id integer primary key)"))
    with pytest.raises(DatabaseOpenError, match="别的程序的数据库"):
        open_database(url)
    with engine.connect() as connection:
        tables = set(engine.dialect.get_table_names(connection))
    engine.dispose()
    assert tables == {"customers"}


def test_many_guihua_starting_at_once_create_the_schema_once(pg_urls):
    """Ten processes open a new server database at the same moment: the advisory lock lets one create it."""
    url = pg_urls()
    code = "import sys; from db.engine import open_database; open_database(sys.argv[1]).dispose()"
    root = Path(__file__).resolve().parent.parent
    processes = [subprocess.Popen([sys.executable, "-c", code, url], cwd=root, stderr=subprocess.PIPE)
                 for _ in range(10)]
    errors = [p.communicate(timeout=120)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 10, errors
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()


# ----------------------------------------------------------------------------------------------------------
# Search: the same results as on SQLite


def _hits(database, queries, plan_name=None):
    with database.session() as session:
        plan = find_plan(session, plan_name)
        return {
            q: [(h.node_id, h.block_id, h.footnote_number, h.location, h.text, h.start, h.end, h.context())
                for h in search(session, plan.id, q, limit=10_000)]
            for q in queries
        }


def _queries(seed_text: str) -> list[str]:
    """Words of every length from the plan's own text, Latin words in both cases, several-word queries,
    LIKE's wildcards, and words found nowhere."""
    chinese = re.findall(r"[\u4e00-\u9fff]+", seed_text)
    queries = set()
    for run in chinese[::13]:
        for size in (1, 2, 3, 5):
            queries.add(run[:size])
    queries |= {w for w in re.findall(r"[A-Za-z]{2,}", seed_text)}
    queries |= {w.lower() for w in list(queries) if w.isascii()} | {w.upper() for w in list(queries) if w.isascii()}
    queries |= {"医药 创新", "城市 框架 拉开", "药 %", "%", "_", "\\", "5G", "亿元", "“", "。", "不存在的词语"}
    return sorted(queries)


def test_search_finds_exactly_what_sqlite_finds(sqlite_database, pg_database, seed_text):
    queries = _queries(seed_text)
    assert len(queries) > 150
    on_sqlite = _hits(sqlite_database, queries)
    on_postgres = _hits(pg_database, queries)
    differing = [q for q in queries if on_sqlite[q] != on_postgres[q]]
    assert not differing, differing[:10]
    assert sum(len(h) for h in on_sqlite.values()) > 5000  # the comparison is not vacuous


TRICKY = OTHER_PLAN.replace(
    "工业发展。",
    "工业发展：ＧＤＰ与ｇｄｐ、Straße与STRASSE、ÄRZTE与ärzte、GDP与gdp、50%_增长、C:\\路径、δσ与ΔΣ。",
)


def test_search_case_rules_are_sqlites_on_both(sqlite_database, pg_database):
    """SQLite's LIKE ignores case for ASCII letters only; PostgreSQL's ILIKE for all letters. guihua holds
    PostgreSQL to SQLite's rule, so a search gives the same rows on both."""
    queries = ["ＧＤＰ", "ｇｄｐ", "gdp", "GDP", "strasse", "STRASSE", "straße", "ärzte", "ÄRZTE", "Ärzte",
               "50%_", "%_", "C:\\", "ΔΣ", "δσ", "Δσ", "gdp 与"]
    for database in (sqlite_database, pg_database):
        import_plan_text(database, TRICKY.encode("utf-8"), source_name="tricky.txt", name="测试")
    on_sqlite = _hits(sqlite_database, queries, "测试")
    on_postgres = _hits(pg_database, queries, "测试")
    assert on_sqlite == on_postgres
    found = {q: len(h) for q, h in on_sqlite.items()}
    assert found["Δσ"] == 0  # ILIKE alone would find 「ΔΣ」 and 「δσ」 here
    assert found["gdp"] == found["GDP"] == 2 and found["strasse"] == 1 and found["50%_"] == 1


def test_search_without_trigram_indexes_gives_the_same_results(pg_database, seed_text):
    """A database whose owner could not create pg_trgm is searched by scanning: same results."""
    queries = _queries(seed_text)[::5]
    indexed = _hits(pg_database, queries)
    with pg_database.engine.begin() as connection:
        for name in PG_SEARCH_INDEXES:
            connection.execute(text(f"DROP INDEX {name}"))
        connection.execute(text("DROP EXTENSION pg_trgm"))
    assert _hits(pg_database, queries) == indexed


def test_reimporting_the_plan_keeps_search_right(pg_database, tmp_path):
    from importers.plan import bundled_plan_bytes, import_plan_file

    before = _hits(pg_database, ["医药", "ICGEB"])
    seed = tmp_path / "seed.txt"
    seed.write_bytes(bundled_plan_bytes())
    import_plan_file(pg_database, seed)
    after = _hits(pg_database, ["医药", "ICGEB"])
    strip = lambda hits: {q: [h[2:] for h in v] for q, v in hits.items()}  # noqa: E731 (new ids)
    assert strip(after) == strip(before)


@pytest.mark.parametrize("optimistic", [False, True], ids=["last-write-wins", "expected-version"])
def test_writer_processes_lose_no_edit(pg_server, optimistic):
    """bench/pg_writers.py in small: four processes save 25 values each into two shared cells; every
    acknowledged value is in the change log once, and each cell's log is an unbroken chain."""
    from bench.pg_writers import run

    figures = run(pg_server.url_of("guihua_ci"), workers=4, seconds=None, cells=2, max_edits=25,
                  optimistic=optimistic, quiet=True)
    check = figures["check"]
    assert check["acknowledged"] == check["logged"] == 100
    assert {k: v for k, v in check.items() if k not in ("acknowledged", "logged") and v} == {}


# ----------------------------------------------------------------------------------------------------------
# Roles: an owner that creates and upgrades, an app role that only reads and writes rows


@pytest.fixture
def app_role(pg_server):
    """A login role with no right to create anything (needs GUIHUA_TEST_PG_ADMIN_URL to make it)."""
    admin_url = os.environ.get("GUIHUA_TEST_PG_ADMIN_URL")
    if not admin_url:
        pytest.skip("needs GUIHUA_TEST_PG_ADMIN_URL to create a role")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name, password = f"guihua_app_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
    yield name, password
    with admin.connect() as connection:
        connection.execute(text(f"DROP ROLE IF EXISTS {name}"))
    admin.dispose()


def test_an_app_role_works_on_a_database_its_owner_set_up(app_role, pg_database, pg_urls):
    # (app_role first: it is dropped after the databases holding its grants)
    from db.indicators import find_indicator, record_actual

    role, password = app_role
    owner_url = plain_url(pg_database)
    with pg_database.engine.begin() as connection:  # docs/deploy.md: the grants an administrator gives
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"))
        connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    app = open_database(_with(owner_url, username=role, password=password))
    try:
        with app.session() as session:
            gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值").id
            assert record_actual(session, gdp, 2023, Decimal("1234.5"), origin="tui", user="张三").changed
            assert search(session, find_plan(session, None).id, "医药")
        with pytest.raises(Exception):  # and it cannot change the schema
            with app.engine.begin() as connection:
                connection.execute(text("DROP TABLE change_log"))
    finally:
        app.dispose()
    # A new, empty database cannot be set up by the app role: the message says who must do it.
    empty = _with(pg_urls(), username=role, password=password)
    with pytest.raises(DatabaseOpenError, match="须由管理员用数据库所有者账号完成"):
        open_database(empty)


# ----------------------------------------------------------------------------------------------------------
# The command line on a server database


@pytest.fixture
def run_on(tmp_path, monkeypatch):
    from tui import cli

    monkeypatch.setattr("tui.errorlog.log_path", lambda: tmp_path / "log" / "guihua.log")
    monkeypatch.delenv("GUIHUA_DB", raising=False)
    runner = CliRunner()

    def run(db: str, *args):
        return runner.invoke(cli.main, ["--db", db, *args], catch_exceptions=False)

    return run


def test_cli_on_a_server_database(pg_urls, run_on, monkeypatch):
    monkeypatch.setenv("GUIHUA_USER", "张三")
    url = pg_urls()
    first = run_on(url, "set", "地区生产总值", "2023", "1234.5")
    assert first.exit_code == 0 and "首次运行：已导入内置规划" in first.output
    assert "***" in first.output and make_url(url).password not in first.output
    history = run_on(url, "history", "地区生产总值")
    assert "张三" in history.output and "2023年实际值：空 → 1234.5" in history.output
    assert "前言" in run_on(url, "search", "医药").output
    assert run_on(url, "check").exit_code == 0
    backup = run_on(url, "backup")
    assert backup.exit_code == 2 and "pg_dump" in backup.output


# ----------------------------------------------------------------------------------------------------------
# migrate-db: a SQLite database onto a server


def _fill(database) -> None:
    """Work of every kind: figures, an undo, catalogue fields, a project with milestones, a binding."""
    from db.audit import bind_user_unit
    from db.indicators import find_indicator, record_actual, set_indicator_fields, undo_edit
    from db.projects import add_milestone, add_project, mark_milestone_done, update_project

    with database.session() as session:
        plan_id = find_plan(session, None).id
        gdp = find_indicator(session, plan_id, "地区生产总值").id
        record_actual(session, gdp, 2021, Decimal("1050.2"), origin="tui", user="张三", note="快报数")
        edit = record_actual(session, gdp, 2022, Decimal("1100"), origin="tui", user="张三")
        undo_edit(session, edit, origin="tui", user="张三")
        set_indicator_fields(session, gdp, origin="tui", user="李四", leader="王副区长")
        project = add_project(session, plan_id, "某某学校新建工程", origin="tui", user="李四", lead_unit="教育局")
        update_project(session, project, origin="tui", user="李四", stage="已开工", total_investment="12000")
        milestone = add_milestone(session, project, "主体封顶", "2024-06", origin="tui", user="李四")
        mark_milestone_done(session, milestone, origin="tui", user="李四")
        bind_user_unit(session, "张三", "区教育局")


def test_migrate_db_copies_every_row_with_its_id(sqlite_database, pg_urls, run_on):
    from db.transfer import row_counts

    _fill(sqlite_database)
    target = pg_urls()
    result = run_on(str(sqlite_database.path), "migrate-db", "--to", target)
    assert result.exit_code == 0, result.output
    assert "行数核对一致" in result.output and make_url(target).password not in result.output
    server = open_database(target)
    try:
        with sqlite_database.engine.connect() as a, server.engine.connect() as b:
            counts = row_counts(a)
            last_change = a.execute(text("SELECT MAX(id) FROM change_log")).scalar_one()
            assert counts == row_counts(b) and counts["change_log"] > 40 and counts["milestone"] == 1
            for table in ("indicator_year", "change_log", "project", "milestone", "app_state", "plan_node", "unit"):
                rows_a = [tuple(r) for r in a.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
                rows_b = [tuple(r) for r in b.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
                assert len(rows_a) == len(rows_b) and [r[0] for r in rows_a] == [r[0] for r in rows_b], table
        queries = ["医药", "ICGEB", "药 创新"]
        assert _hits(server, queries) == _hits(sqlite_database, queries)
        from db.audit import user_unit
        from db.indicators import find_indicator, history, record_actual

        with sqlite_database.session() as session:
            before = [(h.id, h.user, h.field, h.old, h.new) for h in
                      history(session, find_indicator(session, find_plan(session, None).id, "地区生产总值").id)]
        with server.session() as session:
            gdp = find_indicator(session, find_plan(session, None).id, "地区生产总值")
            assert [(h.id, h.user, h.field, h.old, h.new) for h in history(session, gdp.id)] == before
            assert gdp.values[2021] == Decimal("1050.2") and gdp.leader == "王副区长"
            assert user_unit(session, "张三") == "区教育局"
            # The sequences were moved past the copied ids: new rows get fresh ids.
            edit = record_actual(session, gdp.id, 2024, Decimal("1300"), origin="tui", user="规划办",
                                 expected_version=gdp.year_version(2024))
            assert edit.change_ids[0] == last_change + 1
    finally:
        server.dispose()


def test_migrate_db_refuses_a_database_that_is_not_empty(sqlite_database, pg_database, run_on):
    url = plain_url(pg_database)
    with pg_database.engine.connect() as connection:
        from db.transfer import row_counts

        before = row_counts(connection)
    result = run_on(str(sqlite_database.path), "migrate-db", "--to", url)
    assert result.exit_code == 2 and "目标数据库不是空的" in result.output and "没有复制任何内容" in result.output
    with pg_database.engine.connect() as connection:
        assert row_counts(connection) == before


def test_migrate_db_needs_a_sqlite_source_and_a_server_target(pg_database, sqlite_database, run_on, tmp_path):
    result = run_on(plain_url(pg_database), "migrate-db", "--to", plain_url(pg_database))
    assert result.exit_code == 2 and "当前 --db 已经是服务器数据库" in result.output
    result = run_on(str(sqlite_database.path), "migrate-db", "--to", str(tmp_path / "other.sqlite3"))
    assert result.exit_code == 2 and "--to 应是 PostgreSQL 数据库地址" in result.output
    result = run_on(str(tmp_path / "missing.sqlite3"), "migrate-db", "--to", plain_url(pg_database))
    assert result.exit_code == 2 and "要复制的数据库文件不存在" in result.output
    assert not (tmp_path / "missing.sqlite3").exists()


def test_a_name_stored_in_a_shared_database_is_not_everyones_name(pg_database, sqlite_database, monkeypatch):
    """On a laptop the name configured in the database is its user's; on a server it would be everyone's."""
    import getpass

    from db.audit import current_user
    from db.plan_store import set_state

    monkeypatch.delenv("GUIHUA_USER", raising=False)
    for database in (sqlite_database, pg_database):
        with database.session() as session:
            set_state(session, "user.name", "张三")
    with sqlite_database.session() as session:
        assert current_user(session) == "张三"
    with pg_database.session() as session:
        assert current_user(session) == getpass.getuser()
        monkeypatch.setenv("GUIHUA_USER", "李四")
        assert current_user(session) == "李四"
