"""The record forms of the patient page (PFT, CMV, HRCT, oxygen, therapy, procedure,
vaccination): what each reads from the posted form and which use case it calls, the same
ones the REST API calls (`ildpath.api.routes.entries`)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from starlette.datastructures import FormData

from pathway.catalogue import AGENT_CLASS, OXYGEN_REQUIREMENTS, PROCEDURES, ROUTES, VACCINATIONS

from ..bootstrap import App
from ..usecases import (
    Actor,
    record_observation,
    record_procedure,
    record_therapy,
    record_vaccination,
)
from .form_values import day, number, text

__all__ = ["AGENT_GROUPS", "CHOICES", "ENTRY_FORMS", "EntryForm", "record_entry"]


@dataclass(frozen=True)
class Entry:
    """One posted record form, read."""

    app: App
    patient_id: str
    form: FormData
    actor: Actor
    expected_version: int

    @property
    def on(self) -> date:
        return day(self.form, "on", self.app.clock.today())


def _observation(
    kind: str, values: Callable[[FormData], dict[str, object]]
) -> Callable[["Entry"], int]:
    def record(e: Entry) -> int:
        return record_observation(
            e.app,
            e.patient_id,
            kind,
            values(e.form),
            e.on,
            e.actor,
            expected_version=e.expected_version,
        )

    return record


def _pft(form: FormData) -> dict[str, object]:
    fields = ("fvc_pct", "dlco_pct", "dlco_corrected_pct", "fvc_l")
    return {name: number(form, name) for name in fields}


def _hrct(form: FormData) -> dict[str, object]:
    return {"finding": text(form, "finding"), "extensive_ggo": form.get("extensive_ggo") == "yes"}


def _therapy(e: Entry) -> int:
    return record_therapy(
        e.app,
        e.patient_id,
        text(e.form, "action") or "",
        text(e.form, "agent") or "",
        e.on,
        e.actor,
        route=text(e.form, "route"),
        dose_mg_per_day=number(e.form, "dose_mg_per_day"),
        expected_version=e.expected_version,
    )


def _procedure(e: Entry) -> int:
    kind = text(e.form, "procedure") or ""
    return record_procedure(
        e.app, e.patient_id, kind, e.on, e.actor, expected_version=e.expected_version
    )


def _vaccination(e: Entry) -> int:
    kind = text(e.form, "vaccination") or ""
    return record_vaccination(
        e.app, e.patient_id, kind, e.on, e.actor, expected_version=e.expected_version
    )


@dataclass(frozen=True)
class EntryForm:
    key: str
    title: str
    record: Callable[[Entry], int]


ENTRY_FORMS: dict[str, EntryForm] = {
    form.key: form
    for form in (
        EntryForm("pft", "Pulmonary function test", _observation("pft", _pft)),
        EntryForm(
            "cmv",
            "CMV DNA result",
            _observation("cmv", lambda f: {"iu_per_ml": number(f, "iu_per_ml")}),
        ),
        EntryForm("hrct", "HRCT", _observation("hrct", _hrct)),
        EntryForm(
            "oxygen",
            "Oxygen requirement",
            _observation("oxygen", lambda f: {"oxygen": text(f, "oxygen")}),
        ),
        EntryForm("therapy", "Therapy start, dose change or stop", _therapy),
        EntryForm("procedure", "Procedure done", _procedure),
        EntryForm("vaccination", "Vaccination given", _vaccination),
    )
}
"""The patient page's record forms, in the order shown."""


def record_entry(
    app: App, patient_id: str, key: str, form: FormData, actor: Actor, expected_version: int
) -> int:
    """Record what the form ``key`` holds; refused like the API refuses (nothing written)."""
    return ENTRY_FORMS[key].record(Entry(app, patient_id, form, actor, expected_version))


def _agent_groups() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for agent, cls in AGENT_CLASS.items():
        groups.setdefault(cls.value.replace("_", " "), []).append(agent)
    return list(groups.items())


AGENT_GROUPS = _agent_groups()
"""Agents by class (§11), for the therapy form's grouped list."""

CHOICES = {
    "oxygen": OXYGEN_REQUIREMENTS,
    "route": ROUTES,
    "procedure": PROCEDURES,
    "vaccination": VACCINATIONS,
}
"""The vocabulary of the record forms' lists."""
