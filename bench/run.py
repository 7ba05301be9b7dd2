"""The benchmark run: a synthetic cohort of each size on each database, every measure taken in
the same run, the targets judged PASS or MISS, the figures written to ``bench/results``.

    python -m bench                      # 1k, 10k, 100k on SQLite (+ PostgreSQL if installed)
    python -m bench --sizes 1000 --no-postgres
    python -m bench --only pages --sizes 1000,10000   # the dashboard's pages alone
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings

from .audit_verify import raw_audit_read, verify_in_child
from .cohort import patient_lines
from .databases import Backend, postgres_server
from .ingest import bulk_ingest, count_rows, raw_executemany, usecase_ingest
from .pages_run import measure_pages_at, page_targets, pages_at, print_pages
from .reevaluation import daily_run_in_child, raw_read_loop, record_read_loop
from .transition import bare_trigger, transitions_in_child

__all__ = ["main"]

TODAY = date(2026, 11, 21)
STEADY_DAYS = 3
"""Days of the scheduler's job timed after the full re-evaluation (the median is reported)."""
"""The cohort's 'today' (a fixed day, so every run plans the same cohort)."""
RESULTS = Path(__file__).with_name("results")


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...]
    typed_patients: int
    transitions: int
    report_size: int
    reminders_open: int
    reminders_due: int
    page_sizes: tuple[int, ...] = ()
    page_requests: int = 20
    only: str | None = None


def _log(message: str) -> None:
    print(message, flush=True)


def _cohort_file(folder: Path, size: int) -> Path:
    path = folder / f"cohort-{size}.ndjson"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            for line in patient_lines(1, size, TODAY):
                out.write(line + "\n")
    return path


def _measure_size(backend: Backend, size: int, options: Options, folder: Path) -> dict[str, Any]:
    url = backend.new_database(f"cohort{size}")
    app = bootstrap(Settings(database_url=url), SimulatedClock(TODAY))
    result: dict[str, Any] = {"size": size}
    _log(f"[{backend.name} {size}] bulk import")
    result["bulk_ingest"] = bulk_ingest(app, _cohort_file(folder, size))
    raw_url = backend.new_database(f"raw{size}")
    bootstrap(Settings(database_url=raw_url), SimulatedClock(TODAY)).engine.dispose()
    _log(f"[{backend.name} {size}] raw executemany")
    result["raw_executemany"] = raw_executemany(url, raw_url, result["bulk_ingest"]["events"])
    backend.drop(raw_url)
    result["bulk_vs_raw"] = (
        result["bulk_ingest"]["events_per_s"] / result["raw_executemany"]["events_per_s"]
    )
    _log(f"[{backend.name} {size}] use cases ({options.typed_patients} patients typed in)")
    typed = range(size + 1, size + 1 + options.typed_patients)
    result["usecase_ingest"] = usecase_ingest(app, typed, TODAY, "TYPED")
    result["usecase_vs_raw"] = (
        result["usecase_ingest"]["events_per_s"] / result["raw_executemany"]["events_per_s"]
    )
    result["rows"] = count_rows(app)
    app.engine.dispose()
    day = TODAY + timedelta(days=1)
    _log(f"[{backend.name} {size}] raw read loop")
    result["raw_read"] = raw_read_loop(url)
    _log(f"[{backend.name} {size}] reading the records without judging")
    result["record_read"] = record_read_loop(url, day)
    result["record_read_vs_raw_read"] = (
        result["record_read"]["seconds"] / result["raw_read"]["seconds"]
    )
    _log(f"[{backend.name} {size}] full re-evaluation (everyone judged)")
    result["full_reevaluation"] = daily_run_in_child(url, day, everyone=True)
    result["full_reevaluation_vs_raw_read"] = (
        result["full_reevaluation"]["seconds"] / result["raw_read"]["seconds"]
    )
    days = [day + timedelta(days=n) for n in range(1, STEADY_DAYS + 1)]
    _log(f"[{backend.name} {size}] daily re-evaluation on the {STEADY_DAYS} days after")
    result["daily_runs"] = [daily_run_in_child(url, d) for d in days]
    result["reevaluation"] = _median_run(result["daily_runs"])
    result["reevaluation_vs_raw_read"] = (
        result["reevaluation"]["seconds"] / result["raw_read"]["seconds"]
    )
    _log(f"[{backend.name} {size}] audit verify, beside the bare read of the same rows")
    result["raw_audit_read"] = raw_audit_read(url)
    result["audit_verify"] = verify_in_child(url)
    result["audit_verify_vs_raw_read"] = (
        result["audit_verify"]["seconds"] / result["raw_audit_read"]["seconds"]
    )
    later = bootstrap(Settings(database_url=url), SimulatedClock(days[-1]), upgrade=False)
    if size == min(options.sizes):
        _log(f"[{backend.name} {size}] transitions")
        result["transition"] = transitions_in_child(url, days[-1], options.transitions)
        result["bare_transition"] = bare_trigger(later.definition.version)
        result["transition_vs_bare"] = (
            result["transition"]["median_ms"] / result["bare_transition"]["median_ms"]
        )
    if size == options.report_size:
        _log(f"[{backend.name} {size}] cohort report")
        from .cohort_report import measure_cohort_report

        result["cohort_report"] = measure_cohort_report(
            url, folder / f"report-{backend.name}", today=day, formats=("html", "csv", "json")
        )
    later.engine.dispose()
    backend.drop(url)
    return result


