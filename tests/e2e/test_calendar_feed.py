"""A calendar app subscribed to a feed, as it sees it: anonymous GETs of the feed's address on
the real server, the answer read with vobject (a parser independent of icalendar, which
writes it). Every event is an all-day, free (TRANSPARENT) event whose SEQUENCE and
LAST-MODIFIED move with each change of its task; a task that leaves the feed stays as a
CANCELLED event one version later, so the app removes it; a revoked, unknown or deactivated
user's address answers the same 404. On SQLite and PostgreSQL (as the application's role)."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
import vobject
from sqlmodel import col, select

from ildpath.accounts import deactivate_user, issue_feed, list_feeds, revoke_feed
from ildpath.bootstrap import App
from ildpath.usecases import Actor, record_observation
from ildpath.usecases.task_actions import assign_task, reschedule_task
from persistence.tables import CareTaskRow, PatientRow
from tests.integration.apps import enrol
from tests.web import PEOPLE, WebClinic, web_clinic

TODAY = date(2026, 11, 2)
ANNA, BEN = PEOPLE["coordinator"], PEOPLE["clinician"]
ADMIN = PEOPLE["admin"]
COORDINATOR = Actor(ANNA, "coordinator")
VACCINATIONS = ("vaccination_influenza", "vaccination_pneumococcal", "vaccination_covid19")


@pytest.fixture
def served(database_url: str) -> Iterator[WebClinic]:
    """Two patients enrolled today: a PFT and three vaccinations open for each."""
    with web_clinic(database_url, TODAY) as clinic:
        enrol(clinic.app, "P-1", enrolled_on=TODAY)
        enrol(clinic.app, "P-2", enrolled_on=TODAY)
        yield clinic


def _task(app: App, patient_id: str, kind: str) -> int:
    """The id of the patient's open task of that kind."""
    with app.transaction() as session:
        found = session.exec(
            select(CareTaskRow.id)
            .join(PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id))
            .where(PatientRow.external_id == patient_id)
            .where(CareTaskRow.kind == kind)
            .where(CareTaskRow.status == "open")
        ).one()
    assert found is not None
    return found


def _get(clinic: WebClinic, path: str) -> httpx.Response:
    """As a calendar app asks: no cookie, no Authorization header."""
    with httpx.Client(base_url=clinic.url, timeout=60) as client:
        return client.get(path)


