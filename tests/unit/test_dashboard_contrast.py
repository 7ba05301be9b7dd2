"""The dashboard's colours reach WCAG 2.1 AA: text 4.5:1 on every background it is drawn on,
focus rings 3:1 (non-text contrast). Read from the custom properties in dashboard.css."""

import re
from pathlib import Path

import pytest

from ildpath.reports.charts.palette import contrast

CSS = Path(__file__).parents[2] / "ildpath" / "web" / "static" / "dashboard.css"

TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "surface"),
    ("ink", "urgent-bg"),
    ("ink", "warning-bg"),
    ("muted", "paper"),
    ("muted", "surface"),
    ("muted", "urgent-bg"),
    ("link", "paper"),
    ("link", "surface"),
    ("link", "urgent-bg"),
    ("link", "ok-bg"),
    ("header-ink", "header-bg"),
    ("banner-ink", "banner-bg"),
    ("critical-ink", "paper"),
    ("critical-ink", "surface"),
    ("critical-ink", "critical-bg"),
    ("critical-ink", "urgent-bg"),
    ("warning-ink", "warning-bg"),
    ("info-ink", "info-bg"),
    ("ok-ink", "paper"),
    ("ok-ink", "surface"),
    ("ok-ink", "ok-bg"),
    ("button-ink", "button-bg"),
    ("button-ink", "button-hover-bg"),
    ("strong-ink", "strong-bg"),
]
"""Every text colour on every background the pages put it on."""

FOCUS_PAIRS = [
    ("focus", "paper"),
    ("focus", "surface"),
    ("focus", "urgent-bg"),
    ("focus-on-dark", "header-bg"),
]
"""The focus outline against what surrounds the focused control."""


def _properties() -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", CSS.read_text(encoding="utf-8"))
    assert root is not None, "dashboard.css defines its colours in :root"
    return {
        name: value.lower()
        for name, value in re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", root.group(1))
    }


_DECLARATION = re.compile(r"(?<![\w-])(color|background(?:-color)?)\s*:\s*var\(--([\w-]+)\)")


def _rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: custom property used}) of each rule naming colours by var()."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        used = dict(_DECLARATION.findall(body))
        rules.append((selector.strip(), used))
    return rules


COLOURS = _properties()


def test_the_colours_are_custom_properties_of_six_hex_digits() -> None:
    assert len(COLOURS) >= 20
    named = {name for pair in TEXT_PAIRS + FOCUS_PAIRS for name in pair}
    assert named <= set(COLOURS), named - set(COLOURS)


def test_every_colour_a_rule_uses_is_defined() -> None:
    used = {name for _, props in _rules() for name in props.values()}
    assert used <= set(COLOURS), used - set(COLOURS)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_reaches_aa_contrast_on_its_background(text: str, background: str) -> None:
    ratio = contrast(COLOURS[text], COLOURS[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"


@pytest.mark.parametrize(("ring", "background"), FOCUS_PAIRS)
def test_the_focus_ring_stands_out_from_its_background(ring: str, background: str) -> None:
    ratio = contrast(COLOURS[ring], COLOURS[background])
    assert ratio >= 3, f"--{ring} on --{background}: {ratio:.2f}:1"


def test_every_rule_setting_both_text_and_background_is_a_checked_pair() -> None:
    checked = set(TEXT_PAIRS)
    for selector, props in _rules():
        background = props.get("background") or props.get("background-color")
        if "color" in props and background is not None:
            assert (props["color"], background) in checked, selector


def test_no_colour_is_written_outside_the_custom_properties() -> None:
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    outside = re.sub(r":root\s*\{[^}]*\}", "", css)
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", outside) == []
