"""An outbox written before issue 21 holds each overdue task's whole backlog pending (`due`,
`overdue`, every repeat, each with its own key). After the upgrade, the first pass sends only
the newest reminder of each task and channel, and says why the others were not sent: the flood
the issue describes does not come back through the upgrade."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from ildpath.usecases import evaluate_patient
from persistence.tables import CareTaskRow, PatientRow, ReminderDeliveryRow
from scheduler.dispatcher import dispatch
from scheduler.notifiers import WebhookNotifier

from ..apps import clinic, enrol
from .receiver import webhook_receiver

DAY = date(2026, 3, 2)
OLD_KINDS = ("due", "overdue", "overdue-repeat-1", "overdue-repeat-2", "overdue-repeat-3")


def _legacy_backlog(session: Session, day: date) -> dict[int, str]:
    """The rows the release before wrote for every open task due by ``day``, all pending:
    returns each task's newest key."""
    newest: dict[int, str] = {}
    rows = session.exec(
        select(CareTaskRow, PatientRow.external_id)
        .join(PatientRow, PatientRow.id == CareTaskRow.patient_id)  # type: ignore[arg-type]
        .where(CareTaskRow.status == "open", CareTaskRow.due_on <= day)
    ).all()
    for task, patient in rows:
        for kind in OLD_KINDS:
            key = f"task:{task.id}:{kind}:webhook"
            session.add(
                ReminderDeliveryRow(
                    key=key,
                    patient_id=task.patient_id,
                    task_id=task.id,
                    channel="webhook",
                    kind=kind,
                    message={
                        "key": key,
                        "kind": kind,
                        "patient_id": patient,
                        "subject": task.kind,
                        "due_on": task.due_on.isoformat(),
                        "text": f"Patient {patient}: {task.kind} OVERDUE.",
                    },
                    planned_on=day - timedelta(days=1),
                    created_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
                )
            )
            newest[task.id or 0] = key
    session.commit()
    return newest


def test_an_upgraded_outbox_sends_one_reminder_per_task_not_its_backlog(
    database_url: str,
) -> None:
    with (
        clinic(database_url, DAY - timedelta(days=40)) as (app, clock),
        webhook_receiver(delay_seconds=0) as (receiver, url),
    ):
        for n in range(3):
            enrol(app, f"P-{n:03d}")
        clock.move_to(DAY)
        for n in range(3):
            evaluate_patient(app, f"P-{n:03d}", DAY)
        with Session(app.engine) as session:
            newest = _legacy_backlog(session, DAY)
        assert len(newest) >= 3  # a PFT at least per patient, overdue

        notifiers = {"webhook": WebhookNotifier(url, b"clinic-webhook-secret")}
        report = dispatch(app.engine, notifiers, DAY, clock.now)
        dispatch(app.engine, notifiers, DAY, clock.now)  # the next pass adds nothing

        with Session(app.engine) as session:
            rows = session.exec(select(ReminderDeliveryRow)).all()

    assert receiver.distinct == set(newest.values())  # the newest of each, once
    assert receiver.duplicates == {}
    assert report.cancelled == len(newest) * (len(OLD_KINDS) - 1)
    superseded = [row for row in rows if row.status == "cancelled"]
    assert {row.kind for row in superseded} == set(OLD_KINDS[:-1])
    assert all(
        "a newer reminder of its task stands for it" in (r.last_error or "") for r in superseded
    )
    assert {row.status for row in rows} == {"sent", "cancelled"}
