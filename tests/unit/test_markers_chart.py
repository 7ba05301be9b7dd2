"""Ferritin and KL-6 charted beside FVC/DLCO (§11): a panel each, in its own unit, with a
tooltip per result giving date, value and unit; nothing recorded is said, not drawn blank."""

import xml.etree.ElementTree as ET
from datetime import date

from ildpath.reports.charts import MarkerPoint, markers_chart

NS = "{http://www.w3.org/2000/svg}"
POINTS = [
    MarkerPoint(date(2026, 1, 5), "ferritin", 1800.0),
    MarkerPoint(date(2026, 2, 5), "ferritin", 950.0),
    MarkerPoint(date(2026, 1, 5), "kl6", 1200.0),
    MarkerPoint(date(2026, 3, 1), "crp", 85.0),
]


def _root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _tooltips(root: ET.Element) -> list[str]:
    return [t.text or "" for c in root.iter(f"{NS}circle") for t in c.findall(f"{NS}title")]


def _visible(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def test_each_ferritin_and_kl6_result_is_a_marker_with_date_value_and_unit():
    root = _root(markers_chart(POINTS, title="Ferritin and KL-6"))

    assert sorted(_tooltips(root)) == [
        "2026-01-05: Ferritin 1800 ng/mL",
        "2026-01-05: KL-6 1200 U/mL",
        "2026-02-05: Ferritin 950 ng/mL",
    ]
    assert {"Ferritin, ng/mL", "KL-6, U/mL"} <= set(_visible(root))


def test_each_marker_has_its_own_axis_in_round_numbers():
    labels = _visible(_root(markers_chart(POINTS, title="Markers")))

    assert {"0", "1,000", "2,000"} <= set(labels)


def test_only_one_marker_recorded_draws_one_panel():
    root = _root(markers_chart(POINTS[2:3], title="Markers"))

    assert _tooltips(root) == ["2026-01-05: KL-6 1200 U/mL"]
    assert "Ferritin, ng/mL" not in _visible(root)


def test_no_ferritin_or_kl6_says_so():
    root = _root(markers_chart(POINTS[3:], title="Markers"))

    assert "No ferritin or KL-6 recorded" in _visible(root)
    assert root.attrib["role"] == "img"
