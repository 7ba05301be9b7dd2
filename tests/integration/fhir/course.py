"""The synthetic course of ``anti_mda5_rpild_bundle.json`` (synthetic data only): an anti-MDA5
positive dermatomyositis patient with rapidly progressive ILD, PFTs, CMV results, pulse
methylprednisolone then prednisone with tacrolimus and cyclophosphamide, vaccinations, plasma
exchange and high-flow oxygen; plus an Observation with a LOINC code the engine does not
read (creatinine), a medication not in the catalogue (omeprazole), a Condition, and the
Medication the prednisone request references."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import SQLModel, select

from ildpath.bootstrap import App
from persistence.fhir_tables import FhirImportRow, PatientIdentifierRow
from persistence.listing_views import ListingPatientRow, ListingViewRow
from persistence.record_views import RecordViewRow
from persistence.tables import (
    AlertRow,
    AuditEventRow,
    CareTaskRow,
    ObservationRow,
    PatientRow,
    ProcedureRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

BUNDLE = Path(__file__).with_name("anti_mda5_rpild_bundle.json")
PATIENT = "FHIR-0001"
IMPORT_DAY = date(2026, 11, 21)
"""The clinic day of the imports in these tests (after every date of the course)."""

_TYPED = f"""
record pft {PATIENT} --fvc 68 --dlco 45 --fvc-l 2.1 --on 2026-08-25
record oxygen {PATIENT} low_flow --on 2026-09-01
record therapy {PATIENT} start methylprednisolone --route iv --dose 1000 --on 2026-09-02
record therapy {PATIENT} start tacrolimus --route oral --dose 4 --on 2026-09-02
record therapy {PATIENT} start cyclophosphamide --route iv --on 2026-09-03
record therapy {PATIENT} stop methylprednisolone --on 2026-09-05
record therapy {PATIENT} start prednisone --route oral --dose 60 --on 2026-09-05
record cmv {PATIENT} --iu-per-ml 0 --on 2026-09-09
record vaccination {PATIENT} influenza --on 2026-09-10
record vaccination {PATIENT} pneumococcal --on 2026-09-12
record cmv {PATIENT} --iu-per-ml 350 --on 2026-09-16
record pft {PATIENT} --fvc 60 --dlco 40 --on 2026-09-20
record procedure {PATIENT} plasma_exchange --on 2026-10-01
record oxygen {PATIENT} high_flow --on 2026-10-05
"""
CLI_COURSE: list[tuple[str, ...]] = [tuple(line.split()) for line in _TYPED.strip().splitlines()]
"""The same course typed in at the command line, in the order the importer enters it
(clinical date, then bundle order; 2 and 10 L/min of oxygen read as low_flow and high_flow)."""

CLI_ENROLMENT = (
    "patient", "enrol", "--id", PATIENT, "--sex", "female", "--birth-date", "1968-03-14",
    "--enrolled-on", "2026-09-01", "--diagnosis", "dermatomyositis", "--anti-mda5",
    "positive", "--anti-ars", "negative", "--ild-course", "rapidly_progressive",
    "--risk-factor", "extensive_ggo", "--weight-kg", "58",
)  # fmt: skip

RECORD_TABLES: tuple[type[SQLModel], ...] = (
    PatientRow,
    ObservationRow,
    TherapyEventRow,
    ProcedureRow,
    VaccinationRow,
    TransitionRow,
    AlertRow,
    CareTaskRow,
    AuditEventRow,
    RecordViewRow,
    ListingViewRow,
    ListingPatientRow,
    FhirImportRow,
    PatientIdentifierRow,
)


def bundle() -> dict[str, Any]:
    return json.loads(BUNDLE.read_text(encoding="utf-8"))


def utc_today() -> date:
    """The day the command line's clock reads (ILDPATH_TIMEZONE defaults to UTC)."""
    return datetime.now(UTC).date()


def row_counts(app: App) -> dict[str, int]:
    with app.transaction() as session:
        return {
            table.__tablename__: int(  # type: ignore[attr-defined]
                session.exec(select(func.count()).select_from(table)).one()
            )
            for table in RECORD_TABLES
        }


def dump(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: what "writes nothing" is checked on."""
    with app.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }
