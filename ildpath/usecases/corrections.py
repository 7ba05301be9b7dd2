"""Correct a recorded entry, or mark it entered in error (CLINICAL_SPEC §11 Corrections).

Nothing is deleted. A correction writes the replacing entry (the same kind of event, the old
values with the new ones over them, checked as any new entry of that kind is) and a retraction
of the old entry naming it; entering in error writes the retraction alone. Both are audited
(who, when, why, which entry) and written in one transaction through the one writer, and the
evaluation that follows judges the corrected record, so an alert the new value meets is raised
at once (§7a). The rules stop reading the retracted entry from the day of the retraction on
(`pathway.record.PatientRecord.known_on`).

Transitions are not corrected here: a fired trigger is a person's decision, undone by the
triggers themselves (``return_from_referral``, ``achieve_response`` ...).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

from pathway import PathwayDefinition, PatientRecord
from pathway.errors import InvalidValue
from pathway.record import PhenotypeEntry, Retraction, TherapyEvent
from pathway.validation import check_text
from persistence.changes import Actor, Audit, NewEntry
from persistence.records import PART_PREFIX, entry_from

from ..bootstrap import App
from .enrolment import phenotype_columns
from .entries import Decision, EntryContext, PatientSide, record_entry
from .outcome import Outcome

__all__ = [
    "CORRECTABLE_PARTS",
    "CorrectEntry",
    "EnterInError",
    "correct_entry",
    "enter_in_error",
]

CORRECTABLE_PARTS = ("phenotype", "observations", "therapies", "procedures", "vaccinations")
"""The parts whose entries may be corrected or entered in error (not transitions)."""

_PART_OF_PREFIX = {prefix: part for part, prefix in PART_PREFIX.items()}
_NO_CHANGES: Mapping[str, object] = MappingProxyType({})


def check_reason(reason: object) -> str:
    """A correction's reason: required text, checked as all free text is (§11)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValue("reason", reason, "a non-empty text saying why the entry is taken back")
    return check_text("reason", reason).strip()


def _part_of(entry_id: str) -> str | None:
    prefix = entry_id.rstrip("0123456789")
    number = entry_id[len(prefix) :]
    return _PART_OF_PREFIX.get(prefix) if number.isdigit() else None


def _retractable(record: PatientRecord, entry_id: object) -> tuple[str, Any]:
    """The part and the entry ``entry_id`` names, refused if it is unknown, a transition, or
    taken back already."""
    allowed = "the record id of one of the patient's entries (e.g. obs12, rx7, ph3, proc2, vac1)"
    if not isinstance(entry_id, str):
        raise InvalidValue("entry_id", entry_id, allowed)
    part = _part_of(entry_id)
    entry = None if part is None else record.entry(entry_id)
    if part is None or entry is None:
        raise InvalidValue("entry_id", entry_id, allowed)
    if part not in CORRECTABLE_PARTS:
        raise InvalidValue(
            "entry_id",
            entry_id,
            "a phenotype value, observation, therapy event, procedure or vaccination "
            "(ph, obs, rx, proc, vac); a fired trigger is undone by another trigger, not "
            "corrected",
        )
    taken = record.retraction_of(entry_id)
    if taken is not None:
        how = "corrected" if taken.replaced_by else "entered in error"
        raise InvalidValue(
            "entry_id",
            entry_id,
            f"an entry still standing ({entry_id} was {how} on "
            f"{taken.recorded_on.isoformat()}: {taken.reason})",
        )
    return part, entry


def _orphan_stops(record: PatientRecord) -> Iterator[TherapyEvent]:
    """Stops of an agent not active at the stop (its start taken back, or moved after it)."""
    order = {t.id: i for i, t in enumerate(record.therapies)}
    active: set[str] = set()
    for event in sorted(record.therapies, key=lambda e: (e.on, order[e.id])):
        if event.action == "start":
            active.add(event.agent)
        elif event.agent in active:
            active.discard(event.agent)
        else:
            yield event


def _check_course(before: PatientRecord, after: PatientRecord, entry_id: str) -> None:
    """Refuse a retraction that would leave a stop of an agent no longer started: the safest
    reading is to refuse and name the stop to take back first, never to cascade."""
    known = {stop.id for stop in _orphan_stops(before)}
    for stop in _orphan_stops(after):
        if stop.id not in known:
            raise InvalidValue(
                "entry_id",
                entry_id,
                f"an entry whose removal leaves the course consistent: the stop {stop.id} of "
                f"{stop.agent} on {stop.on.isoformat()} would follow no start; correct or "
                f"enter that stop in error first",
            )


@dataclass(frozen=True)
class _Retracted:
    """The patient as the replacing entry is decided against: the old entry taken back."""

    given: EntryContext
    record: PatientRecord

    @property
    def patient(self) -> PatientSide:
        return self.given.patient

    @property
    def actor(self) -> Actor:
        return self.given.actor

    @property
    def today(self) -> date:
        return self.given.today

    @property
    def definition(self) -> PathwayDefinition:
        return self.given.definition

    def check_date(self, field: str, on: date, *, prior: bool = False) -> date:
        return self.given.check_date(field, on, prior=prior)


def _retraction(
    context: EntryContext, part: str, entry: Any, reason: str, replaced_by: str | None
) -> NewEntry:
    values = {
        "part": part,
        "entry_id": entry.id,
        "replaced_by": replaced_by,
        "reason": reason,
    }
    kind = "entry_corrected" if replaced_by else "entry_entered_in_error"
    audit = Audit(kind, values, entry.on, context.actor, id_key="retraction_id")
    return NewEntry("retractions", entry.on, values, context.actor, audit)


