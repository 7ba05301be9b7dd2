"""A served clinic with a few synthetic patients, shared by a test module."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from ildpath.usecases import record_therapy
from tests.integration.apps import CLINICIAN, enrol
from tests.web import WebClinic, web_clinic

TODAY = date(2026, 11, 2)


def seed(clinic: WebClinic) -> None:
    """P-001 a dermatomyositis-ILD patient; P-002 anti-MDA5 positive on infliximab (a
    critical AVOID_AGENT alert to acknowledge) with prednisone, so induction may start."""
    app = clinic.app
    enrol(app, "P-001", enrolled_on=date(2026, 10, 1))
    enrol(app, "P-002", enrolled_on=date(2026, 10, 1), anti_mda5="positive")
    record_therapy(
        app,
        "P-002",
        "start",
        "prednisone",
        date(2026, 10, 2),
        CLINICIAN,
        route="oral",
        dose_mg_per_day=60,
    )
    record_therapy(app, "P-002", "start", "infliximab", date(2026, 10, 3), CLINICIAN)


@contextmanager
def seeded_clinic(
    tmp_path_factory: pytest.TempPathFactory, name: str, *, dashboard: bool = True
) -> Iterator[WebClinic]:
    """The two patients of `seed`, served over real HTTP from a SQLite file of their own."""
    folder = tmp_path_factory.mktemp(name)
    with web_clinic(f"sqlite:///{folder}/clinic.db", TODAY, dashboard=dashboard) as served:
        seed(served)
        yield served


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    with seeded_clinic(tmp_path_factory, "api", dashboard=False) as served:
        yield served
