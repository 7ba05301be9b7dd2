"""What a daily digest says, as data: the day, who it is for, the tasks and the new alerts.

Planned once (`scheduler.digest`) and kept in the outbox row's message, so the email says what
was true at the digest hour even if it is sent later (a mail server down for an hour), and a
re-send after a crash says the same thing under the same Message-ID. Only what a coordinator
needs to open the record: the patient's pseudonymous identifier, the task or alert code and
its dates.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = ["CLINIC", "DIGEST_KIND", "DailyDigest", "DigestAlert", "DigestTask"]

DIGEST_KIND = "digest"
"""The outbox kind of a daily digest (channel ``email`` only)."""
CLINIC = "clinic"
"""The recipient name of the clinic list's digest (a username otherwise)."""


@dataclass(frozen=True)
class DigestTask:
    patient_id: str
    task: str
    """The task kind (``pft``, ``cmv_test`` ...)."""
    due_on: date
    """The date in force (a rescheduled task's new date, §8)."""
    days_overdue: int
    """0: due that day."""


@dataclass(frozen=True)
class DigestAlert:
    patient_id: str
    code: str
    raised_on: date


@dataclass(frozen=True)
class DailyDigest:
    """One recipient's digest for one day of theirs."""

    recipient: str
    """A username, or `CLINIC`."""
    day: date
    """The recipient's local date."""
    hour: int
    timezone: str
    tasks: tuple[DigestTask, ...]
    alerts: tuple[DigestAlert, ...]
    alerts_since: datetime
    """New critical alerts are those raised from here (the previous digest's ``alerts_until``,
    or 24 hours before the first) ..."""
    alerts_until: datetime
    """... to the digest hour of ``day``: the next digest starts here, so an alert is in one
    digest, never two, and none falls between."""

    @property
    def overdue(self) -> tuple[DigestTask, ...]:
        """Oldest first: the longest waiting heads the list."""
        late = [t for t in self.tasks if t.days_overdue > 0]
        return tuple(sorted(late, key=lambda t: (t.due_on, t.patient_id, t.task)))

    @property
    def due(self) -> tuple[DigestTask, ...]:
        today = [t for t in self.tasks if t.days_overdue <= 0]
        return tuple(sorted(today, key=lambda t: (t.patient_id, t.task)))

    @property
    def empty(self) -> bool:
        return not self.tasks and not self.alerts

    def summary(self) -> str:
        """``Daily digest for 2026-12-06: 3 overdue, 2 due, 1 new critical alert``."""
        parts = [f"{len(self.overdue)} overdue"] if self.overdue else []
        parts += [f"{len(self.due)} due"] if self.due else []
        if self.alerts:
            noun = "alert" if len(self.alerts) == 1 else "alerts"
            parts.append(f"{len(self.alerts)} new critical {noun}")
        said = ", ".join(parts) or "nothing due"
        return f"Daily digest for {self.day.isoformat()}: {said}"

    def to_message(self) -> dict[str, Any]:
        """The digest's fields of the outbox message (JSON)."""
        return {
            "recipient": self.recipient,
            "date": self.day.isoformat(),
            "hour": self.hour,
            "timezone": self.timezone,
            "tasks": [
                {
                    "patient_id": t.patient_id,
                    "task": t.task,
                    "due_on": t.due_on.isoformat(),
                    "days_overdue": t.days_overdue,
                }
                for t in self.tasks
            ],
            "alerts": [
                {"patient_id": a.patient_id, "code": a.code, "raised_on": a.raised_on.isoformat()}
                for a in self.alerts
            ],
            "alerts_since": self.alerts_since.isoformat(),
            "alerts_until": self.alerts_until.isoformat(),
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "DailyDigest":
        return cls(
            recipient=message["recipient"],
            day=date.fromisoformat(message["date"]),
            hour=int(message["hour"]),
            timezone=message["timezone"],
            tasks=tuple(
                DigestTask(
                    t["patient_id"], t["task"], date.fromisoformat(t["due_on"]), t["days_overdue"]
                )
                for t in message["tasks"]
            ),
            alerts=tuple(
                DigestAlert(a["patient_id"], a["code"], date.fromisoformat(a["raised_on"]))
                for a in message["alerts"]
            ),
            alerts_since=datetime.fromisoformat(message["alerts_since"]),
            alerts_until=datetime.fromisoformat(message["alerts_until"]),
        )
