"""Passwords per NIST SP 800-63B: at least 12 characters, and not what a guesser tries first
(one character repeated, the username, a common or breached password, one made of common
words, keyboard rows or sequences), each refused naming the field and its rule, writing
nothing; no composition rules; a password that signs in already keeps working."""

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from ildpath.accounts import WeakPassword, add_user, authenticate, set_password
from ildpath.bootstrap import App
from pathway.errors import InvalidValue
from persistence.account_chain import AccountEventRow

from .apps import clinic

DAY = date(2026, 3, 2)
GOOD = "Ossigeno-Alto-2026"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        add_user(app, "anna.rossi", "admin", GOOD, by="system")
        yield app


def _events(app: App) -> int:
    with app.transaction() as session:
        return session.exec(select(func.count()).select_from(AccountEventRow)).one()


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("password1234", "it is on a list of common and breached passwords"),
        ("1q2w3e4r5t6y", "it is on a list of common and breached passwords"),
        ("aaaaaaaaaaaa", "it is one character repeated"),
        (" " * 12, "it is one character repeated"),
        ("qwertyuiop12", "it is easily guessed, made of a common password and a sequence"),
        ("zxcvbnm,./12", "it is easily guessed, made of a keyboard pattern"),
        ("abcdefghijklmnop", "it is easily guessed, made of a sequence"),
        ("Jennifer1985!", "it is easily guessed, made of names"),
        ("football2024", "it is easily guessed, made of a common password and a date"),
        ("ben.bianchi-2026", "it contains the username"),
        ("xxBEN.BIANCHIxx", "it contains the username"),
    ],
)
def test_a_guessable_password_is_refused_with_its_rule_and_nothing_is_written(
    app: App, password: str, rule: str
) -> None:
    before = _events(app)
    with pytest.raises(WeakPassword) as refused:
        add_user(app, "ben.bianchi", "clinician", password, by="anna.rossi")
    message = str(refused.value)
    assert refused.value.field == "password" and message.startswith("password: ")
    assert rule in message and rule in refused.value.rule
    assert "at least 12 characters" in message  # what is allowed, too
    assert password.strip() not in message or not password.strip()
    with pytest.raises(WeakPassword, match=rule.split(",")[0]):
        set_password(
            app,
            "anna.rossi",
            re.sub("ben.bianchi", "anna.rossi", password, flags=re.I),
            by="system",
        )
    assert _events(app) == before
    assert authenticate(app, "ben.bianchi", password) is None
    assert authenticate(app, "anna.rossi", GOOD) is not None


def test_a_password_that_is_not_text_is_refused_not_a_server_error(app: App) -> None:
    broken = "\ud800 correct horse battery"  # an unpaired surrogate, as JSON can carry
    with pytest.raises(WeakPassword, match="not text"):
        add_user(app, "ben", "clinician", broken, by="anna.rossi")
    assert authenticate(app, "anna.rossi", broken) is None


def test_a_short_password_is_refused_as_before(app: App) -> None:
    with pytest.raises(InvalidValue, match="allowed: at least 12 characters"):
        add_user(app, "ben", "clinician", "Xq7#kP9!", by="anna.rossi")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # a few unrelated words: long, not guessable
        "Pneumologia1",  # no symbol, no capital needed: no composition rules
        "ossigeno alto duemilaventisei",
        "zq8-fw2-lm4-p",
    ],
)
def test_a_long_unguessable_password_is_taken_whatever_its_characters(
    app: App, password: str
) -> None:
    add_user(app, "ben", "clinician", password, by="anna.rossi")
    assert authenticate(app, "ben", password) is not None


def test_a_passphrase_past_64_characters_is_taken_whole_and_checked_exactly(app: App) -> None:
    passphrase = "umbrella quartz ferry mosaic thimble glacier piano ostrich lantern cobalt meadow"
    assert len(passphrase) > 64
    add_user(app, "ben", "clinician", passphrase, by="anna.rossi")
    assert authenticate(app, "ben", passphrase) is not None
    assert authenticate(app, "ben", passphrase[:64]) is None
    assert authenticate(app, "ben", passphrase.upper()) is None
    assert authenticate(app, "ben", passphrase + " ") is None
