"""The fixed cohort, built once per session on a SQLite file (it is only read afterwards)."""

from collections.abc import Iterator

import pytest

from ildpath.bootstrap import App
from tests.integration.apps import clinic

from . import fixed_cohort


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cohort')}/ildpath.db"
    with clinic(url, fixed_cohort.START) as (app, clock):
        fixed_cohort.build(app, clock)
        yield app
