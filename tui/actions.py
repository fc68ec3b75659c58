"""Actions reachable from every screen: the meeting pack (Ctrl+E), the departments' fill-in forms (Ctrl+F),
backups (command palette 「备份与恢复」), importing a plan file (F8) and carrying the previous plan's final-year
actuals over as base values (palette 「承接上一规划的基数」).

The work itself lives in exports/, importers/, db/backup.py and db.dialog_views; this module only asks, shows
and reports. Every call that reads or writes runs off the event loop through tui.base (`fetch` in the dialogs,
`run_off_loop` for the App's own actions) so the screen stays live; work slower than BUSY_DELAY says 「正在…」,
and errors are shown as a notification, never as a traceback. Imported on first use, so start-up does not pay
for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Label, Static

from core.errors import GuihuaError
from core.period import period_containing
from tui.base import DataFailed, GuihuaModal, run_off_loop
from tui.help import Sections

if TYPE_CHECKING:
    from tui.app import GuihuaApp


def _plan_id(app: GuihuaApp) -> int | None:
    plan_id = app.plan_id
    if plan_id is None:
        app.notify("没有打开的规划。", severity="error")
    return plan_id


def _reload_shown_screens(app: App) -> None:
    """After an import or restore of data: screens that can reload, reload (the grid, projects, …)."""
    for screen in app.screen_stack:
        reload = getattr(screen, "action_reload", None)
        if callable(reload):
            try:
                reload()
            except Exception:  # noqa: BLE001 - a screen that cannot reload now will on its next `r`
                pass


# ----------------------------------------------------------------------------------------------------------
# The meeting pack (Ctrl+E)

_writing: set[tuple[int, str]] = set()  # (app, group) with a file being written: a second key waits for it


def write_file_in_background(app: GuihuaApp, work: Callable[[Any], Any], *, group: str, busy: str, again: str,
                             title: str, held_by: str, saved: Callable[[Any], str]) -> None:
    """Write a file (meeting pack, report) for the open plan in a thread: `work(plan_id)` returns a result with
    `path` and `renamed`; a notification titled `title` says `saved(result)`. One at a time per kind: `again`
    answers a second key meanwhile. `held_by` names the program that may hold the file open."""
    plan_id = _plan_id(app)
    if plan_id is None:
        return
    key = (id(app), group)
    if key in _writing:
        app.notify(again, markup=False)
        return
    _writing.add(key)

    def done(result) -> None:
        _writing.discard(key)
        if result.renamed:
            app.notify(f"原文件正在被 {held_by} 打开，已另存为新文件名。", severity="warning", timeout=10, markup=False)
        app.notify(saved(result), title=title, timeout=12, markup=False)

    run_off_loop(app, lambda: work(plan_id), done, group=group, exclusive=False, busy=busy,
                 failed=lambda _: _writing.discard(key))


def export_pack(app: GuihuaApp) -> None:
    """Write the meeting pack to the export folder in a thread; notify where it went."""
    from exports.meeting_pack import PackOptions, write_pack

    database = app.database
    write_file_in_background(
        app, lambda plan_id: write_pack(database, plan_id, options=PackOptions()), group="export",
        busy="正在导出会议监测表…", again="正在导出，请稍候…", title="会议监测表", held_by="Excel/WPS",
        saved=lambda result: f"已导出到：{result.path}")


# ----------------------------------------------------------------------------------------------------------
# Fill-in forms (Ctrl+F)

FORMS_HELP_SECTIONS: Sections = [
    (
        "填报表",
        [
            ("Tab / Shift+Tab", "在“年份”和“文件或文件夹”两栏之间切换"),
            ("年份栏中回车", "生成该年各牵头单位的填报表（每个单位一个 Excel 文件）"),
            ("路径栏中回车", "检查各单位交回的填报表（文件或文件夹），列出将要导入的修改"),
            ("Esc", "关闭"),
            ("F1", "显示本帮助"),
        ],
    ),
    (
        "检查结果",
        [
            ("回车 / y", "导入列出的修改（导入前自动备份数据库）"),
            ("o", "冲突（下发后 guihua 中已改过的数值）也按表中数值覆盖；再按取消。几份表填得不一致的各处不覆盖、不导入"),
            ("f", "数值存疑（负数，或与前后年份相差 5 倍以上，可能多打或少打了一位）的各处核实无误后也导入；再按取消"),
            ("Esc / n", "取消，不导入任何内容"),
            ("↑ ↓ / k j", "上下滚动"),
            ("? / F1", "显示本帮助"),
        ],
    ),
]


def default_forms_year(app: App) -> int:
    """The grid's status year when the grid is showing, else last year."""
    from db.projects import today

    for screen in reversed(app.screen_stack):
        as_of = getattr(screen, "as_of", 0)
        if as_of:
            return int(as_of)
    return today().year - 1


def _clean_path(text: str) -> str:
    """A path as typed or pasted (Windows' 「复制文件地址」 adds quotes)."""
    return text.strip().strip('"').strip("'").strip()


class Done(Message):
    """A dialog's work came back from its worker: `result` is what the work returned."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class ProtectionRead(Done):
    """Whether the forms get the office's password (the hint of the forms dialog)."""


class FormsIssued(Done):
    """The fill-in forms written (exports.forms.write_forms)."""


class FormsChecked(Done):
    """The returned forms read and compared (importers.forms.read_forms)."""


