"""A correction on a SQLite file (§11): one transaction, the entry kept, the retraction read
back by the next unit of work, the audit chain intact."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from ildpath.usecases import (
    correct_entry,
    enter_in_error,
    evaluate_patient,
    record_observation,
    record_therapy,
)
from pathway import evaluate
from pathway.errors import InvalidValue
from persistence.audit import verify_chains
from persistence.audit_key import load_keyring

from .apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)


def test_a_cmv_result_corrected_on_sqlite_is_kept_taken_back_and_audited(tmp_path: Path) -> None:
    with clinic(f"sqlite:///{tmp_path}/corrections.db", DAY) as (app, clock):
        enrol(app)
        record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
        wrong = record_observation(app, "P-001", "cmv", {"iu_per_ml": 500}, DAY, CLINICIAN)
        clock.move_to(DAY + timedelta(days=1))

        fixed = correct_entry(
            app, "P-001", f"obs{wrong.entry_id}", {"iu_per_ml": 0}, "wrong sample", CLINICIAN
        )
        with pytest.raises(InvalidValue, match="corrected on"):
            enter_in_error(app, "P-001", f"obs{wrong.entry_id}", "again", CLINICIAN)
        evaluate_patient(app, "P-001")

        with app.unit_of_work() as uow:
            patient = uow.patients.find("P-001")
            assert patient is not None
            record = uow.patients.records([patient])[patient.id]
            rows = uow.patients.rows(patient)
        [retraction] = rows.retractions
        assert (retraction.entry_id, retraction.replaced_by, retraction.reason) == (
            f"obs{wrong.entry_id}",
            f"obs{fixed.entry_id}",
            "wrong sample",
        )
        assert retraction.recorded_on == DAY + timedelta(days=1)
        assert len(rows.observations) == 2
        codes = {a.code for a in evaluate(record, clock.today(), app.definition).alerts}
        assert "CMV_REACTIVATION" not in codes
        with Session(app.engine) as session:
            assert list(verify_chains(session, load_keyring())) == []
