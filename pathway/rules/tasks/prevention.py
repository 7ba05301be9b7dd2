"""Preventive tasks: vaccinations and pulmonary rehabilitation (§8, [S0] supportive care)."""

from collections.abc import Iterator
from datetime import date, timedelta

from ...chart import Chart
from ...definition import PathwayDefinition
from ...record import PatientRecord, Vaccination
from ...window import Window
from .ledger import TaskLedger

__all__ = ["WINDOWS", "pulmonary_rehabilitation_tasks", "vaccination_tasks"]


def vaccination_tasks(chart: Chart, as_of: date, vaccine: str) -> TaskLedger:
    """`vaccination_<vaccine>` ([S0] influenza, pneumococcus, COVID-19): opened at enrolment,
    due + 30 days; influenza again 365 days after each influenza vaccination; closed by the
    matching vaccination."""
    ledger = TaskLedger(f"vaccination_{vaccine}", chart.definition.version)
    due_days = chart.definition.task_days["vaccination"]
    given = sorted(
        (v for v in chart.record.vaccinations if v.kind == vaccine and v.on <= as_of),
        key=lambda v: v.on,
    )
    ledger.open("enrolment", chart.record.enrolled_on, due_days)
    revaccinate = timedelta(days=chart.definition.task_days["influenza_revaccination"])
    for index, shot in enumerate(given):
        if ledger.current is not None and shot.on >= ledger.current.opened_on:
            ledger.done(shot.on)
        elif ledger.current is not None and _still_covers(shot, vaccine, chart, revaccinate):
            ledger.done(chart.record.enrolled_on)
        if vaccine != "influenza":
            continue
        reopen = shot.on + revaccinate
        following = given[index + 1] if index + 1 < len(given) else None
        if reopen <= as_of and (following is None or following.on >= reopen):
            ledger.open(shot.id, reopen, due_days, (shot.id,))
    return ledger


def _still_covers(shot: Vaccination, vaccine: str, chart: Chart, revaccinate: timedelta) -> bool:
    """A vaccination given before enrolment (prior history, §11) closes the enrolment task;
    an influenza one only while its season lasts (its next task would open after enrolment)."""
    enrolled = chart.record.enrolled_on
    if shot.on >= enrolled:
        return False
    return vaccine != "influenza" or shot.on + revaccinate > enrolled


def _influenza_seasons(
    record: PatientRecord, day: date, definition: PathwayDefinition
) -> Iterator[tuple[date, int]]:
    """Each influenza vaccination and the days (365) after which the next season's task opens
    (§8): it opens on a day no entry names, and the evaluation does not list it before."""
    revaccinate = definition.task_days["influenza_revaccination"]
    for shot in record.vaccinations:
        if shot.kind == "influenza":
            yield shot.on, revaccinate


WINDOWS: tuple[Window, ...] = (
    Window("yearly influenza vaccination", "§8", vaccination_tasks, _influenza_seasons),
)


def pulmonary_rehabilitation_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`pulmonary_rehabilitation` ([S0]): opened at the first entry into monitoring, due + 60
    days; done by the procedure on or after that day."""
    ledger = TaskLedger("pulmonary_rehabilitation", chart.definition.version)
    entries = [t for t in chart.course.transitions if t.dest == "monitoring" and t.on <= as_of]
    if not entries:
        return ledger
    first = entries[0]
    ledger.open(
        "first_monitoring",
        first.on,
        chart.definition.task_days["pulmonary_rehabilitation"],
        (first.id,),
    )
    sessions = sorted(
        p.on
        for p in chart.record.procedures
        if p.kind == "pulmonary_rehabilitation" and first.on <= p.on <= as_of
    )
    if sessions:
        ledger.done(sessions[0])
    return ledger
