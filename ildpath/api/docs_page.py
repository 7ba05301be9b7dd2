"""The interactive API documentation at /docs, served wholly from this origin.

FastAPI's own /docs page loads Swagger UI from a CDN and starts it with an inline script;
the site's Content-Security-Policy (``script-src 'self'``, no inline script) rightly blocks
both, and a hospital network may not reach the CDN at all. So the Swagger UI 5 files (5 reads
the OpenAPI 3.1 FastAPI writes; 4 does not) come from the ``fastapi-offline`` package installed
beside ildpath, which ships them, and the few lines that start Swagger UI are a file of ours:
the policy stays strict and the page works offline.
"""

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_api_docs"]

_ASSETS = "/docs/assets"
_OURS = "/docs/start"
_STARTER = Path(__file__).parent / "docs_assets"
_SWAGGER_UI = Path(str(files("fastapi_offline") / "static"))


def _page(title: str, banner: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(title)} API</title>
  <link rel="stylesheet" href="{_ASSETS}/swagger-ui.css">
  <link rel="stylesheet" href="{_OURS}/docs.css">
</head>
<body>
  <p class="banner" role="note">{escape(banner)}</p>
  <div id="swagger-ui" data-openapi="/openapi.json"></div>
  <script src="{_ASSETS}/swagger-ui-bundle.js"></script>
  <script src="{_OURS}/start-docs.js"></script>
</body>
</html>
"""


def install_api_docs(api: FastAPI, banner: str) -> None:
    """Add /docs (built with ``docs_url=None`` so FastAPI's CDN page is not there too)."""
    html = _page(api.title, banner)

    @api.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(html)

    api.mount(_ASSETS, StaticFiles(directory=_SWAGGER_UI), name="swagger-ui")
    api.mount(_OURS, StaticFiles(directory=_STARTER), name="docs-start")
