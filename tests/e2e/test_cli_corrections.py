"""Corrections from the command line (§11), in a real subprocess: a correction names the entry
replacing it; a refusal is one readable line, a non-zero exit code, and nothing written."""

import re
from datetime import date, timedelta
from pathlib import Path

from .cli import Terminal

TODAY = date.today()
ENROLLED = TODAY - timedelta(days=30)


def test_a_pft_is_corrected_then_entered_in_error(tmp_path: Path) -> None:
    shell = Terminal(tmp_path)
    shell.ok("init")
    shell.ok(
        "patient", "enrol", "--id", "PT-1", "--sex", "female", "--birth-date", "1968-03-02",
        "--enrolled-on", ENROLLED.isoformat(), "--diagnosis", "polymyositis",
        "--anti-mda5", "negative", "--anti-ars", "positive", "--ild-course", "progressive",
    )  # fmt: skip
    out = shell.ok("record", "pft", "PT-1", "--fvc", "70", "--dlco", "55", "--on", str(ENROLLED))
    found = re.search(r"\(#(\d+)\)", out)
    assert found is not None
    wrong = f"obs{found.group(1)}"

    out = shell.ok("record", "correct", "PT-1", wrong, "--set", "fvc_pct=66", "--reason", "typo")
    replaced = re.search(r"replaced by (obs\d+)", out)
    assert replaced is not None and replaced.group(1) != wrong

    refused = shell.run("record", "entered-in-error", "PT-1", wrong, "--reason", "again")
    assert refused.returncode != 0
    assert "entry_id" in refused.stdout + refused.stderr

    out = shell.ok("record", "entered-in-error", "PT-1", replaced.group(1), "--reason", "not done")
    assert "entered in error" in out
    page = shell.json("patient", "show", "PT-1")
    assert [e["entry"] for e in page["timeline"] if e["retracted"]] == [wrong, replaced.group(1)]
