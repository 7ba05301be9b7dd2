"""Two imports of the same bundle at once (PostgreSQL, where writers really overlap) write
each resource once: the ledger's unique key refuses the second writer of a resource."""

from concurrent.futures import ThreadPoolExecutor

from ildpath.fhir import import_bundle
from tests.integration.apps import CLINICIAN, clinic

from .course import IMPORT_DAY, bundle, row_counts


def test_simultaneous_imports_of_one_bundle_write_it_once(postgres_url, tmp_path):
    with clinic(f"sqlite:///{tmp_path}/alone.db", IMPORT_DAY) as (alone, _):
        import_bundle(alone, bundle(), CLINICIAN)
        expected = row_counts(alone)

    with clinic(postgres_url, IMPORT_DAY) as (app, _):
        with ThreadPoolExecutor(2) as pool:
            reports = list(pool.map(lambda _: import_bundle(app, bundle(), CLINICIAN), [1, 2]))
        counts = row_counts(app)

    assert counts == expected
    assert all(r.counts()["invalid"] == 0 for r in reports), [r.as_data() for r in reports]
    for lines in zip(*(r.lines() for r in reports), strict=True):
        statuses = sorted(line.status for line in lines)
        assert statuses in (
            ["already_imported", "created"],
            ["created", "created"],  # a medication's start by one, its stop by the other
            ["not_imported", "not_imported"],
            ["unknown_code", "unknown_code"],
        ), lines
