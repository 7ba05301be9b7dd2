"""Refresh the RxNorm table (``terminology/rxnorm.csv``) from an RxNorm release, the way
docs/fhir.md describes it, so that a maintainer with NLM's files checks every row and adds the
missing clinical drugs in one run instead of by hand.

    python -m ildpath.fhir.rxnorm_refresh RELEASE_FOLDER            # report only
    python -m ildpath.fhir.rxnorm_refresh RELEASE_FOLDER --write    # and rewrite the table

Each row of the table is compared with the release: the same code, term type and name is
*confirmed* (a "ONE SOURCE" row is then confirmed by NLM itself); a row whose name was written
by RxNorm's convention takes NLM's name when that name reads as the same agent, strength and
form; a row whose agent alone was proven (no name yet: "name not confirmed") is *completed*
with NLM's term type, name, strength and form when NLM's name reads as its agent; any other
difference is a *conflict*, reported and left for a person. A code the release
no longer carries (retired or suppressed) is reported and **kept**: a two-year-old order in an
EHR still carries the code of its day. Every current ingredient and clinical drug of the release
whose name reads as a catalogue agent (``rxnorm.parse_name``: the agent, strength and form come
from NLM's own normal form) is added. Nothing is guessed: a name the reader cannot read (human
immunoglobulin G without a brand licensed for the vein alone, a combination that is not one
agent) is not added.
"""

import argparse
import csv
import io
import re
import sys
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

from pathway.catalogue import AGENT_CLASS
from pathway.errors import InvalidValue

from .rxnorm import agent_of_ingredient, parse_name
from .rxnorm_release import CLINICAL_DRUGS, INGREDIENTS, ReleaseConcept, read_release, term_types

__all__ = ["Refresh", "TableRow", "main", "read_table", "refresh", "write_table"]

ONE_SOURCE = "ONE SOURCE: "
BY_CONVENTION = "name by convention"
NOT_CONFIRMED = "name not confirmed"


@dataclass(frozen=True)
class TableRow:
    """One row of ``rxnorm.csv`` as text, in the file's column order."""

    rxcui: str
    tty: str
    name: str
    agent: str
    strength: str
    unit: str
    dose_form: str
    source: str

    def cells(self) -> tuple[str, ...]:
        return astuple(self)

    @property
    def term_types(self) -> frozenset[str]:
        """The term types the code can be (several, joined by ``|``, until confirmed)."""
        return term_types(self.tty)


COLUMNS = tuple(f.name for f in fields(TableRow))


@dataclass
class Refresh:
    """What a release says of the table: each list holds the rows as they end up."""

    confirmed: list[TableRow] = field(default_factory=list)
    renamed: list[tuple[TableRow, str]] = field(default_factory=list)
    completed: list[TableRow] = field(default_factory=list)
    conflicts: list[tuple[TableRow, str]] = field(default_factory=list)
    not_in_release: list[TableRow] = field(default_factory=list)
    added: list[TableRow] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)

    def agents_without_clinical_drug(self) -> list[str]:
        covered = {r.agent for r in self.rows if r.term_types <= CLINICAL_DRUGS}
        return sorted(set(AGENT_CLASS) - covered)

    def not_confirmed(self) -> list[TableRow]:
        """Rows whose agent alone is proven: no name, strength or form yet."""
        return [r for r in self.rows if not r.name]


def default_table() -> Path:
    """The table shipped with ildpath (in a checkout: ``ildpath/fhir/terminology``)."""
    return Path(str(resources.files("ildpath.fhir.terminology").joinpath("rxnorm.csv")))


def read_table(path: Path) -> tuple[list[str], list[TableRow]]:
    """The comment lines at the top (kept as they are) and the rows."""
    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InvalidValue("TABLE columns", reader.fieldnames, ", ".join(COLUMNS))
    return header, [TableRow(**{c: (row[c] or "").strip() for c in COLUMNS}) for row in reader]


def write_table(path: Path, header: Sequence[str], rows: Sequence[TableRow]) -> None:
    out = io.StringIO()
    out.writelines(f"{line}\n" for line in header)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _confirmed_source(source: str, label: str) -> str:
    """The source once the release confirms the row: no longer one source; the release named
    once (a re-run with the same release leaves the row as it is)."""
    source = source.removeprefix(ONE_SOURCE)
    if re.search(rf"RxNorm {re.escape(label)}(?![\w.-])", source):
        return source
    return f"{source}; confirmed in RxNorm {label}"


def _reads_alike(row: TableRow, name: str) -> bool:
    """NLM's name reads as the row does (agent, strength, form): only then may it replace a
    name written by convention."""
    if row.tty in INGREDIENTS:
        return agent_of_ingredient(name) == row.agent
    drug = parse_name(name)
    strength = float(row.strength) if row.strength else None
    return drug is not None and (drug.agent, drug.strength_mg, drug.dose_form) == (
        row.agent,
        strength,
        row.dose_form,
    )


def _checked(row: TableRow, found: ReleaseConcept | None, label: str, result: Refresh) -> TableRow:
    """The row as the release leaves it, listed under what the release says of it."""
    if found is None or not found.current:
        result.not_in_release.append(row)
        return row
    if found.tty not in row.term_types:
        result.conflicts.append((row, f"the release says {found.tty} {found.name!r}"))
        return row
    if not row.name:
        return _completed(row, found, label, result)
    if found.name.lower() == row.name.lower():
        kept = replace(row, source=_confirmed_source(row.source, label))
        result.confirmed.append(kept)
        return kept
    if BY_CONVENTION in row.source and _reads_alike(row, found.name):
        source = row.source.replace(BY_CONVENTION, f"name from RxNorm {label}")
        renamed = replace(row, name=found.name, source=_confirmed_source(source, label))
        result.renamed.append((renamed, row.name))
        return renamed
    result.conflicts.append((row, f"the release names it {found.name!r}"))
    return row


