"""What every browser test does with a page: find Chromium, sign in, read the form's CSRF
token, check the page's structure, and keep a screenshot of each step."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.conftest import in_ci
from tests.web import PASSWORD, PEOPLE, WebClinic

VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DUPLICATE_IDS = """() => {
    const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
    return ids.filter((id, i) => ids.indexOf(id) !== i);
}"""
DANGLING_REFERENCES = """() => [
    ...document.querySelectorAll('[aria-describedby], [aria-labelledby]')
].flatMap(el => [el.getAttribute('aria-describedby'), el.getAttribute('aria-labelledby')])
    .filter(Boolean).flatMap(ids => ids.split(' '))
    .filter(id => !document.getElementById(id))"""


def chromium() -> str:
    """Debian's Chromium (Playwright never downloads a browser): skipped without it, except in
    CI, where a missing browser must fail rather than pass by skipping."""
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        message = "Chromium not installed (Debian: apt-get install chromium)"
        if in_ci():
            pytest.fail(f"{message}; CI=true: browser tests must not be skipped", pytrace=False)
        pytest.skip(message)
    return found


class Shots:
    """Full-page screenshots, numbered in the order taken: <test>-<nn>-<step>.png."""

    def __init__(self, test: str) -> None:
        root = Path(os.environ.get("ILDPATH_TEST_ARTIFACTS", "test-artifacts"))
        self.folder = root / "screenshots"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.test, self.count = test, 0

    def __call__(self, page: Page, step: str) -> None:
        self.count += 1
        path = self.folder / f"{self.test}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)


def sign_in(page: Page, clinic: WebClinic, role: str, wanted: str = "/") -> None:
    page.goto(clinic.url + wanted)
    page.get_by_label("Username").fill(PEOPLE[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {PEOPLE[role]}")).to_be_visible()


def csrf_token(page: Page) -> str:
    return str(page.locator("input[name=csrf_token]").first.get_attribute("value"))
