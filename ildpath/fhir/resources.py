"""Building the exported resources (FHIR R4B JSON, plain dicts validated by the exporter):
the Patient, the engine as a Device, the CarePlan, a Task per care task, a DetectedIssue per
alert, an AuditEvent per transition and per record view, and the CarePlan's Provenance.

Ids and ``urn:uuid`` full URLs are derived from the rows, so exporting the same record twice
gives the same bundle. What the specification calls a code (alert, task, recommendation,
trigger) is sent in an ildpath code system with the code as its text.
"""

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pathway.codes import TASKS
from persistence.record_views import RecordViewRow
from persistence.tables import AlertRow, CareTaskRow, TransitionRow

from .codes import extension_url, ildpath_system
from .patients import PATIENT_ID_SYSTEM, patient_extensions

__all__ = [
    "ENGINE_ID",
    "Refs",
    "audit_transition",
    "audit_view",
    "care_plan",
    "detected_issue",
    "engine_device",
    "patient",
    "provenance",
    "task",
]

ENGINE_ID = "ildpath-engine"
_NAMESPACE = uuid.UUID("0b6c1c1e-5f57-4f4e-9a53-6a8d2f1f0c11")
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
TASK_STATUS = {
    "open": "requested",
    "done": "completed",
    "cancelled": "cancelled",
    "declined": "rejected",
}
"""A care task's status as a FHIR Task status (a declined task, §8: ``rejected``, with its
reason as ``statusReason``)."""
ALERT_SEVERITY = {"critical": "high", "warning": "moderate", "info": "low"}
"""An alert's severity as a DetectedIssue severity."""
DCM = "http://dicom.nema.org/resources/ontology/DCM"


