"""What closes each kind of care task (CLINICAL_SPEC §8 "Acting on a task": *done* is never a
bare tick; the task closes by recording what closes it).

The edges use this to offer "done": the dashboard opens the entry's form with these values
already chosen, the CLI and the API record the entry with them. Each entry is an event of
the one dispatcher (its kind and body); a unit test records each one and checks it closes
its task, so the table cannot drift from the rules.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import InvalidValue

__all__ = ["CLOSING_ENTRIES", "ClosingEntry", "closing_entry"]


@dataclass(frozen=True)
class ClosingEntry:
    """The event that closes a task: its kind, the values it is given, what the person still
    has to tell (``needs``), and a note when one entry may not be enough."""

    event: str
    preset: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    needs: str = ""
    note: str = ""


def _given(event: str, kind: str) -> ClosingEntry:
    return ClosingEntry(event, MappingProxyType({"kind": kind}))


CLOSING_ENTRIES: Mapping[str, ClosingEntry] = MappingProxyType(
    {
        "pft": ClosingEntry("pft", needs="the FVC and/or DLCO, % predicted"),
        "hrct": ClosingEntry("hrct", needs="the finding"),
        "cmv_test": ClosingEntry("cmv", needs="the CMV DNA load, IU/mL or copies/mL"),
        "plasma_exchange": _given("procedure", "plasma_exchange"),
        "pulmonary_rehabilitation": _given("procedure", "pulmonary_rehabilitation"),
        "transplant_referral": ClosingEntry(
            "trigger", MappingProxyType({"trigger": "refer_transplant"}), needs="a reason"
        ),
        "pjp_prophylaxis": ClosingEntry(
            "start",
            MappingProxyType({"agent": "tmp_smx"}),
            note="atovaquone, dapsone or pentamidine also close it when sulfonamides are not "
            "tolerated",
        ),
        "bone_protection": ClosingEntry(
            "start",
            MappingProxyType({"agent": "calcium"}),
            note="it closes once calcium and vitamin D (and a bisphosphonate if osteoporosis) "
            "are all active: record each",
        ),
        "vaccination_influenza": _given("vaccination", "influenza"),
        "vaccination_pneumococcal": _given("vaccination", "pneumococcal"),
        "vaccination_covid19": _given("vaccination", "covid19"),
    }
)
"""Task kind -> the entry that closes it."""


def closing_entry(kind: str) -> ClosingEntry:
    """The entry that closes a task of this kind."""
    found = CLOSING_ENTRIES.get(kind)
    if found is None:
        raise InvalidValue("kind", kind, ", ".join(CLOSING_ENTRIES))
    return found