def _measure_pages(backend: Backend, size: int, options: Options, folder: Path) -> dict[str, Any]:
    """The dashboard's pages on a cohort of ``size`` of their own (`bench.pages`)."""
    _log(f"[{backend.name} {size}] dashboard pages ({options.page_requests} requests each)")
    cohort = _cohort_file(folder, size)
    return measure_pages_at(backend, size, cohort, TODAY, options.page_requests)


def _measure_backend(
    backend: Backend,
    chosen: tuple[int, ...],
    options: Options,
    folder: Path,
    run: dict[str, Any],
    partial: Path,
) -> dict[str, Any]:
    """Every measure but the pages' on one database, each size, then the scheduler."""
    results = []
    for size in chosen:
        results.append(_measure_size(backend, size, options, folder))
        run["backends"][backend.name] = {"sizes": results}
        partial.write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    entry: dict[str, Any] = {
        "sizes": results,
        "growth": {key: _growth(results, key) for key in ("reevaluation", "full_reevaluation")},
    }
    open_tasks, due = options.reminders_open, options.reminders_due
    _log(f"[{backend.name}] scheduler: {open_tasks} open tasks, {due} due")
    from .scheduler_scale import measure_scheduler

    ours, theirs = backend.new_database("sched"), backend.new_database("apsched")
    entry["scheduler"] = measure_scheduler(
        ours,
        theirs,
        open_tasks=open_tasks,
        due=due,
        patients=max(1, open_tasks // 10),
        today=TODAY,
    )
    backend.drop(ours)
    backend.drop(theirs)
    return entry


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The daily run of median time (with its own counts and memory)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _growth(sizes: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Processor seconds per patient of the cohort at each size, and each size's against the
    smallest (1.0 = linear). Processor time, of every process: the run judges a large cohort
    in several processes, so its wall time per patient falls with size whatever its growth."""
    per = {r["size"]: r[key]["processor_seconds"] / r["size"] for r in sizes}
    base = per[min(per)]
    return {
        "processor_ms_per_patient": {str(s): v * 1000 for s, v in per.items()},
        "vs_smallest": {str(s): v / base for s, v in per.items()},
    }


def _targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its figure; judged on SQLite, the default database (the pages on
    each database: `bench.pages_run.page_targets`)."""
    sqlite = run["backends"].get("sqlite")
    if not sqlite or "sizes" not in sqlite:
        return page_targets(run)
    by_size = {r["size"]: r for r in sqlite["sizes"]}
    largest = by_size[max(by_size)]
    targets: list[dict[str, Any]] = []

    def judge(name: str, figure: float, unit: str, limit: str, ok: bool) -> None:
        targets.append(
            {"target": name, "figure": round(figure, 3), "unit": unit, "limit": limit, "pass": ok}
        )

    n = largest["size"]
    for key, name in (
        ("reevaluation", "daily re-evaluation (quiet patients carried)"),
        ("full_reevaluation", "full re-evaluation (everyone judged)"),
    ):
        reeval = largest[key]
        seconds = reeval["seconds"]
        judge(f"{name} of {n} patients", seconds, "s", "<= 60 s", seconds <= 60)
        ratio = largest[f"{key}_vs_raw_read"]
        judge(f"{name} vs raw read loop ({n})", ratio, "x", "<= 3x", ratio <= 3)
        peak = reeval["peak_rss_mib"]
        judge(f"peak memory of {name} ({n})", peak, "MiB", "< 1024 MiB", peak < 1024)
        growth = max(sqlite["growth"][key]["vs_smallest"].values())
        judge(
            f"growth of {name}: processor time per patient (any size / smallest)",
            growth,
            "x",
            "<= 1.5x (linear)",
            growth <= 1.5,
        )
    if "audit_verify" in largest:
        verify = largest["audit_verify_vs_raw_read"]
        judge(
            f"audit verify vs bare read of the same rows ({n})", verify, "x", "<= 5x", verify <= 5
        )
        found = largest["audit_verify"]["findings"]
        judge(f"audit verify of the untouched database ({n})", found, "findings", "0", found == 0)
    bulk = largest["bulk_vs_raw"]
    judge(f"bulk ingest vs raw executemany ({n})", bulk, "x", ">= 0.333x", bulk >= 1 / 3)
    smallest = by_size[min(by_size)]
    median = smallest["transition"]["median_ms"]
    judge("median transition through the use case", median, "ms", "< 2 ms", median < 2)
    sched = sqlite.get("scheduler")
    if sched:
        ours = sched["ildpath"]["dispatch_s"]
        alternative = sched["apscheduler_one_job_per_task"]["dispatch_s"]
        judge(f"{sched['due']} due reminders dispatched", ours, "s", "<= 10 s", ours <= 10)
        judge(
            "dispatch vs one APScheduler job per task",
            ours / alternative,
            "x",
            "< 1x (faster)",
            ours < alternative,
        )
    report = next((r["cohort_report"] for r in sqlite["sizes"] if "cohort_report" in r), None)
    if report:
        html = report["formats"]["html"]
        seconds = html["seconds"]
        judge(
            f"cohort report (HTML) for {html.get('patients', '?')} patients",
            seconds,
            "s",
            "<= 30 s",
            seconds <= 30,
        )
    return targets + page_targets(run)


def _machine() -> dict[str, Any]:
    return {
        "date": date.today().isoformat(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "sqlite": sqlite3.sqlite_version,
    }


def _print_summary(run: dict[str, Any]) -> None:
    for name, backend in run["backends"].items():
        if backend.get("pages"):
            print_pages(name, backend["pages"], _log)
        if "sizes" not in backend:
            continue
        _log(f"\n== {name} ==")
        _log(
            f"{'patients':>9} {'events':>9} {'bulk ev/s':>10} {'raw ev/s':>10} {'bulk/raw':>8} "
            f"{'typed ev/s':>10} {'raw read s':>10} {'records s':>9} {'ratio':>6} "
            f"{'full s':>7} {'cpu s':>6} {'ratio':>6} {'daily s':>7} {'ratio':>6} {'judged':>7} "
            f"{'peak MiB':>8}"
        )
        for r in backend["sizes"]:
            peak = max(r["reevaluation"]["peak_rss_mib"], r["full_reevaluation"]["peak_rss_mib"])
            _log(
                f"{r['size']:>9} {r['bulk_ingest']['events']:>9} "
                f"{r['bulk_ingest']['events_per_s']:>10.0f} "
                f"{r['raw_executemany']['events_per_s']:>10.0f} "
                f"{r['bulk_vs_raw']:>8.2f} {r['usecase_ingest']['events_per_s']:>10.1f} "
                f"{r['raw_read']['seconds']:>10.2f} {r['record_read']['seconds']:>9.2f} "
                f"{r['record_read_vs_raw_read']:>6.2f} "
                f"{r['full_reevaluation']['seconds']:>7.2f} "
                f"{r['full_reevaluation'].get('processor_seconds', 0):>6.1f} "
                f"{r['full_reevaluation_vs_raw_read']:>6.2f} "
                f"{r['reevaluation']['seconds']:>7.2f} {r['reevaluation_vs_raw_read']:>6.2f} "
                f"{r['reevaluation']['judged']:>7} "
                f"{peak:>8.0f}"
            )
    _log("\n== targets (SQLite; the pages on each database) ==")
    for t in run["targets"]:
        _log(
            f"{'PASS' if t['pass'] else 'MISS'}  {t['target']}: "
            f"{t['figure']} {t['unit']} (target {t['limit']})"
        )


def _page_sizes(given: str | None, sizes: tuple[int, ...], only: str | None) -> tuple[int, ...]:
    """The sizes given; else, run alone, every size; else none (`pages_at` chooses)."""
    if given:
        return tuple(sorted(int(s) for s in given.split(",")))
    return sizes if only == "pages" else ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="cohort sizes, comma-separated"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ILDPATH_BENCH_POSTGRES_URL"),
        help="server URL (default: a throwaway server if PostgreSQL is installed)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--postgres-sizes", default=None, help="cohort sizes on PostgreSQL (default: --sizes)"
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for databases (default: a temporary folder)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON results go")
    parser.add_argument("--typed-patients", type=int, default=20)
    parser.add_argument("--transitions", type=int, default=500)
    parser.add_argument("--reminders", default="100000,10000", help="open tasks, due reminders")
    parser.add_argument(
        "--only", choices=("pages",), default=None, help="run one benchmark alone (pages)"
    )
    parser.add_argument(
        "--page-sizes",
        default=None,
        help="cohort sizes of the page benchmark (default: the sizes up to 10000; "
        "with --only pages: every size)",
    )
    parser.add_argument("--page-requests", type=int, default=20, help="timed requests a page")
    args = parser.parse_args(argv)
    sizes = tuple(sorted(int(s) for s in args.sizes.split(",")))
    open_tasks, due = (int(v) for v in args.reminders.split(","))
    options = Options(
        sizes,
        args.typed_patients,
        args.transitions,
        10_000 if 10_000 in sizes else max(sizes),
        open_tasks,
        due,
        _page_sizes(args.page_sizes, sizes, args.only),
        args.page_requests,
        args.only,
    )
    folder = args.work or Path(tempfile.mkdtemp(prefix="ildpath-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    run: dict[str, Any] = {"machine": _machine(), "cohort_today": TODAY.isoformat(), "backends": {}}
    try:
        with postgres_server(None if args.no_postgres else args.postgres) as server:
            backends = [Backend("sqlite", folder)]
            if server and not args.no_postgres:
                backends.append(Backend("postgresql", folder, server))
            else:
                _log(
                    "PostgreSQL: not measured "
                    "(no server given and none installed, or --no-postgres)"
                )
            pg_sizes = (
                tuple(sorted(int(s) for s in args.postgres_sizes.split(",")))
                if args.postgres_sizes
                else sizes
            )
            args.out.mkdir(parents=True, exist_ok=True)
            partial = args.out / "partial.json"
            for backend in backends:
                chosen = sizes if backend.name == "sqlite" else pg_sizes
                entry = (
                    {}
                    if options.only == "pages"
                    else _measure_backend(backend, chosen, options, folder, run, partial)
                )
                pages = entry["pages"] = []
                for size in pages_at(chosen, options.page_sizes):
                    pages.append(_measure_pages(backend, size, options, folder))
                    run["backends"][backend.name] = entry
                    partial.write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
                run["backends"][backend.name] = entry
    finally:
        if args.work is None:
            shutil.rmtree(folder, ignore_errors=True)
    run["targets"] = _targets(run)
    (args.out / "partial.json").unlink(missing_ok=True)
    label = "-".join(
        [*(["pages"] if options.only else []), *sorted(run["backends"]), *(str(s) for s in sizes)]
    )
    path = args.out / f"{run['machine']['date']}-{label}.json"
    path.write_text(json.dumps(run, indent=2, default=str) + "\n", encoding="utf-8")
    _print_summary(run)
    _log(f"\nresults: {path}")
    return 0 if all(t["pass"] for t in run["targets"]) else 1
