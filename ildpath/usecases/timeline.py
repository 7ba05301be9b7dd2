"""One patient's course as a dated list a person reads top to bottom: what was recorded,
what the engine said, and what people decided."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from pathway.doses import NO_BODY, Body, body_on, dose_from
from pathway.labels import field_label, label
from pathway.observations import analyte_name, cmv_load, lab_value, shown
from persistence.tables import AlertRow, ObservationRow, TherapyEventRow

from .alert_standing import withdrawn, withdrawn_day
from .summary import PatientSummary

__all__ = ["TimelineEntry", "describe_observation", "describe_therapy", "timeline"]


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    category: str
    """enrolment, phenotype, observation, therapy, procedure, vaccination, transition, alert,
    alert_withdrawn, alert_cleared (§7a), acknowledgement, task."""
    text: str
    actor: str = ""
    entry: str = ""
    """The record id of the entry shown (``obs12``): what a correction names."""
    retracted: str = ""
    """How the entry was taken back by the summary's day (§11), e.g. ``corrected on
    2026-03-03: wrong report``; shown struck through. Empty while it stands."""
    code: str = ""
    """The code the entry is about (a trigger, an alert code, a task kind), shown in small
    type beside the words of ``text`` (issue 18: words, not codes)."""


def _number(value: float) -> str:
    return f"{value:g}"


def describe_observation(row: ObservationRow) -> str:
    if row.kind == "pft":
        parts = [
            f"FVC {_number(row.fvc_pct)}%" if row.fvc_pct is not None else "",
            f"({_number(row.fvc_l)} L)" if row.fvc_l is not None else "",
            f"DLCO {_number(row.dlco_pct)}%" if row.dlco_pct is not None else "",
            f"(Hb-corrected {_number(row.dlco_corrected_pct)}%)"
            if row.dlco_corrected_pct is not None
            else "",
        ]
        return "PFT: " + " ".join(p for p in parts if p) + " predicted"
    if row.kind == "cmv":
        load = cmv_load(row)
        return f"CMV DNA: {load if load is not None else 'no value'}"
    if row.kind == "lab":
        found = lab_value(row)
        if found is None:
            return "Laboratory: no value"
        analyte, value = found
        return f"{analyte_name(analyte)}: {shown(value, analyte)}"
    if row.kind == "spo2":
        return f"SpO2 at rest: {shown(row.spo2 or 0, 'spo2')}"
    if row.kind == "six_minute_walk":
        nadir = row.nadir_spo2
        lowest = "" if nadir is None else f", nadir SpO2 {shown(nadir, 'nadir_spo2')}"
        return f"Six-minute walk: {shown(row.metres or 0, 'metres')}{lowest}"
    if row.kind == "hrct":
        ggo = " (extensive ground-glass opacities)" if row.extensive_ggo else ""
        return f"HRCT: {row.finding or 'no finding text'}{ggo}"
    return f"Oxygen requirement: {(row.oxygen or '').replace('_', ' ')}"


def describe_therapy(row: TherapyEventRow, body: Body = NO_BODY) -> str:
    """``Start cyclophosphamide (iv 750 mg/m² every 4 weeks (1364 mg))``: the dose converted
    with ``body``, the weight and height in force on the entry's date."""
    dose = dose_from(row.dose, row.unit, row.every)
    details = [
        row.route or "",
        "" if dose is None else dose.shown(dose.mg(body)),
    ]
    extra = " ".join(d for d in details if d)
    started = "Start" if row.action == "start" else "Stop"
    return f"{started} {_in_sentence(label(row.agent, 'agent'))}" + (f" ({extra})" if extra else "")


