"""Import patients with their history in bulk: a clinic moving its cohort from spreadsheets or
another tracker (docs/bulk-import.md).

One patient per line of NDJSON. Every line is checked with the same rules as `ildpath record`
and `ildpath trigger` before anything is written, so a file with one bad line writes nothing
and every bad line is named with its field and the allowed values. Then the patients are
written a batch per transaction with one statement per table, each entry audited as the use
case audits it, and finally judged once as of today by the batched daily run. A patient
already in the database is skipped, so an import stopped half-way is finished by running it
again.

The history is judged as known today: its entries are recorded today with their clinical
dates, so an alert that holds today is raised today, never back-dated. Evidence for a
transition is what the engine finds (e.g. the PFTs behind detect_progression).
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

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
from persistence.audit import ChainHead, next_event
from persistence.records import RECORD_PREFIX
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
from .recording import OBSERVATION_KINDS, check_stop, check_therapy, observation_values
from .triggers import TriggerCommand, judge_trigger, moved, transition_payload
from .work import Actor

__all__ = ["EVENT_KINDS", "ImportRefused", "ImportReport", "import_histories"]

EVENT_KINDS = (*OBSERVATION_KINDS, "therapy", "procedure", "vaccination", "trigger")
BATCH = 1000
"""Patients per transaction."""
MAX_PROBLEMS = 50
"""Problems listed when a file is refused (the count says how many there were)."""

_ENROLMENT_FIELDS = (
    "id",
    "sex",
    "birth_date",
    "enrolled_on",
    "diagnosis",
    "anti_mda5",
    "anti_ars",
    "ild_course",
    "risk_factors",
    "weight_kg",
)


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


@dataclass
class _Entry:
    """One entry of the history: its table, columns, audit event and record entry."""

    table: type
    columns: dict[str, Any]
    audit_kind: str
    payload: dict[str, Any]
    on: date
    provisional: str = ""


@dataclass
class _Plan:
    """One patient checked and ready to write."""

    patient: dict[str, Any]
    enrolled: dict[str, Any]
    phenotype: list[_Entry]
    entries: list[_Entry] = field(default_factory=list)


# -- reading a line ------------------------------------------------------------------------


def _day(name: str, value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue(name, value, "a date YYYY-MM-DD") from None


def _enrolment(data: dict[str, Any]) -> EnrolPatient:
    unknown = sorted(set(data) - {*_ENROLMENT_FIELDS, "events"})
    if unknown:
        raise InvalidValue(unknown[0], data[unknown[0]], "fields " + ", ".join(_ENROLMENT_FIELDS))
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
    use cases check each entry against the stored record."""

    def __init__(self, app: App, actor: Actor, today: date) -> None:
        self.app, self.actor, self.today = app, actor, today
        self.definition = app.definition

    def plan(self, data: dict[str, Any]) -> _Plan:
        enrolment = _enrolment(data)
        phenotype = check_enrolment(enrolment, self.today)
        self.enrolment = enrolment
        self.counter = 0
        self.state, self.origin = "diagnosis", None
        entries = [
            PhenotypeEntry(self._next("ph"), name, value, enrolment.enrolled_on, self.today)
            for name, value in phenotype.items()
        ]
        self.record = PatientRecord(
            enrolment.id, enrolment.birth_date, enrolment.enrolled_on, tuple(entries)
        )
        plan = _Plan(
            patient={
                "external_id": enrolment.id,
                "sex": enrolment.sex,
                "birth_date": enrolment.birth_date,
                "enrolled_on": enrolment.enrolled_on,
                **phenotype,
                "state": "diagnosis",
                "state_since": enrolment.enrolled_on,
                "referral_origin": None,
                "closing_reason": None,
                "pathway_version": self.definition.version,
                "last_evaluated_on": self.today - timedelta(days=1),
                "audit_seq": 0,
                "audit_head": "",
                "version": 1,
            },
            enrolled={
                "id": enrolment.id,
                "sex": enrolment.sex,
                "birth_date": enrolment.birth_date,
                "enrolled_on": enrolment.enrolled_on,
                **phenotype,
            },
            phenotype=[
                _Entry(
                    PhenotypeEntryRow,
                    {"field": e.field, "value": e.value, **self._columns(e.on)},
                    "",
                    {},
                    e.on,
                    e.id,
                )
                for e in entries
            ],
        )
        events = data.get("events") or []
        if not isinstance(events, list):
            raise InvalidValue("events", events, "a list of events")
        for index, event in enumerate(events):
            try:
                plan.entries.append(self._event(event, plan))
            except InvalidValue as error:
                raise InvalidValue(
                    f"events[{index}].{error.field}", error.value, error.allowed
                ) from None
            except ClinicalError as error:
                raise InvalidValue(f"events[{index}]", event, str(error)) from None
        return plan

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}#{self.counter}"

    def _columns(self, on: date) -> dict[str, Any]:
        return {"clinical_on": on, "recorded_on": self.today, "actor": self.actor.name}

    def _event(self, event: Any, plan: _Plan) -> _Entry:
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
            return self._trigger(value, on, plan)
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

    def _observation(self, kind: str, values: Any, on: date) -> _Entry:
        if not isinstance(values, dict):
            raise InvalidValue(kind, values, "an object of values")
        checked = observation_values(kind, values)
        self._date(on, baseline=True)
        provisional = self._next("obs")
        self._grow(observations=Observation(provisional, kind, on, self.today, **checked))  # type: ignore[arg-type]
        return _Entry(
            ObservationRow,
            {"kind": kind, **checked, **self._columns(on)},
            "observation_recorded",
            {"kind": kind, **checked},
            on,
            provisional,
        )

    def _therapy(self, values: Any, on: date) -> _Entry:
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
        return _Entry(
            TherapyEventRow,
            {**fields, **self._columns(on)},
            "therapy_recorded",
            fields,
            on,
            provisional,
        )

    def _given(self, kind: str, value: Any, on: date) -> _Entry:
        check_choice(kind, value, PROCEDURES if kind == "procedure" else VACCINATIONS)
        self._date(on)
        if kind == "procedure":
            provisional = self._next("proc")
            self._grow(procedures=Procedure(provisional, value, on, self.today))
            return _Entry(
                ProcedureRow,
                {"kind": value, **self._columns(on)},
                "procedure_recorded",
                {"kind": value},
                on,
                provisional,
            )
        provisional = self._next("vac")
        self._grow(vaccinations=Vaccination(provisional, value, on, self.today))
        return _Entry(
            VaccinationRow,
            {"kind": value, **self._columns(on)},
            "vaccination_recorded",
            {"kind": value},
            on,
            provisional,
        )

    def _trigger(self, values: Any, on: date, plan: _Plan) -> _Entry:
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
        columns = {
            "trigger": command.trigger,
            "from_state": self.state,
            "to_state": new_state,
            "role": self.actor.role,
            "reason": command.reason,
            "outcome": command.outcome,
            "closing_reason": command.closing_reason,
            "evidence": evidence,
            "pathway_version": self.definition.version,
            **self._columns(on),
        }
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
        changes = moved(command, self.state, new_state)
        plan.patient.update(changes)
        self.state = new_state
        self.origin = plan.patient["referral_origin"]
        return _Entry(TransitionRow, columns, "transition_fired", {}, on, provisional)

    def _grow(self, **entry: Any) -> None:
        ((name, value),) = entry.items()
        self.record = self.record.appended(name, value)


