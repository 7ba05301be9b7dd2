"""Patients put in the way the audit commands' tests need them: enrolled and a PFT recorded,
each an audited write, in a database the command line then opens."""

from datetime import date

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import Actor, EnrolPatient, enrol_patient, record_observation

__all__ = ["DAY", "patients_with_a_pft"]

COORD = Actor("coord", "coordinator")
DAY = date(2026, 3, 2)


def patients_with_a_pft(url: str, *pids: str) -> None:
    """Enrol each of ``pids`` (polymyositis, progressive ILD) with one FVC of 70 %."""
    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    for pid in pids:
        enrol_patient(
            app,
            EnrolPatient(
                pid,
                "male",
                date(1960, 1, 1),
                DAY,
                "polymyositis",
                "negative",
                "negative",
                "progressive",
            ),
            COORD,
        )
        record_observation(app, pid, "pft", {"fvc_pct": 70}, DAY, COORD)
    app.engine.dispose()
