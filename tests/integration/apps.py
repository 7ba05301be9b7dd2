"""Building the application on a test database with a clock the test moves."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import Actor, EnrolPatient, enrol_patient

CLINICIAN = Actor("dr-test", "clinician")


@contextmanager
def clinic(database_url: str, today: date) -> Iterator[tuple[App, SimulatedClock]]:
    clock = SimulatedClock(today)
    app = bootstrap(Settings(database_url=database_url), clock)
    try:
        yield app, clock
    finally:
        app.engine.dispose()


def enrol(app: App, patient_id: str = "P-001", **overrides: object) -> str:
    fields: dict[str, object] = {
        "id": patient_id,
        "sex": "female",
        "birth_date": date(1970, 5, 1),
        "enrolled_on": app.clock.today(),
        "diagnosis": "dermatomyositis",
        "anti_mda5": "negative",
        "anti_ars": "negative",
        "ild_course": "non_progressive",
        "risk_factors": (),
        "weight_kg": 60.0,
    }
    fields.update(overrides)
    return enrol_patient(app, EnrolPatient(**fields), CLINICIAN)  # type: ignore[arg-type]
