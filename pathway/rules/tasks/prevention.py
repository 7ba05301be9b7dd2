"""Preventive tasks: vaccinations and pulmonary rehabilitation (§8, [S0] supportive care)."""

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from ...chart import Chart
from ...definition import PathwayDefinition
from ...record import PatientRecord, TaskAction, Vaccination
from ...window import Window
from .ledger import TaskLedger

__all__ = ["WINDOWS", "pulmonary_rehabilitation_tasks", "vaccination_tasks"]


def vaccination_tasks(chart: Chart, as_of: date, vaccine: str) -> TaskLedger:
    """`vaccination_<vaccine>` ([S0] influenza, pneumococcus, COVID-19): opened at enrolment,
    due + 30 days; influenza again 365 days after each influenza vaccination; closed by the
    matching vaccination.

    Declined (§8), a task stays closed; influenza's next season opens 365 days after the
    decline, as it would after a vaccination given that day (the season was settled then)."""
    ledger = TaskLedger.of(chart, f"vaccination_{vaccine}")
    due_days = chart.definition.task_days["vaccination"]
    given = sorted(
        (v for v in chart.record.vaccinations if v.kind == vaccine and v.on <= as_of),
        key=lambda v: v.on,
    )
    ledger.open("enrolment", chart.record.enrolled_on, due_days)
    if vaccine != "influenza":
        for shot in given:
            if ledger.current is not None and shot.on >= ledger.current.opened_on:
                ledger.done(shot.on)
            elif ledger.current is not None and _still_covers(shot, chart, None):
                ledger.done(chart.record.enrolled_on)
        return ledger
    revaccinate = timedelta(days=chart.definition.task_days["influenza_revaccination"])
    reopen: date | None = None
    """The next season's opening day, counted from the entry (``anchor``) that settled this
    one, a vaccination or a decline, until it opens or a later settlement replaces it."""
    anchor = ""
    for day, _, entry in _settlements(given, ledger.declines.values()):
        if reopen is not None and reopen <= day:
            ledger.open(anchor, reopen, due_days, (anchor,))
            reopen = None
        if isinstance(entry, Vaccination):
            if ledger.current is not None and entry.on >= ledger.current.opened_on:
                ledger.done(entry.on)
            elif ledger.current is not None and _still_covers(entry, chart, revaccinate):
                ledger.done(chart.record.enrolled_on)
        elif not ledger.decline(entry):
            continue  # the task it named was closed by then: it settled nothing
        reopen = entry.on + revaccinate
        anchor = entry.id
    if reopen is not None and reopen <= as_of:
        ledger.open(anchor, reopen, due_days, (anchor,))
    return ledger


def _settlements(
    given: list[Vaccination], declines: Iterable[TaskAction]
) -> list[tuple[date, int, Vaccination | TaskAction]]:
    """Vaccinations and declines in date order; on one day the vaccination first (what was
    done closes the task; a decline of a task already done settles nothing)."""
    found: list[tuple[date, int, Vaccination | TaskAction]] = [(v.on, 0, v) for v in given]
    found += [(d.on, 1, d) for d in declines]
    return sorted(found, key=lambda s: (s[0], s[1]))


def _still_covers(shot: Vaccination, chart: Chart, revaccinate: timedelta | None) -> bool:
    """A vaccination given before enrolment (prior history, §11) closes the enrolment task;
    an influenza one (``revaccinate`` given) only while its season lasts: its next task would
    open after enrolment."""
    enrolled = chart.record.enrolled_on
    if shot.on >= enrolled:
        return False
    return revaccinate is None or shot.on + revaccinate > enrolled


def _influenza_seasons(
    record: PatientRecord, day: date, definition: PathwayDefinition
) -> Iterator[tuple[date, int]]:
    """Each influenza vaccination, and each decline of an influenza task (§8), and the days
    (365) after which the next season's task opens (§8): it opens on a day no entry names,
    and the evaluation does not list it before."""
    revaccinate = definition.task_days["influenza_revaccination"]
    for shot in record.vaccinations:
        if shot.kind == "influenza":
            yield shot.on, revaccinate
    for action in record.task_actions:
        if action.action == "decline" and action.task_kind == "vaccination_influenza":
            yield action.on, revaccinate


WINDOWS: tuple[Window, ...] = (
    Window("yearly influenza vaccination", "§8", vaccination_tasks, _influenza_seasons),
)


def pulmonary_rehabilitation_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`pulmonary_rehabilitation` ([S0]): opened at the first entry into monitoring, due + 60
    days; done by the procedure on or after that day."""
    ledger = TaskLedger.of(chart, "pulmonary_rehabilitation")
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
