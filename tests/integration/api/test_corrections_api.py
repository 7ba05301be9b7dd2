"""Corrections over HTTP (§11): a correction or an entry entered in error is a write like any
other (role, If-Match, the outcome in the answer); a refusal names the field and writes
nothing."""

from tests.web import WebClinic

PFT = {"kind": "pft", "fvc_pct": 70, "dlco_pct": 60, "on": "2026-10-10"}


def test_an_entry_is_corrected_then_its_correction_entered_in_error(clinic: WebClinic) -> None:
    with clinic.client("coordinator") as anna:
        written = anna.post("/api/patients/P-001/observations", json=PFT)
        assert written.status_code == 201, written.text
        wrong = f"obs{written.json()['id']}"

        fixed = anna.post(
            f"/api/patients/P-001/entries/{wrong}/correction",
            json={"values": {"fvc_pct": 67}, "reason": "read from the wrong line"},
            headers={"If-Match": written.headers["etag"]},
        )
        assert fixed.status_code == 201, fixed.text
        new = fixed.json()["entry"]
        assert fixed.json()["id"] == int(new[3:])
        assert new != wrong

        again = anna.post(
            f"/api/patients/P-001/entries/{wrong}/entered-in-error", json={"reason": "twice"}
        )
        assert again.status_code == 422, again.text
        assert again.json()["field"] == "entry_id"

        blank = anna.post(
            f"/api/patients/P-001/entries/{new}/entered-in-error", json={"reason": " "}
        )
        assert blank.status_code == 422 and blank.json()["field"] == "reason"

        gone = anna.post(
            f"/api/patients/P-001/entries/{new}/entered-in-error",
            json={"reason": "test not done"},
        )
        assert gone.status_code == 201, gone.text
        assert gone.json()["retracted"] == new

        page = anna.get("/api/patients/P-001").json()
        taken_back = [e for e in page["timeline"] if e["retracted"]]
        assert [e["entry"] for e in taken_back] == [wrong, new]
        assert [e["retracted"].split(" on ")[0] for e in taken_back] == [
            f"corrected (by {new})",
            "entered in error",
        ]


def test_an_auditor_may_not_correct(clinic: WebClinic) -> None:
    with clinic.client("auditor") as viewer:
        refused = viewer.post(
            "/api/patients/P-001/entries/obs1/entered-in-error", json={"reason": "no"}
        )
    assert refused.status_code == 403
