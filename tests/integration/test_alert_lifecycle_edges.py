"""CLINICAL_SPEC §7a at every edge that lists, counts or shows alerts: a withdrawn alert is in
no list, count or measure (shown apart, struck through, where shown at all); every other alert
is *holding* or *cleared on D*; holding ranks above cleared; a closed patient's alerts rank
nowhere.

One patient, anti-MDA5 positive with RP-ILD, on 2026-03-02:
- methotrexate started, then the same day's refractory declaration: AVOID_FIRST_LINE_AGENT is
  withdrawn by that declaration (``tr1``);
- infliximab started: AVOID_AGENT holds; infliximab is stopped the next day (``rx3``), so from
  2026-03-03 it is cleared and still awaits acknowledgement.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from ildpath.accounts import add_user, issue_token
from ildpath.api.app import create_api
from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.demo.summary import open_work
from ildpath.fhir.resources import Refs, detected_issue
from ildpath.reports.cohort import build_cohort_report
from ildpath.usecases import TriggerCommand, fire_trigger, record_therapy
from ildpath.usecases.alerts import list_alerts
from ildpath.usecases.cohort import CohortQuery, list_cohort
from ildpath.usecases.patient_data import patient_data
from ildpath.usecases.summary import patient_summary
from ildpath.usecases.timeline import timeline
from pathway.errors import InvalidValue

from .apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)
NEXT = DAY + timedelta(days=1)


@pytest.fixture
def course(tmp_path) -> Iterator[tuple[App, SimulatedClock]]:  # type: ignore[no-untyped-def]
    with clinic(f"sqlite:///{tmp_path}/ildpath.db", DAY) as (app, clock):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-001", "start", "methotrexate", DAY, CLINICIAN)
        record_therapy(app, "P-001", "start", "infliximab", DAY, CLINICIAN)
        command = TriggerCommand("declare_refractory", DAY, reason="worsening hypoxaemia")
        outcome = fire_trigger(app, "P-001", command, CLINICIAN)
        assert [(a.code, a.by) for a in outcome.alerts_withdrawn] == [
            ("AVOID_FIRST_LINE_AGENT", "tr1")
        ]
        clock.move_to(NEXT)
        stopped = record_therapy(app, "P-001", "stop", "infliximab", NEXT, CLINICIAN)
        assert [(a.code, a.on, a.by) for a in stopped.alerts_cleared] == [
            ("AVOID_AGENT", NEXT, "rx3")
        ]
        yield app, clock


def test_alert_lists_leave_withdrawn_alerts_out_and_say_how_each_stands(course) -> None:  # type: ignore[no-untyped-def]
    app, _ = course
    [standing] = list_alerts(app)
    assert (standing.code, standing.holds, standing.cleared_on, standing.standing) == (
        "AVOID_AGENT",
        False,
        NEXT,
        f"cleared on {NEXT}",
    )
    assert list_alerts(app, holding=True) == []
    [withdrawn] = list_alerts(app, status="withdrawn")
    assert (withdrawn.code, withdrawn.withdrawn_by, withdrawn.standing) == (
        "AVOID_FIRST_LINE_AGENT",
        "tr1",
        f"withdrawn by tr1 on {DAY}",
    )
    assert [a.code for a in list_alerts(app, status="all")] == [
        "AVOID_AGENT",
        "AVOID_FIRST_LINE_AGENT",
    ]
    with pytest.raises(InvalidValue, match=r"status.*raised, withdrawn, all"):
        list_alerts(app, status="cancelled")


def test_holding_alerts_rank_above_cleared_ones_and_closed_patients_rank_nowhere(
    course: tuple[App, SimulatedClock],
) -> None:
    app, _ = course
    enrol(app, "P-002", anti_mda5="positive", enrolled_on=NEXT)
    record_therapy(app, "P-002", "start", "tocilizumab", NEXT, CLINICIAN)
    enrol(app, "P-003", anti_mda5="positive", enrolled_on=NEXT)
    record_therapy(app, "P-003", "start", "abatacept", NEXT, CLINICIAN)
    fire_trigger(app, "P-003", TriggerCommand("close", NEXT, closing_reason="deceased"), CLINICIAN)

    assert [(a.patient_id, a.holds) for a in list_alerts(app)] == [
        ("P-002", True),
        ("P-001", False),
    ]
    assert [a.patient_id for a in list_alerts(app, closed=True)][-1] == "P-003"

    ranked = list_cohort(app, CohortQuery(include_closed=True))
    board = {e.patient_id: e for e in ranked}
    assert board["P-001"].unacknowledged_alerts == {"critical": 1}
    assert board["P-001"].holding_alerts == {}
    assert board["P-001"].cleared_alerts == {"critical": 1}
    assert board["P-002"].holding_alerts == {"critical": 1}
    assert board["P-003"].unacknowledged_alerts == {}  # closed: in no worklist count
    # the alert that holds ranks first, above P-001's overdue transplant referral and its
    # cleared alert; the closed patient last
    assert [e.patient_id for e in ranked] == ["P-002", "P-001", "P-003"]
    quiet = [replace(board[p], overdue_tasks=0) for p in ("P-003", "P-001", "P-002")]
    assert [e.urgent for e in quiet] == [False, False, True]
    # a day before the stop the same alert held: the board of that day says so
    then = {e.patient_id: e for e in list_cohort(app, CohortQuery(), as_of=DAY)}
    assert then["P-001"].holding_alerts == {"critical": 1}


def test_counts_and_measures_leave_withdrawn_alerts_out(course) -> None:  # type: ignore[no-untyped-def]
    app, _ = course
    assert open_work(app, NEXT).unacknowledged_critical == 1  # AVOID_AGENT, cleared, unacked
    report = build_cohort_report(app, DAY, NEXT)
    assert [(a["code"], a["standing"]) for a in report.alerts] == [
        ("AVOID_AGENT", f"cleared on {NEXT}")
    ]
    assert "AVOID_FIRST_LINE_AGENT" not in {d["what"] for d in report.deviations}


def test_patient_view_shows_withdrawn_apart_and_the_timeline_tells_both_fates(course) -> None:  # type: ignore[no-untyped-def]
    app, _ = course
    summary = patient_summary(app, "P-001")
    data = patient_data(summary)
    assert [(a["code"], a["holds"], a["cleared_by"]) for a in data["alerts"]] == [
        ("AVOID_AGENT", False, "rx3")
    ]
    [withdrawn] = data["withdrawn_alerts"]
    assert (withdrawn["status"], withdrawn["withdrawn_by"], withdrawn["clinical_on"]) == (
        "withdrawn",
        "tr1",
        DAY,
    )
    fates = [
        (e.on, e.category, e.code, e.text) for e in timeline(summary) if "alert_" in e.category
    ]
    assert fates == [
        (
            DAY,
            "alert_withdrawn",
            "AVOID_FIRST_LINE_AGENT",
            "Slow-acting agent at first line withdrawn: the same day's entries show its cause "
            "did not hold (tr1)",
        ),
        (
            NEXT,
            "alert_cleared",
            "AVOID_AGENT",
            "Agent to avoid in anti-MDA5 cleared by rx3: its cause no longer holds",
        ),
    ]
    # the page of the day before the stop shows the alert holding
    assert patient_data(patient_summary(app, "P-001", DAY))["alerts"][0]["holds"] is True


def test_fhir_withdrawn_is_entered_in_error_and_cleared_carries_its_clearing(course) -> None:  # type: ignore[no-untyped-def]
    app, _ = course
    summary = patient_summary(app, "P-001")
    refs = Refs("P-001", summary.patient.id or 0)
    issues = {a.code: detected_issue(refs, a, summary.as_of) for a in summary.alerts}
    withdrawn = issues["AVOID_FIRST_LINE_AGENT"]
    assert withdrawn["status"] == "entered-in-error"
    assert "mitigation" not in withdrawn and "withdrawn on 2026-03-02" in withdrawn["detail"]
    cleared = issues["AVOID_AGENT"]
    assert cleared["status"] == "final"
    [clearing] = cleared["mitigation"]
    assert clearing["action"]["coding"][0]["code"] == "cleared"
    assert clearing["date"] == NEXT.isoformat()


def test_api_alert_json_carries_the_lifecycle(course) -> None:  # type: ignore[no-untyped-def]
    app, _ = course
    add_user(app, "dr-api", "clinician", "correct-horse-battery", by="system")
    token = issue_token(app, "dr-api", "tests", by="system")
    with TestClient(create_api(app, dashboard=False)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        body = client.get("/api/alerts").json()
        assert body["count"] == 1
        [alert] = body["alerts"]
        assert {k: alert[k] for k in ("code", "status", "holds", "cleared_on")} == {
            "code": "AVOID_AGENT",
            "status": "raised",
            "holds": False,
            "cleared_on": NEXT.isoformat(),
        }
        [withdrawn] = client.get("/api/alerts", params={"status": "withdrawn"}).json()["alerts"]
        assert (withdrawn["withdrawn_by"], withdrawn["clinical_on"]) == ("tr1", DAY.isoformat())
        assert withdrawn["withdrawn_at"].startswith(DAY.isoformat())
        refused = client.post(
            f"/api/alerts/{withdrawn['id']}/acknowledgement", json={"justification": "seen"}
        )
        assert refused.status_code == 422 and "withdrawn" in refused.text
