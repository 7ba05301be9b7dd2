"""The code tables ildpath reads FHIR with, as data files beside this module: one CSV per
table, whose first lines (``#`` comments) name the source, its version or retrieval date, and
how to refresh it (``docs/fhir.md``). Code reads them through ``table``; no code list is typed
into a module.

A table is a list of rows (dicts of column -> text), read once per process.
"""

import csv
from functools import cache
from importlib import resources

__all__ = ["provenance", "table"]


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    return text.splitlines()


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``<name>.csv`` (comment lines skipped; cells stripped)."""
    rows = csv.DictReader(line for line in _lines(name) if not line.startswith("#"))
    return tuple({k.strip(): (v or "").strip() for k, v in row.items()} for row in rows)


@cache
def provenance(name: str) -> tuple[str, ...]:
    """The comment lines at the top of ``<name>.csv``: source, date, how to refresh."""
    return tuple(line.lstrip("# ").rstrip() for line in _lines(name) if line.startswith("#"))
