"""The sending system of an import (``?source=`` on ``POST /fhir``, ``--source`` on
``ildpath fhir import``): passed to ``import_bundle(source=...)``, which keys what it imports
by it, so two sites' ``Observation/pft-1`` are two results (issue 19, identity).

An importer that does not take it yet refuses it (422 / exit 2) rather than ignore it:
ignoring it would import a second site's results as the first site's, the bug it prevents.
"""

import inspect
from typing import Any

from pathway.errors import InvalidValue

from .importing import import_bundle

__all__ = ["source_keywords"]


def source_keywords(source: str | None) -> dict[str, Any]:
    """The keyword arguments that give ``import_bundle`` the sending system: none without
    one."""
    if not source:
        return {}
    if "source" not in inspect.signature(import_bundle).parameters:
        raise InvalidValue(
            "source", source, "no sending system yet: this importer does not key imports by it"
        )
    return {"source": source}
