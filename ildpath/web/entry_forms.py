"""The record forms of the patient page (PFT, CMV, HRCT, oxygen, laboratory results, SpO2,
six-minute walk, therapy, procedure, vaccination): what each reads from the posted form, as an
event of the one dispatcher (`ildpath.usecases.events`) that every other way in uses."""

from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import FormData

from pathway.catalogue import AGENT_CLASS, OXYGEN_REQUIREMENTS, PROCEDURES, ROUTES, VACCINATIONS
from pathway.doses import SCHEDULES, UNITS
from pathway.errors import InvalidValue
from pathway.observations import CMV_UNITS, COMPARATORS, LAB_ANALYTES

from ..bootstrap import App
from ..usecases import Actor, Outcome, record_event
from .form_values import day, number, text

__all__ = ["AGENT_GROUPS", "CHOICES", "ENTRY_FORMS", "EntryForm", "record_entry"]

Read = Callable[[FormData], tuple[str, object]]
"""A posted form read as the one dispatcher's event kind and body."""


def _pft(form: FormData) -> dict[str, object]:
    fields = ("fvc_pct", "dlco_pct", "dlco_corrected_pct", "fvc_l")
    return {name: number(form, name) for name in fields}


def _numbers(*fields: str) -> Callable[[FormData], dict[str, object]]:
    return lambda form: {name: number(form, name) for name in fields}


def _cmv(form: FormData) -> dict[str, object]:
    """A load in IU/mL or in copies/mL, as the laboratory reported it, and its comparator."""
    return {**_numbers(*CMV_UNITS)(form), "comparator": text(form, "comparator")}


def _hrct(form: FormData) -> dict[str, object]:
    return {"finding": text(form, "finding"), "extensive_ggo": form.get("extensive_ggo") == "yes"}


def _therapy(form: FormData) -> tuple[str, dict[str, object]]:
    """A therapy form is a start or a stop (its ``action``)."""
    body: dict[str, object] = {
        "agent": text(form, "agent") or "",
        "route": text(form, "route"),
        "dose": number(form, "dose"),
        "unit": text(form, "unit"),
        "every": text(form, "every"),
    }
    action = text(form, "action") or ""
    if action not in ("start", "stop"):
        raise InvalidValue("action", action, "start, stop")
    return action, body


def _event(kind: str, body: Callable[[FormData], dict[str, object]]) -> Read:
    return lambda form: (kind, body(form))


@dataclass(frozen=True)
class EntryForm:
    key: str
    title: str
    read: Read


ENTRY_FORMS: dict[str, EntryForm] = {
    form.key: form
    for form in (
        EntryForm("pft", "Pulmonary function test", _event("pft", _pft)),
        EntryForm("cmv", "CMV DNA result", _event("cmv", _cmv)),
        EntryForm("hrct", "HRCT", _event("hrct", _hrct)),
        EntryForm(
            "oxygen",
            "Oxygen requirement",
            _event("oxygen", lambda f: {"oxygen": text(f, "oxygen")}),
        ),
        EntryForm("lab", "Laboratory results", _event("lab", _numbers(*LAB_ANALYTES))),
        EntryForm("spo2", "SpO2 at rest", _event("spo2", _numbers("spo2"))),
        EntryForm(
            "six_minute_walk",
            "Six-minute walk",
            _event("six_minute_walk", _numbers("metres", "nadir_spo2")),
        ),
        EntryForm("therapy", "Therapy start, dose change or stop", _therapy),
        EntryForm(
            "procedure",
            "Procedure done",
            _event("procedure", lambda f: {"kind": text(f, "procedure")}),
        ),
        EntryForm(
            "vaccination",
            "Vaccination given",
            _event("vaccination", lambda f: {"kind": text(f, "vaccination")}),
        ),
    )
}
"""The patient page's record forms, in the order shown."""


def record_entry(
    app: App, patient_id: str, key: str, form: FormData, actor: Actor, expected_version: int
) -> Outcome:
    """Record what the form ``key`` holds through the one dispatcher; refused like the API
    refuses (nothing written)."""
    kind, body = ENTRY_FORMS[key].read(form)
    on = day(form, "on", app.clock.today())
    return record_event(app, patient_id, kind, body, on, actor, expected_version=expected_version)


def _agent_groups() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for agent, cls in AGENT_CLASS.items():
        groups.setdefault(cls.value.replace("_", " "), []).append(agent)
    return list(groups.items())


AGENT_GROUPS = _agent_groups()
"""Agents by class (§11), for the therapy form's grouped list."""

CHOICES = {
    "oxygen": OXYGEN_REQUIREMENTS,
    "comparator": COMPARATORS,
    "route": ROUTES,
    "unit": UNITS,
    "every": SCHEDULES,
    "procedure": PROCEDURES,
    "vaccination": VACCINATIONS,
}
"""The vocabulary of the record forms' lists."""
