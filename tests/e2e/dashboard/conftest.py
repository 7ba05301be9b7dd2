"""Fixtures of the browser tests: one headless Chromium for the package, a fresh seeded clinic
served over HTTP for each test, and a tab that fails its test on a Content-Security-Policy
refusal."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.web import WebClinic, web_clinic

from .browsing import CHROMIUM_ARGS, VIEWPORT, Shots, chromium
from .clinic import TODAY, seed


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the package; each test opens its own context."""
    executable = chromium()
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[WebClinic]:
    with web_clinic(f"sqlite:///{tmp_path}/clinic.db", TODAY) as served:
        seed(served.app)
        yield served


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab; the test fails if the page broke the Content-Security-Policy (an inline style or
    script would be refused by the browser, and the page would not look or work as meant)."""
    opened = context.new_page()
    refused: list[str] = []
    opened.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield opened
    assert refused == []


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name.removeprefix("test_"))
