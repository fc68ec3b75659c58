"""The district-scale dataset (issue 14) in a real SQLite file: 6 plans (the bundled seed plan and five copies of
its text under other names), 2,000 indicators on the seed plan with 20 recorded values each (the five plan years
entered as 初步核算, 快报, 年报 and 最终核实: four recordings a year, the last one kept), 5,000 projects with 3
milestones each. Reproducible: the same seed gives the same file contents (ids, names, values; only the
timestamps of the change log differ).

    python bench/scale_dataset.py OUT.sqlite3 [--seed 14]

or from Python: `from bench.scale_dataset import build_scale_dataset; build_scale_dataset(path)`.

The plans and the indicators go through guihua's own import functions (importers.plan, db.indicators
.load_catalogue), as an office would load them. The yearly values, projects and milestones are written with
bulk ORM inserts of the same models in one transaction, together with the change-log rows the one-by-one
functions would have written: those functions commit every value (40,000 + 20,000 commits would take minutes
with synchronous=FULL), and what the benchmarks read is the same rows.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert
from sqlmodel import select

from core.schedule import MILESTONE_STATUSES, PROJECT_STAGES
from db.audit import now
from db.engine import open_database
from db.indicators import STAGES, CatalogueEntry, load_catalogue
from db.models import ChangeLog, Indicator, IndicatorYear, Milestone, Project
from db.plan_store import plan_period, remember_plan_choice
from db.units import list_units
from importers.plan import bundled_plan_bytes, ensure_bundled_plan, import_plan_text

PLANS = 6
INDICATORS = 2_000
VALUES_PER_INDICATOR = 20  # the plan's five years × four data stages (STAGES)
PROJECTS = 5_000
MILESTONES_PER_PROJECT = 3
USER = "bench"
CATEGORIES = ("经济发展", "创新驱动", "民生福祉", "绿色生态", "安全保障", "城乡融合")
UNITS_OF_MEASURE = ("亿元", "%", "万人", "个", "万吨标准煤", "公里", "平方米")
WORDS = ("数字经济", "先进制造", "生态修复", "乡村振兴", "智慧交通", "高端装备", "医疗卫生", "教育", "绿色低碳",
         "城市更新", "产业园", "水利", "文化旅游", "新能源", "物流枢纽", "养老服务")
MILESTONE_TITLES = ("完成立项", "开工建设", "竣工验收")


@dataclass(frozen=True)
class ScaleDataset:
    path: Path
    plan_id: int  # the plan holding the indicators and projects (the CLI's default plan)
    plans: int
    indicators: int
    yearly_values: int
    projects: int
    milestones: int
    seconds: float


def _next_id(session, model) -> int:
    return (session.exec(select(func.max(model.id))).one() or 0) + 1


def build_scale_dataset(path: str | Path, *, seed: int = 14, indicators: int = INDICATORS,
                        projects: int = PROJECTS) -> ScaleDataset:
    """Write the dataset to a new SQLite file at `path` (refused when the file exists)."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; the dataset is written to a new file")
    started = time.perf_counter()
    rng = random.Random(seed)
    database = open_database(path)
    try:
        plan_id = ensure_bundled_plan(database).plan_id  # the seed plan, its 28 indicators, units, proposals
        text = bundled_plan_bytes()
        for copy in range(1, PLANS):
            import_plan_text(database, text, source_name=f"copy{copy}.txt", name=f"规划副本{copy}")
        with database.session() as session:
            period = plan_period(session, plan_id)
            units = [unit.name for unit in list_units(session)]
            seeded = session.exec(select(func.count()).select_from(Indicator)
                                  .where(Indicator.plan_id == plan_id)).one()
            load_catalogue(session, plan_id, _catalogue(rng, indicators - seeded, units), origin="import", user=USER)
            years = list(range(period.first_year, period.target_year + 1))
            values = _yearly_values(session, rng, plan_id, years)
            project_count, milestone_count = _projects(session, rng, plan_id, projects, units, years)
            session.commit()
            remember_plan_choice(session, plan_id)  # the seed plan is what the CLI opens by default
        return ScaleDataset(path, plan_id, PLANS, indicators, values, project_count, milestone_count,
                            time.perf_counter() - started)
    finally:
        database.dispose()


def _catalogue(rng: random.Random, count: int, units: list[str]) -> list[CatalogueEntry]:
    entries = []
    for number in range(1, count + 1):
        base = Decimal(rng.randrange(100, 100_000)) / 10
        entries.append(CatalogueEntry(
            category=rng.choice(CATEGORIES), name=f"{rng.choice(WORDS)}指标{number:04d}",
            unit=rng.choice(UNITS_OF_MEASURE), target_text=str((base * Decimal("1.4")).quantize(Decimal("0.1"))),
            growth_text=f"{rng.randrange(3, 12)}%左右" if number % 3 else "", attribute=rng.choice(("预期性", "约束性")),
            base=base, lead_unit=rng.choice(units), partner_units="、".join(rng.sample(units, rng.randrange(0, 3))),
        ))
    return entries


