"""Reading what a person typed into a dashboard form: text, numbers, dates, the page's
version. A value that cannot be read is refused like a wrong value anywhere else
(`InvalidValue`, naming the field), before any use case runs."""

import math
from datetime import date
from typing import Any

from starlette.datastructures import ImmutableMultiDict

from pathway.date_bounds import read_day
from pathway.errors import InvalidValue

__all__ = ["day", "number", "page_number", "text", "typed", "version"]


def text(form: ImmutableMultiDict[str, Any], name: str) -> str | None:
    """The field stripped; None when missing or blank."""
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def number(form: ImmutableMultiDict[str, Any], name: str) -> float | None:
    """A decimal number (a comma is read as the decimal mark); None when left empty."""
    value = text(form, name)
    if value is None:
        return None
    try:
        parsed = float(value.replace(",", "."))
    except ValueError:
        raise InvalidValue(name, value, "a number, e.g. 72.5") from None
    if not math.isfinite(parsed):
        raise InvalidValue(name, value, "a number, e.g. 72.5")
    return parsed


def day(form: ImmutableMultiDict[str, Any], name: str, default: date) -> date:
    """A date YYYY-MM-DD within the accepted range (`pathway.date_bounds`); ``default``
    (today) when left empty."""
    value = text(form, name)
    if value is None:
        return default
    return read_day(name, value)


def version(form: ImmutableMultiDict[str, Any]) -> int:
    """The patient's version when the page was drawn (the hidden ``version`` field)."""
    value = text(form, "version")
    if value is None or not value.isdigit():
        raise InvalidValue("version", value, "the page's version: reload the page")
    return int(value)


def typed(form: ImmutableMultiDict[str, Any]) -> dict[str, str]:
    """What was typed, to put back into the form when it is refused (never the token)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


PAGE_MAX = 100_000


def page_number(query: ImmutableMultiDict[str, Any]) -> int:
    """The list's page (``?page=``), 1 when not given."""
    value = text(query, "page")
    if value is None:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= PAGE_MAX:
        raise InvalidValue("page", value, f"a page number from 1 to {PAGE_MAX:,}")
    return int(value)
