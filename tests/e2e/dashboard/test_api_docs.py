"""The interactive API documentation at /docs: Swagger UI served from ildpath's own origin
(no CDN), started without inline script, under the same strict Content-Security-Policy as the
dashboard (the ``page`` fixture fails the test on any policy refusal)."""

from playwright.sync_api import Page, expect

from tests.web import WebClinic

from .browsing import Shots


def test_the_api_docs_list_the_operations_with_nothing_loaded_from_another_site(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if not r.url.startswith(clinic.url) else None,
    )
    page.goto(f"{clinic.url}/docs")
    expect(page.get_by_role("note")).to_contain_text("Decision support only")
    expect(page.locator(".opblock").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/patients" in paths and "/api/health" in paths
    expect(page.locator(".info .title")).to_contain_text("ildpath")
    shots(page, "operations")
    page.locator(".opblock-summary-path", has_text="/api/health").first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    shots(page, "health-opened")
    assert elsewhere == []
