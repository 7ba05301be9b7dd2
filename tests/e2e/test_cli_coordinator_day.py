"""A coordinator's day from the command line, in a real subprocess: enrol, record, the
clinician's trigger and acknowledgement, the patient's page, the cohort board, the worklist,
and the reports. Refusals are one readable line, a non-zero exit code, and nothing written."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from .cli import Terminal

TODAY = date.today()
ENROLLED = TODAY - timedelta(days=30)


@pytest.fixture
def shell(tmp_path: Path) -> Terminal:
    terminal = Terminal(tmp_path)
    assert "database ready" in terminal.ok("init")
    return terminal


def _enrol_mda5(shell: Terminal, pid: str = "PT-1") -> None:
    shell.ok(
        "patient",
        "enrol",
        "--id",
        pid,
        "--sex",
        "female",
        "--birth-date",
        "1968-03-02",
        "--enrolled-on",
        ENROLLED.isoformat(),
        "--diagnosis",
        "dermatomyositis",
        "--anti-mda5",
        "positive",
        "--anti-ars",
        "negative",
        "--ild-course",
        "rapidly_progressive",
        "--weight-kg",
        "62",
    )


def test_coordinator_records_and_clinician_decides(shell: Terminal) -> None:
    _enrol_mda5(shell)
    start = ENROLLED.isoformat()
    out = shell.ok(
        "record",
        "therapy",
        "PT-1",
        "start",
        "methylprednisolone",
        "--route",
        "iv",
        "--dose",
        "1000",
        "--on",
        start,
    )
    assert "recorded start methylprednisolone" in out
    shell.ok("record", "therapy", "PT-1", "start", "tacrolimus", "--dose", "4", "--on", start)
    out = shell.ok("record", "therapy", "PT-1", "start", "infliximab", "--on", start)
    assert "CRITICAL alert" in out and "AVOID_AGENT" in out
    shell.ok("record", "pft", "PT-1", "--fvc", "64", "--dlco", "41", "--on", start)

    refused = shell.run("trigger", "PT-1", "start_induction", "--on", start)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "error: role: 'coordinator' may not fire clinical triggers; roles that may: clinician"
    ]
    out = shell.ok("trigger", "PT-1", "start_induction", "--on", start, role="clinician")
    assert "state induction" in out

    alerts = shell.json("alert", "list", "--patient", "PT-1", "--unacknowledged")
    avoid = next(a for a in alerts if a["code"] == "AVOID_AGENT")
    shell.ok(
        "alert",
        "ack",
        str(avoid["id"]),
        "--justification",
        "Given before anti-MDA5 result; stopped",
        role="clinician",
    )

    page = shell.json("patient", "show", "PT-1")
    assert page["state"] == "induction"
    assert page["phenotype"]["group"] == "A"
    assert {t["agent"] for t in page["active_therapies"]} == {
        "methylprednisolone",
        "tacrolimus",
        "infliximab",
    }
    assert page["recommendations"][0]["code"] == "MDA5_TRIPLE_GC_TAC_CYC"
    assert all(r["source"] for r in page["recommendations"])
    acked = next(a for a in page["alerts"] if a["code"] == "AVOID_AGENT")
    assert acked["acknowledged_by"] == "coord-anna"  # ILDPATH_USER of this shell
    assert acked["justification"] == "Given before anti-MDA5 result; stopped"
    assert {"transplant_referral", "cmv_test"} <= {t["kind"] for t in page["tasks"]}
    assert page["transitions"][0]["role"] == "clinician"

    text = shell.ok("patient", "show", "PT-1")
    for heading in (
        "Active therapies",
        "Open tasks",
        "Alerts",
        "Recommendations",
        "Timeline",
        "Decision support",
    ):
        assert heading in text


def test_cohort_board_filters_and_ranks_the_most_urgent_first(
    shell: Terminal, tmp_path: Path
) -> None:
    _enrol_mda5(shell, "PT-A")
    (tmp_path / "patients.yaml").write_text(
        "- {id: PT-B, sex: male, birth_date: 1959-01-01, enrolled_on: "
        f"{TODAY.isoformat()}, diagnosis: polymyositis, anti_mda5: negative, "
        "anti_ars: positive, ild_course: non_progressive}\n"
        "- {id: PT-C, sex: female, birth_date: 1971-06-30, enrolled_on: "
        f"{TODAY.isoformat()}, diagnosis: antisynthetase_syndrome, anti_mda5: negative, "
        "anti_ars: positive, ild_course: progressive}\n"
    )
    assert "enrolled PT-C" in shell.ok("patient", "enrol", "--file", "patients.yaml")
    listed = shell.json("cohort")
    board = listed["patients"]
    assert listed["count"] == 3
    assert [p["patient_id"] for p in board] == ["PT-A", "PT-B", "PT-C"]  # PT-A overdue first
    assert [p["phenotype"] for p in board] == ["A", "B", "C"]

    def ids(*args: str) -> list[str]:
        return [p["patient_id"] for p in shell.json("cohort", *args)["patients"]]

    assert ids("--phenotype", "C") == ["PT-C"]
    assert ids("--overdue") == ["PT-A"]
    assert ids("--state", "monitoring") == []
    assert ids("--search", "pt-b") == ["PT-B"]  # any case, whole or its beginning
    assert ids("--sort", "-patient") == ["PT-C", "PT-B", "PT-A"]
    assert ids("--limit", "2", "--page", "2") == ["PT-C"]
    tasks = shell.json("tasks", "--to", (TODAY + timedelta(days=14)).isoformat())
    assert {t["patient_id"] for t in tasks} == {"PT-A", "PT-B", "PT-C"}
    assert all(
        t["overdue"]
        for t in tasks
        if t["patient_id"] == "PT-A" and t["kind"] == "transplant_referral"
    )
    assert [t["due_on"] for t in tasks] == sorted(t["due_on"] for t in tasks)


def test_reports_are_written_in_every_format(shell: Terminal) -> None:
    _enrol_mda5(shell)
    period = ["--from", (TODAY - timedelta(days=60)).isoformat(), "--to", TODAY.isoformat()]
    for fmt in ("pdf", "csv", "html", "json"):
        out = shell.ok("report", "cohort", *period, "--format", fmt, "--out", f"cohort.{fmt}")
        assert f"cohort.{fmt}" in out
    assert (shell.folder / "cohort.pdf").read_bytes().startswith(b"%PDF")
    csv_text = (shell.folder / "cohort.csv").read_text()
    assert csv_text.startswith("code,label,kind,value")
    assert "pft_on_time" in csv_text
    html = shell.ok("report", "patient", "PT-1", "--format", "html", "--pseudonymise")
    assert "PSN-" in html and "PT-1" not in html


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("record", "pft", "PT-1", "--fvc", "250"), ["fvc_pct", "10 to 200"]),
        (("record", "therapy", "PT-1", "start", "aspirin"), ["agent", "tacrolimus"]),
        (("record", "vaccination", "PT-1", "shingles"), ["vaccination", "influenza"]),
        (("record", "pft", "PT-9", "--fvc", "70"), ["patient", "PT-9"]),
        (("record", "pft", "PT-1", "--fvc", "70", "--on", "2026-02-30"), ["on", "YYYY-MM-DD"]),
        (("cohort", "--alert-severity", "urgent"), ["alert_severity", "critical"]),
        (("report", "cohort", "--from", "2026-01-01", "--format", "docx"), ["format", "pdf"]),
        (("report", "cohort", "--from", "2026-01-01", "--format", "pdf"), ["out", "--out"]),
        (("--role", "nurse", "cohort"), ["role", "clinician"]),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_writes_nothing(
    shell: Terminal, args: tuple[str, ...], names: list[str]
) -> None:
    _enrol_mda5(shell)
    before = shell.json("patient", "show", "PT-1")
    done = shell.run(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for name in names:
        assert name in lines[0]
    assert shell.json("patient", "show", "PT-1") == before


def test_help_speaks_the_clinics_words(shell: Terminal) -> None:
    top = shell.ok("--help")
    for word in ("Decision support", "patient", "record", "trigger", "cohort", "report", "demo"):
        assert word in top
    assert "PFT" in shell.ok("record", "--help")
    assert "acknowledge" in shell.ok("alert", "--help").lower()
