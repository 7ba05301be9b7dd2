"""Colours: Okabe-Ito (distinguishable with the common colour-vision deficiencies), with text
colours chosen by computed contrast so every label is readable (WCAG AA, at least 4.5:1)."""

from __future__ import annotations

__all__ = [
    "BACKWARD",
    "BAR_FILL",
    "FORWARD",
    "GRID",
    "INK",
    "MUTED",
    "SERIES",
    "STATE_COLOURS",
    "THERAPY_COLOURS",
    "TRACK",
    "WHITE",
    "contrast",
    "text_on",
    "tone_colours",
]

INK = "#1a1a1a"  # body text: 17:1 on white
MUTED = "#555555"  # axis labels, notes: 7.5:1 on white
GRID = "#d9d9d9"  # gridlines: visible but quiet
WHITE = "#ffffff"

# Okabe-Ito
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"

BAR_FILL = BLUE
TRACK = "#ececec"  # the unfilled rest of a share bar
SERIES = {"fvc": BLUE, "dlco": VERMILLION}
FORWARD = BLUE
BACKWARD = VERMILLION

# One fixed colour per pathway state, so a state looks the same in every report.
STATE_COLOURS: dict[str, str] = {
    "diagnosis": SKY_BLUE,
    "induction": ORANGE,
    "monitoring": GREEN,
    "progression": VERMILLION,
    "salvage": PURPLE,
    "transplant_referral": BLUE,
    "closed": GREY,
}

# Treatments are drawn as light tints with a strong outline: clearly not states.
THERAPY_COLOURS: dict[str, tuple[str, str]] = {
    "therapy": ("#CCE3F0", BLUE),
    "supportive": ("#CCECE3", GREEN),
    "avoid": ("#F7DFCC", VERMILLION),
}
_UNKNOWN = ("#E6E6E6", "#737373")


def tone_colours(tone: str) -> tuple[str, str]:
    """(fill, outline) for a band tone; unknown tones are neutral grey rather than an error."""
    if tone in STATE_COLOURS:
        return STATE_COLOURS[tone], STATE_COLOURS[tone]
    return THERAPY_COLOURS.get(tone, _UNKNOWN)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """Dark or white text, whichever reads better on ``fill``."""
    return INK if contrast(INK, fill) >= contrast(WHITE, fill) else WHITE
