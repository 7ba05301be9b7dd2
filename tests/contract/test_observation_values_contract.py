"""Revision 2's observation values (§11) on every store: a laboratory result, a resting SpO2,
a six-minute walk and a CMV load in copies/mL with its comparator read back into the record
as written, down to the comparator, and every store keeps the same rows."""

from persistence.changes import Audit, NewEntry, PatientChanges
from persistence.ports import Store
from persistence.records import OBSERVATION_VALUES

from .conftest import stored_rows
from .test_store_contract import DAY, NURSE, VERSION, Ticks, enrol

WRITTEN = [
    ("lab", {"ferritin": 1800.0}),
    ("lab", {"kl6": 1200.0}),
    ("spo2", {"spo2": 91.0}),
    ("six_minute_walk", {"metres": 320.0, "nadir_spo2": 86.0}),
    ("cmv", {"copies_per_ml": 35.0, "comparator": "<"}),
]


def _observation(kind: str, values: dict[str, object]) -> NewEntry:
    columns = {"kind": kind, **dict.fromkeys(OBSERVATION_VALUES), **values}
    audit = Audit("observation_recorded", {"kind": kind, **values}, DAY, NURSE, "id")
    return NewEntry("observations", DAY, columns, NURSE, audit)


def test_new_observation_values_read_back_into_the_record_on_every_store(store: Store) -> None:
    now = Ticks()
    [patient] = enrol(store, now, "P-1")
    with store.unit_of_work() as uow:
        entries = [_observation(kind, values) for kind, values in WRITTEN]
        [written] = uow.patients.write([PatientChanges(patient, entries, DAY, VERSION)], now)
    with store.unit_of_work() as uow:
        record = uow.patients.records([written.patient])[patient.id]

    read = [
        (o.kind, {n: getattr(o, n) for n in OBSERVATION_VALUES if getattr(o, n) is not None})
        for o in record.observations
    ]
    assert read == WRITTEN
    rows = stored_rows(store)["observation"]
    assert [r["comparator"] for r in rows] == [None, None, None, None, "<"]
