"""SQLModel tables: the patient record, what the engine said, and the audit trail.

Clinical days are ``date`` columns (``clinical_on``: when it happened; ``recorded_on``: the
clinic day it was entered), instants are timezone-aware UTC (``recorded_at``). States and codes
are plain strings, not Enums (ARCHITECTURE: Alembic misses Enum changes). No
``from __future__ import annotations`` here: SQLModel reads the annotations at class creation.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import AutoString, Field, SQLModel

from .types import UTCDateTime

__all__ = [
    "CLINICAL_TABLES",
    "AlertRow",
    "AuditEventRow",
    "CareTaskRow",
    "ObservationRow",
    "PatientRow",
    "PhenotypeEntryRow",
    "ProcedureRow",
    "ReminderDeliveryRow",
    "RetractionRow",
    "TaskActionRow",
    "TherapyEventRow",
    "TransitionRow",
    "VaccinationRow",
]


def _utc() -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


def _utc_nullable() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


_version_column = Column("version", Integer, nullable=False)


class PatientRow(SQLModel, table=True):
    """One enrolled patient: the current phenotype and pathway state, with its version."""

    __tablename__ = "patient"
    __mapper_args__ = {"version_id_col": _version_column}

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(index=True, unique=True, max_length=64)
    external_id_folded: str = Field(
        sa_column=Column(
            "external_id_folded",
            AutoString(length=256),
            nullable=False,
            server_default="",
            index=True,
            unique=True,
        )
    )
    """The id as ids are compared (`pathway.patient_identifier.folded_id`: NFC, case folded),
    unique, so that ``demo-0001`` cannot be enrolled beside ``DEMO-0001`` even by two
    enrolments at once. Written by the writer from ``external_id``; the empty default only
    lets revision 0021 add it to a filled table before it fills it in."""
    sex: str = Field(max_length=16)
    birth_date: date
    enrolled_on: date = Field(index=True)
    diagnosis: str = Field(max_length=32, index=True)
    anti_mda5: str = Field(max_length=16, index=True)
    anti_ars: str = Field(max_length=16)
    ild_course: str | None = Field(default=None, max_length=32)
    risk_factors: list[str] = _json_list()
    weight_kg: float | None = None
    height_cm: float | None = None
    state: str = Field(default="diagnosis", max_length=32, index=True)
    state_since: date
    referral_origin: str | None = Field(default=None, max_length=32)
    closing_reason: str | None = Field(default=None, max_length=32)
    pathway_version: str = Field(max_length=32)
    last_evaluated_on: date | None = None
    quiet_until: date | None = None
    """The daily run's judgement of this patient cannot change before the day after this
    (`pathway.horizon`), as long as the record is the one judged (``version`` still equal to
    ``quiet_version``) under the same definition (``quiet_basis``)."""
    quiet_version: int | None = None
    quiet_basis: str | None = Field(default=None, max_length=32)
    audit_seq: int = 0
    audit_head: str = Field(default="", max_length=64)
    created_at: datetime = _utc()
    version: int = Field(default=1, sa_column=_version_column)


class _PatientEntry(SQLModel):
    """Columns every entry of the record shares."""

    patient_id: int = Field(foreign_key="patient.id", index=True)
    clinical_on: date
    recorded_on: date
    actor: str = Field(max_length=64)


class PhenotypeEntryRow(_PatientEntry, table=True):
    """A phenotype value in force from ``clinical_on`` (enrolment or amendment, §1)."""

    __tablename__ = "phenotype_entry"

    id: int | None = Field(default=None, primary_key=True)
    field: str = Field(max_length=32)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str | None = None
    recorded_at: datetime = _utc()


class ObservationRow(_PatientEntry, table=True):
    """PFT, CMV DNA, HRCT, oxygen requirement, laboratory result (one analyte a row), resting
    SpO2 or six-minute walk (§11)."""

    __tablename__ = "observation"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    fvc_pct: float | None = None
    dlco_pct: float | None = None
    dlco_corrected_pct: float | None = None
    fvc_l: float | None = None
    iu_per_ml: float | None = None
    oxygen: str | None = Field(default=None, max_length=32)
    finding: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    extensive_ggo: bool | None = None
    ferritin: float | None = None
    """ng/mL (``lab``)."""
    ck: float | None = None
    """Creatine kinase, U/L (``lab``)."""
    kl6: float | None = None
    """U/mL (``lab``)."""
    crp: float | None = None
    """mg/L (``lab``)."""
    spo2: float | None = None
    """At rest, % (``spo2``)."""
    metres: float | None = None
    """Six-minute walk distance."""
    nadir_spo2: float | None = None
    """Lowest SpO2 during the six-minute walk, %."""
    copies_per_ml: float | None = None
    """A CMV load the laboratory reported in copies/mL (never converted to IU/mL)."""
    comparator: str | None = Field(default=None, max_length=2)
    """``<``, ``<=``, ``>``, ``>=``: a CMV load reported beyond an assay's limit."""
    recorded_at: datetime = _utc()


