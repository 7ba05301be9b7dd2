"""Every CLI listing, run as a user runs it, leaves one access-log entry naming the person at
the terminal and exactly the patients it printed; `ildpath audit views` shows them beside
the single views, for auditors and admins only."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from .audited_clinic import patients_with_a_pft
from .cli import Terminal

PATIENTS = ["PT-1", "PT-2"]


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Terminal]:
    terminal = Terminal(tmp_path)
    terminal.ok("init")
    patients_with_a_pft(f"sqlite:///{tmp_path}/clinic.db", *PATIENTS)
    yield terminal


def _entries(shell: Terminal) -> list[tuple[str, str, str, str, list[str]]]:
    """(actor, role, via, what, patients) of each entry, in order."""
    engine = create_engine(f"sqlite:///{shell.folder}/clinic.db")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, actor, role, via, what FROM listing_view ORDER BY seq")
            ).all()
            return [
                (
                    actor,
                    role,
                    via,
                    what,
                    list(
                        connection.execute(
                            text(
                                "SELECT p.external_id FROM listing_view_patient s JOIN patient p "
                                "ON p.id = s.patient_id WHERE s.listing_id = :i "
                                "ORDER BY p.external_id"
                            ),
                            {"i": row_id},
                        ).scalars()
                    ),
                )
                for row_id, actor, role, via, what in rows
            ]
    finally:
        engine.dispose()


def _one_more(shell: Terminal, *args: str, role: str | None = None) -> tuple[str, list[str]]:
    before = len(_entries(shell))
    shell.ok(*args, role=role)
    entries = _entries(shell)
    assert len(entries) == before + 1, entries[before:]
    actor, _, via, what, names = entries[-1]
    assert (actor, via) == ("coord-anna", "cli")
    return what, names


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("cohort",), "cohort"),
        (("tasks", "--to", "2099-12-31"), "tasks"),
        (("alert", "list", "--status", "all"), "alerts"),
        (("report", "cohort", "--from", "2026-01-01", "--format", "csv"), "cohort report (csv)"),
    ],
)
def test_each_cli_listing_is_one_entry_naming_its_patients(
    shell: Terminal, args: tuple[str, ...], what: str
) -> None:
    logged, names = _one_more(shell, *args)
    assert logged == what
    if what != "alerts":  # a PFT of 70 % raises no alert for everyone
        assert names == PATIENTS


def test_a_page_of_the_cohort_logs_only_that_pages_patient(shell: Terminal) -> None:
    _, names = _one_more(shell, "cohort", "--sort", "patient", "--limit", "1", "--page", "2")
    assert names == ["PT-2"]


def test_the_tasks_calendar_file_and_the_cohort_export_are_logged(shell: Terminal) -> None:
    what, names = _one_more(shell, "tasks", "ical", "--out", "tasks.ics")
    written = (shell.folder / "tasks.ics").read_text(encoding="utf-8")
    assert what == "tasks calendar" and names == [p for p in PATIENTS if p in written]

    what, names = _one_more(shell, "fhir", "export", "--cohort", "--out", "all.json")
    assert what == "fhir export (cohort)" and names == PATIENTS


def test_the_reminders_list_is_logged_even_when_empty(shell: Terminal) -> None:
    what, names = _one_more(shell, "reminders", "list")
    assert what == "reminders" and names == []


def test_audit_views_shows_single_views_and_listings_together(shell: Terminal) -> None:
    shell.ok("patient", "show", "PT-1")
    shell.ok("cohort")
    shell.ok("report", "cohort", "--from", "2026-01-01", "--format", "json", "--out", "r.json")

    seen = shell.json("audit", "views", "PT-1", role="auditor")

    assert [(a["kind"], a["what"]) for a in seen] == [
        ("record", "patient record"),
        ("listing", "cohort"),
        ("listing", "cohort report (json)"),
    ]
    assert {a["actor"] for a in seen} == {"coord-anna"}
    assert seen[1]["patients"] == 2
    printed = shell.ok("audit", "views", "PT-1", role="admin")
    assert "cohort report (json)" in printed and "with 1 other " in printed
    assert "4 accesses to PT-1." in printed  # the three above, and the auditor's own reading


def test_audit_views_is_refused_to_a_coordinator_and_writes_nothing(shell: Terminal) -> None:
    before = len(_entries(shell))
    refused = shell.run("audit", "views", "PT-1")
    assert refused.returncode != 0
    assert "see who saw" in refused.stdout + refused.stderr
    assert len(_entries(shell)) == before


def test_audit_verify_counts_the_listings_and_finds_them_intact(shell: Terminal) -> None:
    shell.ok("cohort")
    shell.ok("tasks")
    report = shell.json("audit", "verify")
    assert report["intact"] and report["listings"] == 2
