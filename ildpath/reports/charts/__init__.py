"""Inline SVG charts for the HTML/PDF reports (and the dashboard).

Pure functions from data to an SVG string: plain SVG 1.1 with presentation attributes, so the
same markup renders in a browser and in WeasyPrint; accessible (role="img", <title>, <desc>),
colour-blind safe and deterministic.
"""

from .bars import bar_chart
from .flow import flow_chart
from .markers import MarkerPoint, markers_chart
from .palette import STATE_COLOURS, THERAPY_COLOURS
from .pft import PftPoint, pft_chart
from .svg import SCREEN_WIDTH
from .timeline import Band, timeline_chart

__all__ = [
    "SCREEN_WIDTH",
    "STATE_COLOURS",
    "THERAPY_COLOURS",
    "Band",
    "MarkerPoint",
    "PftPoint",
    "bar_chart",
    "flow_chart",
    "markers_chart",
    "pft_chart",
    "timeline_chart",
]
