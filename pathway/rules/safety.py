"""Agents to avoid and the step-up pitfall (CLINICAL_SPEC §7). Alerts, never refusals:
clinicians may have reasons, and acknowledge with a justification."""

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from ..catalogue import AgentClass, agent_class
from ..chart import Chart
from ..definition import PathwayDefinition
from ..exposure import Course
from ..findings import Alert
from ..phenotype import Phenotype, phenotype_on
from ..record import PatientRecord
from ..window import Window

__all__ = ["WINDOWS", "safety_alerts", "step_up_therapy", "triple_therapy_starts"]

_FIRST_LINE_TO_AVOID = frozenset({"methotrexate", "leflunomide", "azathioprine"})
_AVOID_IN_MDA5 = frozenset({AgentClass.TNF_INHIBITOR, AgentClass.OTHER_BIOLOGIC_TO_AVOID})
_ACUTE_STATES = frozenset({"diagnosis", "induction", "salvage"})


def _course_days(chart: Chart, course: Course, day: date, follow: bool) -> list[date]:
    """Days on which a course is judged: its start, and (if ``follow``) each later day in the
    course on which the phenotype changed."""
    days = [max(course.start.on, chart.record.enrolled_on)]
    if follow:
        days += [
            e.on
            for e in chart.record.phenotype
            if course.start.on < e.on <= day and course.active_on(e.on)
        ]
    return days


def _courses_where(
    chart: Chart,
    day: date,
    agents: Callable[[str], bool],
    holds: Callable[[Phenotype, date], bool],
    follow: bool,
) -> Iterator[Course]:
    enrolled = chart.record.enrolled_on
    for course in chart.exposure.courses:
        if course.start.on > day or not agents(course.agent):
            continue
        if course.stopped_on is not None and course.stopped_on <= enrolled:
            continue  # prior history over before enrolment raises nothing (§11)
        if any(holds(chart.phenotype(d), d) for d in _course_days(chart, course, day, follow)):
            yield course


def _alert(chart: Chart, code: str, course: Course) -> Alert:
    detail = f"{course.agent} started {course.start.on}"
    return Alert.under(
        chart.definition, code, f"{code}:{course.start.id}", (course.start.id,), detail
    )


def avoid_first_line_agent(chart: Chart, day: date) -> Iterator[Alert]:
    """[S4]: methotrexate, leflunomide or azathioprine started at regimen line 1 in an anti-MDA5
    positive or rapidly progressive patient."""
    follow = chart.definition.raise_on_amendment_while_active
    for course in _courses_where(
        chart,
        day,
        lambda agent: agent in _FIRST_LINE_TO_AVOID,
        lambda p, _d: p.mda5_positive or p.rapidly_progressive,
        follow,
    ):
        if chart.course.line_on(course.start.on) == 1:
            yield _alert(chart, "AVOID_FIRST_LINE_AGENT", course)


def avoid_agent(chart: Chart, day: date) -> Iterator[Alert]:
    """[S4]: TNF inhibitors, abatacept and tocilizumab in an anti-MDA5 positive patient."""
    follow = chart.definition.raise_on_amendment_while_active
    for course in _courses_where(
        chart,
        day,
        lambda agent: agent_class(agent) in _AVOID_IN_MDA5,
        lambda p, _d: p.mda5_positive,
        follow,
    ):
        yield _alert(chart, "AVOID_AGENT", course)


def antifibrotic_in_acute_rpild(chart: Chart, day: date) -> Iterator[Alert]:
    """[S4]: nintedanib or pirfenidone started while the course is rapidly progressive and the
    patient is in diagnosis, induction or salvage."""
    for course in _courses_where(
        chart,
        day,
        lambda agent: agent_class(agent) is AgentClass.ANTIFIBROTIC,
        lambda p, d: p.rapidly_progressive and chart.course.state_on(d) in _ACUTE_STATES,
        follow=False,
    ):
        yield _alert(chart, "ANTIFIBROTIC_IN_ACUTE_RPILD", course)


def _triple_group(chart: Chart, agent: str, day: date) -> int | None:
    cls = agent_class(agent)
    if cls is AgentClass.GLUCOCORTICOID:
        return 0 if chart.exposure.high_dose_glucocorticoid_on(day) else None
    if cls is AgentClass.CALCINEURIN_INHIBITOR or agent == "mycophenolate_mofetil":
        return 1
    if agent in {"cyclophosphamide", "rituximab"}:
        return 2
    return None


