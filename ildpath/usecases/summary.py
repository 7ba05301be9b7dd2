"""What a coordinator sees of one patient on a day: state, alerts, tasks, recommendations.

Read-only: it evaluates without writing, so looking never changes the record.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from pathway import Evaluation, evaluate
from persistence.records import load_record
from persistence.tables import AlertRow, CareTaskRow, PatientRow, TransitionRow

from ..bootstrap import App
from .work import find_patient

__all__ = ["PatientSummary", "patient_summary"]


@dataclass(frozen=True)
class PatientSummary:
    patient: PatientRow
    as_of: date
    evaluation: Evaluation
    alerts: list[AlertRow]
    tasks: list[CareTaskRow]
    transitions: list[TransitionRow]

    def alert_codes(self) -> set[str]:
        """Alerts raised on or before ``as_of``, acknowledged or not."""
        return {a.code for a in self.alerts if a.raised_on <= self.as_of}

    def task_kinds(self, status: str) -> set[str]:
        """Task kinds by status on ``as_of``: open, overdue or done."""
        day = self.as_of
        if status == "done":
            return {
                t.kind
                for t in self.tasks
                if t.status == "done" and t.closed_on is not None and t.closed_on <= day
            }
        open_tasks = [
            t
            for t in self.tasks
            if t.opened_on <= day
            and (t.status == "open" or (t.closed_on is not None and t.closed_on > day))
        ]
        if status == "overdue":
            return {t.kind for t in open_tasks if day > t.due_on}
        return {t.kind for t in open_tasks}


def patient_summary(app: App, external_id: str, as_of: date | None = None) -> PatientSummary:
    day = as_of or app.clock.today()
    with app.transaction() as session:
        patient = find_patient(session, external_id)
        evaluation = evaluate(load_record(session, patient), day, app.definition)

        def rows(table: type) -> list:  # type: ignore[type-arg]
            return list(
                session.exec(
                    select(table)
                    .where(table.patient_id == patient.id)  # type: ignore[attr-defined]
                    .order_by(col(table.id))
                )
            )  # type: ignore[attr-defined]

        return PatientSummary(
            patient, day, evaluation, rows(AlertRow), rows(CareTaskRow), rows(TransitionRow)
        )
