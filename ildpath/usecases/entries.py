"""What an entry of the record writes, decided against the record as it stands.

Every way an entry comes in (a person at the CLI, the API or a form, the scenario runner, the
demo, a FHIR bundle, a bulk import) builds one of these commands, checked when it is built
(values, vocabulary) and decided against the patient (dates, what is active, what the state
allows). A use case decides it inside a unit of work and writes it; the bulk import decides a
whole history against the record it is planning, then writes it in one batch.
"""

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from pathway import PathwayDefinition, PatientRecord
from pathway.catalogue import PROCEDURES, VACCINATIONS
from pathway.chart import Chart
from pathway.doses import (
    NO_BODY,
    SCHEDULES,
    UNITS,
    Dose,
    body_on,
    check_dose_fits,
    check_dose_form,
)
from pathway.errors import InvalidValue
from pathway.observations import CMV_UNITS, LAB_ANALYTES
from pathway.validation import check_choice, check_range, check_text
from persistence.changes import Actor, Audit, NewEntry
from persistence.records import OBSERVATION_VALUES, PatientDates

from ..bootstrap import App
from .evaluation import apply_evaluation
from .outcome import Outcome
from .work import PatientWork

__all__ = [
    "OBSERVATION_KINDS",
    "THERAPY_FIELDS",
    "Decision",
    "EntryCommand",
    "EntryContext",
    "PatientSide",
    "RecordGiven",
    "RecordObservation",
    "RecordTherapy",
    "observation_fields",
    "observation_values",
    "record_entry",
]

OBSERVATION_KINDS = ("pft", "cmv", "hrct", "oxygen", "lab", "spo2", "six_minute_walk")
_OBSERVATION_FIELDS = {
    "pft": ("fvc_pct", "dlco_pct", "dlco_corrected_pct", "fvc_l"),
    "cmv": (*CMV_UNITS, "comparator"),
    "hrct": ("finding", "extensive_ggo"),
    "oxygen": ("oxygen",),
    "lab": LAB_ANALYTES,
    "spo2": ("spo2",),
    "six_minute_walk": ("metres", "nadir_spo2"),
}
_REQUIRED = {
    "pft": ("fvc_pct", "dlco_pct"),
    "cmv": CMV_UNITS,
    "oxygen": ("oxygen",),
    "lab": LAB_ANALYTES,
    "spo2": ("spo2",),
    "six_minute_walk": ("metres",),
}
_EXACTLY_ONE = {"cmv": CMV_UNITS}
"""A CMV load is in IU/mL or in copies/mL, never both (§11: never converted)."""
_ONE_ENTRY_EACH = {"lab": LAB_ANALYTES}
"""A ``lab`` event with several analytes is written as one observation per analyte: each is
charted, exported (one FHIR Observation, one LOINC code), corrected and entered in error on
its own."""
_NO_VALUES = dict.fromkeys(OBSERVATION_VALUES)
"""An observation's value columns, none recorded (a result fills those it has)."""


class PatientSide(PatientDates, Protocol):
    """What deciding an entry reads of the patient row."""

    @property
    def state(self) -> str: ...
    @property
    def referral_origin(self) -> str | None: ...


class EntryContext(Protocol):
    """The patient an entry is decided against: a use case's `PatientWork`, or the bulk
    import's plan of a history not yet written."""

    @property
    def record(self) -> PatientRecord: ...
    @property
    def patient(self) -> PatientSide: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def today(self) -> date: ...
    @property
    def definition(self) -> PathwayDefinition: ...
    def check_date(self, field: str, on: date, *, prior: bool = False) -> date: ...


_NO_CHANGE: Mapping[str, Any] = MappingProxyType({})


class Decision(NamedTuple):
    """The entries to write and the patient columns they change (a named tuple, as the
    commands: a bulk import decides hundreds of thousands)."""

    entries: tuple[NewEntry, ...]
    sets: Mapping[str, Any] = _NO_CHANGE


class EntryCommand(Protocol):
    """An entry checked as it came in, to be decided against the patient."""

    @property
    def on(self) -> date: ...

    def decide(self, context: EntryContext) -> Decision: ...


def _entry(
    context: EntryContext, part: str, on: date, values: dict[str, Any], audit_kind: str
) -> NewEntry:
    """An entry whose audit event repeats its values with its id (``id``)."""
    audit = Audit(audit_kind, values, on, context.actor, id_key="id")
    return NewEntry(part, on, values, context.actor, audit)


