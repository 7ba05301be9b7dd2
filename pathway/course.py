"""The state course of a patient: which state on which clinical day, and regimen lines (§2-3).

Transitions are ordered by effective date, then by the order they were recorded; a day's state
is the one after all of that day's transitions.
"""

from dataclasses import dataclass
from datetime import date

from .record import PatientRecord, TransitionEntry

__all__ = ["StateCourse"]

_LINE_TRIGGERS = frozenset({"detect_progression", "declare_refractory"})


@dataclass(frozen=True)
class StateCourse:
    transitions: tuple[TransitionEntry, ...]

    @classmethod
    def of(cls, record: PatientRecord) -> "StateCourse":
        order = {t.id: i for i, t in enumerate(record.transitions)}
        return cls(tuple(sorted(record.transitions, key=lambda t: (t.on, order[t.id]))))

    def until(self, day: date) -> tuple[TransitionEntry, ...]:
        return tuple(t for t in self.transitions if t.on <= day)

    def state_on(self, day: date) -> str:
        done = self.until(day)
        return done[-1].dest if done else "diagnosis"

    @property
    def current_state(self) -> str:
        return self.transitions[-1].dest if self.transitions else "diagnosis"

    @property
    def referral_origin(self) -> str | None:
        """Where `return_from_referral` goes back to: the state the last referral left."""
        for t in reversed(self.transitions):
            if t.trigger == "refer_transplant":
                return t.source
        return None

    def closed_on(self) -> date | None:
        return next((t.on for t in self.transitions if t.dest == "closed"), None)

    def line_on(self, day: date) -> int:
        """Regimen line of an agent started on ``day`` (§2)."""
        return 1 + sum(1 for t in self.until(day) if t.trigger in _LINE_TRIGGERS)

    def induction_line(self, day: date) -> int:
        """Line of the induction in force on ``day``: that of the start_induction that began it."""
        starts = [t for t in self.until(day) if t.trigger == "start_induction"]
        if not starts:
            return 1
        began = starts[-1]
        before = self.transitions[: self.transitions.index(began)]
        return 1 + sum(1 for t in before if t.trigger in _LINE_TRIGGERS and t.on <= began.on)

    def last(self, trigger: str, day: date) -> TransitionEntry | None:
        hits = [t for t in self.until(day) if t.trigger == trigger]
        return hits[-1] if hits else None

    def all_of(self, trigger: str) -> tuple[TransitionEntry, ...]:
        return tuple(t for t in self.transitions if t.trigger == trigger)

    def change_days(self) -> set[date]:
        return {t.on for t in self.transitions}
