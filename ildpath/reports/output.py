"""A report in the format asked for: HTML, PDF (printed from the same HTML), CSV or JSON."""

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pathway.errors import InvalidValue

from ..bootstrap import App
from ..usecases.listings import Listing, log_listing
from .cohort import build_cohort_report
from .patient import build_patient_report
from .pdf import html_to_pdf
from .pseudonym import Pseudonymiser
from .render import cohort_html, patient_html

__all__ = ["REPORT_FORMATS", "cohort_report", "html_to_pdf", "patient_report"]

REPORT_FORMATS = ("html", "pdf", "csv", "json")


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default).encode()


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode()


def _check_format(fmt: str) -> None:
    if fmt not in REPORT_FORMATS:
        raise InvalidValue("format", fmt, ", ".join(REPORT_FORMATS))


def _shareable(app: App, data: dict[str, Any], pseudonymise: bool) -> dict[str, Any]:
    """The report data, pseudonymised when asked."""
    if not pseudonymise:
        return data
    shared: dict[str, Any] = Pseudonymiser(app.settings.pseudonym_key).apply(data)
    return shared


def cohort_report(
    app: App,
    start: date,
    end: date,
    fmt: str,
    *,
    pseudonymise: bool = False,
    listing: Listing | None = None,
) -> bytes:
    """The cohort report as ``fmt``; logged as ``listing`` (every patient whose record went
    into it) when given, before it is rendered."""
    _check_format(fmt)
    report = build_cohort_report(app, start, end)
    if listing is not None:
        log_listing(app, listing, report.patients)
    data = _shareable(app, report.as_data(), pseudonymise)
    if fmt == "json":
        return _json(data)
    if fmt == "csv":
        fields = [
            "code",
            "label",
            "kind",
            "value",
            "numerator",
            "denominator",
            "n",
            "unit",
            "definition",
        ]
        rows = [[m[f] for f in fields] for m in data["measures"]]
        rows += [
            [
                f"patients_in_state:{s['state']}",
                f"Patients in {s['state']} at the end",
                "count",
                s["patients"],
                None,
                None,
                s["patients"],
                "patients",
                "State on the last day of the period.",
            ]
            for s in data["patients_by_state"]
        ]
        return _csv(fields, rows)
    html = cohort_html(data, pseudonymised=pseudonymise)
    return html.encode() if fmt == "html" else html_to_pdf(html)


def patient_report(
    app: App, patient_id: str, fmt: str, *, as_of: date | None = None, pseudonymise: bool = False
) -> bytes:
    _check_format(fmt)
    report = build_patient_report(app, patient_id, as_of)
    data = _shareable(app, report.data, pseudonymise)
    if fmt == "json":
        return _json(data)
    if fmt == "csv":
        rows = [
            ["timeline", e["on"], e["category"], e["text"], "", e["actor"]]
            for e in data["timeline"]
        ]
        rows += [
            [
                "task",
                t["due_on"],
                t["kind"],
                f"opened {t['opened_on']}, closed {t['closed_on'] or '-'}",
                t["timeliness"],
                "",
            ]
            for t in data["tasks"]
        ]
        return _csv(["section", "on", "item", "detail", "status", "actor"], rows)
    html = patient_html(
        data,
        pft_points=report.pft_points,
        marker_points=report.marker_points,
        bands=report.bands,
        start=report.start,
        end=report.end,
        generated_at=report.generated_at,
        pseudonymised=pseudonymise,
    )
    return html.encode() if fmt == "html" else html_to_pdf(html)