def observation_fields(kind: str) -> tuple[str, ...]:
    """The value fields of an observation of ``kind`` (§11)."""
    check_choice("kind", kind, OBSERVATION_KINDS)
    return _OBSERVATION_FIELDS[kind]


def observation_values(kind: str, values: Mapping[str, object]) -> dict[str, object]:
    """The checked value columns of one observation; unknown fields are refused."""
    check_choice("kind", kind, OBSERVATION_KINDS)
    allowed = _OBSERVATION_FIELDS[kind]
    for name in values:
        if name not in allowed:
            raise InvalidValue(f"{kind}.{name}", values[name], _fields_allowed(kind))
    checked: dict[str, object] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "oxygen":
            checked[name] = check_choice("oxygen", value)
        elif name == "finding":
            checked[name] = check_text("finding", value)
        elif name == "extensive_ggo":
            if not isinstance(value, bool):
                raise InvalidValue("extensive_ggo", value, "true or false")
            checked[name] = value
        elif name == "comparator":
            checked[name] = check_choice("comparator", value)
        else:
            checked[name] = check_range(name, value)
    needed = _REQUIRED.get(kind, ())
    if needed and not any(n in checked for n in needed):
        raise InvalidValue(f"{kind}", dict(values), "at least one of " + ", ".join(needed))
    one_of = _EXACTLY_ONE.get(kind, ())
    given = [n for n in one_of if n in checked]
    if len(given) > 1:
        raise InvalidValue(
            f"{kind}.{given[1]}",
            checked[given[1]],
            "exactly one of " + ", ".join(one_of) + " (as the laboratory reported it; never "
            "converted)",
        )
    return checked


def _fields_allowed(kind: str) -> str:
    """What a refusal of an unknown field of ``kind`` names as allowed."""
    fields = ", ".join(_OBSERVATION_FIELDS[kind])
    if kind == "lab":
        return f"a known analyte: {fields} (any other is an unknown code)"
    return f"fields {fields}"


def _one_each(kind: str, values: Mapping[str, object]) -> list[dict[str, object]]:
    """The observations an event of ``kind`` is written as: one per analyte of a ``lab``
    event, else one holding every value."""
    split = _ONE_ENTRY_EACH.get(kind)
    if split is None:
        return [dict(values)]
    return [{name: values[name]} for name in split if name in values]


class RecordObservation(NamedTuple):
    """A PFT, CMV DNA result, HRCT, oxygen requirement, laboratory result, resting SpO2 or
    six-minute walk (§11); as prior history it may be dated up to 5 years (configurable)
    before enrolment."""

    kind: str
    values: Mapping[str, object]
    on: date

    @classmethod
    def checked(cls, kind: str, values: Mapping[str, object], on: date) -> "RecordObservation":
        return cls(kind, observation_values(kind, values), on)

    def decide(self, context: EntryContext) -> Decision:
        context.check_date("on", self.on, prior=True)
        return Decision(
            tuple(self._entry(context, values) for values in _one_each(self.kind, self.values))
        )

    def _entry(self, context: EntryContext, values: Mapping[str, object]) -> NewEntry:
        columns = {"kind": self.kind, **_NO_VALUES, **values}
        audit = Audit(
            "observation_recorded", {"kind": self.kind, **values}, self.on, context.actor, "id"
        )
        return NewEntry("observations", self.on, columns, context.actor, audit)


THERAPY_FIELDS = ("agent", "route", "dose_mg_per_day", "dose", "unit", "every")
"""The fields of a start or stop as every way in speaks them (§11 Doses)."""