def _yearly_values(session, rng: random.Random, plan_id: int, years: list[int]) -> int:
    """Each indicator's five plan years, each entered four times (one per data stage); the last stage stays."""
    rows = session.exec(select(Indicator.id, IndicatorYear.actual)
                        .join(IndicatorYear, (IndicatorYear.indicator_id == Indicator.id)
                              & (IndicatorYear.year == Indicator.base_year), isouter=True)
                        .where(Indicator.plan_id == plan_id).order_by(Indicator.id)).all()
    year_id, change_id = _next_id(session, IndicatorYear), _next_id(session, ChangeLog)
    stamp = now() - timedelta(days=400)
    year_rows, changes = [], []
    for indicator_id, base_text in rows:
        level = Decimal(base_text) if base_text else Decimal(rng.randrange(100, 10_000))
        for year in years:
            level = (level * Decimal(rng.uniform(1.0, 1.12))).quantize(Decimal("0.01"))
            old = None
            for stage_number, stage in enumerate(STAGES):
                value = (level * Decimal(1 + (stage_number - 3) * 0.004)).quantize(Decimal("0.01"))
                changes.append(dict(id=change_id, changed_at=stamp, user_name=USER, origin="cli",
                                    entity="indicator_year", entity_id=year_id, indicator_id=indicator_id, year=year,
                                    field="actual", old_value=old, new_value=str(value)))
                change_id += 1
                old = str(value)
            year_rows.append(dict(id=year_id, indicator_id=indicator_id, year=year, actual=old, stage=STAGES[-1],
                                  source="统计年鉴", updated_at=stamp, updated_by=USER, version_id=len(STAGES)))
            year_id += 1
    session.execute(insert(IndicatorYear), year_rows)
    session.execute(insert(ChangeLog), changes)
    return len(changes)


def _projects(session, rng: random.Random, plan_id: int, count: int, units: list[str],
              years: list[int]) -> tuple[int, int]:
    project_id, milestone_id = _next_id(session, Project), _next_id(session, Milestone)
    change_id = _next_id(session, ChangeLog)
    stamp = now() - timedelta(days=300)
    projects, milestones, changes = [], [], []
    for number in range(1, count + 1):
        start = rng.choice(years[:-1])
        finish = rng.choice([y for y in years if y > start])
        total = rng.randrange(500, 500_000)
        title = f"{rng.choice(WORDS)}{rng.choice(('建设', '改造', '提升', '示范'))}项目{number:05d}"
        projects.append(dict(id=project_id, plan_id=plan_id, title=title, action=rng.choice(("新建", "改扩建", "建成")),
                             category=rng.choice(CATEGORIES), lead_unit=rng.choice(units),
                             partner_units="、".join(rng.sample(units, rng.randrange(0, 3))),
                             planned_start=str(start), planned_finish=str(finish), stage=rng.choice(PROJECT_STAGES),
                             total_investment=str(total), completed_investment=str(rng.randrange(0, total)),
                             investment_unit="万元", version_id=1))
        changes.append(dict(id=change_id, changed_at=stamp, user_name=USER, origin="import", entity="project",
                            entity_id=project_id, project_id=project_id, field="title", old_value=None,
                            new_value=title))
        change_id += 1
        for ordinal, milestone_title in enumerate(MILESTONE_TITLES, start=1):
            due_year = min(start + ordinal - 1, finish)
            due = rng.choice((str(due_year), f"{due_year}-{rng.randrange(1, 13):02d}", f"{due_year}Q{rng.randrange(1, 5)}"))
            status = rng.choice(MILESTONE_STATUSES[:4])
            done = date(due_year, rng.randrange(1, 13), rng.randrange(1, 29)) if status == "已完成" else None
            milestones.append(dict(id=milestone_id, project_id=project_id, ordinal=ordinal, title=milestone_title,
                                   due=due, status=status, done_date=done, version_id=1))
            changes.append(dict(id=change_id, changed_at=stamp, user_name=USER, origin="import", entity="milestone",
                                entity_id=milestone_id, project_id=project_id, field="title", old_value=None,
                                new_value=milestone_title))
            milestone_id += 1
            change_id += 1
        project_id += 1
    session.execute(insert(Project), projects)
    session.execute(insert(Milestone), milestones)
    session.execute(insert(ChangeLog), changes)
    return len(projects), len(milestones)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="the new SQLite file")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    made = build_scale_dataset(args.output, seed=args.seed)
    print(f"{made.path}: {made.plans} plans; plan {made.plan_id}: {made.indicators} indicators, "
          f"{made.yearly_values} recorded values, {made.projects} projects, {made.milestones} milestones "
          f"({made.seconds:.1f} s)")


if __name__ == "__main__":
    main()