# -- the import ------------------------------------------------------------------------------


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


def _check_file(planner: _Planner, read: Callable[[], Iterable[str]]) -> None:
    """Every line checked before anything is written."""
    problems: list[str] = []
    count = 0
    seen: set[str] = set()
    for number, line in _lines(read):
        try:
            pid = planner.plan(_parsed(line)).patient["external_id"]
            if pid in seen:
                raise InvalidValue("id", pid, "an id that appears once in the file")
            seen.add(pid)
        except ClinicalError as error:
            count += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"line {number}: {error}")
    if count:
        raise ImportRefused(problems, count)


def import_histories(
    app: App,
    read: Callable[[], Iterable[str]],
    actor: Actor,
    *,
    batch: int = BATCH,
    judge: bool = True,
) -> ImportReport:
    """Check every line, then write the patients a batch at a time and judge them once.
    ``read`` gives the file's lines afresh (it is read twice: checked whole, then written).
    ``judge=False`` leaves the judging to the next daily run (the benchmark times it apart)."""
    today = app.clock.today()
    planner = _Planner(app, actor, today)
    _check_file(planner, read)
    patients = events = 0
    skipped: list[str] = []
    first_id: int | None = None
    plans: list[_Plan] = []
    lines = _lines(read)
    while True:
        plans = [planner.plan(_parsed(line)) for _n, line in islice(lines, batch)]
        if not plans:
            break
        written = _write_batch(app, actor, plans, skipped)
        if written and first_id is None:
            first_id = written[0].patient["id"]
        patients += len(written)
        events += sum(1 + len(plan.entries) for plan in written)
    if judge and first_id is not None:
        run_daily_evaluation(app, today, from_id=first_id)
    return ImportReport(patients, events, skipped)


