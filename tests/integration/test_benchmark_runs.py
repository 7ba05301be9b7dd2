"""The benchmark (`python -m bench`, README) runs from a checkout and writes every figure the
results table is made of; here at a toy size, so the code cannot rot between full runs."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_measures_everything_and_judges_every_target(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--sizes",
            "20,40",
            "--no-postgres",
            "--typed-patients",
            "1",
            "--transitions",
            "5",
            "--reminders",
            "200,20",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(tmp_path / "results"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    (result,) = (tmp_path / "results").glob("*.json")
    run = json.loads(result.read_text())
    sizes = run["backends"]["sqlite"]["sizes"]
    assert [s["size"] for s in sizes] == [20, 40]
    for figures in sizes:
        assert figures["bulk_ingest"]["patients"] == figures["size"]
        assert figures["raw_executemany"]["rows"] > figures["bulk_ingest"]["events"]
        assert figures["full_reevaluation"]["judged"] >= figures["size"] * 0.9
        assert figures["raw_read"]["patients"] == figures["full_reevaluation"]["judged"]
        for day in figures["daily_runs"]:  # every active patient judged or carried, once
            assert day["judged"] + day["carried"] == figures["full_reevaluation"]["judged"]
    assert sizes[0]["transition"]["n"] == 5
    assert run["backends"]["sqlite"]["scheduler"]["ildpath"]["sent"] == 20
    assert "html" in sizes[1]["cohort_report"]["formats"]
    assert [p["size"] for p in run["backends"]["sqlite"]["pages"]] == [20, 40]
    for figures in sizes:  # audit verify read every row the bare driver read, found nothing
        assert figures["audit_verify"]["findings"] == 0
        assert figures["audit_verify"]["events"] > figures["bulk_ingest"]["events"] * 0.5
        assert figures["raw_audit_read"]["rows"] > figures["audit_verify"]["rows_checked"]
    assert len(run["targets"]) == 15 + 6  # the dashboard's three pages: p95 and size each
    assert ("PASS" in done.stdout) or ("MISS" in done.stdout)


def _bench(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args, "--out", str(tmp_path / "results")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    (result,) = (tmp_path / "results").glob("*.json")
    return done, json.loads(result.read_text())


def test_the_page_benchmark_times_the_board_worklist_and_a_patient_page_signed_in(
    tmp_path: Path,
) -> None:
    done, run = _bench(
        tmp_path, "--only", "pages", "--sizes", "30", "--no-postgres", "--page-requests", "20"
    )
    [figures] = run["backends"]["sqlite"]["pages"]
    cohort = figures["cohort"]
    assert figures["size"] == 30 and sum(cohort["states"].values()) == 30 + 1  # one enrolled
    assert cohort["open_tasks"] > cohort["overdue_tasks"] > 0
    assert {"diagnosis", "induction", "monitoring"} <= set(cohort["states"])
    patient = cohort["patient"]["id"]
    assert cohort["patient"]["observation"] > 5
    pages = figures["pages"]
    assert [pages[name]["path"] for name in ("board", "worklist", "patient")] == [
        "/",
        "/tasks",
        f"/patients/{patient}",
    ]
    for page in pages.values():  # 20 timed answers, each the page itself (a 200, not sign-in)
        assert page["n"] == 20
        assert 0 < page["median_ms"] <= page["p95_ms"] <= page["max_ms"]
        assert page["kb"] == page["bytes"] / 1000 > 5
    judged = {t["target"]: t for t in run["targets"]}
    assert len(judged) == 6
    board = judged["server time p95 of the cohort board /, 30 patients (sqlite)"]
    assert board["limit"] == "<= 300 ms" and board["pass"] == (board["figure"] <= 300)
    assert judged["size of the patient page, 30 patients (sqlite)"]["limit"] == "<= 200 kB"
    assert "/tasks" in done.stdout and ("PASS" in done.stdout or "MISS" in done.stdout)
