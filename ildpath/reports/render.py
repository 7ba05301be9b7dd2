"""Reports as self-contained HTML (inline CSS and SVG, nothing fetched), the same page the
PDF is printed from."""

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pathway.machine import STATES

from ..wording import install_wording
from .charts import (
    Band,
    MarkerPoint,
    PftPoint,
    bar_chart,
    flow_chart,
    markers_chart,
    pft_chart,
    timeline_chart,
)

__all__ = ["cohort_html", "patient_html"]


_SHORT = {
    "mda5_simultaneous_triple_therapy": "Anti-MDA5: triple therapy",
    "mda5_refractory_plasma_exchange": "Plasma exchange in time",
    "high_oxygen_referred": "High-flow O2 referred",
    "pft_on_time": "PFTs on time",
    "cmv_on_time": "CMV tests on time",
    "pjp_prophylaxis_coverage": "PJP prophylaxis days",
}
"""Short labels for the bar chart; the table beside it gives the full ones."""


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ildpath.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["value"] = _value
    env.filters["blank"] = lambda v: "" if v is None else v
    return install_wording(env)


def _value(measure: dict[str, Any]) -> str:
    """A measure as a person reads it: 75% (3/4), 12 days (n = 5), or 'no data'."""
    value = measure["value"]
    if value is None:
        return "no data"
    number = f"{value:g}"
    if measure["kind"] == "share":
        return f"{number}% ({measure['numerator']}/{measure['denominator']})"
    if measure["kind"] == "median_days":
        return f"{number} {'day' if value == 1 else 'days'} (n = {measure['n']})"
    return number


def cohort_html(data: dict[str, Any], *, pseudonymised: bool) -> str:
    shares = [
        (_SHORT.get(m["code"], m["label"]), float(m["value"]))
        for m in data["measures"]
        if m["kind"] == "share" and m["value"] is not None
    ]
    counts = {row["state"]: row["patients"] for row in data["patients_by_state"]}
    flows = {(f["from"], f["to"]): f["transitions"] for f in data["flows"]}
    period = f"{data['period']['from']} to {data['period']['to']}"
    charts = {
        "shares": bar_chart(
            shares, title="Adherence measures", unit="%", max_value=100, id_prefix="shares"
        ),
        "states": bar_chart(
            [(s, float(n)) for s, n in counts.items()],
            title="Patients by state at the end of the period",
            id_prefix="states",
        ),
        "flow": flow_chart(
            list(STATES),
            flows,
            title=f"Transitions between states, {period}",
            counts=counts,
            id_prefix="flow",
        ),
    }
    page = (
        _environment()
        .get_template("cohort.html")
        .render(
            data=data,
            charts={k: Markup(v) for k, v in charts.items()},
            pseudonymised=pseudonymised,
            period=period,
        )
    )
    return page


def patient_html(
    data: dict[str, Any],
    *,
    pft_points: list[PftPoint],
    bands: list[Band],
    start: Any,
    end: Any,
    generated_at: Any,
    pseudonymised: bool,
    marker_points: list[MarkerPoint] | None = None,
) -> str:
    marker_points = marker_points or []
    charts = {
        "timeline": timeline_chart(
            bands,
            start=start,
            end=end,
            title="States and therapies over time",
            id_prefix="timeline",
        ),
        "pft": pft_chart(pft_points, title="FVC and DLCO, % predicted", id_prefix="pft"),
        "markers": markers_chart(marker_points, title="Ferritin and KL-6", id_prefix="markers"),
    }
    return (
        _environment()
        .get_template("patient.html")
        .render(
            data=data,
            charts={k: Markup(v) for k, v in charts.items()},
            pseudonymised=pseudonymised,
            generated_at=generated_at,
        )
    )
