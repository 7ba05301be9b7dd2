"""CLINICAL_SPEC §7a: what a person sees become of an alert after it is raised — withdrawn by
the same day's entries, cleared by later ones or by an action, taken back with its cause — and
what the audit trail and the acknowledgement say of it."""

import json
from datetime import timedelta

import pytest

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.usecases.alerts import acknowledge_alert
from ildpath.usecases.corrections import correct_entry, enter_in_error
from ildpath.usecases.events import record_event
from ildpath.usecases.summary import patient_summary
from pathway.errors import InvalidValue
from persistence.memory_store import MemoryStore

from .conftest import CLINICIAN, DAY, enrol

PID = "P-LIFE"


def _on_prednisone_and_mmf(app: App) -> None:
    enrol(app, PID)
    for body in (
        {"agent": "prednisone", "route": "oral", "dose_mg_per_day": 20},
        {"agent": "mycophenolate_mofetil", "route": "oral", "dose_mg_per_day": 2000},
        {"agent": "tmp_smx", "route": "oral"},
    ):
        record_event(app, PID, "start", body, DAY, CLINICIAN)


def _alert(app: App, code: str):  # type: ignore[no-untyped-def]
    [alert] = [a for a in patient_summary(app, PID).alerts if a.code == code]
    return alert


def _audit_kinds(app: App) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    store = app.store
    assert isinstance(store, MemoryStore)
    return [(e["kind"], json.loads(e["payload"])) for e in store.rows("audit_event")]


def test_a_withdrawal_keeps_the_row_names_the_entry_and_cannot_be_acknowledged(
    app: App, clock: SimulatedClock
) -> None:
    _on_prednisone_and_mmf(app)
    clock.move_to(DAY + timedelta(days=10))
    on = clock.today()
    raised = record_event(app, PID, "cmv", {"iu_per_ml": 500}, on, CLINICIAN)
    assert [a.code for a in raised.alerts_raised] == ["CMV_REACTIVATION"]
    record_event(app, PID, "stop", {"agent": "prednisone"}, on, CLINICIAN)
    stop = record_event(app, PID, "stop", {"agent": "mycophenolate_mofetil"}, on, CLINICIAN)

    alert = _alert(app, "CMV_REACTIVATION")
    assert alert.status == "withdrawn"
    assert alert.withdrawn_by == f"rx{stop.entry_id}"
    assert "CMV_REACTIVATION" not in patient_summary(app, PID).alert_codes()
    withdrawals = [p for k, p in _audit_kinds(app) if k == "alert_withdrawn"]
    assert withdrawals == [
        {
            "alert_id": alert.id,
            "code": "CMV_REACTIVATION",
            "key": alert.key,
            "withdrawn_by": f"rx{stop.entry_id}",
        }
    ]
    with pytest.raises(InvalidValue, match="withdrawn"):
        acknowledge_alert(app, alert.id, "seen", CLINICIAN)
    with pytest.raises(InvalidValue, match="unacknowledged alert"):
        record_event(
            app,
            PID,
            "acknowledge",
            {"code": "CMV_REACTIVATION", "justification": "x"},
            on,
            CLINICIAN,
        )


def test_a_result_corrected_the_next_day_clears_the_alert_it_raised(
    app: App, clock: SimulatedClock
) -> None:
    _on_prednisone_and_mmf(app)
    clock.move_to(DAY + timedelta(days=10))
    result = record_event(app, PID, "cmv", {"iu_per_ml": 500}, clock.today(), CLINICIAN)
    clock.move_to(DAY + timedelta(days=11))
    correct_entry(
        app, PID, f"obs{result.entry_id}", {"iu_per_ml": 0}, "transcription error", CLINICIAN
    )

    alert = _alert(app, "CMV_REACTIVATION")
    assert alert.status == "raised"
    assert alert.cleared_on == clock.today()
    summary = patient_summary(app, PID)
    assert "CMV_REACTIVATION" in summary.alert_codes()
    assert "CMV_REACTIVATION" not in summary.holding_alert_codes()
    assert "CMV_REACTIVATION" in summary.unacknowledged_alert_codes()


def test_a_result_entered_in_error_the_same_day_withdraws_the_alert(
    app: App, clock: SimulatedClock
) -> None:
    _on_prednisone_and_mmf(app)
    clock.move_to(DAY + timedelta(days=10))
    result = record_event(app, PID, "cmv", {"iu_per_ml": 500}, clock.today(), CLINICIAN)
    enter_in_error(app, PID, f"obs{result.entry_id}", "wrong patient's result", CLINICIAN)

    assert _alert(app, "CMV_REACTIVATION").status == "withdrawn"
    assert "CMV_REACTIVATION" in patient_summary(app, PID).withdrawn_alert_codes()


def test_a_day_that_makes_the_cause_hold_again_raises_a_new_occurrence(
    app: App, clock: SimulatedClock
) -> None:
    """Withdrawn by the stop of the last agent, then the same day another agent starts: the
    result of that day was after all taken under immunosuppression."""
    _on_prednisone_and_mmf(app)
    clock.move_to(DAY + timedelta(days=10))
    on = clock.today()
    record_event(app, PID, "cmv", {"iu_per_ml": 500}, on, CLINICIAN)
    record_event(app, PID, "stop", {"agent": "prednisone"}, on, CLINICIAN)
    record_event(app, PID, "stop", {"agent": "mycophenolate_mofetil"}, on, CLINICIAN)
    record_event(app, PID, "start", {"agent": "tacrolimus", "route": "oral"}, on, CLINICIAN)

    alerts = [a for a in patient_summary(app, PID).alerts if a.code == "CMV_REACTIVATION"]
    assert [a.status for a in alerts] == ["withdrawn", "raised"]
    assert alerts[1].key == f"{alerts[0].key}@2"
    assert patient_summary(app, PID).holding_alert_codes() >= {"CMV_REACTIVATION"}
