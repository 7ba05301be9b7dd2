"""Every figure of the cohort audit report equals the value computed by hand from the fixed
cohort in `fixed_cohort.py` (period 2026-01-01 to 2026-06-30, audit grace 14 days for PFTs,
none for CMV tests)."""

import csv
import io
import json
from pathlib import Path

import pytest

from ildpath.bootstrap import App
from ildpath.reports.cohort import CohortReport, build_cohort_report
from ildpath.reports.output import cohort_report
from tests.integration.apps import clinic

from . import fixed_cohort
from .fixed_cohort import END, START


@pytest.fixture(scope="module")
def report(app: App) -> CohortReport:
    return build_cohort_report(app, START, END)


def measure(report: CohortReport, code: str) -> dict[str, object]:
    found = next(m for m in report.measures if m.code == code)
    return {k: getattr(found, k) for k in ("value", "numerator", "denominator", "n")}


def test_patients_in_care_exclude_the_one_closed_before_the_period(report: CohortReport) -> None:
    # P1-P5 and P7; P6 was closed (transferred) in 2025.
    assert measure(report, "patients")["value"] == 6


def test_patients_by_state_on_the_last_day(report: CohortReport) -> None:
    assert dict(report.by_state) == {
        "diagnosis": 1,  # P7
        "induction": 1,  # P3
        "monitoring": 2,  # P1, P2
        "progression": 0,
        "salvage": 0,
        "transplant_referral": 1,  # P4
        "closed": 1,  # P5, died in the period
    }


def test_median_days_from_enrolment_to_induction(report: CohortReport) -> None:
    # Enrolled in the period and induced: P1 1 day, P2 0 days, P3 10 days -> median 1.
    # P4 and P7 are not induced yet; P5 was enrolled before the period.
    assert measure(report, "median_days_enrolment_to_induction") == {
        "value": 1.0,
        "numerator": None,
        "denominator": None,
        "n": 3,
    }


def test_simultaneous_triple_therapy_share_of_mda5_patients(report: CohortReport) -> None:
    # P1 all three within 2 days (yes); P2 third agent on day 10 (no); P7 window still open.
    assert measure(report, "mda5_simultaneous_triple_therapy") == {
        "value": 50.0,
        "numerator": 1,
        "denominator": 2,
        "n": None,
    }


def test_median_days_from_enrolment_to_the_third_agent(report: CohortReport) -> None:
    # P1: 2 days (cyclophosphamide on 01-07); P2: 10 days (cyclophosphamide on 02-12).
    assert measure(report, "mda5_median_days_enrolment_to_third_agent")["value"] == 6.0
    assert measure(report, "mda5_median_days_enrolment_to_third_agent")["n"] == 2


def test_plasma_exchange_within_14_days_of_the_refractory_date(report: CohortReport) -> None:
    # P2: refractory 03-02, plasma exchange 03-10.
    assert measure(report, "mda5_refractory_plasma_exchange") == {
        "value": 100.0,
        "numerator": 1,
        "denominator": 1,
        "n": None,
    }


def test_high_flow_oxygen_referred_for_transplant(report: CohortReport) -> None:
    # P4 referred two days after high-flow oxygen; P5 never referred.
    assert measure(report, "high_oxygen_referred") == {
        "value": 50.0,
        "numerator": 1,
        "denominator": 2,
        "n": None,
    }


def test_pfts_done_on_time_with_the_audit_grace(report: CohortReport) -> None:
    # Due in the period: P1 01-19 done 01-19 (on time), P1 04-19 done 05-10 (late: > 14 days);
    # P2 02-16 done 03-05 (late), P2 06-05 not done (missed: grace ended 06-19);
    # P3 04-02 (baseline + 3 months once in induction) done 04-10 (on time);
    # P4 03-15 done 03-15 (on time), P4 06-15 not done (missed: grace ended 06-29);
    # P5 06-15 cancelled by the close on 05-01 (not counted). 3 of 7 on time.
    assert measure(report, "pft_on_time") == {
        "value": 42.9,
        "numerator": 3,
        "denominator": 7,
        "n": None,
    }


def test_cmv_tests_done_on_time_during_intensive_immunosuppression(report: CohortReport) -> None:
    # P1 (intensive from 01-06): due 01-13 done 01-12, due 01-19 done 01-21 (late), due 01-28
    # done 01-28, due 02-04 cancelled when prednisone fell to 10 mg on 02-01.
    # P2 (salvage 03-02 to 03-20): due 03-09 done 03-09, due 03-16 done 03-16, due 03-23
    # cancelled by achieve_response. 4 of 5 on time.
    assert measure(report, "cmv_on_time") == {
        "value": 80.0,
        "numerator": 4,
        "denominator": 5,
        "n": None,
    }