class RecordTherapy(NamedTuple):
    """A start (a dose change when the agent is already active) or a stop (§9, §11). A start
    may carry a dose (§11 Doses): ``dose`` + ``unit`` + ``every``, or ``dose_mg_per_day``
    (N mg every day)."""

    action: str
    agent: str
    on: date
    route: str | None = None
    dose: Dose | None = None

    @classmethod
    def checked(
        cls,
        action: object,
        agent: object,
        on: date,
        route: object = None,
        dose_mg_per_day: object = None,
        *,
        dose: object = None,
        unit: object = None,
        every: object = None,
    ) -> "RecordTherapy":
        """The values checked as they came in: the vocabulary, a dose's form (a number, not
        text or a boolean; a unit and a schedule that fit the agent)."""
        checked_action = check_choice("action", action, ("start", "stop"))
        checked_agent = check_choice("agent", agent)
        given = _dose(dose_mg_per_day, dose, unit, every)
        if given is not None:
            if checked_action == "stop":
                raise InvalidValue("dose", given.amount, "no dose on a stop (a start gives it)")
            check_dose_form(checked_agent, given)
        return cls(
            checked_action,
            checked_agent,
            on,
            None if route is None else check_choice("route", route),
            given,
        )

    def decide(self, context: EntryContext) -> Decision:
        """The date, what is active (a stop), and the dose against the patient: the weight
        and height in force on its date and the agent's plausible maximum (§11). A therapy
        given before enrolment is prior history (§11)."""
        context.check_date("on", self.on, prior=True)
        if self.action == "stop":
            chart = Chart(context.record.corrected(), context.definition)
            active = chart.exposure.active_on(self.on)
            if self.agent not in active:
                raise InvalidValue(
                    "agent",
                    self.agent,
                    f"an agent active on {self.on.isoformat()} (only an active agent can be "
                    "stopped)",
                )
        if self.dose is not None:
            limit = context.definition.dose_limits_mg[self.agent]
            body = body_on(context.record, self.on) if self.dose.needs_body else NO_BODY
            check_dose_fits(self.agent, self.dose, body, limit)
        values = {
            "agent": self.agent,
            "action": self.action,
            "route": self.route,
            **_dose_columns(self.dose),
        }
        return Decision((_entry(context, "therapies", self.on, values, "therapy_recorded"),))


def _dose(dose_mg_per_day: object, dose: object, unit: object, every: object) -> Dose | None:
    """A dose given as ``dose_mg_per_day`` (N mg every day) or as ``dose`` + ``unit`` +
    ``every``, never both; None when none is given."""
    parts = {"dose": dose, "unit": unit, "every": every}
    given = [name for name, value in parts.items() if value is not None]
    if dose_mg_per_day is not None:
        if given:
            raise InvalidValue(
                given[0],
                parts[given[0]],
                "either dose_mg_per_day or dose + unit + every, not both",
            )
        return Dose.mg_per_day(check_range("dose_mg_per_day", dose_mg_per_day))
    if not given:
        return None
    missing = [name for name, value in parts.items() if value is None]
    if missing:
        raise InvalidValue(
            missing[0], None, "dose, unit and every together (e.g. 15 mg every week)"
        )
    return Dose(
        check_range("dose", dose),
        check_choice("unit", unit, UNITS),
        check_choice("every", every, SCHEDULES),
    )


def _dose_columns(dose: Dose | None) -> dict[str, object]:
    if dose is None:
        return {"dose": None, "unit": None, "every": None}
    return {"dose": dose.amount, "unit": dose.unit, "every": dose.every}


_GIVEN = {
    "procedure": ("procedures", PROCEDURES),
    "vaccination": ("vaccinations", VACCINATIONS),
}


class RecordGiven(NamedTuple):
    """A procedure done (plasma exchange, pulmonary rehabilitation) or a vaccination given
    (influenza, pneumococcal, COVID-19): both a kind on a day."""

    what: str
    """``procedure`` or ``vaccination``."""
    kind: str
    on: date

    @classmethod
    def checked(cls, what: str, kind: object, on: date) -> "RecordGiven":
        return cls(what, check_choice(what, kind, _GIVEN[what][1]), on)

    def decide(self, context: EntryContext) -> Decision:
        context.check_date("on", self.on, prior=True)
        part = _GIVEN[self.what][0]
        entry = _entry(context, part, self.on, {"kind": self.kind}, f"{self.what}_recorded")
        return Decision((entry,))


def record_entry(
    app: App,
    external_id: str,
    command: EntryCommand,
    actor: Actor,
    *,
    expected_version: int | None = None,
    closed_refused: bool = True,
) -> Outcome:
    """The shape of every entry: the patient (refused if closed, or changed since the
    writer's read), the command decided and written with its audit event, then an evaluation
    so the alerts it raises are raised at once (§7). One transaction."""
    with app.unit_of_work() as uow:
        work = PatientWork.open(
            app, uow, external_id, actor, expected_version, closed_refused=closed_refused
        )
        decision = command.decide(work)
        work.write(decision.entries, decision.sets)
        apply_evaluation(work)
        return work.outcome()
