"""Record observations, therapies, procedures and vaccinations (CLINICAL_SPEC §11).

Each is validated before anything is written, stored with its clinical and recorded dates,
audited, and followed by an evaluation, so its alerts are raised when it is recorded (§7).
"""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlmodel import SQLModel

from pathway import PathwayDefinition, PatientRecord
from pathway.catalogue import PROCEDURES, VACCINATIONS
from pathway.chart import Chart
from pathway.errors import InvalidValue
from pathway.validation import check_choice, check_range
from persistence.tables import ObservationRow, ProcedureRow, TherapyEventRow, VaccinationRow

from ..bootstrap import App
from .evaluation import apply_evaluation
from .work import Actor, PatientWork

__all__ = [
    "OBSERVATION_KINDS",
    "check_stop",
    "check_therapy",
    "observation_values",
    "record_observation",
    "record_procedure",
    "record_therapy",
    "record_vaccination",
]

OBSERVATION_KINDS = ("pft", "cmv", "hrct", "oxygen")
_OBSERVATION_FIELDS = {
    "pft": ("fvc_pct", "dlco_pct", "dlco_corrected_pct", "fvc_l"),
    "cmv": ("iu_per_ml",),
    "hrct": ("finding", "extensive_ggo"),
    "oxygen": ("oxygen",),
}


def observation_values(kind: str, values: Mapping[str, object]) -> dict[str, object]:
    """The checked value columns of one observation; unknown fields are refused."""
    check_choice("kind", kind, OBSERVATION_KINDS)
    allowed = _OBSERVATION_FIELDS[kind]
    for name in values:
        if name not in allowed:
            raise InvalidValue(f"{kind}.{name}", values[name], "fields " + ", ".join(allowed))
    checked: dict[str, object] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "oxygen":
            checked[name] = check_choice("oxygen", value)
        elif name == "finding":
            checked[name] = str(value)
        elif name == "extensive_ggo":
            if not isinstance(value, bool):
                raise InvalidValue("extensive_ggo", value, "true or false")
            checked[name] = value
        else:
            checked[name] = check_range(name, value)
    required = {"pft": ("fvc_pct", "dlco_pct"), "cmv": ("iu_per_ml",), "oxygen": ("oxygen",)}
    needed = required.get(kind, ())
    if needed and not any(n in checked for n in needed):
        raise InvalidValue(f"{kind}", dict(values), "at least one of " + ", ".join(needed))
    return checked


def _record_entry(
    app: App,
    external_id: str,
    actor: Actor,
    on: date,
    audit_kind: str,
    payload: dict[str, object],
    build: Callable[[dict[str, Any]], SQLModel],
    *,
    baseline: bool = False,
    check: Callable[[PatientWork], None] | None = None,
    expected_version: int | None = None,
) -> int:
    """The shape of every recording: check the patient and the date, write the entry, audit
    it, and evaluate so its alerts are raised at once. One transaction."""
    with (
        app.transaction() as session,
        PatientWork.open(app, session, external_id, actor, expected_version) as work,
    ):
        work.check_date("on", on, baseline=baseline)
        if check is not None:
            check(work)
        row = work.add(build(work.entry_columns(on)))
        row_id: int = row.id  # type: ignore[attr-defined]
        work.audit(audit_kind, {"id": row_id, **payload}, clinical_on=on)
        apply_evaluation(work)
        return row_id


def record_observation(
    app: App,
    external_id: str,
    kind: str,
    values: Mapping[str, object],
    on: date,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> int:
    """A PFT, CMV DNA result, HRCT or oxygen requirement; a baseline observation may be dated
    up to 365 days before enrolment."""
    checked = observation_values(kind, values)
    return _record_entry(
        app,
        external_id,
        actor,
        on,
        "observation_recorded",
        {"kind": kind, **checked},
        lambda columns: ObservationRow(kind=kind, **checked, **columns),
        baseline=True,
        expected_version=expected_version,
    )


def check_therapy(action: str, agent: str, route: str | None, dose: float | None) -> None:
    check_choice("action", action, ("start", "stop"))
    check_choice("agent", agent)
    if route is not None:
        check_choice("route", route)
    if dose is not None:
        check_range("dose_mg_per_day", dose)


def check_stop(
    record: PatientRecord, definition: PathwayDefinition, action: str, agent: str, on: date
) -> None:
    """Only an active agent can be stopped (on the record known now)."""
    if action != "stop":
        return
    if agent not in Chart(record, definition).exposure.active_on(on):
        raise InvalidValue(
            "agent",
            agent,
            f"an agent active on {on.isoformat()} (only an active agent can be stopped)",
        )


def record_therapy(
    app: App,
    external_id: str,
    action: str,
    agent: str,
    on: date,
    actor: Actor,
    route: str | None = None,
    dose_mg_per_day: float | None = None,
    expected_version: int | None = None,
) -> int:
    """A start (a dose change when the agent is already active) or a stop (§9, §11)."""
    check_therapy(action, agent, route, dose_mg_per_day)
    fields = {"agent": agent, "action": action, "route": route, "dose_mg_per_day": dose_mg_per_day}
    return _record_entry(
        app,
        external_id,
        actor,
        on,
        "therapy_recorded",
        fields,
        lambda columns: TherapyEventRow(**fields, **columns),
        check=lambda work: check_stop(work.record, app.definition, action, agent, on),
        expected_version=expected_version,
    )


def record_procedure(
    app: App,
    external_id: str,
    kind: str,
    on: date,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> int:
    """A procedure done: plasma exchange, pulmonary rehabilitation."""
    check_choice("procedure", kind, PROCEDURES)
    return _record_entry(
        app,
        external_id,
        actor,
        on,
        "procedure_recorded",
        {"kind": kind},
        lambda columns: ProcedureRow(kind=kind, **columns),
        expected_version=expected_version,
    )


def record_vaccination(
    app: App,
    external_id: str,
    kind: str,
    on: date,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> int:
    """A vaccination given: influenza, pneumococcal, COVID-19."""
    check_choice("vaccination", kind, VACCINATIONS)
    return _record_entry(
        app,
        external_id,
        actor,
        on,
        "vaccination_recorded",
        {"kind": kind},
        lambda columns: VaccinationRow(kind=kind, **columns),
        expected_version=expected_version,
    )
