"""Printing a report's HTML on A4 pages with WeasyPrint, quietly.

WeasyPrint and the fontTools it subsets fonts with log at INFO and DEBUG for every document
(each font subset, each unsupported CSS property): under a server logging at INFO that is a
flood of lines nobody acts on. Their loggers are set to WARNING once, the first time a PDF is
laid out, so what they still say is worth reading.
"""

import logging
from functools import cache
from typing import Any

__all__ = ["QUIET_LOGGERS", "html_to_pdf", "lay_out"]

QUIET_LOGGERS = ("weasyprint", "fontTools")
"""Loggers kept at WARNING and above (their children, e.g. ``fontTools.subset``, inherit it)."""


@cache
def _quiet() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def lay_out(html: str) -> Any:
    """The report laid out on A4 pages (a ``weasyprint.Document``: the pages and their boxes),
    before it is written. WeasyPrint is imported here because it is slow to import and only
    PDFs need it; it is untyped, hence ``Any``."""
    _quiet()
    from weasyprint import HTML

    return HTML(string=html).render()


def html_to_pdf(html: str) -> bytes:
    """The report as a PDF.

    Its cost grows with the pages laid out, in time and in memory held until the document is
    written: a clinic's cohort, whose lists of alerts and transitions run to thousands of
    pages, takes minutes and gigabytes as a PDF where HTML, CSV or JSON take seconds."""
    pdf: bytes = lay_out(html).write_pdf()
    return pdf
