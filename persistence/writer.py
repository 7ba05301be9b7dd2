"""The one writer: every entry of a record, every alert and task the engine derives, every
acknowledgement and every audit event reaches the tables through `write`.

A person's entry (one patient, a few rows), the daily run (hundreds of patients) and the bulk
import (a thousand patients with their histories) differ only in how many `PatientChanges`
they hand over; the rows, their audit events and the hash chain are laid out here once, and
each table is written with one statement per batch by the store's `Tables` (SQL or memory).

Order matters and is fixed: new patients first (their ids are the entries' patient), then
each part of the record (transitions last, as they cite the others), alerts, tasks,
acknowledgements, the audit events in each patient's item order, and last the patients
themselves with the version check that turns a concurrent writer into `ConcurrencyConflict`.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol

from pathway.patient_identifier import folded_id

from .audit_chain import ChainHead, EventColumns, EventNote, chain_events
from .audit_key import AuditKeyring
from .audit_record import insert_line, insert_lines, update_line
from .changes import (
    ENGINE,
    Acknowledgement,
    AlertFateChange,
    AuditOnly,
    NewAlert,
    NewEntry,
    NewPatient,
    PatientChanges,
    TaskChange,
    Written,
)
from .errors import ConcurrencyConflict
from .patients import CHANGED_MEANWHILE, NEW_PATIENT, Patient
from .records import PART_TABLE, RECORD_PARTS

__all__ = ["Tables", "write"]


class Tables(Protocol):
    """Where the writer's rows go: one call per table and batch (SQL or memory)."""

    def insert(self, table: str, columns: dict[str, list[Any]], *, ids: bool = True) -> list[int]:
        """Insert rows given column by column (a batch of thousands is cheaper to hand over
        this way); their ids in order (none asked for the audit trail, never read back)."""
        ...

    def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Set, on the row with each row's ``id``, the row's other values (all rows of a call
        set the same columns)."""
        ...

    def update_patients(self, rows: list[dict[str, Any]]) -> int:
        """Set each patient's values where its ``id`` still has version ``_read``; how many
        were set (all rows of a call set the same columns)."""
        ...


Placed = tuple[int, int, Any]
"""An item with the patient it belongs to (its place in the batch) and its place there."""


class _Layout:
    """One batch being laid out: its items sorted by kind in one pass, each patient's
    instant, the provisional ids made real, and the rows written, by the item's place."""

    def __init__(self, batch: Sequence[PatientChanges], now: Callable[[], datetime]) -> None:
        self.batch = batch
        self.instants = [now() for _ in batch]
        self.patients: list[Patient | None] = [
            None if isinstance(c.patient, NewPatient) else c.patient for c in batch
        ]
        self.entry_places: list[list[int]] = [[] for _ in batch]
        """Per patient, the place of each entry among its items (`PatientChanges`: ``obs#3``
        cites the third)."""
        self.rows: list[dict[int, Mapping[str, Any]]] = [{} for _ in batch]
        """Per patient, the row written for each item (by the item's place)."""
        self.updates: list[dict[int, Mapping[str, Any]]] = [{} for _ in batch]
        """Per patient, the columns an item set on a row written before (an alert
        acknowledged, withdrawn or cleared), by the item's place."""
        self.lines: list[dict[int, str]] = [{} for _ in batch]
        """Per patient, the record line of each entry written (by the item's place), spelled
        a table at a time."""
        self.new_rows: list[Mapping[str, Any] | None] = [None for _ in batch]
        """Per patient, its row when this batch enrols it."""
        self.entries: dict[str, list[Placed]] = {part: [] for part in RECORD_PARTS}
        self.alerts: list[Placed] = []
        self.tasks: list[Placed] = []
        self.acknowledgements: list[Placed] = []
        self.fates: list[Placed] = []
        kinds = {
            NewAlert: self.alerts,
            TaskChange: self.tasks,
            Acknowledgement: self.acknowledgements,
            AlertFateChange: self.fates,
        }
        for n, changes in enumerate(batch):
            places = self.entry_places[n]
            for i, item in enumerate(changes.items):
                if type(item) is NewEntry:
                    self.entries[item.part].append((n, i, item))
                    places.append(i)
                elif type(item) is not AuditOnly:
                    kinds[type(item)].append((n, i, item))

    def patient_id(self, n: int) -> int:
        patient = self.patients[n]
        assert patient is not None
        return patient.id


