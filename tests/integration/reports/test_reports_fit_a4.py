"""Printed reports fit A4 portrait: with long patient ids, reasons and justifications, no box
runs past the page's content area (a PDF clips it: the acknowledgement and recorded columns
were lost), every column header is printed, and the charts fill the width legibly."""

import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ildpath.bootstrap import App
from ildpath.reports.output import cohort_report, patient_report
from ildpath.reports.pdf import QUIET_LOGGERS, lay_out
from tests.integration.apps import clinic

from . import long_values
from .long_values import END, MDA5, PROGRESSING, START

pytest.importorskip("weasyprint")

ALERT_HEADERS = ("Patient", "Raised", "Severity", "Alert", "Holds?", "Message", "Acknowledgement")
TRANSITION_HEADERS = ("Effective", "Trigger", "From → to", "Actor", "Reason", "Recorded", "Pathway")
"""The column headers (the first word where a narrow column wraps one)."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    url = f"sqlite:///{tmp_path_factory.mktemp('long')}/ildpath.db"
    with clinic(url, START) as (app, clock):
        long_values.build(app, clock)
        yield app


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _text_of(box: Any) -> str:
    return " ".join(getattr(b, "text", "") for b in _boxes(box)).strip()[:80]


def overflowing(document: Any) -> list[str]:
    """Every box whose right edge lies beyond its page's content area (the page margin
    boxes, the running footer, are outside it by design and are not looked at)."""
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        html = page_box.children[0]
        for box in _boxes(html):
            if getattr(box, "width", None) is None:
                continue
            edge = box.border_box_x() + box.border_width()
            if edge > right + 0.5:
                found.append(
                    f"page {number}: {type(box).__name__} {edge - right:.0f}px past the edge:"
                    f" {_text_of(box)!r}"
                )
    return found


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (pdftotext)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def test_cohort_report_with_long_values_fits_a4_portrait(app: App) -> None:
    html = cohort_report(app, START, END, "html").decode()
    assert MDA5 in html and long_values.JUSTIFICATION in html and long_values.REASON in html

    document = lay_out(html)

    assert overflowing(document) == []
    size = document.pages[0]
    assert (round(size.width), round(size.height)) == (794, 1123)  # A4 portrait at 96 px/in


def test_patient_report_with_long_values_fits_a4_portrait(app: App) -> None:
    for patient in (MDA5, PROGRESSING):
        html = patient_report(app, patient, "html", as_of=END).decode()
        assert overflowing(lay_out(html)) == [], patient


def test_the_lung_function_chart_fills_the_printed_page_width(app: App) -> None:
    document = lay_out(patient_report(app, PROGRESSING, "html", as_of=END).decode())

    page_box = document.pages[0]._page_box
    charts = [
        box
        for page in document.pages
        for box in _boxes(page._page_box)
        if "Replaced" in type(box).__name__ and box.element.get("aria-labelledby") == "pft-title"
    ]
    assert len(charts) == 1
    assert charts[0].width >= 0.95 * page_box.width


def broken_dates(document: Any) -> list[str]:
    """The dates (``<time>``) laid out over more than one line: an inline box split across
    lines leaves one box per line for the same element."""
    pieces: dict[int, list[str]] = {}
    for page in document.pages:
        for box in _boxes(page._page_box):
            if getattr(box, "element_tag", None) == "time" and type(box).__name__ == "InlineBox":
                pieces.setdefault(id(box.element), []).append(_text_of(box))
    assert pieces, "no dates found"
    return [" / ".join(parts) for parts in pieces.values() if len(parts) > 1]


def test_no_date_in_a_printed_report_breaks_across_lines(app: App) -> None:
    for html in (
        patient_report(app, PROGRESSING, "html", as_of=END).decode(),
        cohort_report(app, START, END, "html").decode(),
    ):
        assert broken_dates(lay_out(html)) == []


def test_cohort_pdf_prints_every_column_of_the_alerts_and_transitions(
    app: App, tmp_path: Path
) -> None:
    text = _pdf_text(cohort_report(app, START, END, "pdf"), tmp_path)

    for header in ALERT_HEADERS + TRANSITION_HEADERS:
        assert header in text, header
    assert "not acknowledged" in text or "dr-annemarie" in text
    assert "2026-05-12" in text  # the progression's effective and recorded day


def test_rendering_a_pdf_logs_nothing_below_warning_from_weasyprint_or_fonttools(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # a server logging everything: the root at DEBUG

    patient_report(app, PROGRESSING, "pdf", as_of=END)

    chatter = [
        f"{r.name} {r.levelname}: {r.getMessage()[:60]}"
        for r in caplog.records
        if r.name.split(".")[0] in QUIET_LOGGERS and r.levelno < logging.WARNING
    ]
    assert chatter == []
