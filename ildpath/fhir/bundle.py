"""Reading a Bundle: JSON in, a Bundle validated by ``fhir.resources`` (R4B, FHIR 4.3.0) out,
or one refusal naming where it is wrong.

The whole bundle is validated before anything is imported: a bundle that is not valid FHIR is
refused entirely, so a half-understood file never writes half a course. What is valid FHIR but
not what the engine reads is then reported resource by resource (``importing``).
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from pathway.errors import InvalidValue

__all__ = ["ACCEPTED_TYPES", "Entry", "bundle_entries", "parse_bundle"]

ACCEPTED_TYPES = ("transaction", "collection")
"""A transaction carries what a sender wants written; a collection is a plain set (an export).
Other bundle types (searchset, history, document, message …) are refused."""


@dataclass(frozen=True)
class Entry:
    """One entry of the bundle: its position, fullUrl, the validated resource, and the JSON it
    came as (hashed to notice a resource that changed since it was imported)."""

    index: int
    full_url: str | None
    resource: Any
    raw: Mapping[str, Any]

    @property
    def type(self) -> str:
        return "Entry" if self.resource is None else str(self.resource.get_resource_type())

    @property
    def label(self) -> str:
        """How the report names it: ``Observation/fvc-1``, else by its first identifier's
        value, else by its position."""
        rid = getattr(self.resource, "id", None)
        if rid:
            return f"{self.type}/{rid}"
        for identifier in getattr(self.resource, "identifier", None) or []:
            if identifier.value:
                return f"{self.type} {identifier.value}"
        return f"{self.type} (entry {self.index})"

    def reference_keys(self) -> set[str]:
        """The references by which other entries of the bundle may point at this one."""
        keys = set()
        if self.full_url:
            keys.add(self.full_url)
        rid = getattr(self.resource, "id", None)
        if rid:
            keys.add(f"{self.type}/{rid}")
        return keys

    def identity(self) -> str | None:
        """Who this resource is, whatever bundle carries it: ``Type|system|value`` of its
        first identifier, else its absolute fullUrl, else ``Type/id``, else a ``urn:``
        fullUrl. None when it has none of them (it cannot be imported idempotently)."""
        for identifier in getattr(self.resource, "identifier", None) or []:
            if identifier.system and identifier.value:
                return f"{self.type}|{identifier.system}|{identifier.value}"
        if self.full_url and not self.full_url.startswith("urn:"):
            return f"{self.type}|url|{self.full_url}"
        rid = getattr(self.resource, "id", None)
        if rid:
            return f"{self.type}|id|{rid}"
        if self.full_url:
            return f"{self.type}|urn|{self.full_url}"
        return None

    def digest(self) -> str:
        """The hash of the resource's content, ``meta`` and narrative left out."""
        content = {k: v for k, v in self.raw.items() if k not in ("meta", "text")}
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _loaded(data: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise InvalidValue("bundle", str(error)[:120], "a FHIR Bundle in JSON") from None
    if not isinstance(data, Mapping):
        raise InvalidValue("bundle", type(data).__name__, "a JSON object (a FHIR Bundle)")
    return data


def _path(loc: tuple[Any, ...]) -> str:
    """``('entry', 0, 'resource', 'code')`` -> ``Bundle.entry[0].resource.code``."""
    path = "Bundle"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _check_envelope(data: Mapping[str, Any]) -> None:
    if data.get("resourceType") != "Bundle":
        raise InvalidValue("resourceType", data.get("resourceType"), "Bundle")
    if data.get("type") not in ACCEPTED_TYPES:
        raise InvalidValue("Bundle.type", data.get("type"), ", ".join(ACCEPTED_TYPES))
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping):
            continue
        kind = resource.get("resourceType")
        try:
            get_fhir_model_class(str(kind))
        except (ValueError, KeyError):
            raise InvalidValue(
                f"Bundle.entry[{index}].resource.resourceType", kind, "a FHIR R4B resource type"
            ) from None


def parse_bundle(data: bytes | str | Mapping[str, Any]) -> tuple[Bundle, Mapping[str, Any]]:
    """The bundle validated against FHIR R4B, with its JSON; refuses it whole, naming the
    first wrong field, if it is not JSON, not a Bundle, of another type, or not valid FHIR."""
    loaded = _loaded(data)
    _check_envelope(loaded)
    try:
        bundle = Bundle.model_validate(loaded)
    except ValidationError as error:
        first = error.errors()[0]
        shown = "missing" if first["type"] == "missing" else str(first.get("input"))[:80]
        message = first["msg"].replace("\n", " ")
        raise InvalidValue(
            _path(tuple(first["loc"])), shown, f"valid FHIR R4B ({' '.join(message.split())})"
        ) from None
    except Exception as error:  # fhir.resources raises more than ValidationError on odd input
        raise InvalidValue("Bundle", type(error).__name__, f"valid FHIR R4B ({error})") from None
    return bundle, loaded


def bundle_entries(bundle: Bundle, loaded: Mapping[str, Any]) -> list[Entry]:
    """The bundle's entries with their resources (an entry without one is kept, resource
    None, so the report can name it)."""
    raw_entries = loaded.get("entry") or []
    entries = []
    for index, entry in enumerate(bundle.entry or []):
        raw = raw_entries[index].get("resource") or {}
        entries.append(Entry(index, entry.fullUrl, entry.resource, raw))
    return entries