def _returning_ids(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (a value left out is NULL) and return their ids, in order."""
    if not rows:
        return []
    names = {name for row in rows for name in row}
    rows = [dict.fromkeys(names) | row for row in rows]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row.id for row in session.execute(statement, rows)]


def _write_batch(app: App, actor: Actor, plans: list[_Plan], skipped: list[str]) -> list[_Plan]:
    """One transaction: the patients, each table's entries, the audit events, the heads."""
    with app.transaction() as session:
        patient_table = PatientRow.__table__  # type: ignore[attr-defined]
        ids = [p.patient["external_id"] for p in plans]
        present = set(
            session.execute(
                select(patient_table.c.external_id).where(patient_table.c.external_id.in_(ids))
            ).scalars()
        )
        if present:
            skipped += sorted(present)
            plans = [p for p in plans if p.patient["external_id"] not in present]
        if not plans:
            return []
        now = app.clock.now
        patient_ids = _returning_ids(
            session, patient_table, [{**p.patient, "created_at": now()} for p in plans]
        )
        for plan, pid in zip(plans, patient_ids, strict=True):
            plan.patient["id"] = pid
        real: list[dict[str, str]] = [{} for _ in plans]
        for table in (
            PhenotypeEntryRow,
            ObservationRow,
            TherapyEventRow,
            ProcedureRow,
            VaccinationRow,
            TransitionRow,
        ):
            owned = [
                (n, e)
                for n, plan in enumerate(plans)
                for e in (plan.phenotype if table is PhenotypeEntryRow else plan.entries)
                if e.table is table
            ]
            if table is TransitionRow:
                for n, entry in owned:
                    entry.columns["evidence"] = [
                        real[n].get(i, i) for i in entry.columns["evidence"]
                    ]
            rows = [
                {**e.columns, "patient_id": plans[n].patient["id"], "recorded_at": now()}
                for n, e in owned
            ]
            for (n, entry), row_id in zip(
                owned, _returning_ids(session, table.__table__, rows), strict=True
            ):  # type: ignore[attr-defined]
                entry.columns["id"] = row_id
                real[n][entry.provisional] = f"{RECORD_PREFIX[table]}{row_id}"
        events: list[dict[str, Any]] = []
        heads: list[dict[str, Any]] = []
        for plan in plans:
            chain = ChainHead(plan.patient["id"], 0, "")
            events += _audit_events(app, actor, plan, chain)
            heads.append(
                {"_id": chain.patient_id, "audit_seq": chain.seq, "audit_head": chain.hash}
            )
        session.execute(insert(AuditEventRow.__table__), events)  # type: ignore[attr-defined]
        session.execute(
            update(patient_table)
            .where(patient_table.c.id == bindparam("_id"))
            .values(audit_seq=bindparam("audit_seq"), audit_head=bindparam("audit_head")),
            heads,
        )
        return plans


def _audit_events(app: App, actor: Actor, plan: _Plan, chain: ChainHead) -> list[dict[str, Any]]:
    """The patient's chain: enrolment, then each entry as its use case audits it."""
    notes = [("patient_enrolled", plan.enrolled, plan.patient["enrolled_on"])]
    for entry in plan.entries:
        if entry.table is TransitionRow:
            payload = transition_payload(entry.columns["id"], SimpleNamespace(**entry.columns))
        else:
            payload = {"id": entry.columns["id"], **entry.payload}
        notes.append((entry.audit_kind, payload, entry.on))
    return [
        next_event(
            chain,
            kind=kind,
            actor=actor.name,
            role=actor.role,
            recorded_at=app.clock.now(),
            pathway_version=app.definition.version,
            payload=payload,
            clinical_on=on,
        )
        for kind, payload, on in notes
    ]