def _calendar(clinic: WebClinic, path: str) -> dict[str, Any]:
    """The feed's events by summary (each summary once)."""
    answer = _get(clinic, path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in answer.headers["cache-control"]
    assert "public" not in answer.headers["cache-control"]
    parsed = vobject.readOne(answer.text)
    events = {str(e.summary.value): e for e in parsed.contents.get("vevent", [])}
    assert len(events) == len(parsed.contents.get("vevent", []))
    return events


def _version(event: Any) -> tuple[str, int, datetime, date]:
    return (
        event.status.value,
        int(event.sequence.value),
        event.last_modified.value,
        event.dtstart.value,
    )


def _summary(kind: str, patient_id: str) -> str:
    return f"{kind} due - patient {patient_id}"


def test_a_personal_feed_holds_the_users_tasks_as_free_all_day_events_without_signing_in(
    served: WebClinic,
) -> None:
    app = served.app
    mine = issue_feed(app, ANNA, "mine", by=ANNA)
    everything = issue_feed(app, ANNA, "all", by=ADMIN, by_role="admin")
    assign_task(app, _task(app, "P-1", "pft"), ANNA, COORDINATOR)
    assign_task(app, _task(app, "P-2", "pft"), BEN, COORDINATOR)

    own = _calendar(served, mine.path)
    assert set(own) == {_summary("pft", "P-1")}
    [event] = own.values()
    assert event.transp.value == "TRANSPARENT"
    assert event.status.value == "CONFIRMED"
    assert event.dtstart.value == TODAY + timedelta(days=14)  # all day: a date, not a time
    assert event.dtend.value == TODAY + timedelta(days=15)
    assert int(event.sequence.value) == 1  # assigned once since it opened
    assert "Decision support: the care team decides." in event.description.value
    assert f"Assigned to {ANNA}." in event.description.value

    cohort = _calendar(served, everything.path)
    kinds = ("pft", *VACCINATIONS)
    assert set(cohort) == {_summary(k, p) for k in kinds for p in ("P-1", "P-2")}
    assert {e.transp.value for e in cohort.values()} == {"TRANSPARENT"}
    assert {e.status.value for e in cohort.values()} == {"CONFIRMED"}
    assert cohort[_summary("pft", "P-1")].uid.value == event.uid.value
    assert [f.last_read_at is not None for f in list_feeds(app, ANNA)] == [True, True]
    # how often the app should fetch it again: RFC 7986, and Outlook's older property
    calendar = vobject.readOne(_get(served, mine.path).text)
    assert calendar.contents["refresh-interval"][0].value == "PT1H"
    assert calendar.contents["x-published-ttl"][0].value == "PT1H"


def test_sequence_and_last_modified_follow_each_change_and_a_done_task_is_cancelled(
    served: WebClinic,
) -> None:
    app, clock = served.app, served.clock
    feed = issue_feed(app, ANNA, "all", by=ANNA)
    pft = _summary("pft", "P-1")
    first = _calendar(served, feed.path)[pft]
    status, sequence, modified, due = _version(first)
    assert (status, sequence, due) == ("CONFIRMED", 0, TODAY + timedelta(days=14))

    clock.move_to(TODAY + timedelta(days=1))
    moved_to = TODAY + timedelta(days=30)
    reschedule_task(app, _task(app, "P-1", "pft"), moved_to, "patient away", COORDINATOR)
    rescheduled = _calendar(served, feed.path)[pft]
    assert rescheduled.uid.value == first.uid.value
    assert _version(rescheduled)[0:2] == ("CONFIRMED", 1)
    assert _version(rescheduled)[3] == moved_to
    assert _version(rescheduled)[2] > modified

    clock.move_to(TODAY + timedelta(days=2))
    assign_task(app, _task(app, "P-1", "pft"), BEN, COORDINATOR)
    assigned = _calendar(served, feed.path)[pft]
    assert _version(assigned)[0:2] == ("CONFIRMED", 2)
    assert _version(assigned)[2] > _version(rescheduled)[2]
    untouched = _calendar(served, feed.path)[_summary("pft", "P-2")]
    assert _version(untouched)[0:2] == ("CONFIRMED", 0)

    clock.move_to(TODAY + timedelta(days=3))
    record_observation(
        app, "P-1", "pft", {"fvc_pct": 80, "dlco_pct": 70}, clock.today(), COORDINATOR
    )
    after = [e for e in _feed_events(served, feed.path) if e.uid.value == first.uid.value]
    [done] = after
    assert _version(done)[0:2] == ("CANCELLED", 3)  # one more than its last open version
    assert _version(done)[2] > _version(assigned)[2]
    assert done.transp.value == "TRANSPARENT"
    next_pft = [
        e
        for e in _feed_events(served, feed.path)
        if e.summary.value == pft and e.status.value == "CONFIRMED"
    ]
    assert len(next_pft) == 1 and next_pft[0].uid.value != first.uid.value

    # the download shares the builder: same versions, but open tasks only
    with served.client("coordinator") as client:
        download = vobject.readOne(client.get("/api/tasks/calendar.ics").text)
    by_uid = {e.uid.value: e for e in download.contents["vevent"]}
    assert first.uid.value not in by_uid
    assert {e.status.value for e in by_uid.values()} == {"CONFIRMED"}
    assert {e.transp.value for e in by_uid.values()} == {"TRANSPARENT"}
    assert int(by_uid[next_pft[0].uid.value].sequence.value) == 0

    # a feed issued after the task closed never had it: no cancellation to carry
    later = issue_feed(app, ANNA, "all", by=ANNA)
    assert first.uid.value not in {e.uid.value for e in _feed_events(served, later.path)}
    # and 90 days after it closed, the first feed stops carrying it too
    clock.move_to(TODAY + timedelta(days=3 + 91))
    assert first.uid.value not in {e.uid.value for e in _feed_events(served, feed.path)}


def _feed_events(clinic: WebClinic, path: str) -> list[Any]:
    answer = _get(clinic, path)
    assert answer.status_code == 200, answer.text
    return list(vobject.readOne(answer.text).contents.get("vevent", []))


def test_a_task_assigned_to_someone_else_is_cancelled_in_the_personal_feed(
    served: WebClinic,
) -> None:
    app, clock = served.app, served.clock
    annas = issue_feed(app, ANNA, "mine", by=ANNA)
    bens = issue_feed(app, BEN, "mine", by=ADMIN, by_role="admin")
    task = _task(app, "P-2", "vaccination_influenza")
    summary = _summary("vaccination_influenza", "P-2")

    assign_task(app, task, ANNA, COORDINATOR)
    assert _version(_calendar(served, annas.path)[summary])[0:2] == ("CONFIRMED", 1)
    assert _calendar(served, bens.path) == {}

    clock.move_to(TODAY + timedelta(days=1))
    assign_task(app, task, BEN, COORDINATOR, reason="Anna is on leave")
    gone = _calendar(served, annas.path)[summary]
    assert _version(gone)[0:2] == ("CANCELLED", 2)
    assert "No longer yours" in gone.description.value
    arrived = _calendar(served, bens.path)[summary]
    assert _version(arrived)[0:2] == ("CONFIRMED", 2)
    assert arrived.uid.value == gone.uid.value


def test_unknown_revoked_and_deactivated_users_feeds_answer_the_same_404(
    served: WebClinic,
) -> None:
    app = served.app
    bens = issue_feed(app, BEN, "mine", by=BEN)
    auditors = issue_feed(app, PEOPLE["auditor"], "all", by=ADMIN, by_role="admin")
    assert _get(served, bens.path).status_code == 200
    assert _get(served, auditors.path).status_code == 200

    revoke_feed(app, bens.id, by=BEN)
    deactivate_user(app, PEOPLE["auditor"], by=ADMIN)
    unknown = "/calendar/" + "A" * 43 + ".ics"
    answers = [
        _get(served, path) for path in (bens.path, auditors.path, unknown, "/calendar/short.ics")
    ]
    assert [a.status_code for a in answers] == [404] * 4
    assert len({a.text for a in answers}) == 1
    assert "No such calendar feed" in answers[0].text
    # a Bearer token does not open a feed either: the address is the only credential
    with served.client("admin") as client:
        assert client.get(bens.path).status_code == 404
