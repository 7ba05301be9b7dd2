"""Revision 2's observations from the command line (§11), in a real subprocess: laboratory
results (one entry per analyte), resting SpO2, a six-minute walk and CMV loads in copies/mL or
below a limit; a refusal is one readable line naming the field, exit 2, and nothing written."""

from datetime import date, timedelta
from pathlib import Path

from .cli import Terminal

TODAY = date.today()
ENROLLED = TODAY - timedelta(days=30)


def _enrolled(tmp_path: Path) -> Terminal:
    shell = Terminal(tmp_path)
    shell.ok("init")
    shell.ok(
        "patient", "enrol", "--id", "PT-1", "--sex", "female", "--birth-date", "1968-03-02",
        "--enrolled-on", ENROLLED.isoformat(), "--diagnosis", "dermatomyositis",
        "--anti-mda5", "positive", "--anti-ars", "negative", "--ild-course",
        "rapidly_progressive",
    )  # fmt: skip
    return shell


def test_new_observations_are_recorded_and_shown_with_their_units(tmp_path: Path) -> None:
    shell = _enrolled(tmp_path)
    on = ("--on", str(ENROLLED + timedelta(days=1)))

    out = shell.ok("record", "lab", "PT-1", "--ferritin", "1800", "--kl6", "1200", *on)
    assert "recorded laboratory results (#1, #2)" in out
    shell.ok("record", "spo2", "PT-1", "91", *on)
    shell.ok("record", "six-minute-walk", "PT-1", "--metres", "320", "--nadir-spo2", "86", *on)
    shell.ok("record", "cmv", "PT-1", "--iu-per-ml", "35", "--comparator", "<", *on)
    shell.ok("record", "cmv", "PT-1", "--copies-per-ml", "500", *on)

    page = shell.json("patient", "show", "PT-1")
    said = [e["text"] for e in page["timeline"] if e["category"] == "observation"]
    assert said == [
        "Ferritin: 1800 ng/mL",
        "KL-6: 1200 U/mL",
        "SpO2 at rest: 91%",
        "Six-minute walk: 320 m, nadir SpO2 86%",
        "CMV DNA: < 35 IU/mL",
        "CMV DNA: 500 copies/mL",
    ]
    assert [r["text"] for r in page["results"]] == said


def test_a_wrong_observation_is_one_line_exit_2_and_nothing_written(tmp_path: Path) -> None:
    shell = _enrolled(tmp_path)
    before = shell.json("patient", "show", "PT-1")["timeline"]

    for args, field in (
        (("lab", "PT-1", "--kl6", "60000"), "kl6"),
        (("spo2", "PT-1", "40"), "spo2"),
        (("cmv", "PT-1", "--iu-per-ml", "35", "--copies-per-ml", "35"), "cmv.copies_per_ml"),
        (("cmv", "PT-1", "--iu-per-ml", "35", "--comparator", "about"), "comparator"),
        (("lab", "PT-1"), "lab"),
    ):
        refused = shell.run("record", *args)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert field in refused.stderr + refused.stdout

    assert shell.json("patient", "show", "PT-1")["timeline"] == before
