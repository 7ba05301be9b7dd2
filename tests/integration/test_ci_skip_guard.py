"""With CI=true, a run with any skipped test exits non-zero (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SKIPPING_TESTS = """
import pytest

def test_passes():
    pass

def test_skipped():
    pytest.skip("no frobnicator installed")

@pytest.mark.xfail(reason="known bug")
def test_xfails():
    assert False
"""

PASSING_TESTS = """
def test_passes():
    pass
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytest project in a temp dir whose conftest is this project's."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    return pytester


def test_ci_fails_a_run_with_skips(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    inner.makepyfile(SKIPPING_TESTS)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*CI=true: skipped tests count as failures*",
            "SKIPPED *::test_skipped: Skipped: no frobnicator installed",
            "1 skipped: CI must run every test*",
        ]
    )
    assert "test_xfails" not in result.stdout.str().split("count as failures")[1]


def test_ci_fails_a_run_with_skips_in_parallel_workers(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite runs in two workers (pytest-xdist): a skip in a worker fails the run too."""
    monkeypatch.setenv("CI", "true")
    inner.makepyfile(test_one=SKIPPING_TESTS, test_two=PASSING_TESTS)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*CI=true: skipped tests count as failures*",
            "1 skipped: CI must run every test*",
        ]
    )


def test_ci_passes_a_run_without_skips(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    inner.makepyfile(PASSING_TESTS)
    assert inner.runpytest_subprocess("-p", "no:cacheprovider").ret == pytest.ExitCode.OK


def test_skips_are_fine_outside_ci(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    inner.makepyfile(SKIPPING_TESTS)
    assert inner.runpytest_subprocess("-p", "no:cacheprovider").ret == pytest.ExitCode.OK


def test_ci_fails_instead_of_skipping_without_postgres(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No server URL and no binaries to be found: with CI=true the postgres
    # variant errors (not skips); without CI it is skipped.
    monkeypatch.delenv("ILDPATH_TEST_POSTGRES_URL", raising=False)
    inner.makepyfile(
        """
        import tests.conftest

        def test_db(database_url):
            pass
        """
    )
    inner.makeconftest(
        "from tests.conftest import *  # noqa: F403\n"
        "import tests.conftest\n"
        "tests.conftest.find_bindir = lambda: None\n"
    )
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*PostgreSQL not available*CI=true*"])

    monkeypatch.delenv("CI")
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == pytest.ExitCode.OK
