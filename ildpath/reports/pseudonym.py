"""Pseudonymised reports: for audit meetings and registries, where the patient's id must not
travel. Ids become keyed pseudonyms (HMAC-SHA-256), birth dates become the year, and the id
is replaced wherever it appears in free text.

With ``ILDPATH_PSEUDONYM_KEY`` set, the same patient gets the same pseudonym in every report
(linkable across reports by whoever holds the key); without it, a random key is drawn per
report, so two reports cannot be linked. Free text written by people (reasons,
justifications, HRCT findings) is kept because the audit needs it; it must not contain names.
"""

import hashlib
import hmac
import secrets
from typing import Any

__all__ = ["Pseudonymiser"]

_ID_KEYS = frozenset({"id", "patient"})
_DATE_KEYS = frozenset({"birth_date"})


class Pseudonymiser:
    def __init__(self, key: str | None = None) -> None:
        self._key = (key or secrets.token_hex(32)).encode()

    def pseudonym(self, patient_id: str) -> str:
        digest = hmac.new(self._key, patient_id.encode(), hashlib.sha256).hexdigest()
        return f"PSN-{digest[:12].upper()}"

    def _text(self, value: Any, real: str | None) -> Any:
        if real and isinstance(value, str) and real in value:
            return value.replace(real, self.pseudonym(real))
        return value

    def _row(self, row: dict[str, Any], real: str | None) -> dict[str, Any]:
        real = next((row[k] for k in _ID_KEYS if isinstance(row.get(k), str)), real)
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if key in _ID_KEYS and isinstance(value, str):
                clean[key] = self.pseudonym(value)
            elif key in _DATE_KEYS and value is not None:
                clean[key] = str(value)[:4]
            else:
                clean[key] = self.apply(value, real)
        return clean

    def apply(self, data: Any, real: str | None = None) -> Any:
        """The report data with every patient id pseudonymised (``real``: the id of the
        patient the surrounding row belongs to, for free text)."""
        if isinstance(data, dict):
            return self._row(data, real)
        if isinstance(data, list):
            return [self.apply(item, real) for item in data]
        return self._text(data, real)
