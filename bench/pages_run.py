"""The page benchmark's part of the run (`bench.run`): a cohort of each size on a database of
its own (`bench.page_cohort`), the pages timed in a child process (`bench.pages`), the
targets judged and printed."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from .databases import Backend
from .page_cohort import page_cohort
from .pages import LABELS, MAX_KB, MAX_P95_MS, pages_in_child

__all__ = ["measure_pages_at", "page_targets", "pages_at", "print_pages"]

ISSUE_SIZE = 10_000
"""The issue's registry scale: the size the targets are judged at when it was measured."""


def measure_pages_at(
    backend: Backend, size: int, cohort_file: Path, today: date, requests: int
) -> dict[str, Any]:
    """The pages' figures on a cohort of ``size`` of their own, dropped after."""
    url, day, spread = page_cohort(backend, size, cohort_file, today)
    figures = pages_in_child(url, day, requests=requests)
    backend.drop(url)
    return {"size": size, "spread": spread, **figures}


def pages_at(chosen: tuple[int, ...], asked: tuple[int, ...]) -> tuple[int, ...]:
    """The sizes the pages are measured at on a database: those asked for, or else the
    database's sizes up to the issue's 10,000 (an unpaged page of 100,000 patients takes
    minutes to time), or its smallest."""
    if asked:
        return asked
    return tuple(s for s in chosen if s <= ISSUE_SIZE) or chosen[:1]


def page_targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Each page's p95 and size, on every database measured (SQLite first), at 10,000
    patients (the issue's scale) or else the largest cohort measured."""
    targets: list[dict[str, Any]] = []
    for backend, entry in sorted(run["backends"].items(), key=lambda b: b[0] != "sqlite"):
        by_size = {r["size"]: r for r in entry.get("pages", [])}
        if not by_size:
            continue
        n = ISSUE_SIZE if ISSUE_SIZE in by_size else max(by_size)
        for name, page in by_size[n]["pages"].items():
            where = f"{LABELS[name]}, {n} patients ({backend})"
            p95, kb = page["p95_ms"], page["kb"]
            for target, figure, unit, limit, ok in (
                ("server time p95", p95, "ms", f"<= {MAX_P95_MS:.0f} ms", p95 <= MAX_P95_MS),
                ("size", kb, "kB", f"<= {MAX_KB:.0f} kB", kb <= MAX_KB),
            ):
                targets.append(
                    {
                        "target": f"{target} of the {where}",
                        "figure": round(figure, 3),
                        "unit": unit,
                        "limit": limit,
                        "pass": ok,
                    }
                )
    return targets


def print_pages(name: str, pages: list[dict[str, Any]], log: Callable[[str], None]) -> None:
    """One line a page and size: median and p95 server time, size."""
    n = pages[0]["pages"]["board"]["n"]
    log(f"\n== {name}: dashboard pages (server time, {n} requests a page) ==")
    log(f"{'patients':>9} {'page':<28} {'median ms':>9} {'p95 ms':>8} {'kB':>8}")
    for r in pages:
        for page in r["pages"].values():
            log(
                f"{r['size']:>9} {page['path'][:28]:<28} {page['median_ms']:>9.1f} "
                f"{page['p95_ms']:>8.1f} {page['kb']:>8.1f}"
            )
