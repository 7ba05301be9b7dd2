"""One contract, every store: what the use cases rely on of the store's ports (the repository
and the unit of work) holds alike on the memory store, SQLite and PostgreSQL, down to the
rows, ids and audit hashes written."""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pathway import default_definition
from pathway.findings import Alert, CareTask
from pathway.record import Observation, Retraction, TransitionEntry
from persistence import sql_tables
from persistence.audit import first_break
from persistence.audit_chain import event_hash
from persistence.changes import (
    ENGINE,
    Acknowledgement,
    Actor,
    Audit,
    AuditOnly,
    Item,
    NewAlert,
    NewEntry,
    NewPatient,
    PatientChanges,
    TaskChange,
)
from persistence.errors import ConcurrencyConflict
from persistence.patients import Patient
from persistence.ports import Store
from persistence.tables import CLINICAL_TABLES

from .conftest import stored_rows

DAY = date(2026, 3, 2)
VERSION = default_definition().version
NURSE = Actor("coordinator-a", "coordinator")


class Ticks:
    """A clock that stands still but for a microsecond a reading (as the simulated one)."""

    def __init__(self) -> None:
        self.read = 0

    def __call__(self) -> datetime:
        self.read += 1
        return datetime(2026, 3, 2, 12, tzinfo=UTC) + timedelta(microseconds=self.read)


def enrolment(external_id: str, **columns: Any) -> PatientChanges:
    values: dict[str, Any] = {
        "external_id": external_id,
        "sex": "female",
        "birth_date": date(1970, 5, 1),
        "enrolled_on": DAY,
        "diagnosis": "dermatomyositis",
        "anti_mda5": "negative",
        "anti_ars": "negative",
        "ild_course": "non_progressive",
        "risk_factors": ["extensive_ggo"],
        "weight_kg": 60.0,
        "state": "diagnosis",
        "state_since": DAY,
        "pathway_version": VERSION,
        "last_evaluated_on": DAY - timedelta(days=1),
        **columns,
    }
    items: list[Item] = [
        NewEntry(
            "phenotype",
            DAY,
            {"field": "anti_mda5", "value": "negative", "reason": None},
            NURSE,
            None,
        ),
        AuditOnly(Audit("patient_enrolled", {"id": external_id}, DAY, NURSE)),
    ]
    return PatientChanges(NewPatient(values), items, DAY, VERSION)


def pft(fvc: float, on: date = DAY) -> NewEntry:
    values = {
        "kind": "pft",
        "fvc_pct": fvc,
        "dlco_pct": 50.0,
        "dlco_corrected_pct": None,
        "fvc_l": None,
        "iu_per_ml": None,
        "oxygen": None,
        "finding": None,
        "extensive_ggo": None,
    }
    audit = Audit("observation_recorded", {"kind": "pft", "fvc_pct": fvc}, on, NURSE, "id")
    return NewEntry("observations", on, values, NURSE, audit)


def transition(evidence: list[str]) -> NewEntry:
    values = {
        "trigger": "start_induction",
        "from_state": "diagnosis",
        "to_state": "induction",
        "role": "clinician",
        "reason": "contract",
        "outcome": None,
        "closing_reason": None,
        "evidence": evidence,
        "pathway_version": VERSION,
    }
    audit = Audit("transition_fired", {"evidence": evidence}, DAY, NURSE, "transition_id")
    return NewEntry("transitions", DAY, values, NURSE, audit)


def retraction(entry_id: str, replaced_by: str | None, on: date = DAY) -> NewEntry:
    """A correction's retraction (§11): ``replaced_by`` may cite the replacing entry of the
    same changes by its place (``obs#1``)."""
    values = {"part": "observations", "entry_id": entry_id, "replaced_by": replaced_by}
    values["reason"] = "contract"
    payload = {**values}
    audit = Audit("entry_corrected", payload, on, NURSE, "retraction_id")
    return NewEntry("retractions", on, values, NURSE, audit)


def enrol(store: Store, now: Ticks, *ids: str) -> list[Patient]:
    with store.unit_of_work() as uow:
        return [w.patient for w in uow.patients.write([enrolment(i) for i in ids], now)]


def test_an_enrolled_patient_reads_back_by_external_id_and_row_id(store: Store) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    with store.unit_of_work() as uow:
        assert uow.patients.find("P-1") == patient
        assert uow.patients.get(patient.id) == patient
        assert uow.patients.find("P-2") is None
        assert uow.patients.present(["P-1", "P-2"]) == {"P-1"}
    assert (patient.version, patient.audit_seq, patient.state) == (1, 1, "diagnosis")


