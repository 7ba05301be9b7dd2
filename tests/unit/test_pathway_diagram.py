"""The pathway diagram is drawn from the engine's own states and triggers (decision support)."""

import xml.etree.ElementTree as ET

import pytest

from ildpath.diagram import pathway_diagram
from pathway.errors import InvalidValue
from pathway.machine import STATES, TRIGGERS

V = "9.9-test"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_mermaid_names_every_state_every_trigger_and_the_version():
    text = pathway_diagram(V, "mermaid").decode("utf-8")

    assert "stateDiagram" in text
    assert f"ILD care pathway — version {V} (decision support)" in text
    for state in STATES:
        assert f'state "{state}" as {state}' in text
    for trigger in TRIGGERS:
        assert f": {trigger}" in text


def test_mermaid_draws_one_return_from_referral_edge_per_origin():
    text = pathway_diagram(V, "mermaid").decode("utf-8")

    for origin in TRIGGERS["refer_transplant"][0]:
        assert f"transplant_referral --> {origin}: return_from_referral" in text


def test_svg_is_xml_naming_every_state_and_the_version():
    svg = pathway_diagram(V, "svg")

    root = ET.fromstring(svg)
    texts = {"".join(element.itertext()) for element in root.iter()}
    assert root.tag.endswith("svg")
    assert set(STATES) <= texts
    assert any(V in text for text in texts)


def test_png_is_a_png_image():
    png = pathway_diagram(V, "png")

    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 10_000


def test_an_unknown_format_is_refused_naming_the_field_and_the_allowed_values():
    with pytest.raises(InvalidValue) as refused:
        pathway_diagram(V, "jpeg")

    assert refused.value.field == "format"
    assert "svg, png, mermaid" in str(refused.value)
