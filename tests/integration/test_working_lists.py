"""The coordinator's working lists on a real database (SQLite and PostgreSQL): one query ranks,
searches, filters and pages the cohort for the board, the CLI and the API alike; the worklist
pages and filters open tasks.

The cohort on 2026-03-02:
- ``MDA-10``: anti-MDA5 positive, infliximab started today: a critical AVOID_AGENT alert holds;
- ``FLU-2``: enrolled 60 days ago, nothing done since: vaccinations and more overdue;
- ``CALM-1``: enrolled today, every task due later;
- ``GONE-4``: anti-MDA5 positive with infliximab, then closed: its alert counts nowhere.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from ildpath.accounts import add_user
from ildpath.bootstrap import App
from ildpath.usecases import TriggerCommand, fire_trigger, record_therapy
from ildpath.usecases.cohort import CohortQuery, find_patients, list_cohort
from ildpath.usecases.saved_lists import delete_list, query_of, save_list, saved_lists
from ildpath.usecases.task_actions import assign_task
from ildpath.usecases.worklist import TaskQuery, find_tasks
from pathway.errors import InvalidValue

from .apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)


@pytest.fixture
def cohort(database_url: str) -> Iterator[App]:
    with clinic(database_url, DAY) as (app, _clock):
        enrol(app, "CALM-1")
        enrol(app, "FLU-2", enrolled_on=DAY - timedelta(days=60))
        enrol(app, "MDA-10", anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "MDA-10", "start", "infliximab", DAY, CLINICIAN)
        enrol(app, "GONE-4", anti_mda5="positive")
        record_therapy(app, "GONE-4", "start", "infliximab", DAY, CLINICIAN)
        closing = TriggerCommand("close", DAY, closing_reason="transferred")
        fire_trigger(app, "GONE-4", closing, CLINICIAN)
        yield app


def _ids(app: App, **wanted: object) -> list[str]:
    return [e.patient_id for e in list_cohort(app, CohortQuery(**wanted))]  # type: ignore[arg-type]


def test_a_holding_critical_alert_ranks_above_an_overdue_flu_jab_and_closed_patients_last(
    cohort: App,
) -> None:
    assert _ids(cohort) == ["MDA-10", "FLU-2", "CALM-1"]  # closed: not listed unless asked
    ranked = list_cohort(cohort, CohortQuery(include_closed=True))
    assert [e.patient_id for e in ranked] == ["MDA-10", "FLU-2", "CALM-1", "GONE-4"]
    gone = ranked[-1]
    assert (gone.state, gone.unacknowledged_alerts, gone.urgent) == ("closed", {}, False)
    assert ranked[0].holding_alerts == {"critical": 1}


def test_every_open_task_shows_by_kind_with_the_most_overdue_first(cohort: App) -> None:
    [flu] = [e for e in list_cohort(cohort, CohortQuery()) if e.patient_id == "FLU-2"]
    kinds = [t.kind for t in flu.tasks_by_kind]
    assert {"vaccination_influenza", "pft"} <= set(kinds)
    assert sum(t.count for t in flu.tasks_by_kind) == flu.open_tasks
    lateness = [t.days_overdue for t in flu.tasks_by_kind]
    assert lateness == sorted(lateness, reverse=True) and lateness[0] > 0
    assert flu.next_task == kinds[0]  # the most overdue is the one named


def test_search_finds_an_id_whole_or_by_its_beginning_in_any_case_whole_matches_first(
    cohort: App,
) -> None:
    enrol(cohort, "MDA-1")
    assert _ids(cohort, search="mda-1") == ["MDA-1", "MDA-10"]  # whole match first
    assert _ids(cohort, search="Fl") == ["FLU-2"]
    assert _ids(cohort, search="gone") == ["GONE-4"]  # a search finds closed patients too
    assert _ids(cohort, search="%") == []  # a wildcard is a character, not a pattern
    assert _ids(cohort, search="nobody") == []


def test_filters_narrow_by_task_due_window_assignee_and_alert_standing(cohort: App) -> None:
    assert _ids(cohort, due="overdue") == ["FLU-2"]
    assert _ids(cohort, task_kind="transplant_referral") == ["MDA-10"]
    assert _ids(cohort, phenotype="A") == ["MDA-10"]
    assert _ids(cohort, alerts="holding", alert_severity="critical") == ["MDA-10"]
    assert _ids(cohort, alerts="cleared") == []
    add_user(cohort, "nurse-kim", "coordinator", "a long enough password 1", by="system")
    [pft] = [t for t in find_tasks(cohort, TaskQuery(DAY, DAY)).tasks if t.patient_id == "FLU-2"][
        :1
    ]
    assign_task(cohort, pft.id, "nurse-kim", CLINICIAN)
    assert _ids(cohort, assignee="nurse-kim") == ["FLU-2"]
    mine = find_tasks(cohort, TaskQuery(DAY, DAY, assignee="nurse-kim"))
    assert [(t.id, t.assignee) for t in mine.tasks] == [(pft.id, "nurse-kim")]


def test_pages_hold_the_same_patients_in_the_same_order_with_the_cohorts_counts(
    cohort: App,
) -> None:
    whole = _ids(cohort, sort="-patient")
    assert whole == ["MDA-10", "FLU-2", "CALM-1"]
    pages = [find_patients(cohort, CohortQuery(sort="-patient"), offset=o, limit=2) for o in (0, 2)]
    assert [e.patient_id for p in pages for e in p.entries] == whole
    assert (pages[0].total, pages[0].pages, pages[0].next_offset, pages[1].next_offset) == (
        3,
        2,
        2,
        None,
    )
    beyond = find_patients(cohort, CohortQuery(), offset=10, limit=2)  # ?page=6 of 2
    assert (beyond.entries, beyond.total, beyond.next_offset) == ([], 3, None)
    assert pages[0].state_counts["closed"] == 1 and sum(pages[0].state_counts.values()) == 4
    work = pages[0].work
    overdue = find_tasks(cohort, TaskQuery(DAY, DAY, due="overdue"))
    assert work.overdue == overdue.total == overdue.overdue > 0
    tasks = find_tasks(cohort, TaskQuery(DAY, DAY + timedelta(days=400)), limit=5)
    rest = find_tasks(cohort, TaskQuery(DAY, DAY + timedelta(days=400)), offset=5, limit=500)
    dates = [t.due_on for t in [*tasks.tasks, *rest.tasks]]
    assert dates == sorted(dates) and len(dates) == tasks.total


@pytest.mark.parametrize(
    ("wanted", "field", "allowed"),
    [
        ({"sort": "age"}, "sort", "urgency, patient"),
        ({"due": "tomorrow"}, "due", "overdue, today, week"),
        ({"states": ("asleep",)}, "state", "diagnosis, induction"),
        ({"alerts": "loud"}, "alerts", "holding, cleared"),
        ({"task_kind": "flu"}, "task_kind", "pft, hrct"),
        ({"search": "P\u202e1"}, "q", ""),
    ],
)
def test_a_query_the_list_does_not_know_is_refused_naming_the_field(
    cohort: App, wanted: dict[str, object], field: str, allowed: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        find_patients(cohort, CohortQuery(**wanted))  # type: ignore[arg-type]
    assert refused.value.field == field
    assert allowed in str(refused.value.allowed)


def test_a_saved_list_brings_the_same_filters_back_for_its_owner_only(cohort: App) -> None:
    add_user(cohort, "nurse-kim", "coordinator", "a long enough password 1", by="system")
    add_user(cohort, "nurse-lee", "coordinator", "a long enough password 2", by="system")
    wanted = CohortQuery(due="overdue", states=("diagnosis", "monitoring"), sort="-patient")
    saved = save_list(cohort, "nurse-kim", "  Overdue, early states ", wanted)
    assert saved.name == "Overdue, early states"
    assert saved.query == "state=diagnosis&state=monitoring&due=overdue&sort=-patient"
    assert query_of(saved) == wanted
    again = save_list(cohort, "nurse-kim", "Overdue, early states", CohortQuery(due="today"))
    assert [(s.id, s.query) for s in saved_lists(cohort, "nurse-kim")] == [(saved.id, "due=today")]
    assert saved_lists(cohort, "nurse-lee") == []
    with pytest.raises(InvalidValue, match="one of your saved lists"):
        delete_list(cohort, "nurse-lee", again.id)
    with pytest.raises(InvalidValue, match="name"):
        save_list(cohort, "nurse-kim", "   ", wanted)
    delete_list(cohort, "nurse-kim", again.id)
    assert saved_lists(cohort, "nurse-kim") == []