class EnterInError(NamedTuple):
    """An entry marked entered in error, with the reason: the rules no longer read it."""

    entry_id: str
    reason: str

    @classmethod
    def checked(cls, entry_id: object, reason: object) -> "EnterInError":
        if not isinstance(entry_id, str):
            raise InvalidValue("entry_id", entry_id, "a record id (e.g. obs12)")
        return cls(entry_id, check_reason(reason))

    @property
    def on(self) -> date:  # an EntryCommand's date; the entry's own is read when decided
        return date.min

    def decide(self, context: EntryContext) -> Decision:
        record = context.record
        part, entry = _retractable(record, self.entry_id)
        if part == "phenotype":
            _check_not_enrolment_value(record, entry)
        gone = Retraction(entry.id, entry.on, context.today, self.reason)
        after = record.appended("retractions", gone)
        _check_course(record.corrected(), after.corrected(), entry.id)
        sets = phenotype_columns(after, context.today) if part == "phenotype" else {}
        return Decision((_retraction(context, part, entry, self.reason, None),), sets)


def _check_not_enrolment_value(record: PatientRecord, entry: PhenotypeEntry) -> None:
    """The first standing value of a phenotype field (the enrolment's) may be corrected,
    not entered in error: the field would be left with no value."""
    standing = record.corrected().phenotype
    first = next(e for e in standing if e.field == entry.field)
    if first.id == entry.id:
        raise InvalidValue(
            "entry_id",
            entry.id,
            f"a phenotype amendment; {entry.id} is the value of {entry.field} recorded at "
            "enrolment, which may be corrected but not entered in error",
        )


@dataclass(frozen=True)
class CorrectEntry:
    """An entry replaced by a corrected one, with the reason: the same kind of event, the old
    values with ``changes`` over them (``None`` removes an optional value), on ``new_on``
    (default: the old entry's clinical date)."""

    entry_id: str
    reason: str
    changes: Mapping[str, object] = field(default_factory=lambda: _NO_CHANGES)
    new_on: date | None = None

    @classmethod
    def checked(
        cls,
        entry_id: object,
        reason: object,
        changes: Mapping[str, object] | None = None,
        new_on: date | None = None,
    ) -> "CorrectEntry":
        if not isinstance(entry_id, str):
            raise InvalidValue("entry_id", entry_id, "a record id (e.g. obs12)")
        if changes is not None and not isinstance(changes, Mapping):
            raise InvalidValue("values", changes, "a mapping of the entry's fields")
        return cls(entry_id, check_reason(reason), MappingProxyType(dict(changes or {})), new_on)

    @property
    def on(self) -> date:  # an EntryCommand's date; the entry's own is read when decided
        return self.new_on or date.min

    def decide(self, context: EntryContext) -> Decision:
        from .events import event_command  # the dispatcher builds each kind's own command

        record = context.record
        part, entry = _retractable(record, self.entry_id)
        kind, body = _event_of(part, entry)
        if part == "phenotype":
            extra = set(self.changes) - {entry.field}
            if extra:
                raise InvalidValue(
                    "values", dict(self.changes), f"{entry.field} (the field of {entry.id})"
                )
        new_body = {**body, **self.changes}
        on = self.new_on or entry.on
        if new_body == body and on == entry.on:
            raise InvalidValue(
                "values", dict(self.changes), f"at least one value or the date changed ({body})"
            )
        if part == "phenotype":
            new_body["reason"] = self.reason
        command = event_command(kind, new_body, on)
        pending = Retraction(entry.id, entry.on, context.today, self.reason, "pending")
        retracted = _Retracted(context, record.appended("retractions", pending))
        assert hasattr(command, "decide"), kind  # the kinds of entries, not acknowledgements
        decision: Decision = command.decide(retracted)
        if len(decision.entries) != 1:
            raise InvalidValue("values", dict(self.changes), "one entry's values")
        [replacing] = decision.entries
        prefix = PART_PREFIX[replacing.part]
        new = entry_from(replacing.part, "#1", replacing.on, context.today, replacing.values)
        after = retracted.record.appended(replacing.part, new)
        _check_course(record.corrected(), after.corrected(), entry.id)
        retraction = _retraction(context, part, entry, self.reason, f"{prefix}#1")
        sets = phenotype_columns(after, context.today) if part == "phenotype" else {}
        return Decision((replacing, retraction), {**decision.sets, **sets})


def _event_of(part: str, entry: Any) -> tuple[str, dict[str, object]]:
    """The event kind and body that record ``entry`` again (the dispatcher's words)."""
    from .events import EVENT_KINDS

    if part == "phenotype":
        return "amend", {entry.field: entry.value}
    kind = {
        "observations": "kind",
        "therapies": "action",
        "procedures": "procedure",
        "vaccinations": "vaccination",
    }[part]
    if kind in ("kind", "action"):  # the entry says its event kind: pft, cmv ... start, stop
        kind = str(getattr(entry, kind))
    fields = EVENT_KINDS[kind].fields
    body = {name: getattr(entry, name, None) for name in fields}
    return kind, {name: value for name, value in body.items() if value is not None}


def correct_entry(
    app: App,
    external_id: str,
    entry_id: str,
    changes: Mapping[str, object],
    reason: str,
    actor: Actor,
    *,
    on: date | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Replace an entry by a corrected one (§11); the outcome's ``entry_id`` is the row id of
    the replacing entry (same prefix as the old one)."""
    command = CorrectEntry.checked(entry_id, reason, changes, on)
    return record_entry(app, external_id, command, actor, expected_version=expected_version)


def enter_in_error(
    app: App,
    external_id: str,
    entry_id: str,
    reason: str,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """Mark an entry entered in error (§11); the outcome's ``entry_id`` is the retraction's
    row id."""
    command = EnterInError.checked(entry_id, reason)
    return record_entry(app, external_id, command, actor, expected_version=expected_version)
