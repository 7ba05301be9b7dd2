"""Revision 2 over HTTP: treatment a patient was already on is recorded as prior history (§11,
up to 5 years before enrolment) and its tasks open at enrolment, never before; a regimen
given shows as "in place since" the day its agents were all active (§4); an entry more than
5 years back is a 422 naming the date allowed, writing nothing."""

from ildpath.usecases import patient_summary

THERAPIES = "/api/patients/{}/therapies"


def test_prior_history_opens_its_task_at_enrolment_and_the_regimen_shows_in_place(clinic):
    with clinic.client("coordinator") as anna:
        prior = anna.post(
            THERAPIES.format("P-001"),
            json={
                "action": "start",
                "agent": "prednisone",
                "on": "2026-08-01",  # two months before enrolment (2026-10-01)
                "dose": 60,
                "unit": "mg",
                "every": "day",
            },
        )
        added = anna.post(
            THERAPIES.format("P-001"),
            json={"action": "start", "agent": "mycophenolate_mofetil", "on": "2026-10-05"},
        )
        record = anna.get("/api/patients/P-001").json()

    assert prior.status_code == 201, prior.text
    assert added.status_code == 201, added.text
    pjp = [t for t in record["tasks"] if t["kind"] == "pjp_prophylaxis"]
    assert [(t["opened_on"], t["due_on"]) for t in pjp] == [("2026-10-01", "2026-10-08")]
    [first, *_] = record["recommendations"]
    assert (first["code"], first["in_place_since"]) == ("GC_MMF", "2026-10-05")


def test_a_therapy_more_than_five_years_before_enrolment_is_refused_naming_the_limit(clinic):
    before = len(patient_summary(clinic.app, "P-002").therapy_events)
    with clinic.client("clinician") as ben:
        answer = ben.post(
            THERAPIES.format("P-002"),
            json={"action": "start", "agent": "methotrexate", "on": "2021-09-30"},
        )

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["field"] == "on"
    assert "up to 5 years before enrolment (prior history) (2021-10-01)" in problem["detail"]
    assert len(patient_summary(clinic.app, "P-002").therapy_events) == before
