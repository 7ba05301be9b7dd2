"""What a new password must be: NIST SP 800-63B's password verifiers, no more.

Length is what resists guessing, so at least 12 characters and no composition rules (no
"a digit and a symbol": NIST says they make passwords harder to remember, not to guess). What
guessers try first is refused: one character repeated, the username, a password on the lists
of common and breached passwords, or one easily guessed from common passwords, words, names,
dates, keyboard rows and sequences. The lists and the estimate are zxcvbn's (Dropbox's
password strength estimator: 30,000 passwords from breaches, and frequency lists of words and
names), not a list typed here.

Checked when a password is set (an account added, a password changed): a password that
signs in already keeps working. The password itself never appears in a message.
"""

from collections.abc import Mapping

from zxcvbn import zxcvbn

from pathway.errors import ClinicalError, InvalidValue

__all__ = ["MIN_PASSWORD", "PASSWORD_RULES", "WeakPassword", "check_password"]

MIN_PASSWORD = 12
GUESSES_AT_LEAST = 10**8
"""zxcvbn's estimate of the guesses needed, below which a password is refused: its score 3,
"safely unguessable", the least that holds off a guesser who stole the argon2 hashes."""
_ANALYSED = 64
"""zxcvbn's matching grows with the square of the length (it refuses past 72 characters); a
longer password is judged on its start, where a guessable one shows anyway."""
_SERVICE_WORDS = ("ildpath", "ild", "pathway")

PASSWORD_RULES = (
    f"at least {MIN_PASSWORD} characters; not one character repeated, not containing the "
    "username, not a common, breached or easily guessed password (a few unrelated words make "
    "a good one)"
)
"""What a password may be, as every refusal says it."""

_KINDS = {
    "passwords": "a common password",
    "english_wikipedia": "common words",
    "us_tv_and_film": "common words",
    "female_names": "names",
    "male_names": "names",
    "surnames": "names",
    "user_inputs": "the username or the service's name",
    "spatial": "a keyboard pattern",
    "sequence": "a sequence like abc or 123",
    "repeat": "a repeated part",
    "date": "a date",
    "regex": "a year",
}
"""What zxcvbn's matches are, in words (never the matched part itself)."""


class WeakPassword(InvalidValue):
    """A password a guesser tries early; ``rule`` names which rule refused it."""

    def __init__(self, rule: str) -> None:
        self.field, self.value, self.allowed = "password", "(hidden)", PASSWORD_RULES
        self.rule = rule
        ClinicalError.__init__(
            self, f"password: '(hidden)' is not allowed: {rule}; allowed: {PASSWORD_RULES}"
        )


def _kind(match: Mapping[str, object]) -> str | None:
    pattern = str(match.get("pattern"))
    if pattern == "dictionary":
        return _KINDS.get(str(match.get("dictionary_name")))
    return _KINDS.get(pattern)


def _guessable(password: str, username: str) -> str | None:
    """Why zxcvbn finds ``password`` guessable, or None when it does not."""
    found = zxcvbn(password[:_ANALYSED], user_inputs=[username, *_SERVICE_WORDS])
    if float(found["guesses"]) >= GUESSES_AT_LEAST:
        return None
    parts = found["sequence"]
    whole = parts[0] if len(parts) == 1 else None
    if whole is not None and whole.get("dictionary_name") == "passwords":
        return "it is on a list of common and breached passwords"
    kinds = list(dict.fromkeys(kind for part in parts if (kind := _kind(part)) is not None))
    made_of = " and ".join(kinds) if kinds else "too few kinds of characters"
    return f"it is easily guessed, made of {made_of}"


def check_password(password: str, username: str) -> None:
    """Refuse a new password for ``username`` with the rule it breaks (`WeakPassword`; a short
    one as before, `InvalidValue`)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidValue("password", "(hidden)", f"at least {MIN_PASSWORD} characters")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in password):
        raise WeakPassword("it holds characters that are not text (unpaired surrogates)")
    if len(set(password)) == 1:
        raise WeakPassword("it is one character repeated")
    if username and username.casefold() in password.casefold():
        raise WeakPassword("it contains the username")
    why = _guessable(password, username)
    if why is not None:
        raise WeakPassword(why)
