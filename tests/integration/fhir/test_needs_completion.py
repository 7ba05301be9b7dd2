"""The needs-completion list: a patient imported from an EHR that cannot tell the ILD course
is enrolled with it unknown (never guessed) and listed for a person to complete; completing
it takes the patient off the list (board, CLI and API share the one query)."""

from datetime import date
from pathlib import Path

from ildpath.fhir import import_bundle
from ildpath.usecases import amend_phenotype
from ildpath.usecases.cohort import find_patients
from ildpath.usecases.cohort_query import CohortQuery
from tests.integration.apps import CLINICIAN, clinic, enrol

CORPUS = Path(__file__).parents[2] / "fixtures" / "fhir"
SYNTHEA_PATIENT = "1df1dff5-3027-5080-bc57-0b7323f575f8"
DAY = date(2026, 12, 4)


def _listed(app) -> list[str]:
    page = find_patients(app, CohortQuery(needs_completion=True).check())
    return [entry.patient_id for entry in page.entries]


def test_an_imported_patient_without_ild_course_is_listed_until_completed(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        enrol(app, "TYPED-1", ild_course="progressive", anti_mda5="negative")
        report = import_bundle(app, (CORPUS / "synthea_dm_ild.json").read_bytes(), CLINICIAN)

        assert "needs completion: ild_course" in report.lines()[0].reason
        assert _listed(app) == [SYNTHEA_PATIENT]

        amend_phenotype(app, SYNTHEA_PATIENT, "ild_course", "progressive", DAY, CLINICIAN)

        assert _listed(app) == []
