"""A correction in the FHIR export (§11): the replaced Observation is ``entered-in-error``,
the one replacing it ``corrected``, an entry entered in error ``entered-in-error``, every
other ``final`` (FHIR R4 ObservationStatus); the bundle stays valid R4B."""

import json
from datetime import date
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from ildpath.fhir.exporting import export_patient
from ildpath.usecases import correct_entry, enter_in_error, record_observation
from tests.integration.apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)


def test_corrected_and_entered_in_error_observations_carry_their_status(tmp_path: Path) -> None:
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        enrol(app)
        pft = record_observation(
            app, "P-001", "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN
        )
        cmv = record_observation(app, "P-001", "cmv", {"iu_per_ml": 500}, DAY, CLINICIAN)
        kept = record_observation(app, "P-001", "oxygen", {"oxygen": "none"}, DAY, CLINICIAN)
        fixed = correct_entry(
            app, "P-001", f"obs{pft.entry_id}", {"fvc_pct": 75}, "typo", CLINICIAN
        )
        enter_in_error(app, "P-001", f"obs{cmv.entry_id}", "other patient", CLINICIAN)

        text = export_patient(app, "P-001", CLINICIAN, via="cli")

    Bundle.model_validate_json(text)
    status = {
        e["resource"]["id"]: e["resource"]["status"]
        for e in json.loads(text)["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert status == {
        f"obs-{pft.entry_id}": "entered-in-error",
        f"obs-{fixed.entry_id}": "corrected",
        f"obs-{cmv.entry_id}": "entered-in-error",
        f"obs-{kept.entry_id}": "final",
    }
