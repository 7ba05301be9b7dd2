"""Revision 2's observations over HTTP (§11): a lab result with several analytes answers with
one id per analyte; CMV in copies/mL raises CMV_REACTIVATION at once and "< 35 IU/mL" does not;
what is unknown or out of range is a 422 problem naming the field, writing nothing."""

import pytest

from ildpath.usecases import patient_summary

OBSERVATIONS = "/api/patients/{}/observations"


def test_a_lab_result_with_two_analytes_answers_with_both_ids(clinic):
    with clinic.client("coordinator") as anna:
        answer = anna.post(
            OBSERVATIONS.format("P-001"),
            json={"kind": "lab", "ferritin": 1800, "kl6": 1200, "on": "2026-10-20"},
        )

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert len(body["ids"]) == 2 and body["id"] == body["ids"][-1]
    assert body["alerts"] == []
    rows = {r.id: r for r in patient_summary(clinic.app, "P-001").observations}
    assert [(rows[i].ferritin, rows[i].kl6) for i in body["ids"]] == [(1800, None), (None, 1200)]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "spo2", "spo2": 91},
        {"kind": "six_minute_walk", "metres": 320, "nadir_spo2": 86},
        {"kind": "cmv", "iu_per_ml": 35, "comparator": "<"},
    ],
)
def test_spo2_a_walk_and_a_cmv_below_its_limit_raise_nothing(clinic, body):
    with clinic.client("clinician") as ben:
        answer = ben.post(OBSERVATIONS.format("P-002"), json={**body, "on": "2026-10-21"})

    assert answer.status_code == 201, answer.text
    assert "CMV_REACTIVATION" not in {a["code"] for a in answer.json()["alerts"]}


def test_a_cmv_load_in_copies_raises_cmv_reactivation_at_once(clinic):
    with clinic.client("clinician") as ben:
        answer = ben.post(
            OBSERVATIONS.format("P-002"),
            json={"kind": "cmv", "copies_per_ml": 500, "on": "2026-10-22"},
        )

    assert answer.status_code == 201, answer.text
    [alert] = [a for a in answer.json()["alerts"] if a["code"] == "CMV_REACTIVATION"]
    assert "500 copies/mL" in alert["message"]


@pytest.mark.parametrize(
    ("body", "field", "allowed"),
    [
        ({"kind": "lab", "ferritin": 2_000_000}, "ferritin", "1,000,000 (ng/mL)"),
        ({"kind": "spo2", "spo2": 20}, "spo2", "50 to 100 (%)"),
        ({"kind": "cmv", "iu_per_ml": 10, "copies_per_ml": 10}, "cmv.copies_per_ml", "exactly"),
        ({"kind": "cmv", "copies_per_ml": 10, "comparator": "≈"}, "comparator", "<, <="),
        ({"kind": "lab", "ferritin": "1800"}, "ferritin", ""),
    ],
)
def test_a_wrong_observation_is_422_naming_the_field_and_writes_nothing(
    clinic, body, field, allowed
):
    before = len(patient_summary(clinic.app, "P-001").observations)
    with clinic.client("clinician") as ben:
        answer = ben.post(OBSERVATIONS.format("P-001"), json=body)

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert field in (problem.get("field") or str(problem))
    assert allowed in (problem.get("allowed") or str(problem))
    assert len(patient_summary(clinic.app, "P-001").observations) == before


def test_an_analyte_the_spec_does_not_list_is_refused_naming_the_known_ones(clinic):
    with clinic.client("clinician") as ben:
        answer = ben.post(OBSERVATIONS.format("P-001"), json={"kind": "lab", "ldh": 300})

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["field"] == "lab.ldh"
    assert "ferritin, ck, kl6, crp" in problem["allowed"]
