"""The forged-credential benchmark (`python -m bench.token_check`, docs/sign-in.md)
runs from a checkout and reports every figure; here with few calls, so it cannot rot. The
figures themselves are read by a person, never asserted: timings depend on the machine."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_token_check_benchmark_reports_each_figure() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.token_check", "--calls", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert figures["calls"] == 20
    for name in (
        "forged_token_keyed_us",
        "right_token_keyed_us",
        "forged_token_argon2_us",
        "locked_sign_in_us",
    ):
        assert figures[name] > 0