class TherapyEventRow(_PatientEntry, table=True):
    """A start (or dose change) or stop of an agent (§9, §11)."""

    __tablename__ = "therapy_event"

    id: int | None = Field(default=None, primary_key=True)
    agent: str = Field(max_length=32)
    action: str = Field(max_length=8)
    route: str | None = Field(default=None, max_length=16)
    dose: float | None = None
    """The amount as written, in ``unit``, given ``every`` (§11 Doses); a start recorded as
    ``dose_mg_per_day: N`` is N mg every day."""
    unit: str | None = Field(default=None, max_length=8)
    every: str | None = Field(default=None, max_length=8)
    recorded_at: datetime = _utc()


class ProcedureRow(_PatientEntry, table=True):
    __tablename__ = "procedure"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    recorded_at: datetime = _utc()


class VaccinationRow(_PatientEntry, table=True):
    __tablename__ = "vaccination"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    recorded_at: datetime = _utc()


class TransitionRow(_PatientEntry, table=True):
    """A fired trigger: who, when (clinical and recorded), why, evidence, pathway version."""

    __tablename__ = "transition"

    id: int | None = Field(default=None, primary_key=True)
    trigger: str = Field(max_length=32)
    from_state: str = Field(max_length=32)
    to_state: str = Field(max_length=32)
    role: str = Field(max_length=32)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome: str | None = Field(default=None, max_length=32)
    closing_reason: str | None = Field(default=None, max_length=32)
    evidence: list[str] = _json_list()
    pathway_version: str = Field(max_length=32)
    recorded_at: datetime = _utc()


