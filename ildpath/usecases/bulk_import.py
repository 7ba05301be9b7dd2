"""Import patients with their history in bulk: a clinic moving its cohort from spreadsheets or
another tracker (docs/bulk-import.md).

One patient per line of NDJSON. Every line is checked with the same rules as `ildpath record`
and `ildpath trigger` before anything is written, so a file with one bad line writes nothing
and every bad line is named with its field and the allowed values. The check leaves a plan of
each patient's rows (plain values, kept a batch at a time in a spool), so the file is read
and checked once. Then the patients are written a batch per transaction: ids taken in advance
(SQLite: under the write lock, held to the commit; PostgreSQL: from the tables' sequences),
each table in one ``executemany`` of tuples through the driver, each entry audited as the use
case audits it (same payload, same hash chain), and finally judged once as of today by the
batched daily run. A patient already in the database is skipped, so an import stopped
half-way is finished by running it again.

The history is judged as known today: its entries are recorded today with their clinical
dates, so an alert that holds today is raised today, never back-dated. Evidence for a
transition is what the engine finds (e.g. the PFTs behind detect_progression).
"""

import json
import marshal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from tempfile import SpooledTemporaryFile
from types import SimpleNamespace
from typing import IO, Any, NamedTuple

from sqlalchemy import JSON, Connection, select

from pathway import PatientRecord
from pathway.catalogue import PROCEDURES, VACCINATIONS
from pathway.chart import Chart
from pathway.errors import ClinicalError, InvalidValue
from pathway.record import (
    Observation,
    PhenotypeEntry,
    Procedure,
    TherapyEvent,
    TransitionEntry,
    Vaccination,
)
from pathway.validation import check_choice, check_clinical_date
from persistence.audit import EVENT_COLUMNS, ChainHead, chained_events
from persistence.patients import PATIENT_COLUMNS
from persistence.records import OBSERVATION_VALUES, RECORD_PREFIX
from persistence.tables import (
    AuditEventRow,
    ObservationRow,
    PatientRow,
    PhenotypeEntryRow,
    ProcedureRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

from ..bootstrap import App
from .daily_run import run_daily_evaluation
from .enrolment import EnrolPatient, check_enrolment
from .enrolment_file import ENROLMENT_KEYS
from .heap import heap_set_aside
from .recording import OBSERVATION_KINDS, check_stop, check_therapy, observation_values
from .triggers import TriggerCommand, judge_trigger, moved, transition_payload
from .work import Actor

__all__ = ["EVENT_KINDS", "ImportRefused", "ImportReport", "import_histories"]

EVENT_KINDS = (*OBSERVATION_KINDS, "therapy", "procedure", "vaccination", "trigger")
BATCH = 1000
"""Patients per transaction."""
MAX_PROBLEMS = 50
"""Problems listed when a file is refused (the count says how many there were)."""
SPOOL_IN_MEMORY = 64 * 1024 * 1024
"""Bytes of checked plans kept in memory before the spool moves to a temporary file."""

_MOVED = ("state", "state_since", "referral_origin", "closing_reason")
"""The patient columns the history's triggers move (`moved`)."""


class ImportRefused(ClinicalError):
    """The file has lines that cannot be imported; nothing was written."""

    def __init__(self, problems: list[str], count: int) -> None:
        self.problems, self.count = problems, count
        more = f" (first {len(problems)} shown)" if count > len(problems) else ""
        super().__init__(
            f"{count} problem(s) in the file, nothing imported{more}:\n" + "\n".join(problems)
        )


@dataclass(frozen=True)
class ImportReport:
    patients: int
    events: int
    skipped: list[str]
    """Ids already in the database (imported before), left as they are."""


class _Plan(NamedTuple):
    """One patient checked and ready to write, in plain values (kept in the spool by
    `marshal`, so dates are ISO text).

    ``patient``: the `_PATIENT` values (the state reached by the history's triggers);
    ``phenotype``: the enrolment's phenotype (field, value); ``entries``: the history, each
    ``(table, on, values)`` with ``table`` an index into `_TABLES` and ``values`` the table's
    own columns (`_OWN_COLUMNS`); an observation adds its checked values, the payload of its
    audit event. Evidence names entries by their place in the patient's record (phenotype
    entries first), as their ids are known only when written."""

    patient: tuple[Any, ...]
    phenotype: list[tuple[str, Any]]
    entries: list[tuple[Any, ...]]


_GROWN = ("observations", "therapies", "procedures", "vaccinations", "transitions")
"""The parts of the record a history grows."""
_PATIENT = ("external_id", "sex", "birth_date", "enrolled_on", *_MOVED)
_PHENOTYPE, _OBSERVATION, _THERAPY, _PROCEDURE, _VACCINATION, _TRANSITION = range(6)
_TABLES: tuple[Any, ...] = (
    PhenotypeEntryRow,
    ObservationRow,
    TherapyEventRow,
    ProcedureRow,
    VaccinationRow,
    TransitionRow,
)
"""The record's tables, in the order they are written (as the use cases' ids follow)."""
_SHARED_COLUMNS = ("id", "patient_id", "clinical_on", "recorded_on", "actor")
_THERAPY_VALUES = ("agent", "action", "route", "dose_mg_per_day")
_OWN_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("field", "value", "reason"),
    ("kind", *OBSERVATION_VALUES),
    _THERAPY_VALUES,
    ("kind",),
    ("kind",),
    (
        "trigger",
        "from_state",
        "to_state",
        "role",
        "reason",
        "outcome",
        "closing_reason",
        "evidence",
        "pathway_version",
    ),
)
_AUDIT_KINDS = (
    "",
    "observation_recorded",
    "therapy_recorded",
    "procedure_recorded",
    "vaccination_recorded",
    "transition_fired",
)


