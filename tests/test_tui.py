"""The TUI driven by keys through Textual's Pilot, on a fresh database with the bundled plan."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style

from db.engine import open_database
from db.plan_store import find_plan, get_state
from tests.helpers import QuietApp, rendered_text, settle
from tui.app import GuihuaApp
from tui.help import HelpScreen
from tui.widgets import ItemView, OutlineTree, Reader, TableView

SIZE = (120, 36)


def reader_text(app: GuihuaApp) -> str:
    return "\n".join(view.plain for view in app.query_one(Reader).query(ItemView))


def cursor_label(app: GuihuaApp) -> str:
    node = app.query_one(OutlineTree).cursor_node
    return str(node.label) if node else ""


async def test_tree_navigation_opens_chapter_and_section(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert cursor_label(app) == "前言"
        assert "“十四五”时期（2021-2025 年）" in reader_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert cursor_label(app) == "第一章 高质量发展呈现新图景"
        text = reader_text(app)
        assert text.splitlines()[0] == "第一章 高质量发展呈现新图景"
        assert "综合实力持续攀升" in text  # chapter view includes its sections
        assert "第一章 › 第一节" not in str(app.query_one("#status").content)
        # the chapter is expanded now; j moves into its first section, → opens it
        await pilot.press("j", "right")
        await settle(pilot)
        assert cursor_label(app) == "第一节 发展基础"
        first = app.query_one(Reader).query(ItemView)
        assert first[0].plain == "第一节 发展基础"
        assert first[1].plain.startswith("\u3000\u3000综合实力持续攀升。“十三五”末，")  # first-line indent kept
        assert "第一章 › 第一节 发展基础" in str(app.query_one("#status").content)
        # the footnote marker sits in the text and its note is listed
        text = reader_text(app)
        assert "ICGEB[1]" in text
        assert "注1：国际遗传工程和生物技术中心" in text


async def test_a_part_whose_read_failed_is_read_again_when_the_cursor_comes_back(database, monkeypatch):
    """The server drops a read of 第一章 (the preview of the tree cursor): the reader says so and stays where it
    was; when the cursor rests on 第一章 again, it is read again and shown."""
    import db.reader_views
    from core.errors import GuihuaError
    from tui.reader import PREVIEW_DELAY

    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert cursor_label(app) == "前言"
        read_node, failures = db.reader_views.read_node, []

        def dropped_once(*args, **kwargs):
            if not failures:
                failures.append(args)
                raise GuihuaError("数据库连接中断，请重试。")
            return read_node(*args, **kwargs)

        monkeypatch.setattr(db.reader_views, "read_node", dropped_once)
        await pilot.press("down")
        await pilot.pause(PREVIEW_DELAY * 2)
        await settle(pilot)
        assert failures and "综合实力持续攀升" not in reader_text(app)
        await pilot.press("up", "down")  # away and back within the preview delay: one preview, of 第一章
        await pilot.pause(PREVIEW_DELAY * 2)
        await settle(pilot)
        assert cursor_label(app) == "第一章 高质量发展呈现新图景"
        assert "综合实力持续攀升" in reader_text(app)


async def test_reader_renders_box_and_table(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with database.session() as session:
            plan = find_plan(session, None)
        box = next(n for n in app.reader.outline_nodes if n.kind == "box")
        app.reader.jump_to_node(box.id)
        await settle(pilot)
        boxes = app.query_one(Reader).query(".box")
        assert len(boxes) == 1 and boxes[0].border_title == f"专栏：{box.title}"
        table = next(n for n in app.reader.outline_nodes if n.kind == "table")
        app.reader.jump_to_node(table.id)
        await settle(pilot)
        text = reader_text(app)
        assert "地区生产总值(亿元)" in text and " ｜ " not in text
        # the seed's table came out of a PDF one cell per line: one row per line, and F3 named for the indicators
        (cells,) = app.query_one(Reader).query(TableView)
        assert cells.content.row_count == len(cells.lines) and len(cells.content.columns) == 1
        note = str(app.query_one(".table-note").content)
        assert "PDF" in note and "F3" in note
        assert plan.id == app.plan_id


TAB_TABLE_PLAN = """某某区国民经济和社会发展第十五个五年规划纲要

第一章 主要目标

　　到2030年，经济实力明显增强。

