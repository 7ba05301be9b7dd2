"""Inline SVG charts for the reports: well-formed, accessible, deterministic, correct geometry,
escaped text, and rendered (not blank) by WeasyPrint."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from ildpath.reports.charts import (
    STATE_COLOURS,
    THERAPY_COLOURS,
    Band,
    PftPoint,
    bar_chart,
    flow_chart,
    pft_chart,
    timeline_chart,
)
from ildpath.reports.charts.palette import INK, MUTED, WHITE, contrast, text_on

NS = "{http://www.w3.org/2000/svg}"
STATES = ["diagnosis", "induction", "monitoring", "progression", "salvage", "closed"]
POINTS = [
    PftPoint(date(2025, 11, 3), 82.0, 61.0),
    PftPoint(date(2026, 1, 20), 74.5, None),
    PftPoint(date(2026, 3, 1), 72.0, 48.0),
]
BANDS = [
    Band("State", "induction", date(2025, 12, 1), date(2026, 2, 1), "induction"),
    Band("State", "monitoring", date(2026, 2, 1), None, "monitoring"),
    Band("tacrolimus", "4 mg/day", date(2026, 1, 1), date(2026, 3, 1), "therapy"),
    Band("rituximab", "1 g", date(2026, 2, 10), date(2026, 2, 10), "therapy"),
]
FLOWS = {
    ("diagnosis", "induction"): 5,
    ("induction", "monitoring"): 3,
    ("progression", "induction"): 1,
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def visible(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def tooltips(root: ET.Element, tag: str) -> list[str]:
    """The <title> texts of ``tag`` elements: the hover text of markers, bars and arcs."""
    return [t.text or "" for e in root.iter(f"{NS}{tag}") for t in e.findall(f"{NS}title")]


def sample_charts() -> dict[str, str]:
    return {
        "pft": pft_chart(POINTS, title="Lung function", id_prefix="p"),
        "timeline": timeline_chart(
            BANDS, start=date(2026, 1, 1), end=date(2026, 4, 1), title="Course", id_prefix="t"
        ),
        "flow": flow_chart(STATES, FLOWS, title="Flow", id_prefix="f", counts={"induction": 4}),
        "bars": bar_chart([("induction", 4.0), ("monitoring", 7.0)], title="By state"),
        "pft-empty": pft_chart([], title="Empty", id_prefix="pe"),
        "timeline-empty": timeline_chart(
            [], start=date(2026, 1, 1), end=date(2026, 2, 1), title="Empty", id_prefix="te"
        ),
        "flow-empty": flow_chart(STATES, {}, title="Empty", id_prefix="fe"),
        "bars-empty": bar_chart([], title="Empty", id_prefix="be"),
    }


# -- every chart ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sample_charts().keys())
def test_chart_is_an_accessible_self_contained_svg(name):
    svg = sample_charts()[name]
    root = parse(svg)

    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    # fixed-size charts give both; fluid ones fill their container, the viewBox sets the height
    assert root.get("width") == "100%" or (root.get("width") and root.get("height"))
    title = root.find(f"{NS}title")
    assert title is not None and title.get("id") == root.get("aria-labelledby")
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.get("id") == root.get("aria-describedby") and desc.text
    for forbidden in ("<style", "class=", "<script", "foreignObject", "href", "<marker"):
        assert forbidden not in svg


@pytest.mark.parametrize("name", sample_charts().keys())
def test_chart_is_deterministic(name):
    assert sample_charts()[name] == sample_charts()[name]


def test_titles_carry_the_given_title():
    charts = sample_charts()
    assert parse(charts["pft"]).find(f"{NS}title").text == "Lung function"
    assert parse(charts["flow"]).find(f"{NS}title").text == "Flow"


def test_ids_are_unique_across_charts_on_one_page():
    ids = [
        e.get("id") for svg in sample_charts().values() for e in parse(svg).iter() if e.get("id")
    ]
    assert len(ids) == len(set(ids))


def test_an_awkward_id_prefix_still_gives_valid_resolvable_ids():
    root = parse(bar_chart([("a", 1.0)], title="T", id_prefix="2 patients/état"))
    label = root.get("aria-labelledby")
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", label)
    assert root.find(f"{NS}title").get("id") == label


def test_text_is_escaped_and_round_trips():
    nasty = "a <b> & \"c\" 'd'"
    charts = [
        pft_chart(POINTS, title=nasty),
        timeline_chart(
            [Band(nasty, nasty, date(2026, 1, 1), None, "therapy")],
            start=date(2026, 1, 1),
            end=date(2026, 6, 1),
            title=nasty,
        ),
        flow_chart([nasty, "b"], {(nasty, "b"): 2}, title=nasty),
        bar_chart([(nasty, 1.0)], title=nasty),
    ]
    for svg in charts:
        root = parse(svg)
        assert root.find(f"{NS}title").text == nasty
        assert nasty in visible(root) or any(nasty in t for t in tooltips(root, "text"))


def test_text_colours_meet_contrast_on_white_and_on_every_fill():
    assert contrast(INK, WHITE) >= 4.5 and contrast(MUTED, WHITE) >= 4.5
    fills = list(STATE_COLOURS.values()) + [fill for fill, _ in THERAPY_COLOURS.values()]
    for fill in fills:
        assert contrast(text_on(fill), fill) >= 4.5, fill


# -- pft_chart -----------------------------------------------------------------------------------


def test_pft_has_one_marker_per_measured_value_with_date_and_value_tooltips():
    root = parse(pft_chart(POINTS, title="PFT"))

    marks = tooltips(root, "circle") + tooltips(root, "rect")
    assert sorted(marks) == sorted(
        [
            "2025-11-03: FVC 82%",
            "2026-01-20: FVC 74.5%",
            "2026-03-01: FVC 72%",
            "2025-11-03: DLCO 61%",
            "2026-03-01: DLCO 48%",
        ]
    )


def test_pft_point_with_only_fvc_makes_one_marker():
    root = parse(pft_chart([PftPoint(date(2026, 2, 1), 70.0, None)], title="PFT"))
    assert tooltips(root, "circle") + tooltips(root, "rect") == ["2026-02-01: FVC 70%"]


def test_pft_axis_is_fitted_to_the_values_in_round_tens_with_month_ticks():
    labels = visible(parse(pft_chart(POINTS, title="PFT")))
    assert {"40", "50", "60", "70", "80", "90"} <= set(labels)  # values from 48 to 82
    assert "0" not in labels and "30" not in labels and "100" not in labels
    months = [t for t in labels if re.fullmatch(r"\d{4}-\d{2}", t)]
    assert months[0] == "2025-11" and 2 <= len(months) <= 10


def test_one_pft_above_120_sits_inside_an_axis_at_least_ten_points_tall():
    labels = visible(parse(pft_chart([PftPoint(date(2026, 2, 1), 131.0, None)], title="PFT")))
    ticks = sorted(int(t) for t in labels if t.isdigit())
    assert ticks[0] < 131 < ticks[-1] and ticks[-1] - ticks[0] >= 10
    assert ticks == [125, 130, 135, 140]


def test_pft_date_ticks_stay_few_over_years():
    points = [PftPoint(date(2020 + i // 4, 1 + 3 * (i % 4), 1), 80.0, 60.0) for i in range(24)]
    months = [t for t in visible(parse(pft_chart(points, title="PFT"))) if re.match(r"\d{4}-", t)]
    assert 3 <= len(months) <= 10


def test_pft_without_points_says_so():
    assert "No PFT recorded" in visible(parse(pft_chart([], title="PFT")))
    nothing = [PftPoint(date(2026, 1, 1), None, None)]
    assert "No PFT recorded" in visible(parse(pft_chart(nothing, title="PFT")))


# -- timeline_chart ------------------------------------------------------------------------------


def bars_by_tooltip(root: ET.Element) -> dict[str, ET.Element]:
    return {
        title.text: rect
        for rect in root.iter(f"{NS}rect")
        for title in rect.findall(f"{NS}title")
        if "→" in (title.text or "")
    }


def test_timeline_bars_are_clamped_to_the_chart_and_ongoing_bars_reach_the_end():
    start, end = date(2026, 1, 1), date(2026, 4, 1)
    bands = [
        Band("State", "induction", date(2025, 12, 1), date(2026, 2, 1), "induction"),
        Band("State", "monitoring", date(2026, 2, 1), None, "monitoring"),
        Band("tacrolimus", "", date(2026, 1, 1), date(2026, 4, 1), "therapy"),
    ]
    bars = bars_by_tooltip(parse(timeline_chart(bands, start=start, end=end, title="T")))
    clamped = bars["State, induction: 2025-12-01 → 2026-02-01 (62 days)"]
    ongoing = bars["State, monitoring: 2026-02-01 → ongoing"]
    full = bars["tacrolimus: 2026-01-01 → 2026-04-01 (90 days)"]

    def right(rect: ET.Element) -> float:
        return float(rect.get("x")) + float(rect.get("width"))

    assert float(clamped.get("x")) == float(full.get("x"))
    assert right(ongoing) == right(full)
    assert float(clamped.get("x")) < float(ongoing.get("x"))


def test_timeline_zero_length_bar_is_still_visible():
    bars = bars_by_tooltip(parse(sample_charts()["timeline"]))
    assert float(bars["rituximab, 1 g: 2026-02-10 → 2026-02-10 (0 days)"].get("width")) == 3


def test_timeline_rows_in_first_appearance_order_with_labels():
    labels = visible(parse(sample_charts()["timeline"]))
    rows = [t for t in labels if t in ("State", "tacrolimus", "rituximab")]
    assert rows == ["State", "tacrolimus", "rituximab"]
    assert {"induction", "monitoring", "4 mg/day", "1 g"} <= set(labels)


def test_timeline_tooltip_gives_dates_and_days():
    bars = bars_by_tooltip(parse(sample_charts()["timeline"]))
    assert "tacrolimus, 4 mg/day: 2026-01-01 → 2026-03-01 (59 days)" in bars


def test_timeline_with_nothing_in_the_period_says_so():
    outside = [Band("x", "y", date(2020, 1, 1), date(2020, 2, 1), "therapy")]
    for bands in ([], outside):
        svg = timeline_chart(bands, start=date(2026, 1, 1), end=date(2026, 2, 1), title="T")
        assert "Nothing to show" in visible(parse(svg))


# -- flow_chart ----------------------------------------------------------------------------------


def arcs(root: ET.Element) -> dict[str, ET.Element]:
    """The arc curves by their tooltip ("from → to: count")."""
    return {
        p.find(f"{NS}title").text: p
        for p in root.iter(f"{NS}path")
        if p.get("fill") == "none" and p.find(f"{NS}title") is not None
    }


def box_row(root: ET.Element) -> tuple[float, float]:
    """Top and bottom y of the row of state boxes."""
    boxes = [
        r
        for r in root.iter(f"{NS}rect")
        if (r.findtext(f"{NS}title") or "").split(":")[0] in STATES
    ]
    assert len(boxes) == len(STATES)
    top = float(boxes[0].get("y"))
    return top, top + float(boxes[0].get("height"))


def path_ys(arc: ET.Element) -> list[float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", arc.get("d"))]
    return numbers[1::2]


def test_flow_draws_one_arc_per_positive_flow_forward_above_backward_below():
    flows = {**FLOWS, ("monitoring", "closed"): 0}
    root = parse(flow_chart(STATES, flows, title="F"))
    drawn = arcs(root)
    top, bottom = box_row(root)

    assert set(drawn) == {
        "diagnosis → induction: 5",
        "induction → monitoring: 3",
        "progression → induction: 1",
    }
    for name in ("diagnosis → induction: 5", "induction → monitoring: 3"):
        ys = path_ys(drawn[name])
        assert ys[0] == top and max(ys) <= top and min(ys) < top - 10
    back = path_ys(drawn["progression → induction: 1"])
    assert back[0] == bottom and min(back) >= bottom and max(back) > bottom + 10
    assert {"5", "3", "1"} <= set(visible(root))


def test_flow_stroke_width_grows_with_count():
    drawn = arcs(parse(flow_chart(STATES, FLOWS, title="F")))
    widths = {name: float(p.get("stroke-width")) for name, p in drawn.items()}
    assert widths["diagnosis → induction: 5"] > widths["induction → monitoring: 3"]
    assert widths["induction → monitoring: 3"] > widths["progression → induction: 1"]


def test_flow_height_grows_with_the_longest_arc():
    short = parse(flow_chart(STATES, {("diagnosis", "induction"): 1}, title="F"))
    long = parse(flow_chart(STATES, {("diagnosis", "closed"): 1}, title="F"))
    assert float(long.get("height")) > float(short.get("height"))
    for root in (short, long):
        assert min(min(path_ys(a)) for a in arcs(root).values()) > 0


def test_flow_writes_patient_counts_only_when_given():
    with_counts = visible(parse(flow_chart(STATES, FLOWS, title="F", counts={"induction": 4})))
    assert "n = 4" in with_counts and "n = 0" in with_counts
    assert not any(
        t.startswith("n = ") for t in visible(parse(flow_chart(STATES, FLOWS, title="F")))
    )


def test_flow_without_transitions_shows_boxes_and_says_so():
    root = parse(flow_chart(STATES, {("induction", "monitoring"): 0}, title="F"))
    assert "No transitions in this period" in visible(root)
    assert box_row(root) and not arcs(root)


def test_flow_naming_an_unknown_state_is_an_error():
    with pytest.raises(ValueError, match="nowhere"):
        flow_chart(STATES, {("induction", "nowhere"): 1}, title="F")


# -- bar_chart -----------------------------------------------------------------------------------


def test_bar_values_are_written_without_trailing_zero_and_with_unit():
    root = parse(bar_chart([("on time", 75.0), ("late", 12.5)], title="B", unit="%", max_value=100))
    assert {"on time", "late", "75%", "12.5%"} <= set(visible(root))


def test_bar_lengths_are_proportional_to_the_scale():
    root = parse(bar_chart([("a", 50.0), ("b", 100.0)], title="B", max_value=100))
    bars = {r.findtext(f"{NS}title"): float(r.get("width")) for r in root.iter(f"{NS}rect")}
    assert bars["a: 50"] == pytest.approx(bars["b: 100"] / 2, abs=0.01)


def test_bar_chart_without_rows_says_so():
    assert "No data to show" in visible(parse(bar_chart([], title="B")))


# -- rendered by WeasyPrint ----------------------------------------------------------------------


def non_white_share(pgm: bytes) -> float:
    """Share of pixels darker than near-white in a binary PGM (P5, 8-bit)."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while pgm[pos : pos + 1].isspace():
            pos += 1
        if pgm[pos : pos + 1] == b"#":
            pos = pgm.index(b"\n", pos) + 1
            continue
        end = pos
        while not pgm[end : end + 1].isspace():
            end += 1
        fields.append(pgm[pos:end])
        pos = end
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    assert magic == b"P5" and maxval < 256
    pixels = pgm[pos + 1 : pos + 1 + width * height]
    assert len(pixels) == width * height
    return sum(1 for p in pixels if p < 240) / len(pixels)


def test_weasyprint_renders_all_four_charts(tmp_path: Path):
    weasyprint = pytest.importorskip("weasyprint")
    charts = sample_charts()
    body = "".join(charts[name] for name in ("pft", "timeline", "flow", "bars"))
    html = (
        "<html><head><style>@page { size: A4; margin: 12mm }"
        " svg { display: block; max-width: 100%; height: auto }</style></head>"
        f"<body>{body}</body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")

    if shutil.which("pdftoppm") is None:
        return
    (tmp_path / "in.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", "in.pdf", "out"],
        cwd=tmp_path,
        check=True,
    )
    share = non_white_share((tmp_path / "out-1.pgm").read_bytes())
    assert share > 0.04, f"only {share:.1%} of page 1 is drawn"
