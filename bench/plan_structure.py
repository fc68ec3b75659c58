"""How well the parser reads real plans: each plan in ../shared/plans against its truth file, as found and
re-shaped (wrapped like a PDF's text layer, half-width punctuation, extra spaces in headings), with parse times.

    python bench/plan_structure.py [--plans DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.plan_text import parse_plan  # noqa: E402
from tests.test_plan_structure import _ascii_punctuation, _extra_spaces, _shape, _wrap_like_pdf  # noqa: E402

SHAPES = {"as found": lambda text: text, "PDF-wrapped": _wrap_like_pdf, "ASCII punctuation": _ascii_punctuation, "extra spaces": _extra_spaces}


def _squash(labels: list[str]) -> list[str]:
    return [re.sub(r"[\s,，()（）:：]", "", x) for x in labels]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "plans")
    args = parser.parse_args()
    print("| plan | shape | characters | chapters exact / extra / missing | sections per chapter | parts | boxes | parse ms (median of 5) |")
    print("|---|---|---|---|---|---|---|---|")
    for truth_path in sorted(args.plans.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        text = truth_path.with_name(truth_path.name.replace(".truth.json", ".txt")).read_text(encoding="utf-8")
        want = _squash(truth["chapters"])
        for label, shape in SHAPES.items():
            shaped = shape(text)
            times = []
            for _ in range(5):
                start = time.perf_counter()
                plan = parse_plan(shaped)
                times.append(time.perf_counter() - start)
            got = _shape(plan)
            chapters = _squash(got["chapters"])
            exact = sum(1 for c in chapters if c in want)
            print(
                f"| {truth_path.name.split('.')[0]} | {label} | {len(shaped):,} | {exact} / {len(chapters) - exact} / "
                f"{sum(1 for w in want if w not in chapters)} | "
                f"{'all equal' if got['sections_per_chapter'] == truth['sections_per_chapter'] else 'differ'} | "
                f"{len(got['parts'])}/{len(truth['parts'])} | {got['boxes']}/{truth['boxes']} | "
                f"{statistics.median(times) * 1000:.0f} |"
            )


if __name__ == "__main__":
    main()
