"""The one dispatcher: from an event kind and its body to the command it becomes and the use
case that writes it.

Every way an event comes in speaks these kinds (the scenario runner, the demo, the FHIR
import, the web forms, the bulk import, the CLI and the API): each turns its own format into a
kind and a body (a mapping of the kind's fields, or a bare value where one field says it all:
``oxygen: high_flow``), and this table checks the fields and builds the command. A new kind
is added here once.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from pathway.errors import InvalidValue
from persistence.changes import Actor

from ..bootstrap import App
from .alerts import acknowledge_alert
from .corrections import CorrectEntry, EnterInError
from .enrolment import PHENOTYPE_FIELDS, AmendPhenotype
from .entries import (
    OBSERVATION_KINDS,
    THERAPY_FIELDS,
    EntryCommand,
    RecordGiven,
    RecordObservation,
    RecordTherapy,
    observation_fields,
    observation_values,
    record_entry,
)
from .outcome import Outcome
from .triggers import FireTrigger, TriggerCommand
from .work import find_patient

__all__ = ["EVENT_KINDS", "AcknowledgeAlert", "EventKind", "event_command", "record_event"]


@dataclass(frozen=True)
class AcknowledgeAlert:
    """A clinician's acknowledgement of one of the patient's alerts, named by its id or by
    its code (then the newest unacknowledged alert with that code)."""

    justification: str
    alert_id: int | None = None
    code: str | None = None

    def apply(self, app: App, external_id: str, actor: Actor) -> Outcome:
        alert_id = self.alert_id
        if alert_id is None:
            alert_id = self._newest_unacknowledged(app, external_id)
        return acknowledge_alert(app, alert_id, self.justification, actor)

    def _newest_unacknowledged(self, app: App, external_id: str) -> int:
        with app.unit_of_work() as uow:
            patient = find_patient(uow, external_id)
            alerts = uow.patients.rows(patient).alerts
        waiting = [
            a
            for a in alerts
            if a.code == self.code and a.acknowledged_at is None and a.status != "withdrawn"
        ]
        if not waiting or waiting[-1].id is None:
            raise InvalidValue("code", self.code, "the code of an unacknowledged alert")
        return waiting[-1].id


Command = EntryCommand | AcknowledgeAlert


@dataclass(frozen=True)
class EventKind:
    """One kind of event: the fields its body may hold, the one a bare value fills, and how
    the body becomes a command."""

    name: str
    fields: tuple[str, ...]
    build: Callable[[Mapping[str, Any], date], Command]
    bare: str | None = None

    @cached_property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.fields)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _observation(kind: str) -> EventKind:
    return EventKind(
        kind,
        observation_fields(kind),
        lambda body, on: RecordObservation.checked(kind, body, on),
        bare=kind if kind in ("oxygen", "spo2") else None,
    )


def _therapy(action: str) -> EventKind:
    return EventKind(
        action,
        THERAPY_FIELDS,
        lambda body, on: RecordTherapy.checked(
            action,
            body.get("agent"),
            on,
            body.get("route"),
            body.get("dose_mg_per_day"),
            dose=body.get("dose"),
            unit=body.get("unit"),
            every=body.get("every"),
        ),
        bare="agent",
    )


def _given(what: str) -> EventKind:
    return EventKind(
        what,
        ("kind",),
        lambda body, on: RecordGiven.checked(what, body.get("kind"), on),
        bare="kind",
    )


def _amend(body: Mapping[str, Any], on: date) -> Command:
    values = {name: body[name] for name in PHENOTYPE_FIELDS if name in body}
    return AmendPhenotype.checked(values, on, _text(body.get("reason")))


def _trigger(body: Mapping[str, Any], on: date) -> Command:
    evidence = body.get("evidence") or ()
    if not isinstance(evidence, list | tuple):
        raise InvalidValue("evidence", evidence, "a list of record ids (e.g. obs12)")
    command = TriggerCommand(
        trigger=str(body.get("trigger")),
        on=on,
        reason=_text(body.get("reason")),
        outcome=_text(body.get("outcome")),
        closing_reason=_text(body.get("closing_reason")),
        evidence=tuple(str(e) for e in evidence),
    )
    return FireTrigger(command)


def _correct(body: Mapping[str, Any], on: date) -> Command:
    values = body.get("values")
    if values is not None and not isinstance(values, Mapping):
        raise InvalidValue("correct.values", values, "a mapping of the entry's fields")
    return CorrectEntry.checked(body.get("entry_id"), body.get("reason"), values, on)


def _entered_in_error(body: Mapping[str, Any], _on: date) -> Command:
    return EnterInError.checked(body.get("entry_id"), body.get("reason"))


def _acknowledge(body: Mapping[str, Any], _on: date) -> Command:
    alert_id, code = body.get("alert_id"), body.get("code")
    if (alert_id is None) == (code is None):
        raise InvalidValue("acknowledge", body, "an alert_id or a code (one of them)")
    if alert_id is not None and (isinstance(alert_id, bool) or not isinstance(alert_id, int)):
        raise InvalidValue("alert_id", alert_id, "an alert id (a whole number)")
    return AcknowledgeAlert(str(body.get("justification") or ""), alert_id, _text(code))


EVENT_KINDS: dict[str, EventKind] = {
    kind.name: kind
    for kind in (
        *(_observation(k) for k in OBSERVATION_KINDS),
        _therapy("start"),
        _therapy("stop"),
        _given("procedure"),
        _given("vaccination"),
        EventKind("amend", (*PHENOTYPE_FIELDS, "reason"), _amend),
        EventKind(
            "trigger",
            ("trigger", "reason", "outcome", "closing_reason", "evidence"),
            _trigger,
            bare="trigger",
        ),
        EventKind("acknowledge", ("alert_id", "code", "justification"), _acknowledge),
        # §11 Corrections: ``on`` is the replacing entry's clinical date (a correction) and
        # is not read for an entry entered in error (the retraction keeps the entry's date)
        EventKind("correct", ("entry_id", "reason", "values"), _correct),
        EventKind("entered_in_error", ("entry_id", "reason"), _entered_in_error),
    )
}
"""Every kind of event, by name."""


def event_command(kind: str, body: object, on: date) -> Command:
    """The command an event becomes, or the refusal naming the field and what is allowed."""
    found = EVENT_KINDS.get(kind)
    if found is None:
        raise InvalidValue("kind", kind, ", ".join(EVENT_KINDS))
    if type(body) is not dict and not isinstance(body, Mapping):
        if found.bare is None:
            raise InvalidValue(kind, body, "a mapping of " + ", ".join(found.fields))
        body = {found.bare: body}
    if not body.keys() <= found.allowed:
        name = next(str(name) for name in body if name not in found.fields)
        if kind in OBSERVATION_KINDS:  # the kind's own words (a lab's analytes)
            observation_values(kind, {name: body[name]})
        raise InvalidValue(f"{kind}.{name}", body[name], "fields " + ", ".join(found.fields))
    return found.build(body, on)


def record_event(
    app: App,
    external_id: str,
    kind: str,
    body: object,
    on: date,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """Check the event and write it through its use case, as ``actor`` on ``on``."""
    command = event_command(kind, body, on)
    if isinstance(command, AcknowledgeAlert):
        return command.apply(app, external_id, actor)
    return record_entry(
        app,
        external_id,
        command,
        actor,
        expected_version=expected_version,
        closed_refused=not isinstance(command, FireTrigger),
    )
