"""The archetypal courses of the demo cohort, one module per phenotype family."""

from . import mda5, nonprogressive, progressive  # noqa: F401  (registers the archetypes)
from .registry import MAX_SPAN_DAYS, Archetype, registered

__all__ = ["ARCHETYPES", "MAX_SPAN_DAYS", "Archetype"]

ARCHETYPES: tuple[Archetype, ...] = registered()
"""Every archetype; a cohort of at least this many patients has one of each."""