def _in_sentence(name: str) -> str:
    """A label inside a sentence: ``Tacrolimus`` -> ``tacrolimus``; ``IVIG`` stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _alert(alert: AlertRow) -> str:
    return label(alert.code, "alert")


def _value(value: object) -> str:
    """A phenotype value in words: a list (risk factors) item by item, ``none`` when empty."""
    if isinstance(value, list | tuple):
        return ", ".join(label(v, "value") for v in value) or "none"
    if isinstance(value, str):
        return label(value, "value")
    if isinstance(value, float):
        return f"{value:g}"
    return "not known" if value is None else str(value)


def _taken_back(summary: PatientSummary, prefix: str, row_id: int | None) -> str:
    """What the timeline says of an entry taken back (§11), or nothing."""
    found = summary.retraction(f"{prefix}{row_id}")
    if found is None:
        return ""
    how = f"corrected (by {found.replaced_by})" if found.replaced_by else "entered in error"
    return f"{how} on {found.recorded_on}: {found.reason}"


def _entries(summary: PatientSummary) -> Iterator[TimelineEntry]:
    patient = summary.patient
    enrolled = [
        entry
        for entry in summary.phenotype_entries
        if entry.clinical_on == patient.enrolled_on and entry.reason is None
    ]
    yield TimelineEntry(
        patient.enrolled_on,
        "enrolment",
        "Enrolled in the pathway",
        enrolled[0].actor if enrolled else "",
    )
    for entry in summary.phenotype_entries:
        if entry not in enrolled:
            why = f" ({entry.reason})" if entry.reason else ""
            yield TimelineEntry(
                entry.clinical_on,
                "phenotype",
                f"{field_label(entry.field)} set to {_value(entry.value)}{why}",
                entry.actor,
                f"ph{entry.id}",
                _taken_back(summary, "ph", entry.id),
            )
    for observation in summary.observations:
        yield TimelineEntry(
            observation.clinical_on,
            "observation",
            describe_observation(observation),
            observation.actor,
            f"obs{observation.id}",
            _taken_back(summary, "obs", observation.id),
        )
    for therapy in summary.therapy_events:
        yield TimelineEntry(
            therapy.clinical_on,
            "therapy",
            describe_therapy(therapy, body_on(summary.record, therapy.clinical_on)),
            therapy.actor,
            f"rx{therapy.id}",
            _taken_back(summary, "rx", therapy.id),
        )
    for procedure in summary.procedures:
        yield TimelineEntry(
            procedure.clinical_on,
            "procedure",
            label(procedure.kind, "procedure"),
            procedure.actor,
            f"proc{procedure.id}",
            _taken_back(summary, "proc", procedure.id),
        )
    for vaccination in summary.vaccinations:
        yield TimelineEntry(
            vaccination.clinical_on,
            "vaccination",
            f"{label(vaccination.kind, 'vaccination')} vaccination",
            vaccination.actor,
            f"vac{vaccination.id}",
            _taken_back(summary, "vac", vaccination.id),
        )
    for transition in summary.transitions:
        why = f": {transition.reason}" if transition.reason else ""
        yield TimelineEntry(
            transition.clinical_on,
            "transition",
            f"{label(transition.trigger, 'trigger')} ({label(transition.from_state, 'state')} "
            f"→ {label(transition.to_state, 'state')}){why}",
            transition.actor,
            code=transition.trigger,
        )
    for alert in summary.alerts:
        yield TimelineEntry(
            alert.raised_on,
            "alert",
            f"{_alert(alert)} raised ({alert.severity})",
            "ildpath-engine",
            code=alert.code,
        )
        yield from _fate(alert)
        if alert.acknowledged_at is not None:
            yield TimelineEntry(
                alert.acknowledged_at.date(),
                "acknowledgement",
                f"{_alert(alert)} acknowledged: {alert.justification}",
                alert.acknowledged_by or "",
                code=alert.code,
            )
    for task in summary.tasks:
        if task.status == "done" and task.closed_on is not None:
            yield TimelineEntry(
                task.closed_on,
                "task",
                f"{label(task.kind, 'task')} done (due {task.due_on})",
                code=task.kind,
            )


def _fate(alert: AlertRow) -> Iterator[TimelineEntry]:
    """The alert's withdrawal within its recording day, or its clearing (§7a)."""
    if withdrawn(alert):
        yield TimelineEntry(
            withdrawn_day(alert),
            "alert_withdrawn",
            f"{_alert(alert)} withdrawn: the same day's entries show its cause did not hold "
            f"({alert.withdrawn_by or 'a same-day entry'})",
            "ildpath-engine",
            code=alert.code,
        )
    elif alert.cleared_on is not None:
        by = f" by {alert.cleared_by}" if alert.cleared_by else ""
        yield TimelineEntry(
            alert.cleared_on,
            "alert_cleared",
            f"{_alert(alert)} cleared{by}: its cause no longer holds",
            "ildpath-engine",
            code=alert.code,
        )


def timeline(summary: PatientSummary) -> list[TimelineEntry]:
    """Everything dated on or before the summary's day, oldest first."""
    entries = [e for e in _entries(summary) if e.on <= summary.as_of]
    return sorted(entries, key=lambda e: e.on)