表1 “十五五”经济社会发展主要指标
类别\t序号\t指标\t2025年\t2030年目标\t属性
经济强\t1\t地区生产总值（亿元）\t500\t700\t预期性
\t2\t研发经费投入强度（%）\t2.8\t3.5以上\t预期性

第二章 产业发展

　　工业发展。
"""


async def test_reader_shows_a_tab_separated_table_as_rows_and_columns(database):
    from importers.plan import import_plan_text

    result = import_plan_text(database, TAB_TABLE_PLAN.encode(), source_name="十五五.txt")
    app = QuietApp(database, plan_id=result.plan_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = next(n for n in app.reader.outline_nodes if n.kind == "table")
        app.reader.jump_to_node(table.id)
        await settle(pilot)
        (view,) = app.query_one(Reader).query(TableView)
        rendered = view.content
        assert rendered.row_count == 3 and len(rendered.columns) == 6
        assert [cell.plain for cell in rendered.columns[2].cells] == ["指标", "地区生产总值（亿元）", "研发经费投入强度（%）"]
        assert [str(cell) for cell in rendered.columns[0].cells] == ["类别", "经济强", ""]
        note = str(app.query_one(".table-note").content)
        assert "F3" in note and "PDF" not in note
        screen = app.screen_text_for_tests()
        assert "│ 地区生产总值（亿元）" in screen and "│ 研发经费投入强度（%）" in screen
        # a search hit inside a cell is marked in that cell
        await pilot.press("slash", *"研发经费", "enter", "enter")
        await settle(pilot)
        assert app.reader.hits and app.query_one(Reader).lit is view
        marked = [cell for cell in view.content.columns[2].cells if "研发经费" in cell.plain]
        assert marked and any(span.style and "yellow" in str(span.style) for span in marked[0].spans)


async def test_long_titles_in_the_tree_end_with_an_ellipsis(database):
    app = QuietApp(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.query_one(OutlineTree)
        tree.root.expand_all()
        await settle(pilot)
        room = tree.scrollable_content_region.width
        labels = [tree.render_label(node, Style(), Style()) for node in _walk(tree.root)]
        cut = [label for label in labels if label.plain.endswith("…")]
        assert cut, "the seed has titles longer than the narrow tree"
        assert all(label.cell_len <= room for label in labels)
        assert tree.virtual_size.width <= room  # nothing hides to the right
        assert any(line.rstrip(" │╰╯╭╮").endswith("…") for line in app.screen_text_for_tests().splitlines())


def _walk(node):
    for child in node.children:
        yield child
        yield from _walk(child)


async def test_search_jump_and_next(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused.id == "search-input"
        await pilot.press(*"医药")
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.reader.hits) > 10
        assert app.focused.id == "search-results"
        # pick the 5th result, in another node than 前言
        target = next(i for i, h in enumerate(app.reader.hits) if h.location.startswith("第一章"))
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        hit = app.reader.hits[target]
        reader = app.query_one(Reader)
        assert reader.node_id == hit.node_id
        assert app.query_one(OutlineTree).cursor_node.data == hit.node_id
        assert not app.query_one("#search").display
        lit = reader.lit
        assert lit is not None and lit.has_class("-hit")
        assert lit.hit_span == (hit.start, hit.end)
        assert "医药" in lit.plain
        # the highlighted paragraph is inside the visible part of the reader
        assert lit.region.intersection(reader.region).area > 0
        # n steps to the next occurrence, N back
        await pilot.press("n")
        await settle(pilot)
        nxt = app.reader.hits[target + 1]
        assert app.reader.hit_index == target + 1 and reader.node_id == nxt.node_id
        assert reader.lit is not None and reader.lit.hit_span == (nxt.start, nxt.end)
        await pilot.press("N")
        await settle(pilot)
        assert app.reader.hit_index == target
        assert f"“医药” {target + 1}/{len(app.reader.hits)}" in str(app.query_one("#status").content)


async def test_search_without_hits_and_escape(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"火星基地", "enter")
        await settle(pilot)
        assert app.reader.hits == []
        assert str(app.query_one("#search-info").content) == "没有找到“火星基地”"
        # two characters work too
        await pilot.press("ctrl+a", "ctrl+k", *"港区", "enter")
        await settle(pilot)
        assert app.reader.hits and all("港区" in h.text for h in app.reader.hits)
        await pilot.press("escape")
        await settle(pilot)
        assert not app.query_one("#search").display
        assert app.focused is app.query_one(Reader)


async def test_help_opens_and_closes(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = rendered_text(app.screen.query_one("#help-table").content)  # all of it, scrolled or not
        for words in ("下一处", "显示本帮助", "退出", "命令面板"):
            assert words in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")


async def test_q_quits_and_reopening_returns_to_last_node(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # 前言, 第一章, 第二章 -> 第三章
        await settle(pilot)
        chapter3 = app.query_one(Reader).node_id
        assert reader_text(app).startswith("第三章 建设医药健康产业高地")
        await pilot.press("down", "enter")  # its first section
        await settle(pilot)
        section = app.query_one(Reader).node_id
        assert section != chapter3
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running
    with database.session() as session:
        assert get_state(session, f"last_node:{app.plan_id}") == str(section)
        assert get_state(session, "last_plan") == str(app.plan_id)

    again = QuietApp(database)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.query_one(Reader).node_id == section
        assert again.query_one(OutlineTree).cursor_node.data == section
        assert reader_text(again).startswith("第一节 打造自主可控产业地标")


async def test_small_terminal(database):
    app = QuietApp(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one(OutlineTree).size.width <= 28
        await pilot.press("down", "enter", "slash", *"医药", "enter", "enter")
        await settle(pilot)
        lit = app.query_one(Reader).lit
        assert lit is not None
        await pilot.resize_terminal(40, 10)
        await settle(pilot)
        # Too small to read: a message over the reader says what size is needed; keys do not reach the reader.
        from textual.widgets import Static

        from tui.app import TooSmallScreen

        assert isinstance(app.screen, TooSmallScreen)
        assert "现在 40×10" in str(app.screen.query_one("#too-small", Static).content)
        await pilot.press("n")
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not isinstance(app.screen, TooSmallScreen)  # back by itself, where the reader was
        assert app.query_one(Reader).lit == lit


async def test_missing_plan_is_a_message_not_a_traceback(tmp_path):
    db = open_database(tmp_path / "empty.db")
    app = QuietApp(db, plan_id=999)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "没有找到规划" in str(app.query_one("#status").content)
        await pilot.press("slash", *"医药", "enter", "n")
        await settle(pilot)
    db.dispose()


def test_reader_snapshot(snap_compare):
    app_path = Path(__file__).parent / "snapshot_apps" / "reader_app.py"
    assert snap_compare(str(app_path), terminal_size=(100, 30))


async def test_enter_in_the_review_queue_shows_the_sentence_in_the_reader(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        item = app.screen.current()
        assert item is not None and item.block_id is not None
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "reader" and app.screen is app.reader_screen
        reader = app.query_one(Reader)
        lit = reader.lit
        assert lit is not None and ("block", item.block_id) in lit.keys
        assert item.text.replace(" ", "") in lit.plain.replace(" ", "")
        assert lit.region.intersection(reader.region).area > 0  # scrolled into view
        assert app.focused is reader


class CrashingApp(QuietApp):
    """Fails the way a bug would: an exception no screen handles."""

    def on_ready(self) -> None:
        self.call_after_refresh(lambda: 1 / 0)


def test_an_unexpected_error_ends_the_tui_with_a_chinese_message_and_the_traceback_in_the_log(
        database, tmp_path, monkeypatch, capsys):
    from tui.app import run_guarded

    log = tmp_path / "log" / "guihua.log"
    monkeypatch.setattr("tui.errorlog.log_path", lambda: log)
    code = run_guarded(CrashingApp(database), headless=True, size=SIZE)
    err = capsys.readouterr().err
    assert code == 70
    assert "发生了未预期的问题（ZeroDivisionError）" in err and str(log) in err
    assert "Traceback" not in err and "1 / 0" not in err
    logged = log.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in logged and "1 / 0" in logged


class RestoredApp(QuietApp):
    def on_ready(self) -> None:
        self.exit(message="已用备份恢复数据库。")


def test_a_message_the_app_leaves_on_exit_still_reaches_the_user(database, capsys):
    from tui.app import run_guarded

    assert run_guarded(RestoredApp(database), headless=True, size=SIZE) == 0
    assert "已用备份恢复数据库。" in capsys.readouterr().err


async def test_the_palette_jumps_to_a_chapter(database):
    app = QuietApp(database)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"医药健康产业高地")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.reader_screen
        assert reader_text(app).startswith("第三章 建设医药健康产业高地")
        assert cursor_label(app) == "第三章 建设医药健康产业高地"
