"""Record observations, therapies, procedures and vaccinations (CLINICAL_SPEC §11).

Each is validated before anything is written, stored with its clinical and recorded dates,
audited, and followed by an evaluation, so its alerts are raised when it is recorded (§7).
"""

from collections.abc import Mapping
from datetime import date

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


def _observation_values(kind: str, values: Mapping[str, object]) -> dict[str, object]:
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


def record_observation(
    app: App, external_id: str, kind: str, values: Mapping[str, object], on: date, actor: Actor
) -> int:
    """A PFT, CMV DNA result, HRCT or oxygen requirement; a baseline observation may be dated
    up to 365 days before enrolment."""
    checked = _observation_values(kind, values)
    with app.transaction() as session:
        work = PatientWork.open(app, session, external_id, actor)
        work.check_date("on", on, baseline=True)
        row = work.add(ObservationRow(kind=kind, **checked, **work.entry_columns(on)))
        work.audit(
            "observation_recorded",
            {"observation_id": row.id, "kind": kind, **checked},
            clinical_on=on,
        )
        apply_evaluation(work)
        assert row.id is not None
        return row.id


def _check_therapy(
    work: PatientWork, action: str, agent: str, route: str | None, dose: float | None, on: date
) -> None:
    check_choice("action", action, ("start", "stop"))
    check_choice("agent", agent)
    if route is not None:
        check_choice("route", route)
    if dose is not None:
        check_range("dose_mg_per_day", dose)
    work.check_date("on", on)
    if action == "stop":
        chart = Chart(work.record, work.app.definition)
        if agent not in chart.exposure.active_on(on):
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
) -> int:
    """A start (a dose change when the agent is already active) or a stop (§9, §11)."""
    with app.transaction() as session:
        work = PatientWork.open(app, session, external_id, actor)
        _check_therapy(work, action, agent, route, dose_mg_per_day, on)
        row = work.add(
            TherapyEventRow(
                agent=agent,
                action=action,
                route=route,
                dose_mg_per_day=dose_mg_per_day,
                **work.entry_columns(on),
            )
        )
        work.audit(
            "therapy_recorded",
            {
                "therapy_event_id": row.id,
                "action": action,
                "agent": agent,
                "route": route,
                "dose_mg_per_day": dose_mg_per_day,
            },
            clinical_on=on,
        )
        apply_evaluation(work)
        assert row.id is not None
        return row.id


def record_procedure(app: App, external_id: str, kind: str, on: date, actor: Actor) -> int:
    """A procedure done: plasma exchange, pulmonary rehabilitation."""
    check_choice("procedure", kind, PROCEDURES)
    with app.transaction() as session:
        work = PatientWork.open(app, session, external_id, actor)
        work.check_date("on", on)
        row = work.add(ProcedureRow(kind=kind, **work.entry_columns(on)))
        work.audit("procedure_recorded", {"procedure_id": row.id, "kind": kind}, clinical_on=on)
        apply_evaluation(work)
        assert row.id is not None
        return row.id


def record_vaccination(app: App, external_id: str, kind: str, on: date, actor: Actor) -> int:
    """A vaccination given: influenza, pneumococcal, COVID-19."""
    check_choice("vaccination", kind, VACCINATIONS)
    with app.transaction() as session:
        work = PatientWork.open(app, session, external_id, actor)
        work.check_date("on", on)
        row = work.add(VaccinationRow(kind=kind, **work.entry_columns(on)))
        work.audit("vaccination_recorded", {"vaccination_id": row.id, "kind": kind}, clinical_on=on)
        apply_evaluation(work)
        assert row.id is not None
        return row.id
