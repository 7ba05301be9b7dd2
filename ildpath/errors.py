"""Errors of the application layer (the domain's live in `pathway.errors`)."""

from pathway.errors import ClinicalError

__all__ = [
    "AlertNotFound",
    "DuplicatePatient",
    "PatientClosed",
    "PatientNotFound",
    "TaskNotFound",
]


class PatientNotFound(ClinicalError):
    def __init__(self, patient_id: str) -> None:
        super().__init__(f"patient: no patient with id {patient_id!r}")


class PatientClosed(ClinicalError):
    def __init__(self, patient_id: str) -> None:
        super().__init__(f"patient: {patient_id!r} is closed; no new events are accepted")


class DuplicatePatient(ClinicalError):
    """An id already enrolled, or enrolled with other capitals (``demo-0001`` while
    ``DEMO-0001`` is): one patient would look like two on the board and in reminders."""

    def __init__(self, patient_id: str, enrolled_as: str | None = None) -> None:
        self.patient_id = patient_id
        self.enrolled_as = enrolled_as or patient_id
        if self.enrolled_as == patient_id:
            said = f"a patient with id {patient_id!r} is already enrolled"
        else:
            said = (
                f"{patient_id!r} is already enrolled as {self.enrolled_as!r} (ids are the same "
                "whatever the case)"
            )
        super().__init__(f"id: {said}")


class AlertNotFound(ClinicalError):
    def __init__(self, alert_id: int) -> None:
        super().__init__(f"alert: no alert with id {alert_id}")


class TaskNotFound(ClinicalError):
    def __init__(self, task_id: object) -> None:
        super().__init__(f"task: no care task with id {task_id!r} (the worklist shows each id)")
