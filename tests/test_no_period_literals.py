"""No plan year is written into the code: every year guihua shows or computes with comes from the plan's
period (db.plan_store.plan_period), so a 十五五 plan is never shown the 十四五 plan's 2020…2025.

Scanned: the number and string literals (docstrings included: click shows a command's docstring as its help)
of core/, db/, importers/*.py (not the bundled seed plan's data), exports/ and tui/, for 2010…2029. Comments
are not scanned. A year that genuinely is not a plan year goes in ALLOWED with the reason; better still,
compute it (core.period.five_year_plan_period(14) is the 十四五 plan) or write the example without a year.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [*sorted((ROOT / "core").rglob("*.py")), *sorted((ROOT / "db").rglob("*.py")),
           *sorted((ROOT / "importers").glob("*.py")), *sorted((ROOT / "exports").rglob("*.py")),
           *sorted((ROOT / "tui").rglob("*.py"))]
YEAR = re.compile(r"(?<![0-9A-Za-z_.])20[12][0-9](?![0-9])")

# (path, a fragment of the line) -> why that year is not a plan year. Keep this short.
ALLOWED: dict[tuple[str, str], str] = {
    # core.period is where a period's years are worked out; its docstrings show the mapping with real years.
    ("core/period.py", ""): "the ordinal → years mapping, documented with real plans",
    # Due-date format examples (a day, a month, a quarter); not plan years. Owned by another change: the
    # examples would better use the current year, as tui/cli.py and tui/projects.py now do.
    ("core/schedule.py", "A due date may be a day (2023-06-30)"): "date format example",
    ("core/schedule.py", "Read a due date: 2023-06-30"): "date format example",
    ("core/schedule.py", "2023年上半年, 2023, 2023年底"): "date format example",
    ("core/schedule.py", "可写 2023-06-30、2023-06、2023Q2"): "date format example (user message)",
    ("core/schedule.py", "请写成 2023-06-30"): "date format example (user message)",
    ("tui/help.py", "设定计划时间：2024-06-30"): "date format example in the key help (another change's file)",
    ("tui/actions.py", "请填写四位数的年份，例如 2024"): "an example of a four-digit year (another change's file)",
    # Examples of how plans word things, in docstrings of modules other changes own.
    ("core/commitments.py", "speak of 「“十三五”」 or 2015-2020 as a time"): "the finder's past-tense rule (十三五)",
    ("core/commitments.py", "「2020年底」), 「过去五年」"): "the finder's past-tense rule (十三五)",
    ("core/commitments.py", "So years (「2025年」)"): "an example of a year in a plan's text",
    ("core/commitments.py", "(期末, 到 2025 年, 全区 …)"): "an example of a time word in a plan's text",
    ("core/indicator_table.py", "(「2025年」/「基期值」 base"): "an example of a plan table's header",
    ("tui/cjk_wrap.py", "「（2021-2025 年），是我国……」"): "the seed plan's text, quoted to show a wrapping case",
    ("db/continuity.py", "A 十五五 indicator's base year (2025)"): "explains the 十四五 → 十五五 hand-over",
    ("db/continuity.py", "recorded for 2025 under the old plan"): "explains the 十四五 → 十五五 hand-over",
    ("db/continuity.py", "「承接《旧规划》2025年实际值」"): "an example of a note the hand-over writes",
    ("tui/cli_plans.py", "承接《旧规划》2025年实际值"): "an example of a note the hand-over writes (help text)",
}


def literal_years(path: Path) -> list[tuple[int, str]]:
    """(line number, line) of each number or string literal holding a 20xx year; comments are skipped."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.NUMBER, tokenize.STRING) or not YEAR.search(token.string):
            continue
        for offset, text in enumerate(token.string.splitlines()):
            if YEAR.search(text):
                number = token.start[0] + offset
                found[number] = lines[number - 1]
    return sorted(found.items())


def allowed(relative: str, line: str) -> bool:
    return any(path == relative and fragment in line for path, fragment in ALLOWED)


def test_no_plan_year_is_written_into_the_code():
    offending = []
    for path in SCANNED:
        relative = path.relative_to(ROOT).as_posix()
        for number, line in literal_years(path):
            if not allowed(relative, line):
                offending.append(f"{relative}:{number}: {line.strip()}")
    assert not offending, (
        "Years written into the code (read them from the plan's period, db.plan_store.plan_period, or add the "
        "line to ALLOWED with the reason it is not a plan year):\n" + "\n".join(offending)
    )


def test_every_allowed_entry_is_still_needed():
    """An entry whose line is gone (or was rewritten without a year) must leave the list."""
    needed = set()
    for path in SCANNED:
        relative = path.relative_to(ROOT).as_posix()
        for _, line in literal_years(path):
            needed |= {key for key in ALLOWED if key[0] == relative and key[1] in line}
    assert set(ALLOWED) - needed == set()


def test_the_scan_sees_what_it_must(tmp_path):
    sample = 'BASE = 2020\n# 2021 in a comment\ntitle = f"{x}2025年目标"\nfold = [0x2010, 2030]\n"""Doc 2024."""\n'
    path = tmp_path / "sample.py"
    path.write_text(sample, encoding="utf-8")
    assert [n for n, _ in literal_years(path)] == [1, 3, 5]