def full_url(kind: str, rid: str, patient: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{patient}/{kind}/{rid}')}"


EhrIdentifier = tuple[str, str, str | None]
"""An identifier a sending system gave the patient: (system, value, type code e.g. ``MR``)."""
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"


V2_TYPES = frozenset({"MR", "SS", "DL", "PPN", "PI", "PT", "AN", "SB", "MC", "MA", "NI", "PRN"})
"""HL7 v2 identifier type codes (table 0203) kept as codes; another type is kept as text."""


def _identifier(system: str, value: str, type_code: str | None) -> dict[str, Any]:
    identifier: dict[str, Any] = {"system": system, "value": value}
    if type_code in V2_TYPES:
        identifier["type"] = {"coding": [{"system": V2_IDENTIFIER_TYPE, "code": type_code}]}
    elif type_code:
        identifier["type"] = {"text": type_code}
    return identifier


class Refs:
    """The full URLs of one patient's resources, so references resolve inside the bundle,
    and the identifiers by which the sending systems know the patient (an MRN), carried on
    every reference to the patient so an EHR can link the plan back to its own record."""

    def __init__(
        self, external_id: str, patient_pk: int, ehr_identifiers: list[EhrIdentifier] | None = None
    ) -> None:
        self.external_id = external_id
        self.pk = patient_pk
        safe = _FHIR_ID.match(external_id) is not None
        self.patient_id = external_id if safe else f"patient-{patient_pk}"
        self.ehr_identifiers = list(ehr_identifiers or [])

    def url(self, kind: str, rid: str) -> str:
        return full_url(kind, rid, self.external_id)

    def identifiers(self) -> list[dict[str, Any]]:
        """ildpath's id, then the sending systems' identifiers."""
        return [{"system": PATIENT_ID_SYSTEM, "value": self.external_id}] + [
            _identifier(*found) for found in self.ehr_identifiers
        ]

    def patient(self) -> dict[str, Any]:
        """A reference to the patient: in the bundle, and by the EHR's medical record number
        (type ``MR``; else its first identifier) for a receiver that resolves by identifier."""
        reference: dict[str, Any] = {
            "reference": self.url("Patient", self.patient_id),
            "display": self.external_id,
        }
        chosen = sorted(self.ehr_identifiers, key=lambda i: i[2] != "MR")
        if chosen:
            reference["identifier"] = _identifier(*chosen[0])
        return reference

    def care_plan_id(self) -> str:
        return f"careplan-{self.pk}"

    def care_plan(self) -> dict[str, str]:
        return {"reference": self.url("CarePlan", self.care_plan_id())}

    def task(self, row: CareTaskRow) -> dict[str, str]:
        return {"reference": self.url("Task", f"task-{row.id}"), "display": row.kind}


def engine_reference() -> dict[str, str]:
    return {"reference": full_url("Device", ENGINE_ID, ""), "display": "ildpath"}


def _ext(name: str, value: str) -> dict[str, str]:
    return {"url": extension_url(name), "valueString": value}


def _coded(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": ildpath_system(system), "code": code}], "text": code}


def _instant(value: datetime) -> str:
    return value.isoformat()


def engine_device(software: str, pathway_version: str) -> dict[str, Any]:
    """The engine that proposed the plan, raised the alerts and opened the tasks."""
    return {
        "resourceType": "Device",
        "id": ENGINE_ID,
        "deviceName": [{"name": "ildpath", "type": "user-friendly-name"}],
        "version": [
            {"type": {"text": "software"}, "value": software},
            {"type": {"text": "pathway definition"}, "value": pathway_version},
        ],
        "note": [{"text": "Decision support: the engine proposes; clinicians decide."}],
    }


def patient(refs: Refs, data: dict[str, Any]) -> dict[str, Any]:
    """The Patient: pseudonymous id, sex, birth date and the phenotype extensions."""
    return {
        "resourceType": "Patient",
        "id": refs.patient_id,
        "identifier": refs.identifiers(),
        "gender": data["sex"],
        "birthDate": data["birth_date"].isoformat(),
        "extension": patient_extensions(data["phenotype"], data["enrolled_on"]),
    }


def care_plan(refs: Refs, data: dict[str, Any], open_tasks: list[CareTaskRow]) -> dict[str, Any]:
    """The pathway as a CarePlan: active until the patient is closed; the state and the
    pathway version as extensions; open care tasks and ranked recommendations as
    activities, each recommendation with its source."""
    state = data["state"]
    activities: list[dict[str, Any]] = [{"reference": refs.task(t)} for t in open_tasks]
    activities += [
        {
            "detail": {
                "extension": [_ext("source", r["source"])],
                "code": _coded("recommendation", r["code"]),
                "status": "in-progress" if r["in_place_since"] else "not-started",
                "description": f"{r['rank']}. {r['message']} (source: {r['source']})"
                + (f" In place since {r['in_place_since']}." if r["in_place_since"] else ""),
            }
        }
        for r in data["recommendations"]
    ]
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": refs.care_plan_id(),
        "extension": [
            {"url": extension_url("pathway-state"), "valueCode": state},
            _ext("pathway-version", data["pathway_version"]),
        ],
        "status": "completed" if state == "closed" else "active",
        "intent": "plan",
        "title": "Care pathway: ILD in inflammatory myopathy",
        "description": (
            f"Pathway state: {state} since {data['state_since']}. "
            "Decision support: the engine proposes; clinicians decide."
        ),
        "subject": refs.patient(),
        "period": {"start": data["enrolled_on"].isoformat()},
        "author": engine_reference(),
    }
    if activities:
        plan["activity"] = activities
    return plan


def task(refs: Refs, row: CareTaskRow) -> dict[str, Any]:
    """A care task: status, due date (``restriction.period.end``), when it was opened and
    closed (``executionPeriod``), its source and pathway version."""
    execution = {"start": row.opened_on.isoformat()}
    if row.closed_on is not None and row.status != "open":
        execution["end"] = row.closed_on.isoformat()
    extensions = [_ext("source", row.source), _ext("pathway-version", row.pathway_version)]
    if row.rescheduled_to is not None:  # §8: the engine's own date stays beside the new one
        extensions.append(_ext("engine-due-date", row.due_on.isoformat()))
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": f"task-{row.id}",
        "extension": extensions,
        "status": TASK_STATUS[row.status],
        "intent": "plan",
        "code": _coded("care-task", row.kind),
        "description": TASKS[row.kind].message if row.kind in TASKS else row.kind,
        "basedOn": [refs.care_plan()],
        "for": refs.patient(),
        "authoredOn": row.opened_on.isoformat(),
        "lastModified": _instant(row.updated_at),
        "requester": engine_reference(),
        "executionPeriod": execution,
        "restriction": {"period": {"end": (row.rescheduled_to or row.due_on).isoformat()}},
    }
    if row.status == "declined":
        task["statusReason"] = {"text": row.declined_reason or "declined"}
    if row.assignee:
        task["owner"] = {"display": row.assignee}
    return task


def _acknowledgement(row: AlertRow, at: datetime) -> dict[str, Any]:
    return {
        "action": {
            "coding": [
                {
                    "system": ildpath_system("alert-mitigation"),
                    "code": "acknowledged",
                    "display": "Acknowledged by a clinician",
                }
            ],
            "text": row.justification or "acknowledged",
        },
        "date": _instant(at),
        "author": {"display": row.acknowledged_by or "unknown"},
    }


def _clearing(row: AlertRow, cleared_on: date) -> dict[str, Any]:
    """The alert's clearing (§7a) as a mitigation: its cause acted on (an agent stopped, a
    trigger fired, a task done) or no longer holding. R4's status stays ``final`` (the alert
    was right when raised); R5 would say ``mitigated``. No author: the engine judged it, and
    R4 allows only a Practitioner here."""
    by = f" by {row.cleared_by}" if row.cleared_by else ""
    return {
        "action": {
            "coding": [
                {
                    "system": ildpath_system("alert-mitigation"),
                    "code": "cleared",
                    "display": "Cleared: its cause no longer holds",
                }
            ],
            "text": f"cleared on {cleared_on.isoformat()}{by}",
        },
        "date": cleared_on.isoformat(),
    }