def test_the_record_reads_back_in_recording_order_with_ids_that_name_their_part(
    store: Store,
) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    with store.unit_of_work() as uow:
        [written] = uow.patients.write(
            [PatientChanges(patient, [pft(70.0), pft(64.0)], DAY, VERSION)], now
        )
    with store.unit_of_work() as uow:
        record = uow.patients.records([written.patient])[patient.id]
    assert [o.fvc_pct for o in record.observations] == [70.0, 64.0]
    assert all(isinstance(o, Observation) and o.id.startswith("obs") for o in record.observations)
    assert [e.field for e in record.phenotype] == ["anti_mda5"]
    assert written.patient.version == 2


def test_evidence_may_cite_an_entry_of_the_same_changes_by_its_place(store: Store) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    with store.unit_of_work() as uow:
        uow.patients.write(
            [PatientChanges(patient, [pft(70.0), transition(["obs#1", "obs7"])], DAY, VERSION)],
            now,
        )
        record = uow.patients.records([uow.patients.find("P-1")])[patient.id]  # type: ignore[list-item]
    [fired] = record.transitions
    assert isinstance(fired, TransitionEntry)
    rows = stored_rows(store)
    observation_id = rows["observation"][0]["id"]
    assert rows["transition"][0]["evidence"] == [f"obs{observation_id}", "obs7"]


def test_a_retraction_cites_its_replacing_entry_and_reads_back_into_the_record(
    store: Store,
) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    with store.unit_of_work() as uow:
        [first] = uow.patients.write([PatientChanges(patient, [pft(70.0)], DAY, VERSION)], now)
    wrong = f"obs{first.rows[0]['id']}"
    later = DAY + timedelta(days=1)
    with store.unit_of_work() as uow:
        changes = PatientChanges(
            first.patient, [pft(60.0), retraction(wrong, "obs#1")], later, VERSION
        )
        [written] = uow.patients.write([changes], now)
    with store.unit_of_work() as uow:
        record = uow.patients.records([written.patient])[patient.id]
        retractions = uow.patients.rows(written.patient).retractions
    new = f"obs{written.rows[0]['id']}"
    assert record.retractions == (Retraction(wrong, DAY, later, "contract", new),)
    assert [(r.entry_id, r.replaced_by, r.actor) for r in retractions] == [(wrong, new, NURSE.name)]
    assert [o.id for o in record.known_on(DAY).observations] == [wrong]
    assert [o.id for o in record.known_on(later).observations] == [new]
    assert len(record.observations) == 2  # nothing deleted
    [event] = [e for e in stored_rows(store)["audit_event"] if e["kind"] == "entry_corrected"]
    assert json.loads(event["payload"])["replaced_by"] == new


def test_alerts_tasks_and_acknowledgements_are_written_and_audited(store: Store) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    alert = Alert.under(default_definition(), "CMV_REACTIVATION", "CMV:obs1", ("obs1",))
    task = CareTask("pft", "pft:1", DAY, DAY + timedelta(days=14), VERSION)
    opened = TaskChange(
        task.key,
        {"due_on": task.due_on, "status": "open", "closed_on": None, "opened_on": DAY},
        Audit("task_opened", {"key": task.key}, DAY, ENGINE),
        task=task,
    )
    with store.unit_of_work() as uow:
        [written] = uow.patients.write(
            [PatientChanges(patient, [NewAlert(alert, DAY), opened], DAY, VERSION)], now
        )
    [raised] = written.alerts()
    with store.unit_of_work() as uow:
        stored = uow.patients.alert(raised["id"])
        assert stored is not None and stored.code == "CMV_REACTIVATION"
        [task_row] = uow.patients.stored_tasks([patient.id])[patient.id]
        assert (task_row.kind, task_row.status, task_row.due_on) == ("pft", "open", task.due_on)
        acknowledged = Acknowledgement(raised["id"], alert.code, alert.key, "seen", NURSE)
        uow.patients.write([PatientChanges(written.patient, [acknowledged], DAY, VERSION)], now)
    with store.unit_of_work() as uow:
        stored = uow.patients.alert(raised["id"])
        assert stored is not None and stored.acknowledged_by == "coordinator-a"
        assert uow.patients.alert(raised["id"] + 1000) is None
    kinds = [row["kind"] for row in stored_rows(store)["audit_event"]]
    assert kinds == ["patient_enrolled", "alert_raised", "task_opened", "alert_acknowledged"]


