"""The value axis of the lung function and markers charts: fitted to the data with round ticks,
so an 8-point FVC fall is drawn tall rather than flattened on a fixed 0-120 axis, and the charts
fill the width they are shown in with text large enough to read on A4."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ildpath.reports.charts import MarkerPoint, PftPoint, markers_chart, pft_chart
from ildpath.reports.charts.scales import nice_step, value_axis

NS = "{http://www.w3.org/2000/svg}"
A4_CONTENT_PT = 182 / 25.4 * 72
"""A4 portrait's width between the reports' 14 mm side margins, in points."""


def _fvc_markers(svg: str) -> list[float]:
    root = ET.fromstring(svg)
    return [
        float(c.get("cy"))
        for c in root.iter(f"{NS}circle")
        if "FVC" in (c.findtext(f"{NS}title") or "")
    ]


def _gridlines(svg: str) -> list[float]:
    """The y of each value tick's gridline (light grey, full width)."""
    root = ET.fromstring(svg)
    return [
        float(line.get("y1"))
        for line in root.iter(f"{NS}line")
        if line.get("stroke") == "#d9d9d9" and line.get("y1") == line.get("y2")
    ]


@pytest.mark.parametrize(
    ("raw", "step"), [(0.3, 0.5), (1.0, 1.0), (1.1, 2.0), (2.4, 5.0), (7.0, 10.0), (450, 500)]
)
def test_ticks_step_by_one_two_or_five_times_a_power_of_ten(raw, step):
    assert nice_step(raw) == pytest.approx(step)


def test_the_axis_is_fitted_to_the_data_with_round_ends():
    axis = value_axis([72.0, 64.0])

    assert axis.lo <= 64 and axis.hi >= 72
    assert axis.hi - axis.lo <= 12  # not 0 to 120
    assert axis.ticks == [62, 64, 66, 68, 70, 72, 74]


def test_a_minimum_span_keeps_one_value_or_a_wobble_from_looking_like_a_cliff():
    axis = value_axis([70.0, 70.4], min_span=10)

    assert axis.hi - axis.lo >= 10
    assert axis.lo < 70 < 70.4 < axis.hi


def test_the_axis_never_goes_below_its_floor():
    axis = value_axis([2.0], min_span=10, floor=0.0)

    assert axis.lo == 0 and axis.hi >= 10


def test_an_axis_from_zero_ends_at_a_round_number_above_the_highest_value():
    assert value_axis([1800.0], ticks=4, from_zero=True).ticks == [0, 500, 1000, 1500, 2000]


def test_an_eight_point_fvc_fall_spans_over_half_the_plot():
    points = [PftPoint(date(2026, 1, 5), 72.0, None), PftPoint(date(2026, 6, 5), 64.0, None)]
    svg = pft_chart(points, title="PFT")

    first, last = _fvc_markers(svg)
    grid = _gridlines(svg)
    plot = max(grid) - min(grid)
    assert last - first >= 0.5 * plot  # a fall: the later marker is lower on the page
    labels = [t.text for t in ET.fromstring(svg).iter(f"{NS}text")]
    assert "120" not in labels and "0" not in labels


def test_the_predicted_reference_line_is_drawn_only_when_the_axis_reaches_it():
    near = pft_chart([PftPoint(date(2026, 1, 5), 96.0, 88.0)], title="PFT")
    far = pft_chart([PftPoint(date(2026, 1, 5), 64.0, 50.0)], title="PFT")

    def references(svg: str) -> list[str]:
        return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text") if t.text == "predicted"]

    assert references(near) == ["predicted"]
    assert references(far) == []


@pytest.mark.parametrize(
    "svg",
    [
        pft_chart([PftPoint(date(2026, 1, 5), 72.0, 60.0)], title="PFT"),
        markers_chart([MarkerPoint(date(2026, 1, 5), "ferritin", 900.0)], title="Markers"),
    ],
    ids=["pft", "markers"],
)
def test_printed_charts_fill_the_width_with_text_of_at_least_8_pt_on_a4(svg):
    root = ET.fromstring(svg)
    assert root.get("width") == "100%" and root.get("height") is None
    view_width = float(root.get("viewBox").split()[2])
    points_per_unit = A4_CONTENT_PT / view_width
    sizes = [float(t.get("font-size")) for t in root.iter(f"{NS}text")]
    assert min(sizes) * points_per_unit >= 8


def test_the_chart_drawn_wider_for_the_screen_keeps_its_text_size_in_chart_units():
    points = [PftPoint(date(2026, 1, 5), 72.0, 60.0), PftPoint(date(2026, 3, 5), 70.0, 58.0)]
    wide = ET.fromstring(pft_chart(points, title="PFT", width=1000.0, height=360.0))

    assert wide.get("viewBox") == "0 0 1000 360"
    months = [t for t in wide.iter(f"{NS}text") if re.fullmatch(r"\d{4}-\d{2}", t.text or "")]
    assert months and all(float(t.get("font-size")) == 11 for t in months)
    assert max(float(t.get("x")) for t in months) > 900  # the date axis runs the full width
