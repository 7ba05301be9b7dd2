"""Reading a Bundle: JSON in, its entries out, each resource validated on its own by
``fhir.resources`` (R4B, FHIR 4.3.0, wire-compatible with R4 for what ildpath reads).

The envelope (``resourceType``, ``type``, ``entry``) must be a Bundle of a type ildpath takes,
else the whole bundle is refused naming the field. Each resource is then validated alone, so
one entry ildpath cannot read (a resource type of R4 that R4B dropped, such as
``MedicinalProduct``, or an invalid resource) is reported on its own line instead of refusing
the bundle; whether an invalid entry fails the whole bundle is the importer's decision (a
``transaction`` is all or nothing).
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

__all__ = ["ACCEPTED_TYPES", "Entry", "ParsedBundle", "parse_bundle"]

ACCEPTED_TYPES = ("transaction", "batch", "collection", "searchset")
"""A transaction is written all or nothing; a batch, a collection (an export) and a searchset
(what an EHR's search answers, e.g. Epic's) entry by entry. Other types (history, document,
message, the response types) are refused."""


@dataclass(frozen=True)
class Entry:
    """One entry of the bundle: its position, fullUrl, the validated resource (None when it
    could not be read: ``problem`` says why), and the JSON it came as (hashed to notice a
    resource that changed since it was imported)."""

    index: int
    full_url: str | None
    resource: Any
    raw: Mapping[str, Any]
    problem: str = ""
    search_mode: str | None = None
    problem_status: str = "invalid"
    """The report's status of an entry with a problem: ``not_imported`` for a resource type
    FHIR R4B does not have (nothing to read), ``invalid`` for one that is not valid FHIR."""

    @property
    def type(self) -> str:
        if self.resource is not None:
            return str(self.resource.get_resource_type())
        kind = self.raw.get("resourceType")
        return kind if isinstance(kind, str) and kind else "Entry"

    @property
    def label(self) -> str:
        """How the report names it: ``Observation/fvc-1``, else by its first identifier's
        value, else by its position."""
        rid = getattr(self.resource, "id", None) or (
            self.raw.get("id") if self.resource is None else None
        )
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
        """Who this resource is in its sending system: ``Type|system|value`` of its first
        identifier, else its absolute fullUrl, else ``Type/id``, else a ``urn:`` fullUrl.
        None when it has none of them (it cannot be imported idempotently). The ledger keys it
        further by source and patient (``ledger.keyed``)."""
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


@dataclass(frozen=True)
class ParsedBundle:
    """The bundle's type, the sending system it names (``meta.source``) and its entries."""

    type: str
    source: str | None
    entries: list[Entry]


def _loaded(data: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise InvalidValue("bundle", str(error)[:120], "a FHIR Bundle in JSON") from None
    if not isinstance(data, Mapping):
        raise InvalidValue("bundle", type(data).__name__, "a JSON object (a FHIR Bundle)")
    return data


def _path(prefix: str, loc: tuple[Any, ...]) -> str:
    """``('entry', 0, 'resource', 'code')`` -> ``Bundle.entry[0].resource.code``."""
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _first_error(error: ValidationError, prefix: str) -> tuple[str, str, str]:
    first = error.errors()[0]
    shown = "missing" if first["type"] == "missing" else str(first.get("input"))[:80]
    message = " ".join(first["msg"].replace("\n", " ").split())
    return _path(prefix, tuple(first["loc"])), shown, message


def _validated(model: Any, data: Mapping[str, Any], prefix: str) -> Any:
    """``data`` as ``model``; raises InvalidValue naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        path, shown, message = _first_error(error, prefix)
        raise InvalidValue(path, shown, f"valid FHIR R4B ({message})") from None
    except Exception as error:  # fhir.resources raises more than ValidationError on odd input
        raise InvalidValue(prefix, type(error).__name__, f"valid FHIR R4B ({error})") from None


def _envelope(data: Mapping[str, Any]) -> Bundle:
    if data.get("resourceType") != "Bundle":
        raise InvalidValue("resourceType", data.get("resourceType"), "Bundle")
    if data.get("type") not in ACCEPTED_TYPES:
        raise InvalidValue("Bundle.type", data.get("type"), ", ".join(ACCEPTED_TYPES))
    entries = data.get("entry")
    if entries is not None and not isinstance(entries, list):
        raise InvalidValue("Bundle.entry", type(entries).__name__, "a list of entries")
    shell = dict(data)
    shell["entry"] = [
        {k: v for k, v in e.items() if k != "resource"} if isinstance(e, Mapping) else e
        for e in entries or []
    ] or None
    if shell["entry"] is None:
        del shell["entry"]
    bundle: Bundle = _validated(Bundle, shell, "Bundle")
    return bundle


def _entry(index: int, envelope: Any, raw: Any) -> Entry:
    """One entry with its resource validated alone: an unknown or invalid resource is kept
    with its problem, so the report can say what became of it."""
    full_url = getattr(envelope, "fullUrl", None)
    search = getattr(envelope, "search", None)
    mode = str(search.mode) if search is not None and search.mode else None
    resource = raw.get("resource") if isinstance(raw, Mapping) else None
    if resource is None:
        return Entry(index, full_url, None, {}, "entry without a resource", mode)
    if not isinstance(resource, Mapping):
        return Entry(index, full_url, None, {}, "resource is not a JSON object", mode)
    kind = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (ValueError, KeyError):
        why = f"{kind!r} is not a resource type of FHIR R4B: not read"
        return Entry(index, full_url, None, resource, why, mode, "not_imported")
    try:
        validated = _validated(model, resource, f"Bundle.entry[{index}].resource")
    except InvalidValue as error:
        return Entry(index, full_url, None, resource, str(error), mode)
    return Entry(index, full_url, validated, resource, "", mode)


def parse_bundle(data: bytes | str | Mapping[str, Any]) -> ParsedBundle:
    """The bundle's entries, each resource validated against FHIR R4B; refuses the bundle
    whole, naming the first wrong field, if it is not JSON, not a Bundle, of a type ildpath
    does not take, or its envelope is not valid FHIR."""
    loaded = _loaded(data)
    bundle = _envelope(loaded)
    raw_entries = loaded.get("entry") or []
    entries = [
        _entry(index, envelope, raw_entries[index])
        for index, envelope in enumerate(bundle.entry or [])
    ]
    meta = loaded.get("meta")
    source = meta.get("source") if isinstance(meta, Mapping) else None
    return ParsedBundle(str(bundle.type), source if isinstance(source, str) else None, entries)
