"""What counts as reckoning from the day asked (`tests/unit/reckoning.py`): a window a rule
could add is found in each of the shapes the rules write dates in; arithmetic on the record's
own dates, or on task dates the evaluation lists, is not a window."""

import ast
from textwrap import dedent

import pytest

from tests.unit.reckoning import reckonings, shifting_functions

WINDOWS = {
    "a review due 6 months after induction, once the day asked passes it": """
        def review_tasks(chart, as_of):
            review = add_months(chart.course.last("start_induction", as_of).on, 6)
            return review <= as_of
    """,
    "a deadline kept in a name": """
        def step_up(chart, day):
            deadline = first + timedelta(days=chart.definition.triple_therapy_window_days)
            if day <= deadline:
                return None
    """,
    "a span kept in a name, then added to a vaccination": """
        def vaccination_tasks(chart, as_of):
            revaccinate = timedelta(days=365)
            for shot in given:
                reopen = shot.on + revaccinate
                if reopen <= as_of:
                    yield shot
    """,
    "a span kept at module level": """
        _GRACE = timedelta(days=3)

        def late(task, day):
            return day > task.due_on + _GRACE
    """,
    "days since an event compared with a lookback": """
        class Chart:
            def _high_risk_on(self, day):
                return any(0 <= (day - t.on).days <= 365 for t in transitions)
    """,
    "days counted between an event and the day asked": """
        def recent(t, day):
            return days_between(t.on, day) <= 30
    """,
    "a deadline worked out by another function": """
        def _deadline(start):
            return start + timedelta(days=14)

        def overdue(exchange, day):
            return day > _deadline(exchange.on)
    """,
    "a deadline worked out by a nested function": """
        def tasks(chart, as_of):
            def due(on):
                return add_days(on, 7)
            return due(as_of)
    """,
    "the day asked under another name, as a date parameter": """
        def open_task(on: date, days):
            return on + timedelta(days=days)
    """,
    "the earlier of a deadline and the day asked": """
        def within(p, refractory_on, until):
            return p.on <= min(refractory_on + timedelta(days=14), until)
    """,
    "the earlier of a deadline and the day asked, kept in a name": """
        def within(p, refractory_on, as_of):
            bound = min(refractory_on + timedelta(days=14), as_of)
            return p.on <= bound
    """,
    "the day asked under another local name": """
        def recent(t, day):
            cutoff = max(day, t.enrolled_on)
            return (cutoff - t.on).days <= 30
    """,
    "the season of the day asked": """
        def influenza_season(day):
            return day.month >= 10
    """,
}

RECORD_DATES_ONLY = {
    "a year counted back from the latest PFT": """
        def progression_suspected(chart, day):
            pfts = chart.observations("pft", until=day)
            window_start = pfts[-1].on - timedelta(days=365)
            return [p for p in pfts if window_start <= p.on]
    """,
    "the day before an amendment": """
        def openings(chart, as_of, entry):
            return chart.phenotype(entry.on - timedelta(days=1)).mda5_positive
    """,
    "the phenotype in force on the day asked": """
        def avoid_agent(chart, day):
            return chart.phenotype(day).mda5_positive
    """,
    "the day asked compared with the record's dates": """
        def active_on(course, day):
            return course.start.on <= day and day < course.stopped_on
    """,
    "the day asked under another name, compared with the record's dates": """
        def phenotype_on(record, day):
            cutoff = max(day, record.enrolled_on)
            return [e for e in record.phenotype if e.on <= cutoff]
    """,
    "a task's due date compared with the day asked": """
        def is_overdue(task, day):
            return day > task.due_on
    """,
    "the PFT interval of the day asked's risk": """
        def due(chart, last, day):
            return add_months(last, pft_interval_months(chart, day))
    """,
}


def found(source: str) -> list[str]:
    tree = ast.parse(dedent(source))
    return [r.code for r in reckonings("rule", tree, shifting_functions([tree]))]


@pytest.mark.parametrize("name", WINDOWS)
def test_a_window_reckoned_from_the_day_asked_is_found(name):
    assert found(WINDOWS[name]) != []


@pytest.mark.parametrize("name", RECORD_DATES_ONLY)
def test_arithmetic_on_the_records_own_dates_is_not_a_window(name):
    assert found(RECORD_DATES_ONLY[name]) == []