class RetractionRow(_PatientEntry, table=True):
    """An entry taken back (§11 Corrections): corrected, with ``replaced_by`` the record id
    of the entry that replaces it (written in the same transaction), or entered in error
    (``replaced_by`` null). The entry's own row is never changed or deleted; ``clinical_on``
    repeats the retracted entry's clinical date, ``recorded_on``/``recorded_at``/``actor``
    say when and by whom it was taken back. One table for every part, rather than columns on
    each entry table: the entry tables stay append-only, and the record reads every
    retraction of a patient with one query. An entry is taken back at most once."""

    __tablename__ = "retraction"
    __table_args__ = (
        UniqueConstraint("patient_id", "entry_id", name="uq_retraction_patient_entry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    part: str = Field(max_length=16)
    entry_id: str = Field(max_length=32)
    """The retracted entry's record id (``obs12``, ``rx7`` ...)."""
    replaced_by: str | None = Field(default=None, max_length=32)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: datetime = _utc()


class AlertRow(SQLModel, table=True):
    """An alert the engine raised; acknowledged by a clinician with a justification."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("patient_id", "key", name="uq_alert_patient_key"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    code: str = Field(max_length=40, index=True)
    key: str = Field(max_length=160)
    severity: str = Field(max_length=16)
    message: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(max_length=120)
    pathway_version: str = Field(max_length=32)
    raised_on: date
    raised_at: datetime = _utc()
    evidence: list[str] = _json_list()
    acknowledged_at: datetime | None = _utc_nullable()
    acknowledged_by: str | None = Field(default=None, max_length=64)
    justification: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    clinical_on: date | None = None
    """The date of the alert's cause (§7a); rows raised before revision 2 have none (read
    as ``raised_on``)."""
    status: str = Field(default="raised", max_length=16, index=True)
    """``raised`` or ``withdrawn`` (§7a: withdrawn within its recording day, kept here)."""
    withdrawn_at: datetime | None = _utc_nullable()
    withdrawn_by: str | None = Field(default=None, max_length=32)
    """The record entry (``rx12``) whose arrival withdrew it."""
    cleared_on: date | None = None
    cleared_by: str | None = Field(default=None, max_length=32)
    cleared_recorded_on: date | None = None


class CareTaskRow(SQLModel, table=True):
    """A care task; ``key`` is its idempotency key within the patient."""

    __tablename__ = "care_task"
    __table_args__ = (UniqueConstraint("patient_id", "key", name="uq_care_task_patient_key"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    kind: str = Field(max_length=40)
    key: str = Field(max_length=160)
    opened_on: date
    due_on: date = Field(index=True)
    status: str = Field(max_length=16, index=True)
    closed_on: date | None = None
    source: str = Field(max_length=120)
    pathway_version: str = Field(max_length=32)
    evidence: list[str] = _json_list()
    updated_at: datetime = _utc()
    rescheduled_to: date | None = None
    """A person's new due date (§8 Acting on a task): overdue counts from it; ``due_on``
    stays the engine's date, which §10's on-time measures use."""
    assignee: str | None = Field(default=None, max_length=64)
    """The username the task is assigned to: its reminders go to them where they can."""
    declined_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class TaskActionRow(_PatientEntry, table=True):
    """A person's action on a care task (§8 Acting on a task): who (``actor``, ``role``),
    when (``recorded_at``; ``clinical_on`` and ``recorded_on`` are the clinic day), which
    action, why, the new date, the assignee. Every action is kept (append-only): the task row
    shows the one in force, this table the history."""

    __tablename__ = "task_action"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="care_task.id", index=True)
    task_key: str = Field(max_length=160)
    task_kind: str = Field(max_length=40)
    action: str = Field(max_length=16)
    role: str = Field(max_length=32)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_due_on: date | None = None
    engine_due_on: date | None = None
    """The engine's due date the reschedule was made against (it holds while that stands)."""
    assignee: str | None = Field(default=None, max_length=64)
    pathway_version: str = Field(max_length=32)
    recorded_at: datetime = _utc()


class AuditEventRow(SQLModel, table=True):
    """Append-only audit trail, chained per patient (``prev_hash`` -> ``hash``, an
    HMAC-SHA-256 under the audit key), each event carrying the rows it wrote."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("patient_id", "seq", name="uq_audit_patient_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    seq: int
    kind: str = Field(max_length=40)
    actor: str = Field(max_length=64)
    role: str = Field(max_length=32)
    clinical_on: date | None = None
    recorded_at: datetime = _utc()
    pathway_version: str = Field(max_length=32)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    record: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """The rows this event wrote, one canonical line each (`persistence.audit_record`): what
    `audit verify` rebuilds the clinical tables from."""
    key_id: str = Field(default="", max_length=16)
    """The audit key (`persistence.audit_key`) that signed ``hash``."""
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ReminderDeliveryRow(SQLModel, table=True):
    """One reminder for one channel: the outbox the dispatcher works through.

    ``key`` (installation, task or alert, channel, reminder kind) is unique, so planning the
    same reminder twice, by one scheduler or two, writes it once. A task's next reminder is
    chosen from its newest row on the channel for its date in force, found by ``(task_id,
    channel, rescheduled_to, id)``; an alert's notices by ``(alert_id, channel)``.
    ``status``: ``pending`` (waiting, or failing and retried at ``next_attempt_at``), ``sent``,
    ``failed`` (a person must fix something, then re-queue it), ``expired`` (still failing at
    the age limit), ``cancelled`` (its task closed or its alert acknowledged first) or
    ``withdrawn`` (§7a).
    """

    __tablename__ = "reminder_delivery"
    __table_args__ = (
        Index(
            "ix_reminder_delivery_pending",
            "channel",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_reminder_delivery_task_sequence", "task_id", "channel", "rescheduled_to", "id"),
        Index("ix_reminder_delivery_alert_channel", "alert_id", "channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=240, unique=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    """None for a daily digest, which covers many patients (revision 0019)."""
    task_id: int | None = Field(default=None, foreign_key="care_task.id")
    alert_id: int | None = Field(default=None, foreign_key="alert.id")
    channel: str = Field(max_length=16)
    kind: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    planned_on: date
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc_nullable()
    next_attempt_at: datetime | None = _utc_nullable()
    """Not tried before this instant (a failing delivery's backoff); null: due now."""
    last_attempt_at: datetime | None = _utc_nullable()
    requeued_at: datetime | None = _utc_nullable()
    """When a person re-queued it: its age limit counts from here instead of ``created_at``."""
    rescheduled_to: date | None = None
    """A task reminder: the rescheduled due date it counted from (§8); ``None``: the
    engine's date. A reschedule starts the task's reminders afresh from the new date."""


CLINICAL_TABLES = (
    "patient",
    "phenotype_entry",
    "observation",
    "therapy_event",
    "procedure",
    "vaccination",
    "transition",
    "retraction",
    "alert",
    "care_task",
    "task_action",
    "audit_event",
)
"""The tables of the record, what the engine derived from it and the audit trail: written by
the one writer alone (`persistence.writer`)."""
