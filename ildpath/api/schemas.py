"""Request bodies of the API. Types only: the clinical vocabulary and ranges are checked by
the use cases, which name the field and the allowed values when they refuse."""

from datetime import date
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from pathway.date_bounds import EARLIEST, LATEST, RANGE

from ..usecases.entries import observation_values

__all__ = [
    "AcknowledgementIn",
    "AmendmentIn",
    "CorrectionIn",
    "Day",
    "EnrolmentIn",
    "EnteredInErrorIn",
    "ObservationIn",
    "ProcedureIn",
    "RowId",
    "TaskAssignmentIn",
    "TaskDeclineIn",
    "TaskRescheduleIn",
    "TherapyIn",
    "TokenIn",
    "TransitionIn",
    "UserIn",
    "VaccinationIn",
]

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
Text = Field(default=None, max_length=2000)
Number = Annotated[float, Field(strict=True)]
"""A JSON number: ``"15"`` (a number sent as text) and ``true`` are refused, not read as 15 and
1 (§11); the use case then checks the range and names the unit."""


def _within_range(day: date) -> date:
    """The one range of accepted dates (`pathway.date_bounds`): refused as any other value
    the schema refuses (422 naming the field), not after it overflowed the arithmetic."""
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError(
            "date_out_of_range",
            "{day} is not allowed; allowed: {range}",
            {"day": str(day), "range": RANGE},
        )
    return day


Day = Annotated[date, AfterValidator(_within_range)]
"""A date in a body or a query, within the accepted range."""


class EnrolmentIn(BaseModel):
    """A new patient (pseudonymous id; no names)."""

    model_config = _STRICT
    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[^/\x00-\x1f\x7f]+$",
        description="Pseudonymous id: no '/' (it names the patient in the URL), no control "
        "characters.",
    )
    sex: str = Field(max_length=32, description="female, male, other, unknown")
    birth_date: Day
    enrolled_on: Day | None = Field(default=None, description="default: today")
    diagnosis: str = Field(max_length=64)
    anti_mda5: str = Field(default="unknown", max_length=32)
    anti_ars: str = Field(default="unknown", max_length=32)
    ild_course: str | None = Field(default=None, max_length=64)
    risk_factors: list[str] = Field(default_factory=list, max_length=20)
    weight_kg: Number | None = None
    height_cm: Number | None = None


class AmendmentIn(BaseModel):
    """One phenotype field from its clinical date (e.g. anti-MDA5 pending -> positive)."""

    model_config = _STRICT
    field: str = Field(max_length=32)
    value: Annotated[str, Field(strict=True)] | Number | list[str] | None
    on: Day | None = None
    reason: str | None = Text


class CorrectionIn(BaseModel):
    """A recorded entry replaced by a corrected one (§11): the fields that change (the
    others stay as recorded; null removes an optional value), the new clinical date if it
    moves, and why."""

    model_config = _STRICT
    values: dict[str, bool | float | str | list[str] | None] = Field(
        default_factory=dict, max_length=20
    )
    on: Day | None = Field(default=None, description="default: the entry's clinical date")
    reason: str = Field(max_length=2000)


class EnteredInErrorIn(BaseModel):
    """A recorded entry marked entered in error (§11), with why."""

    model_config = _STRICT
    reason: str = Field(max_length=2000)