class FormsScreen(GuihuaModal[None]):
    """Issue the year's fill-in forms, or check the returned ones (then FormsReviewScreen applies them)."""

    help_sections = FORMS_HELP_SECTIONS
    help_title = "按键帮助 · 填报表"
    BINDINGS = [
        Binding("escape", "close", "关闭", id="forms.close"),
        Binding("f1", "app.help", "帮助", id="forms.help"),  # not ?: the boxes take any character
    ]
    DEFAULT_CSS = """
    FormsScreen { align: center middle; }
    #forms-box { width: 84; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                 background: $surface; padding: 0 1; }
    #forms-box .forms-section { text-style: bold; color: $secondary; margin-top: 1; }
    #forms-box .forms-row { height: 1; }
    #forms-box .forms-row:focus-within { background: $accent 25%; }
    #forms-box .forms-label { width: 14; color: $text-muted; }
    #forms-box Input { width: 1fr; background: $boost; }
    #forms-box .forms-hint { color: $text-muted; }
    #forms-result { margin-top: 1; height: auto; }
    """

    def __init__(self, year: int) -> None:
        super().__init__(id="forms-screen")
        self.year = year
        self.busy = False

    def compose(self) -> ComposeResult:
        from exports.forms import default_output_dir

        folder = default_output_dir(self.database)  # beside the database file: no query
        with VerticalScroll(id="forms-box") as box:
            box.border_title = "填报表"
            box.border_subtitle = "回车执行 · Tab 切换 · Esc 关闭"
            yield Static("生成填报表（每个牵头单位一个 Excel 文件，发给各单位填写）", classes="forms-section")
            with Horizontal(classes="forms-row"):
                yield Label("填报年份", classes="forms-label")
                yield Input(str(self.year), id="forms-year", compact=True, restrict=r"[0-9０-９]*", max_length=4)
            yield Static(f"保存到：{folder}", classes="forms-hint", markup=False)
            yield Static("工作表保护：正在读取…", id="forms-protection", classes="forms-hint", markup=False)
            yield Static("导入交回的填报表（先检查并列出修改，确认后才导入）", classes="forms-section")
            with Horizontal(classes="forms-row"):
                yield Label("文件或文件夹", classes="forms-label")
                yield Input(str(folder), id="forms-path", compact=True, select_on_focus=False,
                            placeholder="交回的 .xlsx 文件，或存放它们的文件夹")
            yield Static("可以把各单位发回的表放进上面的文件夹（覆盖同名的空表），再回车检查。", classes="forms-hint")
            yield Static("", id="forms-result", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = self.guihua.CURSOR_BLINK
        self.query_one("#forms-year", Input).focus()
        database = self.database
        self.fetch(lambda: _protection_hint(database), ProtectionRead, group="forms-protection")

    def on_protection_read(self, message: ProtectionRead) -> None:
        self.query_one("#forms-protection", Static).update(message.result)

    def on_data_failed(self, message: DataFailed) -> None:
        if message.group == "forms":
            self._failed(message.text)

    def say(self, text: str | Text) -> None:
        self.query_one("#forms-result", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            self.app.notify("请稍候，上一项还没有完成。", markup=False)
        elif event.input.id == "forms-year":
            self.issue(event.value)
        elif event.input.id == "forms-path":
            self.check(event.value)

    def _idle(self, _: str = "") -> None:
        self.busy = False

    # (a) issuing

    def issue(self, typed: str) -> None:
        from exports.forms import write_forms

        text = typed.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not (text.isdigit() and 2000 <= int(text) <= 2100):
            self.say("请填写四位数的年份，例如 2024。")
            return
        plan_id = _plan_id(self.guihua)
        if plan_id is None:
            return
        year, database = int(text), self.database
        self.busy = True
        self.say(f"正在生成 {year} 年的填报表…")
        self.fetch(lambda: write_forms(database, plan_id, year), FormsIssued, group="forms", busy="正在生成填报表…")

    def _failed(self, message: str) -> None:
        self.busy = False
        self.say(message)

    def on_forms_issued(self, message: FormsIssued) -> None:
        written = message.result
        self.busy = False
        lines = Text()
        for form in written:
            parts = [f"指标 {form.indicators} 项" if form.indicators else "",
                     f"里程碑 {form.milestones} 项" if form.milestones else ""]
            renamed = "（同名文件正在使用，已另存为新文件名）" if form.renamed else ""
            lines.append(f"{form.unit}：{'、'.join(p for p in parts if p)}  {form.path.name}{renamed}\n")
        if written:
            lines.append(f"共 {len(written)} 个文件，保存在 {written[0].path.parent}", style="bold")
            if any(f.unassigned for f in written):
                lines.append("\n「未定牵头单位」表中的事项还没有牵头单位：设定后重新生成，或转交相关单位填报。",
                             style="yellow")
        self.say(lines)
        self.app.notify(f"已生成 {len(written)} 个填报表", markup=False)

    # (b) checking the returned forms

    def check(self, typed: str) -> None:
        from importers.forms import read_forms

        path = _clean_path(typed)
        if not path:
            self.say("请填写交回的填报表文件，或存放它们的文件夹。")
            return
        if not Path(path).exists():
            self.say(f"找不到：{path}")
            return
        plan_id = _plan_id(self.guihua)
        if plan_id is None:
            return
        database = self.database
        self.busy = True
        self.say("正在检查填报表…")
        self.fetch(lambda: read_forms(database, [path], plan_id=plan_id), FormsChecked, group="forms",
                   busy="正在检查填报表…")

    def on_forms_checked(self, message: FormsChecked) -> None:
        review = message.result
        self.busy = False
        if not review.files:
            self.say("没有找到填报表：请给出 .xlsx 文件，或存放填报表的文件夹。")
            return
        self.say("")
        self.app.push_screen(FormsReviewScreen(review), self._reviewed)

    def _reviewed(self, result) -> None:
        if result is not None:
            self.say(result)


def _protection_hint(database) -> str:
    """Whether the forms get the office's stored sheet password (set with `guihua forms --password`). Reads
    the database: run it off the event loop."""
    from exports.forms import has_password

    try:
        stored = has_password(database)
    except GuihuaError as exc:
        return exc.message
    if stored:
        return "工作表保护：使用已设的密码（命令行 guihua forms --password 更改，--no-password 取消）。"
    return "工作表保护：无密码，只防误改（命令行 guihua forms --password 可设密码）。"


class FormsApplied(Done):
    """The reviewed changes written (importers.forms.apply_forms); `warning`: the backup before could not be made."""

    def __init__(self, result: Any, warning: str) -> None:
        super().__init__(result)
        self.warning = warning


class FormsReviewScreen(GuihuaModal[Text | None]):
    """What the returned forms would change, file by file; Enter/y imports, o also overwrites conflicts, f also
    imports figures that look like typos (as `import-forms --force`)."""

    help_sections = FORMS_HELP_SECTIONS
    help_title = "按键帮助 · 填报表"
    BINDINGS = [
        Binding("enter,y", "apply", "导入", id="forms_review.apply"),
        Binding("o", "toggle_overwrite", "覆盖冲突", id="forms_review.overwrite"),
        Binding("f", "toggle_doubtful", "确认存疑数值", id="forms_review.doubtful"),
        Binding("escape,n", "cancel", "取消", id="forms_review.cancel"),
        Binding("question_mark,f1", "app.help", "帮助", key_display="?", id="forms_review.help"),
        Binding("j,down", "scroll_down", "下滚", show=False, id="forms_review.down"),
        Binding("k,up", "scroll_up", "上滚", show=False, id="forms_review.up"),
    ]
    DEFAULT_CSS = """
    FormsReviewScreen { align: center middle; }
    #forms-review { width: 110; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                    background: $surface; padding: 0 1; }
    #forms-review-summary { text-style: bold; margin-top: 1; }
    """

    def __init__(self, review) -> None:
        super().__init__(id="forms-review-screen")
        self.review = review
        self.overwrite = False
        self.accept_doubtful = False
        self.applying = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="forms-review") as box:
            box.border_title = "交回的填报表 · 检查结果"
            box.border_subtitle = "回车/Y 导入 · O 覆盖冲突 · Esc 取消"
            yield Static(id="forms-review-body")
            yield Static(id="forms-review-summary", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#forms-review").focus()
        self.show()

    def pending(self) -> int:
        return len(self.review.pending(overwrite_conflicts=self.overwrite, accept_doubtful=self.accept_doubtful))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_overwrite":
            return bool(self.review.conflicts)
        if action == "toggle_doubtful":
            return bool(self.review.doubtful or self.review.doubtful_conflicts)
        return True

    def show(self) -> None:
        body = Table.grid(padding=(0, 1))
        body.add_column()
        for form in self.review.files:
            body.add_row(file_review(form, self.overwrite, self.accept_doubtful))
        self.query_one("#forms-review-body", Static).update(body)
        review = self.review
        files = review.pending_files(overwrite_conflicts=self.overwrite, accept_doubtful=self.accept_doubtful)
        skipped = "将覆盖，按 O 改为跳过" if self.overwrite else "跳过，按 O 改为覆盖" if review.conflicts else "无"
        clashes = f"与其他填报表不一致 {len(review.clashes)} 处（不导入）；" if review.clashes else ""
        doubtful = len(review.doubtful) + len(review.doubtful_conflicts)
        doubts = (f"数值存疑 {doubtful} 处（{'将导入，按 F 改为跳过' if self.accept_doubtful else '跳过，核实无误按 F 导入'}）；"
                  if doubtful else "")
        summary = (f"合计：可导入 {self.pending()} 处修改（{files} 个文件）；冲突 {len(review.conflicts)} 处（{skipped}）；"
                   f"{doubts}{clashes}拒绝 {len(review.refused)} 个文件。")
        summary += "  回车导入，Esc 取消。" if self.pending() else "  没有需要导入的修改，Esc 返回。"
        self.query_one("#forms-review-summary", Static).update(summary)

    def action_toggle_overwrite(self) -> None:
        if self.review.conflicts:
            self.overwrite = not self.overwrite
            self.show()

    def action_toggle_doubtful(self) -> None:
        if self.review.doubtful or self.review.doubtful_conflicts:
            self.accept_doubtful = not self.accept_doubtful
            self.show()

    def action_scroll_down(self) -> None:
        self.query_one("#forms-review").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#forms-review").scroll_up()

    def action_cancel(self) -> None:
        self.app.notify("已取消，没有导入任何内容。", markup=False)
        self.dismiss(None)

    def action_apply(self) -> None:
        from importers.forms import apply_forms

        if self.applying:
            return
        if not self.pending():
            self.app.notify("没有需要导入的修改。", markup=False)
            return
        database, review = self.database, self.review
        overwrite, accept_doubtful = self.overwrite, self.accept_doubtful

        def work() -> FormsApplied:
            warning = backup_before_import(database)
            return FormsApplied(apply_forms(database, review, overwrite_conflicts=overwrite,
                                            accept_doubtful=accept_doubtful), warning)

        self.applying = True
        self.fetch(work, lambda applied: applied, group="forms-apply", busy="正在导入填报表…")

    def on_data_failed(self, message: DataFailed) -> None:
        self.applying = False  # the error is shown; nothing was imported

    def on_forms_applied(self, message: FormsApplied) -> None:
        self.applying = False
        if message.warning:
            self.app.notify(message.warning, severity="warning", markup=False)
        result = message.result
        report = outcome_report(result)
        not_imported = [n for n in result.refused] + [f.name for f in result.failed]
        skipped = len(result.skipped_conflicts) + len(result.skipped_clashes) + len(result.skipped_doubtful)
        self.app.notify(f"已导入 {len(result.applied)} 处修改" + (f"，跳过 {skipped} 处" if skipped else "") + "。",
                        markup=False, severity="warning" if not_imported or result.skipped_clashes else "information")
        _reload_shown_screens(self.app)
        self.dismiss(report)


def outcome_report(result) -> Text:
    """After an import: every file's outcome (applied / skipped and why), the skipped items under it."""
    report = Text()
    report.append("导入结果：\n", style="bold")
    for outcome in result.files:
        trouble = outcome.error or outcome.problems
        report.append(f"{outcome.text()}\n", style="red" if trouble else "yellow" if outcome.skipped_clashes else None)
        for change in outcome.skipped:
            report.append(f"  跳过：{change.text()}\n", style="dim")
    not_imported = [f.name for f in result.files if f.error or f.problems]
    if not_imported:
        report.append(f"以下文件没有导入：{'、'.join(not_imported)}。请按列出的问题修改后重新发回。\n", style="yellow")
    clashing = [f.name for f in result.files if f.skipped_clashes]
    if clashing:
        report.append(f"{'、'.join(f'「{n}」' for n in clashing)}给同一项填了不同的数值，这几处没有导入。请与填报单位核实，"
                      "再单独导入正确的那一份（在“文件或文件夹”栏填该文件）。", style="yellow")
    report.rstrip()
    return report


def file_review(form, overwrite: bool, accept_doubtful: bool = False) -> Table:
    """One returned file: its problems, or its changes and conflicts side by side."""
    table = Table.grid(padding=(0, 2))
    table.add_column()
    where = f"（{form.unit}，{form.year}年）" if form.year else ""
    table.add_row(Text(f"「{form.name}」{where}", style="bold"))
    if form.refused:
        table.add_row(Text(f"  问题 {len(form.problems)} 处，本文件不导入（其他文件不受影响）：", style="red"))
        for problem in form.problems:
            table.add_row(Text(f"    {problem.text()}"))
        return table
    if form.changes:
        changes = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
        changes.add_column("  修改", overflow="fold")
        changes.add_column("项目", overflow="fold")
        changes.add_column("guihua 现为", justify="right")
        changes.add_column("表中", justify="right")
        for change in form.changes:
            changes.add_row(f"  {change.edit.label}", change.edit.field_label, _shown(change.old), _shown(change.new))
        table.add_row(changes)
    if form.conflicts:
        action = "将按表中数值覆盖" if overwrite else "不导入；确认表中数值无误可按 O 覆盖"
        table.add_row(Text(f"  冲突 {len(form.conflicts)} 处（下发后 guihua 中的数值已被修改，{action}）：",
                           style="yellow"))
        conflicts = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
        conflicts.add_column("  冲突", overflow="fold")
        conflicts.add_column("项目", overflow="fold")
        conflicts.add_column("下发时", justify="right")
        conflicts.add_column("guihua 现为", justify="right")
        conflicts.add_column("表中", justify="right")
        for change in form.conflicts:
            label = change.edit.field_label + (f"（随{change.held_by}）" if change.held_by else "")
            conflicts.add_row(f"  {change.edit.label}", label, _shown(change.issued), _shown(change.old),
                              _shown(change.new))
        table.add_row(conflicts)
    if form.doubtful:
        action = "已确认，将导入" if accept_doubtful else "不导入；核实无误可按 F 导入"
        table.add_row(Text(f"  数值存疑 {len(form.doubtful)} 处（负数，或与前后年份相差 5 倍以上，{action}）：",
                           style="yellow"))
        for change in form.doubtful:
            table.add_row(Text(f"    {change.text()}"))
    if form.clashes:
        table.add_row(Text(f"  与其他填报表不一致 {len(form.clashes)} 处（几份表给同一项填了不同的数值，都不导入，"
                           "按 O 也不覆盖；核实后单独导入正确的那一份）：", style="red"))
        clashes = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
        clashes.add_column("  不一致", overflow="fold")
        clashes.add_column("项目", overflow="fold")
        clashes.add_column("本表", justify="right")
        clashes.add_column("其他填报表", overflow="fold")
        clashes.add_column("guihua 现为", justify="right")
        for change in form.clashes:
            label = change.edit.field_label + (f"（随{change.held_by}）" if change.held_by else "")
            others = "；".join(c.text() for c in change.clashes) if change.clashes else "—"
            clashes.add_row(f"  {change.edit.label}", label, _shown(change.new), Text(others), _shown(change.old))
        table.add_row(clashes)
    if not form.changes and not form.conflicts and not form.clashes and not form.doubtful:
        table.add_row(Text("  没有修改。", style="dim"))
    if form.unchanged:
        table.add_row(Text(f"  与 guihua 一致或未改动 {form.unchanged} 处。", style="dim"))
    return table


def _shown(value: str | None) -> Text:
    return Text("空", style="dim") if value in (None, "") else Text(str(value))


def backup_before_import(database) -> str:
    """As the CLI does before an import: back up (in the worker); a failed automatic backup does not stop the
    import: the warning to show is returned ("" when backed up, or for a server database)."""
    if database.path is None:
        return ""
    from db.backup import backup_now

    try:
        backup_now(database, "import")
    except GuihuaError as exc:
        return f"提示：自动备份没有完成（{exc.message}）"
    return ""


def open_forms(app: GuihuaApp) -> None:
    if _plan_id(app) is None:
        return
    if not any(isinstance(s, (FormsScreen, FormsReviewScreen)) for s in app.screen_stack):
        app.push_screen(FormsScreen(default_forms_year(app)))


# ----------------------------------------------------------------------------------------------------------
# Backups (palette: 备份与恢复)

BACKUP_HELP_SECTIONS: Sections = [
    (
        "备份与恢复",
        [
            ("↑ ↓", "选择备份（最新的在上面）"),
            ("b", "立即备份当前数据库"),
            ("回车", "用选中的备份恢复（会先确认，并先自动备份当前数据库）；恢复后 guihua 退出，请重新打开"),
            ("Esc / q", "关闭"),
            ("? / F1", "显示本帮助"),
        ],
    ),
]


class BackupsListed(Done):
    """The backups beside the SQLite file, newest first (db.backup.list_backups)."""


class BackedUp(Done):
    """A backup made now: `result` is where."""


class Restored(Done):
    """The database replaced by a backup: `result` is where the database before it was saved."""

    def __init__(self, result: Any, backup: Path) -> None:
        super().__init__(result)
        self.backup = backup


class BackupScreen(GuihuaModal[None]):
    """The backups beside the SQLite file: make one now, or restore one (then guihua exits to reload)."""

    help_sections = BACKUP_HELP_SECTIONS
    help_title = "按键帮助 · 备份与恢复"
    BINDINGS = [
        Binding("b", "backup", "立即备份", id="backups.backup"),
        Binding("enter", "restore", "恢复", id="backups.restore"),
        Binding("escape,q", "close", "关闭", id="backups.close"),
        Binding("question_mark,f1", "app.help", "帮助", key_display="?", id="backups.help"),
    ]
    DEFAULT_CSS = """
    BackupScreen { align: center middle; }
    #backups-box { width: 100; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                   background: $surface; padding: 0 1; }
    #backups-table { height: auto; max-height: 20; }
    #backups-info { margin: 1 0; }
    """

    def __init__(self) -> None:
        super().__init__(id="backups-screen")
        self.backups: list = []
        self.working = False  # a backup or restore under way: keys wait for it

    @property
    def server(self) -> bool:
        return self.database.path is None

    def compose(self) -> ComposeResult:
        with Vertical(id="backups-box") as box:
            box.border_title = "备份与恢复"
            box.border_subtitle = "B 立即备份 · 回车 恢复 · Esc 关闭"
            yield Static("", id="backups-info", markup=False)
            table = DataTable(id="backups-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("备份时间", "原因", "大小", "文件")
            yield table
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "backup":
            return not self.server
        if action == "restore":
            return not self.server and bool(self.backups)
        return True

    def load(self) -> None:
        from db.backup import list_backups

        if self.server:
            table = self.query_one(DataTable)
            table.clear()
            table.display = False
            self.query_one("#backups-info", Static).update(
                "服务器数据库（PostgreSQL）由服务器管理员用 pg_dump 备份和恢复，"
                "不能在这里操作。做法见 docs/deploy.md 第 11 节“备份与恢复”。")
            self.backups = []
            self.refresh_bindings()
            return
        database = self.database
        self.fetch(lambda: list_backups(database), BackupsListed, group="backups-list")

    def on_data_failed(self, message: DataFailed) -> None:
        self.working = False
        if message.group == "backups-list":
            self.query_one("#backups-info", Static).update(message.text)

    def on_backups_listed(self, message: BackupsListed) -> None:
        from db.backup import BACKUP_FOLDER

        info = self.query_one("#backups-info", Static)
        table = self.query_one(DataTable)
        table.clear()
        self.backups = message.result
        for backup in self.backups:
            table.add_row(f"{backup.taken_at:%Y-%m-%d %H:%M:%S}", backup.reason_label, _size(backup.size),
                          backup.path.name, key=str(backup.path))
        folder = self.database.path.parent / BACKUP_FOLDER if self.database.path else Path(BACKUP_FOLDER)
        if self.backups:
            info.update(f"共 {len(self.backups)} 份备份，保存在 {folder}。"
                        "启动时（每小时最多一次）、导入和恢复前会自动备份；只保留最近 10 份和每月最后一份。")
        else:
            info.update(f"还没有备份。按 B 立即备份（保存到 {folder}）。")
        table.display = bool(self.backups)
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_backup(self) -> None:
        from db.backup import backup_now

        if self.server or self.working:
            return
        database = self.database
        self.working = True
        self.fetch(lambda: backup_now(database, "manual"), BackedUp, group="backups-backup", busy="正在备份…")

    def on_backed_up(self, message: BackedUp) -> None:
        self.working = False
        self.app.notify(f"已备份到：{message.result}", markup=False, timeout=8)
        self.load()
        self.query_one(DataTable).move_cursor(row=0)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_restore()

    def action_restore(self) -> None:
        from tui.forms import ConfirmScreen

        if self.server or not self.backups or self.working:
            return
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.backups):
            return
        chosen = self.backups[row]
        question = (f"用 {chosen.taken_at:%Y-%m-%d %H:%M:%S} 的备份（{chosen.reason_label}）替换当前数据库的全部内容？\n"
                    "恢复前会自动备份当前数据库。恢复后 guihua 会退出，请重新打开。")
        self.app.push_screen(ConfirmScreen(question), lambda yes: self.restore(chosen.path) if yes else None)

    def restore(self, path: Path) -> None:
        from db.backup import restore_from

        database = self.database
        self.working = True
        self.fetch(lambda: Restored(restore_from(database, path), path), lambda restored: restored,
                   group="backups-restore", busy="正在恢复…")

    def on_restored(self, message: Restored) -> None:
        # Every screen holds data read before the restore: exit, so the next start reads the restored data.
        self.app.exit(message=Text(f"已用备份 {message.backup.name} 恢复数据库。\n"
                                   f"恢复前的数据库已备份到：{message.result}\n请重新打开 guihua。"))


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def open_backups(app: GuihuaApp) -> None:
    if not any(isinstance(s, BackupScreen) for s in app.screen_stack):
        app.push_screen(BackupScreen())


# ----------------------------------------------------------------------------------------------------------
# Importing a plan (F8 / palette 「导入规划文件…」)

PLAN_IMPORT_HELP_SECTIONS: Sections = [
    (
        "导入规划文件",
        [
            ("输入路径", "规划纲要文件的完整路径；可以从文件管理器复制粘贴（引号会自动去掉）"),
            ("Tab", "补全路径：补全文件夹或文件名，有多个时列出可选的名称"),
            ("回车", "导入；完成后显示章、节、段落数和提示，并打开新规划"),
            ("↓ / Shift+Tab", "移到规划期 / 回到路径。规划期一般不用填：规划标题写明第几个五年规划或起止年份时自动读取；"
             "没有写明时在这里填起止年份，或写“十五五”这样的简称"),
            ("Esc", "关闭"),
            ("F1", "显示本帮助"),
        ],
    ),
]


def complete_path(typed: str) -> tuple[str, list[str]]:
    """Tab completion of a path: (the text completed as far as it is unambiguous, the names that still fit).
    A single folder gets its separator, so the next Tab lists what is inside."""
    import os

    text = typed.strip().strip('"').strip("'")
    if not text:
        return typed, []
    expanded = os.path.expanduser(text)
    if expanded.endswith(("/", os.sep)):
        folder, prefix = expanded, ""
    else:
        folder, prefix = os.path.split(expanded)
    fold = str.casefold if os.name == "nt" else (lambda s: s)
    try:
        entries = sorted(os.scandir(folder or "."), key=lambda e: e.name)
    except OSError:
        return typed, []
    names = [(e.name, e.is_dir()) for e in entries
             if fold(e.name).startswith(fold(prefix)) and (prefix.startswith(".") or not e.name.startswith("."))]
    if not names:
        return typed, []
    common = names[0][0][: len(os.path.commonprefix([fold(name) for name, _ in names]))]
    completed = text[: len(text) - len(prefix)] + common if prefix else text + common
    if len(names) == 1 and names[0][1]:
        completed += os.sep
    shown = [name + (os.sep if is_dir else "") for name, is_dir in names]
    return completed, ([] if len(names) == 1 else shown)


class PathInput(Input):
    """A path box: Tab completes the path instead of moving the focus."""

    BINDINGS = [
        Binding("tab", "complete", "补全路径", show=False, id="plan_import.complete"),
        Binding("down", "app.focus_next", "下一项", show=False, id="plan_import.next_field"),
    ]

    class Completed(Message):
        """After Tab: the names that still fit (empty when the path is complete or nothing fits)."""

        def __init__(self, choices: list[str]) -> None:
            super().__init__()
            self.choices = choices

    def action_complete(self) -> None:
        completed, choices = complete_path(self.value)
        if completed != self.value:
            self.value = completed
            self.cursor_position = len(completed)
        self.post_message(self.Completed(choices))


class FolderRead(Done):
    """The folder the last plan file came from ("" when none)."""


class PlanImported(Done):
    """A plan file imported: `result` is (ImportResult, backup warning)."""


class PlanImportScreen(GuihuaModal[Any]):
    """Ask for a plan file and import it in a thread; dismissed with (ImportResult, backup warning). Given no
    folder, the box starts at the folder of the last plan imported (read in a worker; home until it arrives)."""

    help_sections = PLAN_IMPORT_HELP_SECTIONS
    help_title = "按键帮助 · 导入规划文件"
    BINDINGS = [
        Binding("escape", "close", "关闭", id="plan_import.close"),
        Binding("f1", "app.help", "帮助", id="plan_import.help"),  # not ?: the box takes any character
    ]
    DEFAULT_CSS = """
    PlanImportScreen { align: center middle; }
    #plan-import-box { width: 90; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                       background: $surface; padding: 0 1; }
    #plan-import-question { margin: 1 0; }
    #plan-import-path { background: $boost; }
    #plan-import-period { background: $boost; margin-top: 1; }
    #plan-import-hint { color: $text-muted; height: auto; margin-top: 1; }
    #plan-import-result { height: auto; margin-top: 1; }
    """

    def __init__(self, folder: str | None = None) -> None:
        super().__init__(id="plan-import-screen")
        self.folder = folder if folder is not None else _folder_shown("")
        self.read_folder = folder is None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-import-box") as box:
            box.border_title = "导入规划文件"
            box.border_subtitle = "回车导入 · Tab 补全路径 · ↓ 规划期 · Esc 关闭"
            yield Static("请输入规划纲要文件的路径（.docx、.pdf、.txt、.html；导入后各界面打开这个规划；"
                         "同名规划的文本会被替换，其指标和数据保留）：",
                         id="plan-import-question")
            yield PathInput(self.folder, id="plan-import-path", compact=True, select_on_focus=False,
                            placeholder="例如 D:\\规划\\十五五规划纲要.txt")
            yield Static("按 Tab 补全文件夹和文件名。", id="plan-import-hint", markup=False)
            example = period_containing(date.today().year)
            yield Input(id="plan-import-period", compact=True, select_on_focus=False,
                        placeholder=f"规划期（↓ 移到这里；规划中写明的可不填，如 {example.text} 或 {example.short_name}）")
            yield Static("", id="plan-import-result", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        from db.dialog_views import plan_folder

        box = self.query_one("#plan-import-path", PathInput)
        box.cursor_blink = self.guihua.CURSOR_BLINK
        box.focus()
        box.cursor_position = len(box.value)
        if self.read_folder:
            database = self.database
            self.fetch(lambda: _folder_shown(plan_folder(database)), FolderRead, group="plan-import-folder")

    def on_folder_read(self, message: FolderRead) -> None:
        box = self.query_one("#plan-import-path", PathInput)
        if box.value == self.folder and message.result != self.folder:  # not typed over meanwhile
            self.folder = box.value = message.result
            box.cursor_position = len(box.value)

    def on_data_failed(self, message: DataFailed) -> None:
        if message.group == "plan-import":
            self._failed(message.text)

    def say(self, text: str | Text) -> None:
        self.query_one("#plan-import-result", Static).update(text)

    def on_path_input_completed(self, event: PathInput.Completed) -> None:
        event.stop()
        hint = self.query_one("#plan-import-hint", Static)
        if event.choices:
            more = f" …共 {len(event.choices)} 个" if len(event.choices) > 12 else ""
            hint.update("可选：" + "  ".join(event.choices[:12]) + more)
        else:
            hint.update("按 Tab 补全文件夹和文件名。")

    def action_close(self) -> None:
        if self.busy:
            self.app.notify("正在导入，请稍候；导入完成后再关闭。", markup=False)
            return
        self.dismiss(None)

    @on(Input.Submitted, "#plan-import-path, #plan-import-period")
    def _submitted(self, event: Input.Submitted) -> None:
        from core.period import parse_period

        event.stop()
        if self.busy:
            self.app.notify("正在导入，请稍候…", markup=False)
            return
        path = _clean_path(self.query_one("#plan-import-path", PathInput).value)
        if not path:
            self.say(Text("请填写规划文件的路径。", style="bold red"))
            self.query_one("#plan-import-path", PathInput).focus()
            return
        period_text = self.query_one("#plan-import-period", Input).value.strip()
        try:
            period = parse_period(period_text) if period_text else None
        except ValueError as exc:
            self.say(Text(str(exc), style="bold red"))
            self.query_one("#plan-import-period", Input).focus()
            return
        self.start(Path(path).expanduser(), period)

    def start(self, path: Path, period=None) -> None:
        from importers.plan import import_plan_file

        from db.dialog_views import remember_plan_folder

        database = self.database
        self.busy = True
        self.query_one("#plan-import-path", PathInput).disabled = True
        self.say(Text(f"正在导入 {path.name} …（读取、分章节、查找量化指标和项目，请稍候）", style="bold"))

        def work():
            warning = ""
            if database.path is not None and path.is_file():
                from db.backup import backup_now

                try:
                    backup_now(database, "import")
                except GuihuaError as exc:
                    warning = f"提示：自动备份没有完成（{exc.message}）"
            result = import_plan_file(database, path, period=period)
            try:
                remember_plan_folder(database, str(path.parent))
            except Exception:  # noqa: BLE001 - only a convenience for the next import
                pass
            return result, warning

        self.fetch(work, PlanImported, group="plan-import", busy="正在导入规划…")

    def _failed(self, message: str) -> None:
        self.busy = False
        box = self.query_one("#plan-import-path", PathInput)
        box.disabled = False
        self.say(Text(message, style="bold red"))
        if "规划期" in message:  # the plan does not state its period: the office gives it below
            self.query_one("#plan-import-period", Input).focus()
        else:
            box.focus()

    def on_plan_imported(self, message: PlanImported) -> None:
        self.busy = False
        self.dismiss(message.result)


def _folder_shown(folder: str) -> str:
    """The folder the path box starts at: the last plan's folder while it exists, else home; with a separator,
    so Tab lists what is inside."""
    import os

    if not folder or not Path(folder).is_dir():
        folder = str(Path.home())
    return folder.rstrip("/\\") + os.sep


def import_summary(result, warning: str = "") -> Text:
    """What an import stored, as the CLI says it, plus the parser's warnings."""
    out = Text()
    action = "已替换" if result.replaced else "已导入"
    out.append(f"{action}规划「{result.name}」（编号 {result.plan_id}）\n", style="bold")
    if result.title:
        out.append(f"{result.title}\n")
    out.append(f"{result.chapters} 章、{result.sections} 节、{result.paragraphs} 段落、{result.footnotes} 条脚注。\n")
    for line in result.warnings:
        out.append(f"提示：{line}\n", style="yellow")
    if warning:
        out.append(f"{warning}\n", style="yellow")
    if getattr(result, "indicator_proposals", 0):
        out.append(f"\n从规划的主要指标表读出 {result.indicator_proposals} 项指标：按 F9 核对、修改后确认。\n", style="bold")
    out.append("\n各界面已打开这个规划（F7 切换规划）。主要指标也可在命令行用 guihua import-catalogue 导入；"
               "上一规划的基数可用命令面板「承接上一规划的基数」承接。", style="dim")
    return out


class PlanImportedScreen(GuihuaModal[None]):
    """The summary after a plan was imported and opened."""

    BINDINGS = [Binding("escape,enter,q", "close", "关闭", id="plan_imported.close")]
    DEFAULT_CSS = """
    PlanImportedScreen { align: center middle; }
    #plan-imported-box { width: 90; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                         background: $surface; padding: 0 1; }
    """

    def __init__(self, summary: Text) -> None:
        super().__init__(id="plan-imported-screen")
        self.summary = summary

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="plan-imported-box") as box:
            box.border_title = "导入完成"
            box.border_subtitle = "回车或 Esc 关闭"
            yield Static(self.summary, id="plan-imported-summary")

    def on_mount(self) -> None:
        self.query_one("#plan-imported-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def open_plan_import(app: GuihuaApp) -> None:
    """Ask for a plan file; import it off the event loop; open the new plan and show what was imported."""
    if any(isinstance(s, (PlanImportScreen, PlanImportedScreen)) for s in app.screen_stack):
        return

    def imported(outcome) -> None:
        if outcome is None:
            return
        result, warning = outcome

        async def open_it() -> None:
            await app.open_plan(result.plan_id, chosen=False)
            app.push_screen(PlanImportedScreen(import_summary(result, warning)))

        app.run_worker(open_it(), group="plan", exclusive=True)

    app.push_screen(PlanImportScreen(), imported)


# ----------------------------------------------------------------------------------------------------------
# Carrying the previous plan's final-year actuals over as base values (palette 「承接上一规划的基数」)


class Carried(Done):
    """The previous plan's final-year actuals carried over (db.continuity.carry_base_values)."""


class ContinuityScreen(GuihuaModal[bool]):
    """Which indicators continue the previous plan's and the base values that would be carried; Enter/y carries."""

    BINDINGS = [
        Binding("enter,y", "carry", "承接", id="continuity.carry"),
        Binding("escape,n", "cancel", "取消", id="continuity.cancel"),
        Binding("j,down", "scroll_down", "下滚", show=False, id="continuity.down"),
        Binding("k,up", "scroll_up", "上滚", show=False, id="continuity.up"),
    ]
    DEFAULT_CSS = """
    ContinuityScreen { align: center middle; }
    #continuity-box { width: 120; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                      background: $surface; padding: 0 1; }
    #continuity-summary { text-style: bold; margin-top: 1; }
    """

    def __init__(self, new_plan_id: int, old_plan_id: int, candidates, preview) -> None:
        super().__init__(id="continuity-screen")
        self.new_plan_id, self.old_plan_id = new_plan_id, old_plan_id
        self.candidates = candidates
        self.preview = preview
        self.carrying = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="continuity-box") as box:
            box.border_title = f"承接上一规划的基数：《{self.candidates.old_plan}》→《{self.candidates.new_plan}》"
            box.border_subtitle = "回车/Y 承接 · Esc 取消"
            yield Static(self.body(), id="continuity-body")
            yield Static(self.summary(), id="continuity-summary", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#continuity-box").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "carry":
            return bool(self.preview.carried)
        return True

    def body(self) -> Table:
        from db.indicators import decimal_text

        preview, candidates = self.preview, self.candidates
        outcome: dict[int, Text] = {}
        for item in preview.carried:
            note = f"（现为 {decimal_text(item.replaced)}）" if item.replaced is not None else ""
            outcome[item.link.new.id] = Text(f"将承接 {decimal_text(item.value)}{note}", style="green")
        for item in preview.unchanged:
            outcome[item.link.new.id] = Text(f"已是 {decimal_text(item.value)}", style="dim")
        for item in preview.skipped:
            outcome[item.link.new.id] = Text(f"跳过：{item.reason}", style="yellow")
        layout = Table.grid(padding=(0, 1))
        layout.add_column()
        year = f"{preview.year}年" if preview.year else "目标年"
        layout.add_row(Text(f"对应的指标（{len(candidates.links)} 项；上一规划{year}实际值作为本规划基数）", style="bold"))
        links = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
        links.add_column("本规划指标", overflow="fold")
        links.add_column("上一规划指标", overflow="fold")
        links.add_column("对应", no_wrap=True)
        links.add_column("处理", overflow="fold")
        for link in candidates.links:
            links.add_row(link.new.shown, link.old.shown, link.how_label, outcome.get(link.new.id, Text("")))
        if not candidates.links:
            layout.add_row(Text("  没有名称相同的指标。", style="dim"))
        else:
            layout.add_row(links)
        if candidates.unsure:
            layout.add_row(Text(""))
            layout.add_row(Text(f"名称相近、没有自动对应（{len(candidates.unsure)} 项；确为同一指标的，可在命令行用 "
                                "guihua continue-plan --link 新指标=旧指标 指定）", style="bold"))
            for item in candidates.unsure:
                names = "、".join(c.shown for c in item.candidates)
                layout.add_row(Text(f"  {item.new.shown}  ？  {names}（{item.reason}）"))
        if candidates.unmatched_new:
            layout.add_row(Text(""))
            layout.add_row(Text("上一规划中没有对应的指标：" + "、".join(r.name for r in candidates.unmatched_new),
                                style="dim"))
        if candidates.unlinked:
            layout.add_row(Text("已取消对应：" + "、".join(r.name for r in candidates.unlinked), style="dim"))
        return layout

    def summary(self) -> str:
        preview = self.preview
        parts = [f"将承接 {len(preview.carried)} 项基数", f"已一致 {len(preview.unchanged)} 项",
                 f"跳过 {len(preview.skipped)} 项（已录入的数值不会被覆盖）"]
        text = "；".join(parts) + "。"
        if preview.carried:
            source = preview.carried[0].source
            text += f"来源记为“{source}”，以后可在主要指标中修改。回车承接，Esc 取消。"
        else:
            text += "没有需要承接的数值，Esc 返回。"
        return text

    def action_scroll_down(self) -> None:
        self.query_one("#continuity-box").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#continuity-box").scroll_up()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_carry(self) -> None:
        from db.dialog_views import carry_over

        if self.carrying:
            return
        if not self.preview.carried:
            self.app.notify("没有需要承接的数值。", markup=False)
            return
        database, candidates = self.database, self.candidates
        new_plan_id, old_plan_id = self.new_plan_id, self.old_plan_id
        self.carrying = True
        self.fetch(lambda: carry_over(database, new_plan_id, old_plan_id, candidates), Carried, group="continuity",
                   busy="正在承接基数…")

    def on_data_failed(self, message: DataFailed) -> None:
        self.carrying = False  # the error is shown; nothing was carried

    def on_carried(self, message: Carried) -> None:
        result = message.result
        skipped = f"，跳过 {len(result.skipped)} 项" if result.skipped else ""
        self.app.notify(f"已承接 {len(result.carried)} 项基数{skipped}。", title="承接上一规划", markup=False)
        self.guihua.reload_plan_screens()
        self.dismiss(True)


def open_continuity(app: GuihuaApp) -> None:
    """Palette 「承接上一规划的基数」: list the links to the previous plan and what would be carried."""
    from db.dialog_views import ContinuityPreview, continuity_preview

    plan_id = _plan_id(app)
    if plan_id is None or any(isinstance(s, ContinuityScreen) for s in app.screen_stack):
        return
    database = app.database

    def previewed(found: ContinuityPreview) -> None:
        if found.old_plan_id is None:
            app.notify("没有找到上一规划：请先导入上一个五年规划，或在命令行用 guihua continue-plan --from 旧规划 --to 新规划。",
                       severity="warning", timeout=10, markup=False)
        elif not any(isinstance(s, ContinuityScreen) for s in app.screen_stack):
            app.push_screen(ContinuityScreen(plan_id, found.old_plan_id, found.candidates, found.preview))

    run_off_loop(app, lambda: continuity_preview(database, plan_id), previewed, group="continuity-preview",
                 busy="正在比对上一规划的指标…")