def detected_issue(refs: Refs, row: AlertRow, as_of: date | None = None) -> dict[str, Any]:
    """An alert: code, severity, message, source. Its clearing (§7a, on or before ``as_of``)
    and a clinician's acknowledgement are its mitigations. An alert withdrawn within its
    recording day is ``entered-in-error``: R4 makes the status a modifier because that value means
    the resource should not be treated as valid, which is what withdrawn means (its cause never
    held once the day was entered)."""
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": f"alert-{row.id}",
        "extension": [_ext("source", row.source), _ext("pathway-version", row.pathway_version)],
        "status": "entered-in-error" if row.status == "withdrawn" else "final",
        "code": _coded("alert", row.code),
        "severity": ALERT_SEVERITY[row.severity],
        "patient": refs.patient(),
        "identifiedDateTime": row.raised_on.isoformat(),
        "author": engine_reference(),
        "detail": row.message,
    }
    if row.status == "withdrawn":
        day = row.withdrawn_at.date() if row.withdrawn_at else row.raised_on
        issue["detail"] = (
            f"{row.message} [withdrawn on {day.isoformat()} by the same day's entry "
            f"{row.withdrawn_by or 'unknown'}: its cause did not hold]"
        )
        return issue
    mitigations = []
    if row.cleared_on is not None and (as_of is None or row.cleared_on <= as_of):
        mitigations.append(_clearing(row, row.cleared_on))
    if row.acknowledged_at is not None:
        mitigations.append(_acknowledgement(row, row.acknowledged_at))
    if mitigations:
        issue["mitigation"] = mitigations
    return issue


def _details(pairs: Sequence[tuple[str, object]]) -> list[dict[str, str]]:
    return [
        {"type": name, "valueString": str(value)}
        for name, value in pairs
        if value not in (None, "", [])
    ]


def _agent(name: str, role: str) -> dict[str, Any]:
    return {"who": {"display": name}, "name": name, "role": [{"text": role}], "requestor": True}


def audit_transition(refs: Refs, row: TransitionRow) -> dict[str, Any]:
    """A fired trigger: who (actor and role), when (clinical day and recording instant), why,
    from and to which state, and the pathway version."""
    day: date = row.clinical_on
    details = [
        ("trigger", row.trigger),
        ("from", row.from_state),
        ("to", row.to_state),
        ("reason", row.reason),
        ("outcome", row.outcome),
        ("closing_reason", row.closing_reason),
        ("evidence", ", ".join(row.evidence)),
        ("pathway_version", row.pathway_version),
    ]
    return {
        "resourceType": "AuditEvent",
        "id": f"transition-{row.id}",
        "type": {"system": ildpath_system("audit-event-type"), "code": "transition"},
        "subtype": [{"system": ildpath_system("trigger"), "code": row.trigger}],
        "action": "U",
        "period": {"start": day.isoformat(), "end": day.isoformat()},
        "recorded": _instant(row.recorded_at),
        "outcome": "0",
        "agent": [_agent(row.actor, row.role)],
        "source": {"site": "ildpath", "observer": engine_reference()},
        "entity": [{"what": refs.patient(), "detail": _details(details)}],
    }


def audit_view(refs: Refs, row: RecordViewRow) -> dict[str, Any]:
    """A view of the patient's record (page, API read, report or export) from the access
    log."""
    return {
        "resourceType": "AuditEvent",
        "id": f"view-{row.id}",
        "type": {"system": DCM, "code": "110110", "display": "Patient Record"},
        "action": "R",
        "recorded": _instant(row.viewed_at),
        "outcome": "0",
        "agent": [_agent(row.actor, row.role)],
        "source": {"site": "ildpath", "observer": engine_reference()},
        "entity": [
            {"what": refs.patient(), "detail": _details([("via", row.via), ("what", row.what)])}
        ],
    }


def provenance(refs: Refs, as_of: date, recorded: datetime, version: str) -> dict[str, Any]:
    """Who made the CarePlan: the engine, with the pathway version, as of the export day."""
    return {
        "resourceType": "Provenance",
        "id": f"provenance-{refs.pk}",
        "extension": [_ext("pathway-version", version)],
        "target": [refs.care_plan()],
        "occurredDateTime": as_of.isoformat(),
        "recorded": _instant(recorded),
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/"
                            "provenance-participant-type",
                            "code": "author",
                        }
                    ]
                },
                "who": engine_reference(),
            }
        ],
    }