def test_every_chain_written_verifies_link_by_link(store: Store) -> None:
    now = Ticks()
    patients = enrol(store, now, "P-1", "P-2")
    with store.unit_of_work() as uow:
        uow.patients.write(
            [PatientChanges(p, [pft(70.0), pft(60.0)], DAY, VERSION) for p in patients], now
        )
    rows = stored_rows(store)
    for patient in rows["patient"]:
        events = sorted(
            (e for e in rows["audit_event"] if e["patient_id"] == patient["id"]),
            key=lambda e: e["seq"],
        )
        links = [type("Link", (), e)() for e in events]
        head = (patient["audit_seq"], patient["audit_head"])
        digest = lambda e: event_hash(e, store.keyring)  # noqa: E731
        assert first_break(type("P", (), patient)(), links, digest, "event", head) is None  # type: ignore[arg-type]
        assert len(events) == 3


def test_a_writer_who_read_an_older_version_writes_nothing(store: Store) -> None:
    now = Ticks()
    enrol(store, now, "P-1")
    before = stored_rows(store)
    with pytest.raises(ConcurrencyConflict), store.unit_of_work() as first:
        read = first.patients.find("P-1")
        assert read is not None
        with store.unit_of_work() as second:
            second.patients.write([PatientChanges(read, [pft(70.0)], DAY, VERSION)], now)
        after_second = stored_rows(store)
        first.patients.write([PatientChanges(read, [pft(55.0)], DAY, VERSION)], now)
    assert stored_rows(store) == after_second != before
    assert [row["fvc_pct"] for row in after_second["observation"]] == [70.0]


def test_an_id_enrolled_whatever_the_case_is_named_as_enrolled(store: Store) -> None:
    enrol(store, Ticks(), "DEMO-1", "Stra\u00dfe-2")
    with store.unit_of_work() as uow:
        assert uow.patients.enrolled_as(["demo-1", "DEMO-1", "STRASSE-2", "P-3"]) == {
            "demo-1": "DEMO-1",
            "DEMO-1": "DEMO-1",
            "STRASSE-2": "Stra\u00dfe-2",
        }
        assert uow.patients.find("demo-1") is None  # a lookup by id stays exact


def test_one_id_enrolled_in_two_cases_at_once_is_refused_to_the_second_to_write(
    store: Store,
) -> None:
    now = Ticks()
    with pytest.raises(ConcurrencyConflict), store.unit_of_work() as first:
        assert first.patients.enrolled_as(["demo-1"]) == {}
        with store.unit_of_work() as second:
            second.patients.write([enrolment("DEMO-1")], now)
        after_second = stored_rows(store)
        first.patients.write([enrolment("demo-1")], now)
    assert stored_rows(store) == after_second
    assert [row["external_id"] for row in after_second["patient"]] == ["DEMO-1"]


def test_a_unit_of_work_ended_by_an_error_writes_nothing(store: Store) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    before = stored_rows(store)
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.patients.write([PatientChanges(patient, [pft(70.0)], DAY, VERSION)], now)
        raise RuntimeError("the person closed the window")
    assert stored_rows(store) == before


def test_the_daily_run_finds_patients_to_judge_and_carries_the_quiet_ones(store: Store) -> None:
    now = Ticks()
    first, second, third = enrol(store, now, "P-1", "P-2", "P-3")
    quiet = {"quiet_until": DAY + timedelta(days=5), "quiet_basis": "b"}
    closing = AuditOnly(Audit("patient_closed", {"reason": "test"}, DAY, NURSE))
    with store.unit_of_work() as uow:
        uow.patients.write(
            [
                PatientChanges(first, [], DAY, VERSION, {**quiet, "quiet_version": 2}),
                PatientChanges(second, [], DAY, VERSION, {**quiet, "quiet_version": 1}),
                PatientChanges(third, [closing], DAY, VERSION, {"state": "closed"}),
            ],
            now,
        )
    day = DAY + timedelta(days=1)
    with store.unit_of_work() as uow:
        assert [p.external_id for p in uow.patients.to_judge(day, 0, 10)] == ["P-1", "P-2"]
        assert uow.patients.ids_to_judge(day, 0, 10) == [first.id, second.id]
        assert uow.patients.carry_quiet(day, "b", 1) == 1  # P-2 was written since judged
        assert uow.patients.carry_quiet(day, "other basis", 1) == 0
    with store.unit_of_work() as uow:
        assert [p.external_id for p in uow.patients.to_judge(day, 0, 10)] == ["P-2"]
        assert uow.patients.to_judge(day, second.id, 10) == []
        carried = uow.patients.find("P-1")
        assert carried is not None and carried.last_evaluated_on == day
        assert carried.version == 2  # carrying is not a write of the record