def _completed(row: TableRow, found: ReleaseConcept, label: str, result: Refresh) -> TableRow:
    """A row that had only its agent proven takes NLM's term type, name, strength and form,
    provided NLM's name reads as that agent (and as the strength or form the row gives)."""
    drug = parse_name(found.name)
    strength_given = float(row.strength) if row.strength else None
    if (
        drug is None
        or drug.agent != row.agent
        or (strength_given is not None and drug.strength_mg != strength_given)
        or (row.dose_form and drug.dose_form != row.dose_form)
    ):
        result.conflicts.append((row, f"the release names it {found.name!r}"))
        return row
    strength = "" if drug.strength_mg is None else f"{drug.strength_mg:g}"
    source = row.source.replace(NOT_CONFIRMED, f"name from RxNorm {label}")
    completed = TableRow(
        row.rxcui,
        found.tty,
        found.name,
        row.agent,
        strength,
        "mg" if strength else "",
        drug.dose_form,
        _confirmed_source(source, label),
    )
    result.completed.append(completed)
    return completed


def _new_row(concept: ReleaseConcept, label: str) -> TableRow | None:
    source = f"RxNorm {label} (RXNCONSO.RRF SAB=RXNORM)"
    if concept.tty in INGREDIENTS:
        agent = agent_of_ingredient(concept.name)
        if agent is None:
            return None
        source = f"{source}; agent read from its name"
        return TableRow(concept.rxcui, concept.tty, concept.name, agent, "", "", "", source)
    drug = parse_name(concept.name)
    if drug is None:
        return None
    strength = "" if drug.strength_mg is None else f"{drug.strength_mg:g}"
    return TableRow(
        concept.rxcui,
        concept.tty,
        concept.name,
        drug.agent,
        strength,
        "mg" if strength else "",
        drug.dose_form,
        f"{source}; agent, strength and form read from its name",
    )


def refresh(rows: Sequence[TableRow], release: dict[str, ReleaseConcept], label: str) -> Refresh:
    """Check every row against the release and add the release's current concepts that read
    as a catalogue agent (appended by agent, term type and code, so a re-run adds nothing)."""
    result = Refresh()
    result.rows = [_checked(row, release.get(row.rxcui), label, result) for row in rows]
    known = {row.rxcui for row in rows}
    for concept in release.values():
        if concept.rxcui in known or not concept.current:
            continue
        new = _new_row(concept, label)
        if new is not None:
            result.added.append(new)
    result.added.sort(key=lambda r: (r.agent, r.tty, int(r.rxcui) if r.rxcui.isdigit() else 0))
    result.rows.extend(result.added)
    return result


def _print(result: Refresh) -> None:
    write = sys.stdout.write
    write(f"confirmed (same code, term type and name): {len(result.confirmed)}\n")
    for row, old in result.renamed:
        write(f"renamed: {row.rxcui} {old!r} -> {row.name!r} (NLM's name)\n")
    for row in result.completed:
        write(f"completed: {row.rxcui} {row.tty} {row.name!r} -> {row.agent} (NLM's name)\n")
    for row, why in result.conflicts:
        write(f"CONFLICT: {row.rxcui} {row.tty} {row.name!r} ({row.agent}): {why}; left as is\n")
    for row in result.not_in_release:
        write(
            f"not in this release (retired or suppressed; kept for older records): "
            f"{row.rxcui} {row.tty} {row.name!r}\n"
        )
    for row in result.added:
        write(f"added: {row.rxcui} {row.tty} {row.name!r} -> {row.agent}\n")
    unconfirmed = [f"{r.rxcui} ({r.agent})" for r in result.not_confirmed()]
    write(
        "codes whose name and strength are not confirmed: "
        + (", ".join(unconfirmed) if unconfirmed else "none")
        + "\n"
    )
    missing = result.agents_without_clinical_drug()
    write(
        "agents without a clinical-drug code: " + (", ".join(missing) if missing else "none") + "\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ildpath.fhir.rxnorm_refresh",
        description="Check ildpath's RxNorm table against an RxNorm release (RXNCONSO.RRF) "
        "and add the clinical drugs of the catalogue's agents; --write rewrites the table.",
    )
    parser.add_argument("release", type=Path, help="the unpacked release folder")
    parser.add_argument("--table", type=Path, default=None, help="default: ildpath's table")
    parser.add_argument(
        "--label",
        default=None,
        help="how rows name the release (default: the folder's name, e.g. RxNorm_full_12012026)",
    )
    parser.add_argument("--write", action="store_true", help="rewrite the table")
    args = parser.parse_args(argv)
    table_path = args.table or default_table()
    try:
        header, rows = read_table(table_path)
        release = read_release(args.release)
    except (InvalidValue, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    label = args.label or args.release.resolve().name
    result = refresh(rows, release, label)
    _print(result)
    if args.write:
        write_table(table_path, header, result.rows)
        sys.stdout.write(
            f"wrote {table_path.name}: {len(result.rows)} rows; update the retrieval date in "
            "its header and run tests/unit/fhir/test_fhir_medications_rxnorm.py\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