def write(
    tables: Tables,
    batch: Sequence[PatientChanges],
    now: Callable[[], datetime],
    keyring: AuditKeyring,
) -> list[Written]:
    """Write the batch, in one transaction of the caller's; each patient's changes share one
    instant (they are written together), and their audit events, signed with ``keyring``,
    carry the rows they wrote. Returns what each patient's changes became."""
    layout = _Layout(batch, now)
    _insert_patients(tables, layout)
    for part in RECORD_PARTS:
        _insert_entries(tables, layout, part)
    _insert_alerts(tables, layout)
    _write_tasks(tables, layout)
    _acknowledge(tables, layout)
    _alert_fates(tables, layout)
    heads = _insert_events(tables, layout, keyring)
    return _update_patients(tables, layout, heads)


def _columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows column by column (a column a row leaves out is null in it)."""
    names = rows[0].keys()
    if all(row.keys() == names for row in rows):
        return {name: list(map(itemgetter(name), rows)) for name in names}
    every = dict.fromkeys(name for row in rows for name in row)
    return {name: [row.get(name) for row in rows] for name in every}


def _inserted(
    tables: Tables, layout: _Layout, table: str, placed: list[Placed], rows: list[dict[str, Any]]
) -> None:
    """Insert the rows of the placed items, and keep each row (with its id) by its place."""
    ids = tables.insert(table, _columns(rows))
    for (n, i, _), row, row_id in zip(placed, rows, ids, strict=True):
        row["id"] = row_id
        layout.rows[n][i] = row


class _ColumnRow(Mapping[str, Any]):
    """One row of a batch written column by column, read as a mapping (only a person's entry
    reads its row back: the bulk import's are never made into dictionaries)."""

    __slots__ = ("columns", "index")

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.columns, self.index = columns, index

    def __getitem__(self, name: str) -> Any:
        return self.columns[name][self.index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


def _insert_patients(tables: Tables, layout: _Layout) -> None:
    new = [
        (n, changes.patient)
        for n, changes in enumerate(layout.batch)
        if isinstance(changes.patient, NewPatient)
    ]
    if not new:
        return
    rows = [
        {
            **NEW_PATIENT,
            **patient.columns,
            "external_id_folded": folded_id(patient.columns["external_id"]),
            "audit_seq": 0,
            "audit_head": "",
            "created_at": layout.instants[n],
            "version": 1,
        }
        for n, patient in new
    ]
    ids = tables.insert("patient", _columns(rows))
    for (n, _), row, row_id in zip(new, rows, ids, strict=True):
        row["id"] = row_id
        layout.patients[n] = Patient(**row)
        layout.new_rows[n] = row


def _cited(evidence: Any, layout: _Layout, n: int) -> Any:
    """Evidence with the entries it cites by their place (``obs#3``) cited by their id."""
    if not isinstance(evidence, list | tuple):
        return evidence
    return [_cited_one(reference, layout, n) for reference in evidence]


def _cited_one(reference: Any, layout: _Layout, n: int) -> Any:
    """One reference to an entry: by its place (``obs#3``) made its id (``obs12``)."""
    if isinstance(reference, str) and "#" in reference:
        prefix, _, place = reference.partition("#")
        row = layout.rows[n][layout.entry_places[n][int(place) - 1]]
        return f"{prefix}{row['id']}"
    return reference


def _insert_entries(tables: Tables, layout: _Layout, part: str) -> None:
    placed = layout.entries[part]
    if not placed:
        return
    patient_ids = [layout.patient_id(n) for n in range(len(layout.batch))]
    days = [changes.today for changes in layout.batch]
    entries = [entry for _, _, entry in placed]
    columns: dict[str, list[Any]] = {
        "patient_id": [patient_ids[n] for n, _, _ in placed],
        "clinical_on": [entry.on for entry in entries],
        "recorded_on": [days[n] for n, _, _ in placed],
        "actor": [entry.actor.name for entry in entries],
    }
    columns.update(_columns([entry.values for entry in entries]))
    if "evidence" in columns:
        evidence = columns["evidence"]
        for k, (n, _, _) in enumerate(placed):
            evidence[k] = _cited(evidence[k], layout, n)
    if "replaced_by" in columns:  # a correction's retraction cites the entry replacing it
        replaced_by = columns["replaced_by"]
        for k, (n, _, _) in enumerate(placed):
            replaced_by[k] = _cited_one(replaced_by[k], layout, n)
    columns["recorded_at"] = [layout.instants[n] for n, _, _ in placed]
    table = PART_TABLE[part]
    columns["id"] = tables.insert(table, columns)
    lines = insert_lines(table, columns["id"], columns)
    for k, (n, i, _) in enumerate(placed):
        layout.rows[n][i] = _ColumnRow(columns, k)
        layout.lines[n][i] = lines[k]


def _insert_alerts(tables: Tables, layout: _Layout) -> None:
    if not layout.alerts:
        return
    rows = []
    for n, _, raised in layout.alerts:
        alert = raised.alert
        rows.append(
            {
                "patient_id": layout.patient_id(n),
                "code": alert.code,
                "key": alert.key,
                "severity": alert.severity.value,
                "message": alert.message,
                "source": alert.source,
                "pathway_version": alert.version,
                "raised_on": raised.raised_on,
                "raised_at": layout.instants[n],
                "evidence": list(alert.evidence),
                "acknowledged_at": None,
                "acknowledged_by": None,
                "justification": None,
                "clinical_on": raised.clinical_on or raised.raised_on,
                "status": "raised",
                "withdrawn_at": None,
                "withdrawn_by": None,
                "cleared_on": raised.cleared_on,
                "cleared_by": raised.cleared_by,
                "cleared_recorded_on": None if raised.cleared_on is None else layout.batch[n].today,
            }
        )
    _inserted(tables, layout, "alert", layout.alerts, rows)


def _grouped(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows grouped by the columns they set, so each group is one statement."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    yield from groups.values()


def _write_tasks(tables: Tables, layout: _Layout) -> None:
    opened: list[Placed] = []
    new: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for n, i, change in layout.tasks:
        instant = layout.instants[n]
        if change.stored is None:
            task = change.task
            assert task is not None, "a new task row needs its task"
            new.append(
                {
                    "patient_id": layout.patient_id(n),
                    "kind": task.kind,
                    "key": task.key,
                    "source": task.source,
                    "pathway_version": task.version,
                    "evidence": list(task.evidence),
                    "updated_at": instant,
                    **change.fields,
                }
            )
            opened.append((n, i, change))
        else:
            row = {"id": change.stored.id, **change.fields, "updated_at": instant}
            updates.append(row)
            layout.rows[n][i] = row
    if new:
        _inserted(tables, layout, "care_task", opened, new)
    for group in _grouped(updates):
        tables.update("care_task", group)


def _acknowledge(tables: Tables, layout: _Layout) -> None:
    rows = []
    for n, i, ack in layout.acknowledgements:
        row = {
            "id": ack.alert_id,
            "acknowledged_at": layout.instants[n],
            "acknowledged_by": ack.by.name,
            "justification": ack.justification,
        }
        rows.append(row)
        layout.updates[n][i] = row
    if rows:
        tables.update("alert", rows)


def _alert_fates(tables: Tables, layout: _Layout) -> None:
    """Withdrawals and clearings (§7a): the alert rows' new columns, one statement per set of
    columns."""
    rows: list[dict[str, Any]] = []
    for n, i, fate in layout.fates:
        row = {"id": fate.alert_id, **fate.fields}
        if row.get("status") == "withdrawn":
            row["withdrawn_at"] = layout.instants[n]
        rows.append(row)
        layout.updates[n][i] = row
    for group in _grouped(rows):
        tables.update("alert", group)


def _lines(layout: _Layout, n: int, i: int, item: Any) -> Iterator[str]:
    """The record lines of what item ``i`` wrote (`persistence.audit_record`)."""
    if type(item) is NewEntry:
        yield layout.lines[n][i]
    elif isinstance(item, NewAlert):
        row = layout.rows[n][i]
        yield insert_line("alert", row["id"], row)
    elif isinstance(item, TaskChange):
        row = layout.rows[n][i]
        if item.stored is None:
            yield insert_line("care_task", row["id"], row)
        else:
            line = update_line("care_task", row["id"], row)
            if line is not None:
                yield line
    elif isinstance(item, Acknowledgement | AlertFateChange):
        row = layout.updates[n][i]
        line = update_line("alert", row["id"], row)
        if line is not None:
            yield line


def _notes(layout: _Layout, n: int) -> list[EventNote]:
    """Each item's audit event, in the items' order, with the ids just written, each
    carrying the rows written since the one before (an entry without an event of its own,
    such as an enrolment's phenotype, goes with the next event; the patient's new columns
    with the last)."""
    changes = layout.batch[n]
    instant, version = layout.instants[n], changes.pathway_version
    rows = layout.rows[n]
    patient = layout.patients[n]
    assert patient is not None
    notes: list[EventNote] = []
    pending: list[str] = []
    new_row = layout.new_rows[n]
    if new_row is not None:
        pending.append(insert_line("patient", patient.id, new_row))
    for i, item in enumerate(changes.items):
        pending.extend(_lines(layout, n, i, item))
        payload: Mapping[str, Any]
        if isinstance(item, NewEntry):  # the most of a bulk import's items
            audit = item.audit
            if audit is None:
                continue
            payload = audit.payload
            if audit.id_key is not None:
                payload = {**payload, audit.id_key: rows[i]["id"]}
            if "evidence" in payload:
                payload = {**payload, "evidence": _cited(payload["evidence"], layout, n)}
            if "replaced_by" in payload:
                payload = {**payload, "replaced_by": _cited_one(payload["replaced_by"], layout, n)}
            actor, on, what = audit.actor, audit.clinical_on, audit.kind
        elif isinstance(item, TaskChange | AuditOnly | AlertFateChange):
            audit = item.audit
            payload, actor, on, what = audit.payload, audit.actor, audit.clinical_on, audit.kind
        elif isinstance(item, NewAlert):
            row = rows[i]
            payload = {
                "alert_id": row["id"],
                "code": row["code"],
                "key": row["key"],
                "severity": row["severity"],
                "raised_on": item.raised_on,
            }
            if item.clinical_on not in (None, item.raised_on):
                payload["clinical_on"] = item.clinical_on
            if item.cleared_on is not None:
                payload["cleared_on"] = item.cleared_on
            actor, on, what = ENGINE, item.raised_on, "alert_raised"
        else:
            payload = {
                "alert_id": item.alert_id,
                "code": item.code,
                "key": item.key,
                "justification": item.justification,
            }
            actor, on, what = item.by, None, "alert_acknowledged"
        record = "\n".join(pending)
        pending.clear()
        notes.append(EventNote(what, payload, on, actor.name, actor.role, instant, version, record))
    if changes.sets:
        line = update_line("patient", patient.id, changes.sets)
        if line is not None:
            pending.append(line)
    if pending:
        if not notes:
            raise ValueError(
                f"unaudited change of patient {patient.external_id}: rows written with no "
                "audit event to carry them"
            )
        last = notes[-1]
        notes[-1] = last._replace(record="\n".join(filter(None, (last.record, *pending))))
    return notes


def _insert_events(tables: Tables, layout: _Layout, keyring: AuditKeyring) -> list[ChainHead]:
    events = EventColumns()
    heads: list[ChainHead] = []
    for n in range(len(layout.batch)):
        patient = layout.patients[n]
        assert patient is not None
        head = ChainHead(patient.id, patient.audit_seq, patient.audit_head)
        chain_events(head, _notes(layout, n), events, keyring)
        heads.append(head)
    if events.seq:
        tables.insert("audit_event", events.columns(), ids=False)
    return heads


def _update_patients(tables: Tables, layout: _Layout, heads: list[ChainHead]) -> list[Written]:
    rows: list[dict[str, Any]] = []
    written: list[Written] = []
    for n, changes in enumerate(layout.batch):
        patient, head = layout.patients[n], heads[n]
        assert patient is not None
        new = isinstance(changes.patient, NewPatient)
        moved = dict(changes.sets)
        if head.seq != patient.audit_seq:
            moved.update(audit_seq=head.seq, audit_head=head.hash)
        if moved:
            version = patient.version if new else patient.version + 1
            rows.append({"id": patient.id, "_read": patient.version, **moved, "version": version})
            patient = replace(patient, **moved, version=version)
        written.append(Written(patient, changes.items, layout.rows[n]))
    changed = sum(tables.update_patients(group) for group in _grouped(rows))
    if changed != len(rows):
        raise ConcurrencyConflict(CHANGED_MEANWHILE)
    return written
