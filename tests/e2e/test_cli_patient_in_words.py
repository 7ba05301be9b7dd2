"""`ildpath patient show` names codes in words with the code beside them (issue 18): the
phenotype group explained, the ILD course said to be the one at presentation, tasks and
triggers by their labels."""

from datetime import date, timedelta
from pathlib import Path

from .cli import Terminal

ENROLLED = date.today() - timedelta(days=30)


def test_the_patient_view_shows_labels_beside_the_codes(tmp_path: Path) -> None:
    shell = Terminal(tmp_path)
    shell.ok("init")
    shell.ok(
        "patient",
        "enrol",
        "--id",
        "PT-1",
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
    )

    out = shell.ok("patient", "show", "PT-1")

    assert "Phenotype group Anti-MDA5 positive (A)" in out
    assert "ILD course at presentation rapidly progressive" in out
    assert "State Diagnosis (diagnosis)" in out
    assert "Pulmonary function tests (pft)" in out
    assert "Start induction (start_induction)" in out
