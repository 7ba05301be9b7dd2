"""Which patient a resource of a bundle is about: a Patient entry of the same bundle (by its
fullUrl, ``Patient/<id>`` or an absolute URL ending so), an identifier in ildpath's patient-id
system or one the sending system gave a patient imported before (an MRN), or a relative
``Patient/<id>`` of a patient already in ildpath. An absolute reference to a patient not in the
bundle is not followed: another system's ``Patient/1`` is not ildpath's patient ``1``."""

from collections.abc import Callable, Mapping
from typing import Any

from .events import subject_of
from .patients import PATIENT_ID_SYSTEM
from .values import Skip, reference_text

__all__ = ["reference_target", "subject"]


def reference_target(reference: Any, found: Mapping[str, Any]) -> Any | None:
    """What ``found`` (reference key -> value) holds for a Reference, by its full text or its
    ``Type/id`` tail (an absolute URL of the same resource)."""
    if reference is None or not reference.reference:
        return None
    key = str(reference.reference)
    tail = "/".join(key.split("/")[-2:])
    return found.get(key, found.get(tail))


def subject(
    resource: Any,
    patients: Mapping[str, str | Skip],
    by_identifier: Callable[[str, str], str | None],
) -> str:
    """ildpath's id of the patient a resource is about; raises `Skip` when it is not one of
    the bundle's patients or of ildpath's (or that patient was not imported)."""
    reference = subject_of(resource)
    found = reference_target(reference, patients)
    if isinstance(found, Skip):
        raise found
    if found is not None:
        return str(found)
    if reference is not None and reference.reference:
        text = str(reference.reference)
        if text.startswith("Patient/") and text.count("/") == 1:
            return text.removeprefix("Patient/")
    identifier = reference.identifier if reference is not None else None
    if identifier is not None and identifier.system and identifier.value:
        system, value = str(identifier.system), str(identifier.value)
        if system == PATIENT_ID_SYSTEM:
            return value
        known = by_identifier(system, value)
        if known is not None:
            return known
    raise Skip(
        "invalid",
        f"subject {reference_text(reference)}: not a Patient of this bundle or of ildpath",
    )
