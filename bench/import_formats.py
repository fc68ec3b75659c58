"""Plan import by format (issue 12): a 250,000-character plan as text, .html and .docx, and a 100-page PDF.

    python bench/import_formats.py [--runs 5] [--plans DIR]

The plan is the real 十五五 plans in shared/plans joined (cut at 250,000 characters); the .docx and .html are
made from it by tests/test_plan_formats.py's builders, the PDF is LibreOffice's print of one plan's .docx
(106 pages; needs soffice). Each figure is read (format → text or lines) + parse, and the full import
(read, parse, store in a fresh SQLite file, run the finder) as `guihua import-plan` does it. Where pypdf and
pdfplumber are installed, the PDF libraries are compared on the same file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.plan_text import parse_plan, parse_plan_lines  # noqa: E402
from db.engine import open_database  # noqa: E402
from importers.formats import read_plan_source  # noqa: E402
from importers.plan import import_plan_text  # noqa: E402
from tests.test_plan_formats import PLANS_DIR, build_docx, build_html, convert_to_pdf  # noqa: E402

TARGET_CHARS = 250_000


def timed(function, runs: int) -> tuple[float, float]:
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        values.append(time.perf_counter() - start)
    return statistics.median(values), max(values)


def read_and_parse(data: bytes, name: str):
    source = read_plan_source(data, name)
    return parse_plan_lines(source.lines) if source.lines is not None else parse_plan(source.text)


def full_import(data: bytes, name: str, runs: int) -> tuple[float, float]:
    """Median and max of the import into a fresh database (made, with its schema, outside the timing)."""
    values = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            database = open_database(Path(folder) / "bench.sqlite3")
            try:
                start = time.perf_counter()
                import_plan_text(database, data, source_name=name, name="bench")
                values.append(time.perf_counter() - start)
            finally:
                database.dispose()
    return statistics.median(values), max(values)


def compare_pdf_libraries(path: Path) -> None:
    print(f"\nPDF libraries on {path.name}:")
    from importers.formats.pdf import pdf_pages

    start = time.perf_counter()
    pdf_pages(path.read_bytes(), path.name)
    print(f"  pdfminer.six chars + guihua's line assembly: {time.perf_counter() - start:.2f} s")
    from pdfminer.high_level import extract_text

    start = time.perf_counter()
    extract_text(str(path))
    print(f"  pdfminer.six extract_text (layout analysis): {time.perf_counter() - start:.2f} s")
    try:
        import pypdf
    except ImportError:
        print("  pypdf: not installed")
    else:
        start = time.perf_counter()
        reader = pypdf.PdfReader(str(path))
        for page in reader.pages:
            page.extract_text()
        print(f"  pypdf {pypdf.__version__} extract_text: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        for page in reader.pages:
            page.extract_text(extraction_mode="layout")
        print(f"  pypdf extract_text(layout): {time.perf_counter() - start:.2f} s")
    try:
        import pdfplumber
    except ImportError:
        print("  pdfplumber: not installed")
    else:
        start = time.perf_counter()
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                page.extract_text()
        print(f"  pdfplumber {pdfplumber.__version__} extract_text: {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans", type=Path, default=PLANS_DIR)
    args = parser.parse_args()
    plans = sorted(args.plans.glob("*.txt"))
    if not plans:
        sys.exit(f"no plans in {args.plans}")
    text = "\n".join(p.read_text(encoding="utf-8") for p in plans)
    text = text[: text.rfind("\n", 0, TARGET_CHARS)]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = {"text (.txt, UTF-8)": ("plan.txt", text.encode("utf-8"))}
        files["web page (.html)"] = ("plan.html", build_html(text, folder / "plan.html").read_bytes())
        files["Word (.docx)"] = ("plan.docx", build_docx(text, folder / "plan.docx").read_bytes())
        one = build_docx(plans[0].read_text(encoding="utf-8"), folder / f"{plans[0].stem}.docx")
        pdf = convert_to_pdf([one], folder)[0]
        from importers.formats.pdf import pdf_pages

        pages = len(pdf_pages(pdf.read_bytes(), pdf.name))
        files[f"PDF ({pages} pages, {len(plans[0].read_text(encoding='utf-8')):,} characters)"] = (pdf.name, pdf.read_bytes())
        print(f"plan: {len(text):,} characters; {args.runs} runs each (median / max)")
        for label, (name, data) in files.items():
            read = timed(lambda: read_and_parse(data, name), args.runs)
            full = full_import(data, name, args.runs)
            print(f"  {label:<40} {len(data) / 1024:>7.0f} KB   read+parse {read[0]:.2f} / {read[1]:.2f} s"
                  f"   full import {full[0]:.2f} / {full[1]:.2f} s")
        compare_pdf_libraries(pdf)


if __name__ == "__main__":
    main()