class ObservationIn(BaseModel):
    """pft: fvc_pct/dlco_pct (…); cmv: iu_per_ml or copies_per_ml, optional comparator;
    hrct: finding, extensive_ggo; oxygen; lab: ferritin, ck, kl6, crp (one observation each);
    spo2; six_minute_walk: metres, nadir_spo2."""

    model_config = _STRICT
    kind: str = Field(
        max_length=16, description="pft, cmv, hrct, oxygen, lab, spo2, six_minute_walk"
    )
    on: Day | None = None
    fvc_pct: Number | None = None
    dlco_pct: Number | None = None
    dlco_corrected_pct: Number | None = None
    fvc_l: Number | None = None
    iu_per_ml: Number | None = None
    finding: str | None = Text
    extensive_ggo: bool | None = None
    oxygen: str | None = Field(default=None, max_length=32)
    copies_per_ml: Number | None = Field(default=None, description="CMV, never converted")
    comparator: str | None = Field(
        default=None, max_length=2, description="CMV beyond a limit: <, <=, >, >="
    )
    ferritin: Number | None = Field(default=None, description="ng/mL")
    ck: Number | None = Field(default=None, description="creatine kinase, U/L")
    kl6: Number | None = Field(default=None, description="U/mL")
    crp: Number | None = Field(default=None, description="mg/L")
    spo2: Number | None = Field(default=None, description="at rest, %")
    metres: Number | None = Field(default=None, description="six-minute walk distance")
    nadir_spo2: Number | None = Field(default=None, description="lowest SpO2 of the walk, %")

    def values(self) -> dict[str, object]:
        return self.model_dump(exclude={"kind", "on"}, exclude_none=True)

    @model_validator(mode="before")
    @classmethod
    def _known_analytes(cls, data: object) -> object:
        """An analyte §11 does not list is an unknown code: refused by the use case's own
        check, which names the known analytes (the schema alone would only say "extra")."""
        if isinstance(data, dict) and data.get("kind") == "lab":
            unknown = {k: v for k, v in data.items() if k not in cls.model_fields}
            if unknown:
                observation_values("lab", unknown)
        return data


class TherapyIn(BaseModel):
    model_config = _STRICT
    action: str = Field(max_length=8, description="start (or dose change), stop")
    agent: str = Field(max_length=64)
    on: Day | None = None
    route: str | None = Field(default=None, max_length=16)
    dose_mg_per_day: Number | None = Field(
        default=None, description="N mg every day (the older form; not with dose)"
    )
    dose: Number | None = Field(default=None, description="with unit and every")
    unit: str | None = Field(default=None, max_length=8, description="mg, g, mg/kg, g/kg, mg/m2")
    every: str | None = Field(
        default=None,
        max_length=8,
        description="day, 2_days, week, 2_weeks, 4_weeks, month, once",
    )


class ProcedureIn(BaseModel):
    model_config = _STRICT
    kind: str = Field(max_length=64, description="plasma_exchange, pulmonary_rehabilitation")
    on: Day | None = None


class VaccinationIn(BaseModel):
    model_config = _STRICT
    kind: str = Field(max_length=64, description="influenza, pneumococcal, covid19")
    on: Day | None = None


class TransitionIn(BaseModel):
    """A trigger a clinician fires; the engine checks the state and the guard."""

    model_config = _STRICT
    trigger: str = Field(max_length=64)
    on: Day | None = None
    reason: str | None = Text
    outcome: str | None = Field(default=None, max_length=64)
    closing_reason: str | None = Field(default=None, max_length=64)
    evidence: list[str] = Field(default_factory=list, max_length=50)


class AcknowledgementIn(BaseModel):
    model_config = _STRICT
    justification: str = Field(max_length=2000)


class TaskDeclineIn(BaseModel):
    """A task declined (§8): why (declined by the patient, contraindicated, given elsewhere
    with no date known)."""

    model_config = _STRICT
    reason: str = Field(max_length=2000)


class TaskDoneIn(BaseModel):
    """Done (§8): the entry that closes the task, on ``on`` (default today), with the values
    it needs (a PFT's ``fvc_pct``/``dlco_pct``, a CMV ``iu_per_ml`` …); the vaccine, agent or
    procedure is the task's own."""

    model_config = _STRICT
    on: Day | None = None
    values: dict[str, float | str | bool | None] = Field(default_factory=dict, max_length=20)


class TaskRescheduleIn(BaseModel):
    """A task's new due date (§8), and why."""

    model_config = _STRICT
    due: Day
    reason: str = Field(max_length=2000)


class TaskAssignmentIn(BaseModel):
    """A task assigned to a user (§8): the username of an active account."""

    model_config = _STRICT
    assignee: str = Field(max_length=64)
    reason: str | None = Text


class UserIn(BaseModel):
    model_config = _STRICT
    username: str = Field(max_length=64)
    role: str = Field(max_length=32, description="coordinator, clinician, auditor, admin")
    password: str = Field(max_length=200, description="at least 12 characters")
    email: str | None = Field(
        default=None, max_length=254, description="where assigned tasks' reminders go"
    )


class TokenIn(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1, max_length=64)


RowId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A row id (1 to 2^31-1).")]
"""Ids the database can hold on every backend (32-bit INTEGER on PostgreSQL)."""
