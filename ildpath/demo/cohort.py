"""Plan the demo cohort: which archetype each synthetic patient follows, when they were
enrolled, and who they are (sex, birth date, weight; no names, nothing identifying).

Everything comes from `random.Random` instances seeded with the cohort seed, so the same size
and seed give the same plans.
"""

import random
from datetime import date, timedelta

from pathway.errors import InvalidValue

from ..usecases import EnrolPatient
from .course import Course
from .courses import ARCHETYPES, Archetype
from .plan import PatientPlan

__all__ = ["patient_id", "plan_cohort"]


def patient_id(number: int) -> str:
    return f"DEMO-{number:04d}"


def _archetypes(size: int, rng: random.Random) -> list[Archetype]:
    """One of each archetype first (in a seeded order), then drawn by weight."""
    first = list(ARCHETYPES)
    rng.shuffle(first)
    if size <= len(first):
        return first[:size]
    weights = [a.weight for a in ARCHETYPES]
    return first + rng.choices(ARCHETYPES, weights=weights, k=size - len(first))


def _draft(kind: Archetype, rng: random.Random, end: date) -> tuple[Course, date]:
    span = rng.randint(*kind.span)
    enrolled_on = end - timedelta(days=span)
    sex = "female" if rng.random() < 0.65 else "male"
    weight = rng.randint(48, 85) if sex == "female" else rng.randint(58, 102)
    age_days = rng.randint(25 * 365, 78 * 365)
    course = Course(rng, enrolled_on, end, sex, float(weight))
    kind.plan(course)
    return course, enrolled_on - timedelta(days=age_days)


def _habits(course: Course, rng: random.Random) -> None:
    """Most teams are punctual; some patients' tasks are done late now and then."""
    habits = course.habits
    roll = rng.random()
    habits.late_share = 0.0 if roll < 0.7 else 0.15 if roll < 0.95 else 0.4
    if rng.random() < 0.05:
        habits.declined_vaccines = (rng.choice(("covid19", "pneumococcal", "influenza")),)


def plan_cohort(size: int, seed: int, end: date) -> list[PatientPlan]:
    """``size`` synthetic patients enrolled in the 15 months before ``end``, numbered
    DEMO-0001... in order of enrolment."""
    if size < 1:
        raise InvalidValue("size", size, "a number of patients, 1 or more")
    kinds = _archetypes(size, random.Random(f"ildpath-demo:{seed}"))
    drafts = []
    for index, kind in enumerate(kinds):
        rng = random.Random(f"ildpath-demo:{seed}:{index}")
        course, birth_date = _draft(kind, rng, end)
        _habits(course, rng)
        drafts.append((course.enrolled_on, index, kind, course, birth_date))
    drafts.sort(key=lambda draft: (draft[0], draft[1]))
    plans = []
    for number, (enrolled_on, _, kind, course, birth_date) in enumerate(drafts, start=1):
        enrolment = EnrolPatient(
            id=patient_id(number),
            sex=course.sex,
            birth_date=birth_date,
            enrolled_on=enrolled_on,
            weight_kg=course.weight_kg,
            **course.phenotype,
        )
        events = sorted(course.events, key=lambda e: e.recorded_on)  # stable: day order kept
        closes_on = course.date_of(course.closed_at) if course.closed_at is not None else None
        plans.append(PatientPlan(enrolment, kind.name, events, course.habits, closes_on))
    return plans
