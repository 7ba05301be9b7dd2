"""Results read safely (CLINICAL_SPEC §7, §11): a comparator kept and judged ("< 35 IU/mL" is
not detected), a CMV load's unit checked against its LOINC code and never converted, a result
the laboratory corrects replaces the imported one (an alert raised on the old value cleared,
one the new value meets raised), entered in error takes it back, a preliminary result waits for
its final version, and history older than the prior-history window is reported, never failing
a transaction."""

from datetime import date
from pathlib import Path

import pytest

from ildpath.fhir import import_bundle
from ildpath.usecases import patient_summary, record_therapy
from tests.integration.apps import CLINICIAN, clinic

from .course import row_counts
from .sending import bundle, observation, patient

DAY = date(2026, 3, 2)
EPIC = "https://fhir.epic.example/api/FHIR/R4"
SUBJECT = {"reference": "Patient/P-1"}


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        import_bundle(app, bundle("batch", EPIC, patient("P-1")), CLINICIAN)
        record_therapy(app, "P-1", "start", "tacrolimus", date(2026, 2, 1), CLINICIAN, "oral")
        yield app


def _cmv(value: float, unit: str = "[IU]/mL", code: str = "72493-0", **more) -> dict:
    return observation("cmv-1", SUBJECT, code, value, unit, "2026-02-20", **more)


def _import(app, *resources, kind: str = "batch"):
    return import_bundle(app, bundle(kind, EPIC, *resources), CLINICIAN)


def _holding(app) -> set[str]:
    return patient_summary(app, "P-1").alert_codes()


def test_a_result_below_the_detection_limit_is_kept_with_its_comparator_and_not_an_alert(app):
    [line] = _import(app, _cmv(35, comparator="<")).lines()

    assert line.status == "created"
    [row] = [o for o in patient_summary(app, "P-1").observations if o.kind == "cmv"]
    assert (row.iu_per_ml, row.comparator) == (35, "<")
    assert "CMV_REACTIVATION" not in _holding(app)


def test_a_result_above_a_limit_is_at_least_that_much(app):
    _import(app, _cmv(1_000_000, comparator=">"))

    assert "CMV_REACTIVATION" in _holding(app)


@pytest.mark.parametrize(
    ("code", "unit", "field"),
    [("29604-6", "{copies}/mL", "copies_per_ml"), ("30247-1", "{copies}/mL", "copies_per_ml"),
     ("100675-8", "[IU]/mL", "iu_per_ml"), ("72493-0", "[IU]/mL", "iu_per_ml")],
)  # fmt: skip
def test_each_cmv_code_is_read_in_its_own_unit(app, code, unit, field):
    [line] = _import(app, _cmv(500, unit, code)).lines()

    assert line.status == "created"
    [row] = [o for o in patient_summary(app, "P-1").observations if o.kind == "cmv"]
    assert getattr(row, field) == 500


def test_a_unit_that_does_not_fit_the_cmv_code_is_not_read(app):
    [line] = _import(app, _cmv(500, "[IU]/mL", "29604-6")).lines()

    assert line.status == "unknown_code"
    assert "does not fit the code" in line.reason
    assert not [o for o in patient_summary(app, "P-1").observations if o.kind == "cmv"]


def test_a_corrected_result_replaces_the_imported_one_and_raises_what_it_meets(app):
    _import(app, _cmv(0))
    assert "CMV_REACTIVATION" not in _holding(app)

    [line] = _import(app, _cmv(5000, status="corrected")).lines()

    assert line.status == "corrected"
    assert "CMV_REACTIVATION" in _holding(app)
    loads = [o.iu_per_ml for o in patient_summary(app, "P-1").observations if o.kind == "cmv"]
    assert loads == [0, 5000]  # nothing deleted: the old entry is retracted, not removed
    before = row_counts(app)
    [again] = _import(app, _cmv(5000, status="corrected")).lines()
    assert again.status == "already_imported"
    assert row_counts(app) == before


def test_an_amended_result_below_the_limit_clears_the_alert_raised_on_the_old_value(app):
    _import(app, _cmv(500))
    assert "CMV_REACTIVATION" in _holding(app)

    [line] = _import(app, _cmv(35, status="amended", comparator="<")).lines()

    assert line.status == "corrected"
    assert "CMV_REACTIVATION" not in _holding(app)


def test_a_changed_final_result_is_not_applied(app):
    _import(app, _cmv(0))

    [line] = _import(app, _cmv(5000)).lines()

    assert line.status == "already_imported"
    assert "changed since" in line.reason
    assert "CMV_REACTIVATION" not in _holding(app)


def test_entered_in_error_takes_the_imported_result_back(app):
    _import(app, _cmv(500))

    [line] = _import(app, _cmv(500, status="entered-in-error")).lines()

    assert line.status == "corrected"
    assert "CMV_REACTIVATION" not in _holding(app)


def test_a_preliminary_result_is_not_judged_until_its_final_version(app):
    [waiting] = _import(app, _cmv(5000, status="preliminary")).lines()
    assert waiting.status == "not_imported"
    assert "CMV_REACTIVATION" not in _holding(app)

    [final] = _import(app, _cmv(5000)).lines()

    assert final.status == "created"
    assert "CMV_REACTIVATION" in _holding(app)


def test_history_before_the_prior_history_window_is_reported_and_never_fails_a_transaction(app):
    old = observation("pft-old", SUBJECT, "19872-1", 80, "%", "2019-06-01")
    prior = observation("pft-prior", SUBJECT, "19872-1", 72, "%", "2025-06-01")

    report = _import(app, old, prior, kind="transaction")

    assert [line.status for line in report.lines()] == ["not_imported", "created"]
    assert "prior-history window" in report.lines()[0].reason
    assert [o.fvc_pct for o in patient_summary(app, "P-1").observations] == [72]


def test_the_prior_history_window_ends_where_the_engine_ends_it(tmp_path: Path):
    """Enrolled 2025-01-01: five calendar years back (two leap days in between) is
    2020-01-01, the window's first day; the day before is outside it; neither fails the
    transaction."""
    subject = {"reference": "Patient/W-1"}
    outside = observation("pft-out", subject, "19872-1", 80, "%", "2019-12-31")
    first_day = observation("pft-in", subject, "19872-1", 72, "%", "2020-01-01")
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        data = bundle("transaction", EPIC, patient("W-1", enrolled_on="2025-01-01"))
        data["entry"] += bundle("transaction", EPIC, outside, first_day)["entry"]

        report = import_bundle(app, data, CLINICIAN)

    assert [line.status for line in report.lines()] == ["created", "not_imported", "created"]
