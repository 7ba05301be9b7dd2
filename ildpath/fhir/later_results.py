"""Results about an enrolled patient's phenotype that come after the enrolment (the anti-MDA5
result back a week later, a new weight): read as at enrolment (``phenotype``), one resource
at a time, and entered as an amendment of the phenotype from the result's clinical day
(CLINICAL_SPEC §1: rules that depend on the field apply from then on, e.g. anti-MDA5 turning
positive opens the transplant referral task).

What a single result may change is deliberately narrow: a final anti-MDA5 result sets the
status; a single anti-synthetase antigen can make anti-ARS positive, but only says negative
when nothing was known (one negative antigen does not undo another's positive); a
preliminary result only turns ``unknown`` into ``pending``, never a known status.
"""

from collections.abc import Mapping
from typing import Any

from .events import Reading
from .phenotype import read_phenotype

__all__ = ["AMENDABLE", "phenotype_changes"]

AMENDABLE = ("anti_mda5", "anti_ars", "weight_kg", "height_cm")
"""The phenotype fields a later result may amend (the diagnosis and the ILD course are a
person's: a Condition after enrolment is reported, not applied)."""

_UNSETTLED = ("unknown", "pending")


def _antibody(name: str, said: str, held: object) -> str | None:
    if said == held or said == "unknown":
        return None
    if said == "pending":
        return said if held == "unknown" else None
    if name == "anti_ars" and said == "negative" and held not in _UNSETTLED:
        return None
    return said


def phenotype_changes(
    resource: Any, reading: Reading, current: Mapping[str, object]
) -> dict[str, object]:
    """The phenotype fields this one result changes, with their new values (empty when it
    agrees with the record or says nothing the rules above let it change)."""
    found = read_phenotype(None, [resource], reading)
    changes: dict[str, object] = {}
    for name in ("anti_mda5", "anti_ars"):
        value = _antibody(name, getattr(found, name), current.get(name))
        if value is not None:
            changes[name] = value
    for name in ("weight_kg", "height_cm"):
        value = getattr(found, name)
        if value is not None and value != current.get(name):
            changes[name] = value
    return changes
