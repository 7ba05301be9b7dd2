"""The reports as documents: PDFs that show the figures, self-contained HTML, the patient
report's tasks on time or late, and pseudonymisation."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ildpath.bootstrap import App
from ildpath.reports.output import cohort_report, patient_report

from .fixed_cohort import END, START

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="needs poppler-utils (pdftoppm, pdftotext); .ci/run installs it",
)


def _ink_share(pdf: Path) -> float:
    """Share of non-white pixels on page 1, rendered to greyscale (PGM, P5)."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True
    )
    image = next(pdf.parent.glob(f"{prefix.name}-*1.pgm")).read_bytes()
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", image)
    assert match is not None
    width, height = int(match[1]), int(match[2])
    pixels = image[match.end() : match.end() + width * height]
    return sum(1 for p in pixels if p < 200) / len(pixels)


def _text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def test_cohort_pdf_first_page_shows_the_measures(app: App, tmp_path: Path) -> None:
    pdf = tmp_path / "cohort.pdf"
    pdf.write_bytes(cohort_report(app, START, END, "pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _ink_share(pdf) > 0.03, "page 1 of the cohort PDF is (nearly) blank"
    text = _text(pdf)
    assert "PFTs done on time" in text and "42.9% (3/7)" in text
    assert "Decision support" in text
    assert "P2" in text and "declare_refractory" in text


def test_patient_pdf_first_page_is_not_blank(app: App, tmp_path: Path) -> None:
    pdf = tmp_path / "p1.pdf"
    pdf.write_bytes(patient_report(app, "P1", "pdf", as_of=END))
    assert _ink_share(pdf) > 0.03
    assert "Patient report: P1" in _text(pdf)


def test_html_is_self_contained_with_inline_charts(app: App) -> None:
    html = cohort_report(app, START, END, "html").decode()
    assert html.count("<svg") >= 3
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "fetches something"
    assert "<script" not in html
    patient = patient_report(app, "P1", "html", as_of=END).decode()
    assert "FVC and DLCO" in patient and patient.count("<svg") >= 2


def test_patient_report_says_which_tasks_were_done_on_time_or_late(app: App) -> None:
    data = json.loads(patient_report(app, "P1", "json", as_of=END))
    pft = [(t["due_on"], t["timeliness"]) for t in data["tasks"] if t["kind"] == "pft"]
    assert pft == [("2026-01-19", "on_time"), ("2026-04-19", "late"), ("2026-08-10", "pending")]
    transitions = [
        (t["trigger"], t["actor"], t["role"], t["pathway_version"]) for t in data["transitions"]
    ]
    assert transitions[0] == ("start_induction", "dr-audit", "clinician", app.definition.version)


def test_pseudonymised_patient_report_keeps_no_id_or_birth_date(app: App) -> None:
    html = patient_report(app, "P2", "html", as_of=END, pseudonymise=True).decode()
    assert "P2" not in re.sub(r"PSN-[0-9A-F]+", "", html)
    assert "1965-04-01" not in html and "born 1965" in html
    assert "Pseudonymised" in html