def test_a_large_batch_is_written_as_a_small_one_is(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQL store takes a large insert's ids in advance; the rows are the same."""
    small = _everything_written(store, Ticks())
    monkeypatch.setattr(sql_tables, "TAKE_IDS_FROM", 1)
    assert small["patient"]  # written once more, after emptying, every insert taking its ids
    assert _rows_without_ids(small) == _rows_without_ids(_everything_written(store, Ticks(), "L"))


def _everything_written(
    store: Store, now: Ticks, prefix: str = "S"
) -> dict[str, list[dict[str, Any]]]:
    patients = enrol(store, now, *(f"{prefix}-{n}" for n in range(3)))
    with store.unit_of_work() as uow:
        written = uow.patients.write(
            [
                PatientChanges(p, [pft(70.0), pft(61.0), transition(["obs#2"])], DAY, VERSION)
                for p in patients
            ],
            now,
        )
    with store.unit_of_work() as uow:
        uow.patients.write(
            [
                PatientChanges(
                    w.patient,
                    [pft(62.0), retraction(f"obs{w.rows[1]['id']}", "obs#1")],
                    DAY,
                    VERSION,
                )
                for w in written
            ],
            now,
        )
    rows = stored_rows(store)
    mine = {p["id"] for p in rows["patient"] if p["external_id"].startswith(prefix)}
    return {
        table: [r for r in found if (r["id"] if table == "patient" else r["patient_id"]) in mine]
        for table, found in rows.items()
    }


def _rows_without_ids(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """Rows as compared across batches: ids, chains and instants are each write's own."""
    kept: dict[str, list[Any]] = {}
    for table, found in rows.items():
        kept[table] = [
            {
                k: v
                for k, v in row.items()
                if k
                not in (
                    "id",
                    "patient_id",
                    "external_id",
                    "external_id_folded",
                    "evidence",
                    "payload",
                    "record",
                    "entry_id",
                    "replaced_by",
                )
                and not k.endswith(("_at", "hash", "_head"))
            }
            for row in found
        ]
    return kept


def test_every_store_keeps_the_same_rows_for_the_same_writes(store: Store) -> None:
    """The memory store is held to SQL's rows, ids and audit hashes exactly."""
    from persistence.memory_store import MemoryStore

    reference = MemoryStore(keyring=store.keyring)
    for target in (reference, store):
        _everything_written(target, Ticks())
    assert stored_rows(store) == stored_rows(reference)
    assert set(stored_rows(store)) == set(CLINICAL_TABLES)


def test_a_task_action_is_kept_reads_back_into_the_record_and_its_task_row_moves(
    store: Store,
) -> None:
    """§8 Acting on a task: the action's row (who, why, the new date) and the task row's date
    in force, on every store alike."""
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    task = CareTask("pft", "pft:enrolment", DAY, DAY + timedelta(days=14), VERSION)
    fields = {"due_on": task.due_on, "status": "open", "closed_on": None, "opened_on": DAY}
    opened = TaskChange(task.key, fields, Audit("task_opened", {}, DAY, ENGINE), task=task)
    with store.unit_of_work() as uow:
        [written] = uow.patients.write([PatientChanges(patient, [opened], DAY, VERSION)], now)
    [(_, row)] = written.tasks()
    later = DAY + timedelta(days=20)
    values = {
        "task_id": row["id"],
        "task_key": task.key,
        "task_kind": "pft",
        "action": "reschedule",
        "role": "coordinator",
        "reason": "lab closed",
        "new_due_on": later,
        "engine_due_on": task.due_on,
        "assignee": None,
        "pathway_version": VERSION,
    }
    action = NewEntry(
        "task_actions", DAY, values, NURSE, Audit("task_rescheduled", values, DAY, NURSE, "id")
    )
    with store.unit_of_work() as uow:
        [stored] = uow.patients.stored_tasks([patient.id])[patient.id]
        moved = TaskChange(
            task.key,
            {"rescheduled_to": later},
            Audit("task_updated", {}, None, ENGINE),
            task=task,
            stored=stored,
        )
        [written] = uow.patients.write(
            [PatientChanges(written.patient, [action, moved], DAY, VERSION)], now
        )
    with store.unit_of_work() as uow:
        record = uow.patients.records([written.patient])[patient.id]
        [kept] = uow.patients.rows(written.patient).task_actions
        [stored] = uow.patients.stored_tasks([patient.id])[patient.id]
        task_row = uow.patients.task(row["id"])
        assert uow.patients.task(row["id"] + 1000) is None
    [taken] = record.task_actions
    assert (taken.id, taken.action, taken.new_due_on, taken.reason) == (
        f"act{kept.id}",
        "reschedule",
        later,
        "lab closed",
    )
    assert (kept.actor, kept.role, kept.task_id) == (NURSE.name, "coordinator", row["id"])
    assert stored.rescheduled_to == later
    assert task_row is not None and (task_row.due_on, task_row.rescheduled_to) == (
        task.due_on,
        later,
    )