def test_pjp_prophylaxis_coverage_by_patient_day(report: CohortReport) -> None:
    # High-dose days / with tmp_smx: P1 01-05..01-31 27/27; P2 02-02..02-04 3/0;
    # P3 01-20..02-28 40, tmp_smx from 01-25: 35; P7 06-29..06-30 2/0. 62 of 72.
    assert measure(report, "pjp_prophylaxis_coverage") == {
        "value": 86.1,
        "numerator": 62,
        "denominator": 72,
        "n": None,
    }


def test_every_transition_in_the_period_with_actor_and_reason(report: CohortReport) -> None:
    moves = [(t["patient"], t["trigger"], t["actor"], t["reason"]) for t in report.transitions]
    assert sorted(moves) == sorted(
        [
            ("P1", "start_induction", "dr-audit", None),
            ("P1", "achieve_response", "dr-audit", None),
            ("P2", "start_induction", "dr-audit", None),
            ("P2", "declare_refractory", "dr-audit", "no response to triple therapy"),
            ("P2", "achieve_response", "dr-audit", None),
            ("P3", "start_induction", "dr-audit", None),
            ("P4", "refer_transplant", "dr-audit", "high-flow oxygen"),
            ("P5", "close", "dr-audit", None),
        ]
    )
    assert report.flows == {
        ("diagnosis", "induction"): 3,
        ("induction", "monitoring"): 1,
        ("induction", "salvage"): 1,
        ("salvage", "monitoring"): 1,
        ("diagnosis", "transplant_referral"): 1,
        ("diagnosis", "closed"): 1,
    }


def test_every_alert_in_the_period(report: CohortReport) -> None:
    alerts = sorted((a["patient"], a["code"], a["raised_on"].isoformat()) for a in report.alerts)
    assert alerts == [
        ("P1", "CMV_MONITORING_OVERDUE", "2026-01-20"),
        ("P1", "PFT_OVERDUE", "2026-04-20"),
        ("P2", "MDA5_STEP_UP_THERAPY", "2026-02-06"),
        ("P2", "PFT_OVERDUE", "2026-02-17"),
        ("P2", "PFT_OVERDUE", "2026-06-06"),
        # Overdue from the day after due, though done within the audit grace (§9: the grace
        # does not change when a task is overdue).
        ("P3", "PFT_OVERDUE", "2026-04-03"),
        ("P4", "PFT_OVERDUE", "2026-06-16"),
        ("P4", "TRANSPLANT_REFERRAL_NEEDED", "2026-03-03"),
        ("P5", "TRANSPLANT_REFERRAL_NEEDED", "2026-04-01"),
    ]


def test_overdue_tasks_at_the_end_of_the_period(report: CohortReport) -> None:
    overdue = sorted((o["patient"], o["task"], o["days_overdue"]) for o in report.overdue)
    assert overdue == [
        ("P1", "transplant_referral", 176),  # due 01-05, never referred
        ("P2", "pft", 25),  # due 06-05
        ("P2", "transplant_referral", 148),  # due 02-02
        ("P4", "pft", 15),  # due 06-15
        ("P7", "transplant_referral", 1),  # due 06-29
    ]


def test_deviations_are_care_alerts_and_late_or_missed_monitoring(report: CohortReport) -> None:
    deviations = sorted((d["patient"], d["what"]) for d in report.deviations)
    assert deviations == [
        ("P1", "CMV_MONITORING_OVERDUE"),
        ("P1", "PFT_OVERDUE"),
        ("P1", "cmv_test late"),
        ("P1", "pft late"),
        ("P2", "MDA5_STEP_UP_THERAPY"),
        ("P2", "PFT_OVERDUE"),
        ("P2", "PFT_OVERDUE"),
        ("P2", "pft late"),
        ("P2", "pft missed"),
        ("P3", "PFT_OVERDUE"),
        ("P4", "PFT_OVERDUE"),
        ("P4", "pft missed"),
    ]


def test_csv_and_json_carry_the_same_measures(app: App, report: CohortReport) -> None:
    rows = {
        r["code"]: r
        for r in csv.DictReader(io.StringIO(cohort_report(app, START, END, "csv").decode()))
    }
    data = json.loads(cohort_report(app, START, END, "json"))
    for m in report.measures:
        assert rows[m.code]["value"] == ("" if m.value is None else str(m.value))
        assert next(j for j in data["measures"] if j["code"] == m.code)["value"] == m.value
    assert rows["patients_in_state:monitoring"]["value"] == "2"


def test_postgresql_gives_the_same_measures(app: App, postgres_url: str) -> None:
    with clinic(postgres_url, START) as (pg_app, clock):
        fixed_cohort.build(pg_app, clock)
        on_postgres = cohort_report(pg_app, START, END, "csv")
    assert on_postgres == cohort_report(app, START, END, "csv")


def test_pseudonymised_report_names_no_patient(app: App, tmp_path: Path) -> None:
    text = cohort_report(app, START, END, "json", pseudonymise=True).decode()
    for pid in ("P1", "P2", "P3", "P4", "P5", "P7"):
        assert f'"{pid}"' not in text
    assert '"PSN-' in text
