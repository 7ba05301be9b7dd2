"""The example export in ``docs/example-export-bundle.json``, built from the synthetic course
(``course.py``) on a fixed clinic day, so it is the same byte for byte every time; a test
checks the file against a fresh build. Rewrite it after a change of the export with::

    python -m tests.integration.fhir.example_bundle
"""

import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import select

from ildpath.bootstrap import App
from ildpath.fhir import import_bundle
from ildpath.fhir.exporting import export_patient
from ildpath.usecases import Actor, TriggerCommand, acknowledge_alert, fire_trigger
from ildpath.usecases.views import record_view
from persistence.tables import AlertRow
from tests.integration.apps import CLINICIAN, clinic

from .course import IMPORT_DAY, PATIENT, bundle

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "example-export-bundle.json"
COORDINATOR = Actor("coord-anna", "coordinator")
JUSTIFICATION = "Antiviral started after infectious-disease review; immunosuppression continued"


def prepare(app: App) -> None:
    """The course imported, its CMV alert acknowledged, induction started on 5 September,
    and the record viewed once."""
    import_bundle(app, bundle(), COORDINATOR)
    with app.transaction() as session:
        cmv = session.exec(select(AlertRow).where(AlertRow.code == "CMV_REACTIVATION")).one()
    assert cmv.id is not None
    acknowledge_alert(app, cmv.id, JUSTIFICATION, CLINICIAN)
    fire_trigger(app, PATIENT, TriggerCommand("start_induction", date(2026, 9, 5)), CLINICIAN)
    record_view(app, PATIENT, COORDINATOR, via="cli", what="patient record")


def build_example(folder: Path) -> str:
    with clinic(f"sqlite:///{folder}/example.db", IMPORT_DAY) as (app, _):
        prepare(app)
        return export_patient(app, PATIENT, CLINICIAN, via="cli")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        EXAMPLE.write_text(build_example(Path(folder)), encoding="utf-8")
    print(f"wrote {EXAMPLE}")
