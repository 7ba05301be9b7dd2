"""Codes as people read them, for the dashboard's and the reports' templates: the label from
the one catalogue (`pathway.labels`) with the code beside it in small type.

``{{ "cmv_test" | label }}`` renders ``CMV test <code class="code">cmv_test</code>``; a code
of a known kind reads faster with it given (``{{ a.code | label("alert") }}``). Where markup
cannot go (an ``<option>``, an attribute) ``label_text`` gives the words alone. Markup
``format`` escapes the label and the code.
"""

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from pathway.labels import days, field_label, label

__all__ = ["install_wording", "labelled_html"]


def labelled_html(code: object, kind: str | None = None) -> Markup:
    """``<span class="label">CMV test</span> <code class="code">cmv_test</code>``; nothing for
    no code."""
    if code is None or code == "":
        return Markup("")
    return Markup('<span class="label">{}</span> <code class="code">{}</code>').format(
        label(code, kind), code
    )


def _label_text(code: object, kind: str | None = None) -> str:
    return label(code, kind)


def _days(n: int) -> str:
    return days(int(n))


def _field(name: str) -> str:
    return field_label(name)


def install_wording(env: Environment) -> Environment:
    """Register the filters ``label``, ``label_text``, ``field_label`` and ``days``."""
    filters: dict[str, Any] = {
        "label": labelled_html,
        "label_text": _label_text,
        "field_label": _field,
        "days": _days,
    }
    env.filters.update(filters)
    return env