def step_up_therapy(chart: Chart, day: date) -> Alert | None:
    """`MDA5_STEP_UP_THERAPY` [S4 common pitfall]: in an anti-MDA5 positive patient, with F the
    earliest start on or after enrolment of any of the three groups (high-dose glucocorticoid;
    calcineurin inhibitor or mycophenolate; cyclophosphamide or rituximab), the three were not
    all started by F + 3 days. Judged on what is known on ``day``: raised from F + 4."""
    if not chart.phenotype(day).mda5_positive:
        return None
    window = chart.definition.triple_therapy_window_days
    first_start = triple_therapy_starts(chart, day)
    if not first_start:
        return None
    f = min(first_start.values())
    deadline = f + timedelta(days=window)
    if day <= deadline:
        return None
    if len(first_start) == 3 and max(first_start.values()) <= deadline:
        return None
    missing = [
        name
        for g, name in enumerate(
            (
                "high-dose glucocorticoid",
                "calcineurin inhibitor or mycophenolate",
                "cyclophosphamide or rituximab",
            )
        )
        if g not in first_start or first_start[g] > deadline
    ]
    return Alert.under(
        chart.definition,
        "MDA5_STEP_UP_THERAPY",
        "MDA5_STEP_UP_THERAPY",
        detail=f"first agent {f}; not started by {deadline}: {', '.join(missing)}",
    )


def _triple_therapy_deadlines(
    record: PatientRecord, day: date, definition: PathwayDefinition
) -> Iterator[tuple[date, int]]:
    """F + 3 days for every day that may be F while anti-MDA5 is positive on the day asked:
    enrolment and the date of each entry (a start, or the amendment that moves F, §7). The
    alert is raised on F + 4 by the daily evaluation, a day no entry names."""
    if not phenotype_on(record, day).mda5_positive:
        return
    window = definition.triple_therapy_window_days
    yield record.enrolled_on, window
    for entry in record.entries():
        yield entry.on, window


WINDOWS: tuple[Window, ...] = (
    Window("triple-therapy deadline", "§7", step_up_therapy, _triple_therapy_deadlines),
)


def triple_therapy_starts(chart: Chart, day: date) -> dict[int, date]:
    """The first day, known by ``day``, each of the three §7 groups was given (0: high-dose
    glucocorticoid, 1: calcineurin inhibitor or mycophenolate, 2: cyclophosphamide or
    rituximab), counting only starts on or after enrolment (prior history does not start the
    window, §11).

    When anti-MDA5 became positive on P after the first of them (revision 2), the window starts
    at P while the patient was in diagnosis or induction of line 1 on P: groups active on P count
    as given on P, those stopped before P not at all. In a later state a late positive result
    raises no step-up alert: no starts are returned."""
    first_start: dict[int, date] = {}
    for group, on in _group_starts(chart, day, chart.record.enrolled_on, counted_before=False):
        first_start.setdefault(group, on)
    positive_on = _positive_since(chart, day)
    if positive_on is None or not first_start or min(first_start.values()) >= positive_on:
        return first_start
    if not _first_line_on(chart, positive_on):
        return {}
    from_result: dict[int, date] = {}
    for group, on in _group_starts(chart, day, positive_on, counted_before=True):
        from_result.setdefault(group, on)
    return from_result


def _first_line_on(chart: Chart, day: date) -> bool:
    """In diagnosis, or in induction of regimen line 1, on ``day``."""
    state = chart.course.state_on(day)
    return state == "diagnosis" or (state == "induction" and chart.course.induction_line(day) == 1)


def _positive_since(chart: Chart, day: date) -> date | None:
    """P: the first day of the run of anti-MDA5 positive days that ``day`` is in (enrolment
    when positive from enrolment); None when not positive on ``day``."""
    since: date | None = None
    entries = [e for e in chart.record.phenotype if e.field == "anti_mda5" and e.on <= day]
    for entry in sorted(entries, key=lambda e: e.on):
        if entry.value == "positive":
            since = since or max(entry.on, chart.record.enrolled_on)
        else:
            since = None
    return since


def _groups_on(chart: Chart, day: date) -> set[int]:
    groups = (_triple_group(chart, agent, day) for agent in chart.exposure.active_on(day))
    return {g for g in groups if g is not None}


def _group_starts(
    chart: Chart, day: date, since: date, *, counted_before: bool
) -> Iterator[tuple[int, date]]:
    """(group, day) for each day from ``since`` to ``day`` a group was newly given, in
    clinical order. A group already given the day before ``since`` counts on ``since`` if
    ``counted_before``, otherwise only when given again after a break."""
    earlier = [d for d in chart.exposure.change_days if d < since]
    given = _groups_on(chart, earlier[-1]) if earlier and not counted_before else set()
    days = [since, *(d for d in chart.change_days if since < d <= day)]
    for d in days:
        now = _groups_on(chart, d)
        for group in sorted(now - given):
            yield group, d
        given = now


def safety_alerts(chart: Chart, day: date) -> Iterator[Alert]:
    """Every §7 alert whose condition holds on what is known on ``day``."""
    yield from avoid_first_line_agent(chart, day)
    yield from avoid_agent(chart, day)
    yield from antifibrotic_in_acute_rpild(chart, day)
    alert = step_up_therapy(chart, day)
    if alert is not None:
        yield alert
