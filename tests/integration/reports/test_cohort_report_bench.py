"""The cohort report benchmark (`bench.cohort_report`) on the fixed cohort: every format is
produced through the CLI's code path, written to a file, measured and counted, so the figures
the benchmark prints at clinic scale come from the same run that is checked here."""

import json
from pathlib import Path

from bench.cohort_report import measure_cohort_report
from ildpath.bootstrap import App

from .fixed_cohort import END, START

IN_CARE = 6
"""P1-P5 and P7 (P6 was closed before the period): see test_cohort_measures."""


def test_every_format_is_written_measured_and_counted(app: App, tmp_path: Path) -> None:
    figures = measure_cohort_report(app.settings.database_url, tmp_path, today=END, start=START)

    assert figures["period"] == {"from": START.isoformat(), "to": END.isoformat()}
    assert set(figures["formats"]) == {"html", "csv", "json", "pdf"}
    for fmt, result in figures["formats"].items():
        written = tmp_path / f"cohort.{fmt}"
        assert written.stat().st_size == result["bytes"] > 0
        assert result["patients"] == IN_CARE
        assert result["patients_in_report"] == (None if fmt == "pdf" else IN_CARE)
        assert 0 < result["seconds"] < figures["target_seconds"]
        assert result["cpu_seconds"] > 0
        assert result["peak_rss_mib"] >= result["report_rss_mib"] >= 0
        assert result["meets_target"] is True
    assert (tmp_path / "cohort.pdf").read_bytes().startswith(b"%PDF")
    report = json.loads((tmp_path / "cohort.json").read_text())
    assert report["period"] == {"from": START.isoformat(), "to": END.isoformat()}
    json.dumps(figures)  # JSON-serialisable as returned
