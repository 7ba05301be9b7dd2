"""`ildpath pathway diagram` as a user runs it: a real subprocess, exit codes, one-line errors."""

import os
import subprocess
import sys
from pathlib import Path

from pathway.machine import STATES

ILDPATH = [sys.executable, "-m", "ildpath"]


def _run(*args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*ILDPATH, "pathway", "diagram", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        cwd=cwd,
    )


def test_png_is_written_to_the_out_file(tmp_path: Path) -> None:
    out = tmp_path / "x.png"

    done = _run("--format", "png", "--out", str(out))

    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "wrote png diagram of pathway" in done.stdout


def test_mermaid_goes_to_stdout_naming_every_state(tmp_path: Path) -> None:
    done = _run("--format", "mermaid", cwd=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "stateDiagram-v2" in done.stdout
    assert all(state in done.stdout for state in STATES)
    assert not list(tmp_path.iterdir())  # no database, no file


def test_an_unknown_format_exits_2_with_one_line_naming_format_and_the_allowed_values() -> None:
    done = _run("--format", "bogus")

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "format" in lines[0] and "svg, png, mermaid" in lines[0]


def test_png_without_out_is_refused_asking_for_out() -> None:
    done = _run("--format", "png")

    assert done.returncode == 2
    assert "--out" in done.stderr
    assert done.stdout == ""
