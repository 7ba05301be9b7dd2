"""Reading patients' records out of the tables as the pathway's plain values.

Row ids become record ids with a prefix per part (``obs12``, ``rx7`` ...), so evidence and
idempotency keys say what they point at. Rows are read as plain tuples, never as ORM objects:
a record is read for every evaluation, and a batch of patients is read with one query per
table (the daily run and the reports stream the cohort this way).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, select
from sqlmodel import Session

from pathway.record import (
    ENTRY_PARTS,
    AlertRaised,
    Observation,
    PatientRecord,
    PhenotypeEntry,
    Procedure,
    Retraction,
    TaskAction,
    TherapyEvent,
    TransitionEntry,
    Vaccination,
)

from .tables import (
    AlertRow,
    ObservationRow,
    PhenotypeEntryRow,
    ProcedureRow,
    RetractionRow,
    TaskActionRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

__all__ = [
    "ALERT_PREFIX",
    "OBSERVATION_VALUES",
    "PART_PREFIX",
    "PART_TABLE",
    "RECORD_PARTS",
    "TASK_ACTION_PREFIX",
    "PatientDates",
    "RecordHead",
    "assembled",
    "entry_from",
    "entry_of",
    "load_record",
    "load_records",
]

OBSERVATION_VALUES = (
    "fvc_pct",
    "dlco_pct",
    "dlco_corrected_pct",
    "fvc_l",
    "iu_per_ml",
    "oxygen",
    "finding",
    "extensive_ggo",
    "ferritin",
    "ck",
    "kl6",
    "crp",
    "spo2",
    "metres",
    "nadir_spo2",
    "copies_per_ml",
    "comparator",
)
"""An observation's measured values, in the order `pathway.record.Observation` takes them."""


