"""The dashboard never redirects off the site after sign-in, and the line shown after a form
cannot be forged by a link someone else made."""

import pytest

from ildpath.web.access import local_path
from ildpath.web.flash import flash_query, read_flash


@pytest.mark.parametrize(
    "wanted",
    ["/", "/patients/P-1", "/tasks?from=2026-01-01&to=2026-02-01", "/patients/P%2F1"],
)
def test_a_local_path_is_kept(wanted: str) -> None:
    assert local_path(wanted) == wanted


@pytest.mark.parametrize(
    "wanted",
    [
        None,
        "",
        "patients",
        "//evil.example/x",
        "/\\evil.example",
        "/ok\\..\\evil",
        "https://evil.example/",
        "javascript:alert(1)",
        "/patients\r\nSet-Cookie: x=1",
        "/\tevil",
    ],
)
def test_anything_else_signs_in_to_the_cohort_board(wanted: str | None) -> None:
    assert local_path(wanted) == "/"


def _query(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split("&"))


def test_the_flash_reads_back_with_the_alerts_it_names() -> None:
    shown = read_flash("key", "P-1", _query(flash_query("key", "P-1", "pft", [12, 13])))
    assert shown is not None
    assert shown.message == "PFT recorded."
    assert shown.alert_ids == (12, 13)


@pytest.mark.parametrize(
    ("key", "patient", "change"),
    [
        ("another session", "P-1", {}),
        ("key", "P-2", {}),
        ("key", "P-1", {"done": "close"}),
        ("key", "P-1", {"alerts": "99"}),
        ("key", "P-1", {"done": "anything the link maker wants"}),
    ],
)
def test_a_forged_or_altered_flash_is_not_shown(
    key: str, patient: str, change: dict[str, str]
) -> None:
    query = {**_query(flash_query("key", "P-1", "pft", [12])), **change}
    assert read_flash(key, patient, query) is None
