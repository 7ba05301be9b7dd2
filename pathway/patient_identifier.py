"""The one rule for a patient's id, whichever way it comes in: the API, the command line, the
dashboard's enrolment form, a FHIR import, an enrolment file or a bulk import.

An id that only looks like another (``DEMO-0001`` with a Cyrillic E, U+0415; a trailing
space; a Unicode hyphen; a zero-width space; a right-to-left override that shows
``PAT-\\u202e1000-TED`` as ``PAT-DET-0001``) would enrol a second patient the board and the
reminders show as the first: results recorded against one are missing from the other. So an
id is

- read in Unicode NFC, so that one id typed on two keyboards (``é`` as one code point, or
  ``e`` and a combining accent) is one id;
- refused with a space at either end, or with a control or format character anywhere;
- refused with a ``/`` (the id names the patient in a web address) or beyond 64 characters;
- made of the allowed characters only: ASCII letters, digits, ``.``, ``_`` and ``-`` unless
  the clinic sets its own pattern (``ILDPATH_PATIENT_ID_PATTERN``). ASCII by default because
  a Cyrillic E (U+0415) *is* a letter, and exactly the look-alike; a clinic whose ids are
  written in another script widens the pattern knowingly;
- unique whatever the case: `folded_id` is what two ids are compared by, so ``demo-0001`` is
  refused while ``DEMO-0001`` is enrolled.

Every refusal is an `InvalidValue` naming the field as the caller's channel calls it, the
rule broken, the character at fault and the characters allowed.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from .errors import InvalidValue

__all__ = [
    "DEFAULT_PATTERN",
    "MAX_LENGTH",
    "PatientIdRule",
    "folded_id",
    "pattern_problem",
]

DEFAULT_PATTERN = r"[A-Za-z0-9._-]+"
"""ASCII letters, digits, ``.``, ``_`` and ``-``: what ``ILDPATH_PATIENT_ID_PATTERN`` is
unless a clinic sets it."""

_DEFAULT_WORDS = "ASCII letters A-Z and a-z, digits 0-9, '.', '_' and '-'"

MAX_LENGTH = 64
"""The longest id (the database column's width)."""

_CLASS_REPEATED = re.compile(r"\^?(\[(?:\\.|[^\]\\])+\])(?:[+*]|\{\d*,?\d*\})\$?")
"""A pattern that is one character class repeated (``[A-Za-z0-9._-]+``, ``^[\\w.-]{1,64}$``):
then each character is checked alone, and the first one outside is named."""


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def _one_character(pattern: str) -> re.Pattern[str] | None:
    found = _CLASS_REPEATED.fullmatch(pattern)
    return re.compile(found.group(1)) if found else None


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be the clinic's id pattern, or None: checked when the settings
    are read, so a mistyped pattern stops the start, not the first enrolment."""
    try:
        compiled = _compiled(pattern)
    except re.error as error:
        return f"not a regular expression ({error})"
    if compiled.fullmatch(""):
        return "it matches an empty id; require at least one character (e.g. end with +)"
    return None


def _character(char: str, index: int) -> str:
    name = unicodedata.name(char, "an unnamed character")
    return f"{name} (U+{ord(char):04X}) at position {index + 1}"


def folded_id(value: str) -> str:
    """What two ids are compared by: NFC, case folded (``DEMO-0001`` and ``demo-0001`` are
    one id; so are ``STRASSE`` and ``straße``). The database keeps it beside the id, unique."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).casefold())


@dataclass(frozen=True)
class PatientIdRule:
    """The rule with the clinic's pattern (``ILDPATH_PATIENT_ID_PATTERN``): a regular
    expression the whole id must match, after the checks every pattern shares."""

    pattern: str = DEFAULT_PATTERN

    @property
    def shape(self) -> str:
        """What the pattern allows, as a refusal says it after "an id"."""
        if self.pattern == DEFAULT_PATTERN:
            return f"of {_DEFAULT_WORDS}"
        setting = f"{self.pattern} (the clinic's ILDPATH_PATIENT_ID_PATTERN)"
        if _one_character(self.pattern) is not None:
            return f"of characters matching {setting}"
        return f"matching {setting}"

    def _refuse(self, field: str, value: object, rule: str) -> InvalidValue:
        """The refusal: the rule broken first, then what the pattern allows."""
        return InvalidValue(field, value, f"an id {rule}, {self.shape}")

    def check(self, value: object, field: str = "id") -> str:
        """The id in NFC, or the refusal naming ``field`` (as the caller's channel calls it:
        ``id``, ``patients[2].id``, the FHIR element …)."""
        if not isinstance(value, str):
            raise self._refuse(field, value, "written as text")
        text = unicodedata.normalize("NFC", value)
        if not text.strip():
            raise self._refuse(field, value, f"of 1 to {MAX_LENGTH} characters")
        if text != text.strip():
            at = 0 if text[0].isspace() else len(text) - 1
            raise self._refuse(
                field,
                value,
                f"with no space at the start or end (found {_character(text[at], at)})",
            )
        for index, char in enumerate(text):
            if unicodedata.category(char) in ("Cc", "Cf"):
                raise self._refuse(
                    field,
                    value,
                    "with no control or invisible Unicode format character (found "
                    f"{_character(char, index)})",
                )
            if unicodedata.category(char) == "Cs":  # JSON may carry "\ud800" alone
                raise self._refuse(
                    field, value, f"with no unpaired surrogate (found {_character(char, index)})"
                )
        if "/" in text:
            raise self._refuse(field, value, "without '/' (it names the patient in a URL)")
        if len(text) > MAX_LENGTH:
            raise self._refuse(field, value, f"of at most {MAX_LENGTH} characters")
        if _compiled(self.pattern).fullmatch(text) is None:
            raise InvalidValue(field, value, f"an id {self.shape}{self._found(text)}")
        return text

    def _found(self, text: str) -> str:
        """The first character outside the pattern, when the pattern is one class of
        characters (``[A-Za-z0-9._-]+``): `` only (found … at position 2)``."""
        one = _one_character(self.pattern)
        if one is not None:
            for index, char in enumerate(text):
                if one.fullmatch(char) is None:
                    return f" only (found {_character(char, index)})"
        return ""