# -- reading a line ------------------------------------------------------------------------


def _day(name: str, value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue(name, value, "a date YYYY-MM-DD") from None


def _enrolment(data: dict[str, Any]) -> EnrolPatient:
    unknown = sorted(set(data) - {*ENROLMENT_KEYS, "events"})
    if unknown:
        raise InvalidValue(unknown[0], data[unknown[0]], "fields " + ", ".join(ENROLMENT_KEYS))
    for name in ("id", "sex", "birth_date", "enrolled_on", "diagnosis", "anti_mda5", "anti_ars"):
        if data.get(name) is None:
            raise InvalidValue(name, None, "a value (required)")
    return EnrolPatient(
        id=str(data["id"]),
        sex=data["sex"],
        birth_date=_day("birth_date", data["birth_date"]),
        enrolled_on=_day("enrolled_on", data["enrolled_on"]),
        diagnosis=data["diagnosis"],
        anti_mda5=data["anti_mda5"],
        anti_ars=data["anti_ars"],
        ild_course=data.get("ild_course"),
        risk_factors=tuple(data.get("risk_factors") or ()),
        weight_kg=data.get("weight_kg"),
    )


class _Planner:
    """Checks one patient's history entry by entry against the record built so far, as the
    use cases check each entry against the stored record, and leaves its plan."""

    def __init__(self, app: App, actor: Actor, today: date) -> None:
        self.app, self.actor, self.today = app, actor, today
        self.definition = app.definition

    def plan(self, data: dict[str, Any]) -> _Plan:
        enrolment = _enrolment(data)
        phenotype = check_enrolment(enrolment, self.today)
        self.enrolment = enrolment
        self.counter = 0
        self.state, self.origin = "diagnosis", None
        self.moved: dict[str, Any] = {
            "state": "diagnosis",
            "state_since": enrolment.enrolled_on,
            "referral_origin": None,
            "closing_reason": None,
        }
        entries = [
            PhenotypeEntry(self._next("ph"), name, value, enrolment.enrolled_on, self.today)
            for name, value in phenotype.items()
        ]
        self.phenotype = tuple(entries)
        self.parts: dict[str, list[Any]] = {name: [] for name in _GROWN}
        self.grown: PatientRecord | None = None
        events = data.get("events") or []
        if not isinstance(events, list):
            raise InvalidValue("events", events, "a list of events")
        planned = []
        for index, event in enumerate(events):
            try:
                planned.append(self._event(event))
            except InvalidValue as error:
                raise InvalidValue(
                    f"events[{index}].{error.field}", error.value, error.allowed
                ) from None
            except ClinicalError as error:
                raise InvalidValue(f"events[{index}]", event, str(error)) from None
        moved = self.moved
        return _Plan(
            (
                enrolment.id,
                enrolment.sex,
                enrolment.birth_date.isoformat(),
                enrolment.enrolled_on.isoformat(),
                moved["state"],
                moved["state_since"].isoformat(),
                moved["referral_origin"],
                moved["closing_reason"],
            ),
            list(phenotype.items()),
            planned,
        )

    def _next(self, prefix: str) -> str:
        """The provisional id of the next entry: ``prefix#n``, the entry being the n-th of the
        record (phenotype entries first, then the events in order)."""
        self.counter += 1
        return f"{prefix}#{self.counter}"

    def _event(self, event: Any) -> tuple[Any, ...]:
        if not isinstance(event, dict) or "on" not in event:
            raise InvalidValue(
                "on", None, "an event with a date 'on' and one of " + ", ".join(EVENT_KINDS)
            )
        kinds = [k for k in event if k != "on"]
        if len(kinds) != 1 or kinds[0] not in EVENT_KINDS:
            raise InvalidValue("kind", ",".join(kinds), "exactly one of " + ", ".join(EVENT_KINDS))
        kind, on = kinds[0], _day("on", event["on"])
        if self.state == "closed":
            raise InvalidValue("on", on.isoformat(), "no event after the patient was closed")
        value = event[kind]
        if kind in OBSERVATION_KINDS:
            return self._observation(kind, value, on)
        if kind == "therapy":
            return self._therapy(value, on)
        if kind == "trigger":
            return self._trigger(value, on)
        return self._given(kind, value, on)

    def _date(self, on: date, *, baseline: bool = False) -> date:
        return check_clinical_date(
            "on",
            on,
            recorded_on=self.today,
            birth_date=self.enrolment.birth_date,
            enrolled_on=self.enrolment.enrolled_on,
            baseline_allowed=baseline,
        )

    def _observation(self, kind: str, values: Any, on: date) -> tuple[Any, ...]:
        if not isinstance(values, dict):
            raise InvalidValue(kind, values, "an object of values")
        checked = observation_values(kind, values)
        self._date(on, baseline=True)
        provisional = self._next("obs")
        self._grow(observations=Observation(provisional, kind, on, self.today, **checked))  # type: ignore[arg-type]
        return (
            _OBSERVATION,
            on.isoformat(),
            (kind, *map(checked.get, OBSERVATION_VALUES)),
            checked,
        )

    def _therapy(self, values: Any, on: date) -> tuple[Any, ...]:
        if not isinstance(values, dict):
            raise InvalidValue("therapy", values, "an object with action, agent, route, dose")
        fields = {
            "agent": values.get("agent"),
            "action": values.get("action"),
            "route": values.get("route"),
            "dose_mg_per_day": values.get("dose_mg_per_day"),
        }
        check_therapy(fields["action"], fields["agent"], fields["route"], fields["dose_mg_per_day"])
        self._date(on)
        check_stop(self.record, self.definition, fields["action"], fields["agent"], on)
        provisional = self._next("rx")
        self._grow(
            therapies=TherapyEvent(
                provisional,
                fields["agent"],
                fields["action"],
                on,
                self.today,
                fields["route"],
                fields["dose_mg_per_day"],
            )
        )
        return (_THERAPY, on.isoformat(), tuple(map(fields.get, _THERAPY_VALUES)))

    def _given(self, kind: str, value: Any, on: date) -> tuple[Any, ...]:
        check_choice(kind, value, PROCEDURES if kind == "procedure" else VACCINATIONS)
        self._date(on)
        if kind == "procedure":
            provisional = self._next("proc")
            self._grow(procedures=Procedure(provisional, value, on, self.today))
            return (_PROCEDURE, on.isoformat(), (value,))
        provisional = self._next("vac")
        self._grow(vaccinations=Vaccination(provisional, value, on, self.today))
        return (_VACCINATION, on.isoformat(), (value,))

    def _trigger(self, values: Any, on: date) -> tuple[Any, ...]:
        if not isinstance(values, dict) or "trigger" not in values:
            raise InvalidValue(
                "trigger", values, "an object with trigger, reason, outcome, closing_reason"
            )
        command = TriggerCommand(
            trigger=values["trigger"],
            on=on,
            reason=values.get("reason"),
            outcome=values.get("outcome"),
            closing_reason=values.get("closing_reason"),
        )
        chart = Chart(self.record, self.definition)
        new_state, evidence = judge_trigger(
            chart, command, self.state, self.origin, lambda _name, day: self._date(day)
        )
        row = (
            command.trigger,
            self.state,
            new_state,
            self.actor.role,
            command.reason,
            command.outcome,
            command.closing_reason,
            [_place(i) for i in evidence],
            self.definition.version,
        )
        provisional = self._next("tr")
        self._grow(
            transitions=TransitionEntry(
                provisional,
                command.trigger,
                self.state,
                new_state,
                on,
                self.today,
                command.reason,
                command.outcome,
                command.closing_reason,
            )
        )
        self.moved.update(moved(command, self.state, new_state))
        self.state = new_state
        self.origin = self.moved["referral_origin"]
        return (_TRANSITION, on.isoformat(), row)

    def _grow(self, **entry: Any) -> None:
        ((name, value),) = entry.items()
        self.parts[name].append(value)
        self.grown = None

    @property
    def record(self) -> PatientRecord:
        """The record so far, as `PatientRecord.appended` entry by entry would leave it;
        made when a check reads it (a stop, a trigger), not at every entry."""
        if self.grown is None:
            enrolment = self.enrolment
            self.grown = PatientRecord(
                enrolment.id,
                enrolment.birth_date,
                enrolment.enrolled_on,
                self.phenotype,
                **{name: tuple(entries) for name, entries in self.parts.items()},
            )
        return self.grown


# -- checking the file -----------------------------------------------------------------------


def _lines(read: Callable[[], Iterable[str]]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(read(), start=1):
        if line.strip():
            yield number, line


def _parsed(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidValue("line", line[:60], f"one JSON object per line ({error.msg})") from None
    if not isinstance(data, dict):
        raise InvalidValue("line", line[:60], "one JSON object per line")
    return data


def _check_file(planner: _Planner, read: Callable[[], Iterable[str]], batch: int) -> IO[bytes]:
    """Every line checked before anything is written; the plans kept a batch at a time in a
    spool (memory up to `SPOOL_IN_MEMORY`, then an anonymous temporary file), so that the
    writing neither checks the file again nor holds it whole."""
    problems: list[str] = []
    count = 0
    seen: set[str] = set()
    spool = SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (returned open)
    try:
        pending: list[_Plan] = []
        for number, line in _lines(read):
            try:
                plan = planner.plan(_parsed(line))
                pid = plan.patient[0]
                if pid in seen:
                    raise InvalidValue("id", pid, "an id that appears once in the file")
                seen.add(pid)
            except ClinicalError as error:
                count += 1
                if len(problems) < MAX_PROBLEMS:
                    problems.append(f"line {number}: {error}")
                continue
            if not count:
                pending.append(plan)
                if len(pending) >= batch:
                    _spool(spool, pending)
                    pending = []
        if count:
            raise ImportRefused(problems, count)
        if pending:
            _spool(spool, pending)
        spool.seek(0)
        return spool
    except BaseException:
        spool.close()
        raise


def _spool(spool: IO[bytes], plans: list[_Plan]) -> None:
    """A batch of plans as one frame: its length, then its `marshal` bytes (plain values only:
    an order of magnitude quicker than pickle, and read back by this same process)."""
    frame = marshal.dumps([tuple(plan) for plan in plans])
    spool.write(len(frame).to_bytes(8, "little"))
    spool.write(frame)


def _spooled(spool: IO[bytes]) -> Iterator[list[_Plan]]:
    while size := int.from_bytes(spool.read(8), "little"):
        yield [_Plan._make(plan) for plan in marshal.loads(spool.read(size))]


# -- the import ------------------------------------------------------------------------------


def import_histories(
    app: App,
    read: Callable[[], Iterable[str]],
    actor: Actor,
    *,
    batch: int = BATCH,
    judge: bool = True,
) -> ImportReport:
    """Check every line, then write the patients a batch at a time and judge them once.
    ``read`` gives the file's lines (read once: the checked plans are spooled for writing).
    ``judge=False`` leaves the judging to the next daily run (the benchmark times it apart)."""
    today = app.clock.today()
    store = _Store.of(app, actor, today)
    patients = events = 0
    skipped: list[str] = []
    first_id: int | None = None
    with heap_set_aside(), _check_file(_Planner(app, actor, today), read, batch) as spool:
        for plans in _spooled(spool):
            written, first = _write_batch(app, store, plans, skipped)
            if written and first_id is None:
                first_id = first
            patients += len(written)
            events += sum(1 + len(plan.entries) for plan in written)
    if judge and first_id is not None:
        run_daily_evaluation(app, today, from_id=first_id)
    return ImportReport(patients, events, skipped)


# -- writing ---------------------------------------------------------------------------------


class _SQLiteInstants:
    """Instants as SQLAlchemy keeps `UTCDateTime` in SQLite: UTC without offset, to the
    microsecond ('2026-11-21 12:00:00.000001'). Rows written microseconds apart share their
    second, so each second is spelt once."""

    def __init__(self) -> None:
        self.seconds: dict[tuple[int, int, int, int], str] = {}

    def __call__(self, value: datetime) -> str:
        if value.tzinfo is not UTC:
            value = _utc(value)
        key = value.toordinal(), value.hour, value.minute, value.second
        second = self.seconds.get(key)
        if second is None:
            if len(self.seconds) > 4096:
                self.seconds.clear()
            second = self.seconds[key] = (
                value.replace(microsecond=0, tzinfo=None).isoformat(" ") + "."
            )
        return f"{second}{value.microsecond:06d}"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime refused: instants are stored as aware UTC")
    return value.astimezone(UTC)


def _same(value: Any) -> Any:
    return value


class _Store:
    """Writing through the driver on one database (PostgreSQL here, SQLite below): ids taken
    in advance, each table in one ``executemany`` of tuples (no ``RETURNING``, no bind
    processing), values spelled as SQLAlchemy spells them there, so every reader finds the
    rows the use cases write."""

    marker = "%s"
    json_marker = "%s::json"

    def __init__(self, actor: Actor, today: date, serialise: Callable[[Any], str]) -> None:
        self.actor, self.today, self.json = actor, today, serialise
        self.statements: dict[str, str] = {}
        self.instant: Callable[[datetime], Any] = _utc
        """An instant as the driver takes it."""

    @staticmethod
    def of(app: App, actor: Actor, today: date) -> "_Store":
        dialect = app.engine.dialect
        serialise = getattr(dialect, "_json_serializer", None) or json.dumps
        if dialect.name == "sqlite":
            return _SQLiteStore(actor, today, serialise)
        if dialect.name == "postgresql":
            return _Store(actor, today, serialise)
        raise ValueError(f"bulk import writes to SQLite or PostgreSQL, not {dialect.name}")

    day: Callable[[str], Any] = staticmethod(date.fromisoformat)
    """A day as the driver takes it, from its ISO text."""

    def lock(self, db: Connection) -> None:
        """Nothing to hold on PostgreSQL: ids come from the tables' sequences."""

    def ids(self, db: Connection, table: str, count: int) -> list[int]:
        """``count`` new ids of ``table``, as its inserts would have taken them."""
        if not count:
            return []
        return sorted(
            db.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table, count),
            ).scalars()
        )

    def insert(self, db: Connection, table: Any, names: tuple[str, ...], rows: list[Any]) -> None:
        if not rows:
            return
        statement = self.statements.get(table.name)
        if statement is None:
            json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
            known = {c.name for c in table.columns}
            if (known - {"id"}) - set(names) or set(names) - known:
                raise RuntimeError(
                    f"the bulk import writes {', '.join(names)} into {table.name}, whose "
                    f"columns are {', '.join(sorted(known))}: teach it the new schema"
                )
            statement = self.statements[table.name] = (
                f'INSERT INTO "{table.name}" ('
                + ", ".join(f'"{name}"' for name in names)
                + ") VALUES ("
                + ", ".join(self.json_marker if n in json_columns else self.marker for n in names)
                + ")"
            )
        db.exec_driver_sql(statement, rows)


class _SQLiteStore(_Store):
    """Days as ISO text and instants as SQLAlchemy's text, as SQLite keeps them."""

    marker = json_marker = "?"
    day = staticmethod(_same)

    def __init__(self, actor: Actor, today: date, serialise: Callable[[Any], str]) -> None:
        super().__init__(actor, today, serialise)
        self.instant = _SQLiteInstants()

    def lock(self, db: Connection) -> None:
        """Take the write lock first (a write that changes nothing), so the ids read next stay
        free until the commit: another writer waits (busy timeout) instead of taking them."""
        db.exec_driver_sql('UPDATE "patient" SET id = id WHERE 0')

    def ids(self, db: Connection, table: str, count: int) -> list[int]:
        """After the largest id, as SQLite numbers a row (no AUTOINCREMENT in the schema)."""
        top = db.exec_driver_sql(f'SELECT max(id) FROM "{table}"').scalar() or 0
        return list(range(top + 1, top + 1 + count))


def _write_batch(
    app: App, store: _Store, plans: list[_Plan], skipped: list[str]
) -> tuple[list[_Plan], int | None]:
    """One transaction: the patients (with the heads of their audit chains), each table's
    entries, the audit events; an ``executemany`` each. The clock is read in the order the
    rows are laid out (patients, each table, the audit chains), one reading per row."""
    with app.transaction() as session:
        db = session.connection()
        store.lock(db)
        patient_table = PatientRow.__table__  # type: ignore[attr-defined]
        wanted = [plan.patient[0] for plan in plans]
        present = set(
            db.execute(
                select(patient_table.c.external_id).where(patient_table.c.external_id.in_(wanted))
            ).scalars()
        )
        if present:
            skipped += sorted(present)
            plans = [plan for plan in plans if plan.patient[0] not in present]
        if not plans:
            return [], None
        now, day, instant, as_json = app.clock.now, store.day, store.instant, store.json
        actor, role, version = store.actor.name, store.actor.role, app.definition.version
        recorded_on = day(store.today.isoformat())

        patient_ids = store.ids(db, "patient", len(plans))
        created = [now() for _ in plans]
        # Each entry's id by its place in the patient's record (phenotype entries first).
        placed = [[0] * (len(plan.phenotype) + len(plan.entries)) for plan in plans]
        owned: list[list[tuple[int, int, tuple[Any, ...]]]] = [[] for _ in _TABLES]
        for n, plan in enumerate(plans):
            owned[_PHENOTYPE] += [(n, k, item) for k, item in enumerate(plan.phenotype)]
            base = len(plan.phenotype)
            for k, entry in enumerate(plan.entries, start=base):
                owned[entry[0]].append((n, k, entry))
        evidence: dict[tuple[int, int], list[str]] = {}
        rows: list[list[tuple[Any, ...]]] = []
        for t, table in enumerate(_TABLES):
            ids = store.ids(db, table.__tablename__, len(owned[t]))
            mine = list(zip(owned[t], ids, strict=True))
            for (n, k, _item), row_id in mine:
                placed[n][k] = row_id
            if t == _PHENOTYPE:
                rows.append(
                    [
                        (
                            row_id,
                            patient_ids[n],
                            day(plans[n].patient[3]),
                            recorded_on,
                            actor,
                            item[0],
                            as_json(item[1]),
                            None,
                            instant(now()),
                        )
                        for (n, _k, item), row_id in mine
                    ]
                )
            elif t == _TRANSITION:
                written = []
                for (n, k, (_t, on, values)), row_id in mine:
                    cited = evidence[n, k] = [_real(plans[n], placed[n], ref) for ref in values[7]]
                    written.append(
                        (
                            row_id,
                            patient_ids[n],
                            day(on),
                            recorded_on,
                            actor,
                            *values[:7],
                            as_json(cited),
                            values[8],
                            instant(now()),
                        )
                    )
                rows.append(written)
            else:
                rows.append(
                    [
                        (
                            row_id,
                            patient_ids[n],
                            day(item[1]),
                            recorded_on,
                            actor,
                            *item[2],
                            instant(now()),
                        )
                        for (n, _k, item), row_id in mine
                    ]
                )

        audit: list[tuple[Any, ...]] = []
        heads: list[ChainHead] = []
        for n, plan in enumerate(plans):
            head = ChainHead(patient_ids[n], 0, "")
            external_id, sex, birth_date, enrolled_on = plan.patient[:4]
            enrolled = {
                "id": external_id,
                "sex": sex,
                "birth_date": birth_date,
                "enrolled_on": enrolled_on,
                **dict(plan.phenotype),
            }
            notes: list[tuple[str, dict[str, Any], Any, datetime]] = [
                ("patient_enrolled", enrolled, day(enrolled_on), now())
            ]
            for k, entry in enumerate(plan.entries, start=len(plan.phenotype)):
                t, on, values = entry[:3]
                notes.append(
                    (
                        _AUDIT_KINDS[t],
                        _payload(placed[n][k], entry, evidence.get((n, k))),
                        day(on),
                        now(),
                    )
                )
            audit += [
                (*event[:6], instant(event[6]), *event[7:])
                for event in chained_events(
                    head, notes, actor=actor, role=role, pathway_version=version
                )
            ]
            heads.append(head)

        yesterday = day((store.today - timedelta(days=1)).isoformat())
        patients = []
        for n, plan in enumerate(plans):
            external_id, sex, birth_date, enrolled_on, state, since, origin, closing = plan.patient
            phenotype = dict(plan.phenotype)
            patients.append(
                (
                    patient_ids[n],
                    external_id,
                    sex,
                    day(birth_date),
                    day(enrolled_on),
                    phenotype.get("diagnosis"),
                    phenotype.get("anti_mda5"),
                    phenotype.get("anti_ars"),
                    phenotype.get("ild_course"),
                    as_json(phenotype.get("risk_factors")),
                    phenotype.get("weight_kg"),
                    state,
                    day(since),
                    origin,
                    closing,
                    version,
                    yesterday,
                    None,  # quiet_until: judged by the import, or by the next daily run
                    None,
                    None,
                    heads[n].seq,
                    heads[n].hash,
                    instant(created[n]),
                    1,
                )
            )
        store.insert(db, patient_table, PATIENT_COLUMNS, patients)
        for t, table in enumerate(_TABLES):
            columns = (*_SHARED_COLUMNS, *_OWN_COLUMNS[t], "recorded_at")
            store.insert(db, table.__table__, columns, rows[t])
        store.insert(db, AuditEventRow.__table__, EVENT_COLUMNS, audit)  # type: ignore[attr-defined]
        return plans, patient_ids[0]


def _payload(row_id: int, entry: tuple[Any, ...], evidence: list[str] | None) -> dict[str, Any]:
    """The audit payload of an entry, as its use case writes it."""
    table, values = entry[0], entry[2]
    if table == _OBSERVATION:
        return {"id": row_id, "kind": values[0], **entry[3]}
    if table == _THERAPY:
        return {"id": row_id, **dict(zip(_THERAPY_VALUES, values, strict=True))}
    if table == _TRANSITION:
        columns = dict(zip(_OWN_COLUMNS[_TRANSITION], values, strict=True))
        columns["evidence"] = evidence
        return transition_payload(row_id, SimpleNamespace(**columns))
    return {"id": row_id, "kind": values[0]}


def _place(cited: str) -> int | str:
    """Where in the patient's record a provisional id (`_Planner._next`) points; any other id
    is kept as it is."""
    _prefix, mark, number = cited.rpartition("#")
    return int(number) - 1 if mark and number.isdigit() else cited


def _real(plan: _Plan, placed: list[int], ref: int | str) -> str:
    """The id a use case would cite for the entry at place ``ref`` of the patient's record."""
    if isinstance(ref, str):
        return ref
    base = len(plan.phenotype)
    table = PhenotypeEntryRow if ref < base else _TABLES[plan.entries[ref - base][0]]
    return f"{RECORD_PREFIX[table]}{placed[ref]}"