class PatientDates(Protocol):
    """Who the patient is and the dates that bound the record: birth and enrolment."""

    @property
    def external_id(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def enrolled_on(self) -> date: ...


class RecordHead(PatientDates, Protocol):
    """What reading a record needs of the patient row (a PatientRow, or a plain row of it)."""

    @property
    def id(self) -> int | None: ...


@dataclass(frozen=True)
class _Part:
    """One table of the record: the columns read, and how a row of them becomes an entry.

    ``entry`` takes the row as a plain tuple ``(patient_id, id, *columns)``: rows are read by
    position, which is several times cheaper than by name, and the statement is built once
    (an expanding ``IN``), so reading one patient or five hundred costs no query building.
    """

    table: Any
    columns: tuple[str, ...]
    entry: Callable[[Sequence[Any]], object]

    @cached_property
    def _select(self) -> Select[Any]:
        table = self.table.__table__
        columns = [table.c.patient_id, table.c.id, *(table.c[name] for name in self.columns)]
        return select(*columns).order_by(table.c.patient_id, table.c.id)

    @cached_property
    def of_patients(self) -> Select[Any]:
        """A batch of patients' rows (the daily run, the reports)."""
        patient_id = self.table.__table__.c.patient_id
        return self._select.where(patient_id.in_(bindparam("ids", expanding=True)))

    @cached_property
    def of_patient(self) -> Select[Any]:
        """One patient's rows (a use case): a plain ``=`` skips expanding the ``IN``."""
        return self._select.where(self.table.__table__.c.patient_id == bindparam("id"))

    @cached_property
    def names(self) -> tuple[str, ...]:
        return ("patient_id", "id", *self.columns)

    @cached_property
    def around_days(self) -> tuple[Callable[[Mapping[str, Any]], tuple[Any, ...]], ...]:
        """Readers of an entry's own values that stand before its two days, and after."""
        at = self.columns.index("clinical_on")
        assert self.columns[at + 1] == "recorded_on"
        return _reader(self.columns[:at]), _reader(self.columns[at + 2 :])

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """A stored row's values as the tuple ``entry`` takes."""
        return tuple(map(row.__getitem__, self.names))


_PARTS: dict[str, _Part] = {
    "phenotype": _Part(
        PhenotypeEntryRow,
        ("field", "value", "clinical_on", "recorded_on"),
        lambda r: PhenotypeEntry(f"ph{r[1]}", r[2], r[3], r[4], r[5]),
    ),
    "observations": _Part(
        ObservationRow,
        ("kind", "clinical_on", "recorded_on", *OBSERVATION_VALUES),
        lambda r: Observation(f"obs{r[1]}", *r[2:]),
    ),
    "therapies": _Part(
        TherapyEventRow,
        ("agent", "action", "clinical_on", "recorded_on", "route", "dose", "unit", "every"),
        lambda r: TherapyEvent(f"rx{r[1]}", *r[2:]),
    ),
    "procedures": _Part(
        ProcedureRow,
        ("kind", "clinical_on", "recorded_on"),
        lambda r: Procedure(f"proc{r[1]}", r[2], r[3], r[4]),
    ),
    "vaccinations": _Part(
        VaccinationRow,
        ("kind", "clinical_on", "recorded_on"),
        lambda r: Vaccination(f"vac{r[1]}", r[2], r[3], r[4]),
    ),
    "transitions": _Part(
        TransitionRow,
        (
            "trigger",
            "from_state",
            "to_state",
            "clinical_on",
            "recorded_on",
            "reason",
            "outcome",
            "closing_reason",
        ),
        lambda r: TransitionEntry(f"tr{r[1]}", *r[2:]),
    ),
    "retractions": _Part(
        RetractionRow,
        ("entry_id", "clinical_on", "recorded_on", "reason", "replaced_by"),
        lambda r: Retraction(*r[2:]),
    ),
    "task_actions": _Part(
        TaskActionRow,
        (
            "task_key",
            "task_kind",
            "action",
            "clinical_on",
            "recorded_on",
            "reason",
            "new_due_on",
            "assignee",
            "engine_due_on",
        ),
        lambda r: TaskAction(f"{TASK_ACTION_PREFIX}{r[1]}", *r[2:]),
    ),
    "alerts": _Part(
        AlertRow,
        (
            "code",
            "key",
            "raised_on",
            "evidence",
            "clinical_on",
            "status",
            "cleared_on",
            "cleared_recorded_on",
        ),
        lambda r: AlertRaised(
            r[2],
            r[3],
            r[4],
            tuple(r[5]),
            r[6],
            r[7] == "withdrawn",
            r[8],
            f"{ALERT_PREFIX}{r[1]}",
            r[9],
        ),
    ),
}

RECORD_PARTS = (*ENTRY_PARTS, "retractions", "task_actions")
"""The parts the one writer writes entries of, in its order: the retractions after the
entries, as a correction's retraction cites the entry written with it (``replaced_by``); a
person's actions on tasks (§8) last, as they name task rows already written."""

TASK_ACTION_PREFIX = "act"
"""What a task action's record id says (``act3``): the next influenza season's task opened
after a decline is keyed by it."""

PART_TABLE = {name: part.table.__tablename__ for name, part in _PARTS.items()}
"""The table of each part of the record (and of the alerts it carries)."""

ALERT_PREFIX = "al"
"""What a raised alert's record id says (``al7``)."""

PART_PREFIX = {
    "phenotype": "ph",
    "observations": "obs",
    "therapies": "rx",
    "procedures": "proc",
    "vaccinations": "vac",
    "transitions": "tr",
}
"""What a record id says of its entry's part (``obs12``): evidence and alert keys cite it."""


def _reader(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of ``names`` of a mapping, as a tuple (``itemgetter`` gives a lone value
    bare)."""
    if not names:
        return lambda values: ()
    if len(names) == 1:
        (name,) = names
        return lambda values: (values[name],)
    return itemgetter(*names)


def entry_from(
    part: str, number: object, on: date, recorded_on: date, values: Mapping[str, Any]
) -> Any:
    """The record's value of an entry not stored yet: its own ``values``, its days, and the
    ``number`` its id is made of (a provisional one, ``#3``)."""
    spec = _PARTS[part]
    before, after = spec.around_days
    return spec.entry((0, number, *before(values), on, recorded_on, *after(values)))


def entry_of(part: str, row: Mapping[str, Any]) -> Any:
    """The record's value of one stored row of ``part`` (the alerts too)."""
    spec = _PARTS[part]
    return spec.entry(spec.values(row))


def _read(session: Session, part: _Part, ids: Sequence[int]) -> dict[int, list[object]]:
    found: dict[int, list[object]] = {}
    entry = part.entry
    rows = (
        session.connection().execute(part.of_patient, {"id": ids[0]})
        if len(ids) == 1
        else session.connection().execute(part.of_patients, {"ids": ids})
    )
    for row in rows:
        found.setdefault(row[0], []).append(entry(row))
    return found


def load_records(session: Session, patients: Iterable[RecordHead]) -> dict[int, PatientRecord]:
    """The records of a batch of patients, keyed by patient row id: one query per table,
    each list in recording order."""
    heads = [p for p in patients if p.id is not None]
    if not heads:
        return {}
    ids = [p.id for p in heads if p.id is not None]
    parts = {name: _read(session, part, ids) for name, part in _PARTS.items()}
    records: dict[int, PatientRecord] = {}
    for head in heads:
        pid = head.id
        assert pid is not None
        records[pid] = assembled(head, {name: found.get(pid, ()) for name, found in parts.items()})
    return records


def assembled(head: RecordHead, parts: Mapping[str, Sequence[Any]]) -> PatientRecord:
    """A patient's record from the entries of each part (in recording order)."""
    return PatientRecord(
        head.external_id,
        head.birth_date,
        head.enrolled_on,
        **{name: tuple(entries) for name, entries in parts.items()},
    )


def load_record(session: Session, patient: RecordHead) -> PatientRecord:
    """Everything recorded for ``patient``, each list in recording order."""
    assert patient.id is not None
    return load_records(session, [patient])[patient.id]
