"""Enrolment from a file (YAML or JSON): one patient as a mapping, or a list of them.

Every patient in the file is checked before the first is written, so a mistake in the tenth
leaves the database as it was.
"""

import json
from datetime import date
from pathlib import Path

from pathway.date_bounds import read_day
from pathway.errors import InvalidValue
from pathway.patient_identifier import folded_id

from ..bootstrap import App
from ..scenarios.yaml_loader import load_yaml
from .enrolment import EnrolPatient, check_enrolment

__all__ = ["ENROLMENT_KEYS", "read_enrolments"]

ENROLMENT_KEYS = (
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
    "height_cm",
)
_REQUIRED = ("id", "sex", "birth_date", "diagnosis")


def _enrolment(where: str, data: object, today: date) -> EnrolPatient:
    if not isinstance(data, dict):
        raise InvalidValue(where, data, "a mapping of " + ", ".join(ENROLMENT_KEYS))
    for key in data:
        if key not in ENROLMENT_KEYS:
            raise InvalidValue(f"{where}.{key}", data[key], "keys " + ", ".join(ENROLMENT_KEYS))
    for key in _REQUIRED:
        if data.get(key) in (None, ""):
            raise InvalidValue(f"{where}.{key}", None, "a value (required)")
    return EnrolPatient(
        id=str(data["id"]),
        sex=data["sex"],
        birth_date=read_day(f"{where}.birth_date", data["birth_date"]),
        enrolled_on=read_day(f"{where}.enrolled_on", data.get("enrolled_on", today)),
        diagnosis=data["diagnosis"],
        anti_mda5=data.get("anti_mda5", "unknown"),
        anti_ars=data.get("anti_ars", "unknown"),
        ild_course=data.get("ild_course"),
        risk_factors=tuple(data.get("risk_factors") or ()),
        weight_kg=data.get("weight_kg"),
        height_cm=data.get("height_cm"),
    )


def _parse(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except ValueError as error:  # json.JSONDecodeError and yaml errors carry a position
        raise InvalidValue("file", str(path), f"valid JSON or YAML ({error})") from None
    except Exception as error:
        raise InvalidValue("file", str(path), f"valid YAML ({error})") from None


def _checked(where: str, command: EnrolPatient, app: App, today: date) -> EnrolPatient:
    """The enrolment checked as every way in checks it, a refusal naming its place in the
    file (``patients[2].id``)."""
    try:
        checked, _ = check_enrolment(command, today, app.settings.patient_id_rule())
    except InvalidValue as error:
        raise InvalidValue(f"{where}.{error.field}", error.value, error.allowed) from None
    return checked


def read_enrolments(app: App, path: Path) -> list[EnrolPatient]:
    """Every patient of the file, each checked (values, dates, ids neither repeated in the
    file nor already enrolled, whatever the case)."""
    if not path.is_file():
        raise InvalidValue("file", str(path), "an existing YAML or JSON file")
    data = _parse(path)
    items = data if isinstance(data, list) else [data]
    today = app.clock.today()
    commands: list[EnrolPatient] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"patients[{i}]"
        command = _checked(where, _enrolment(where, item, today), app, today)
        key = folded_id(command.id)
        if key in seen:
            first = seen[key]
            raise InvalidValue(
                f"{where}.id",
                command.id,
                f"an id not repeated in the file, whatever the case (patients[{first}] is "
                f"{commands[first].id!r})",
            )
        seen[key] = i
        commands.append(command)
    with app.unit_of_work() as uow:
        taken = uow.patients.enrolled_as(c.id for c in commands)
    for i, command in enumerate(commands):
        if command.id in taken:
            raise InvalidValue(
                f"patients[{i}].id",
                command.id,
                f"an id not already enrolled (enrolled as {taken[command.id]!r})",
            )
    return commands
