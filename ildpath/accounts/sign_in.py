"""Signing in with a password, throttled: the lock is read before the password is hashed, so
a guesser who is locked out costs the server one small read, no argon2."""

from dataclasses import dataclass

from ..bootstrap import App
from .throttle import count_failure, forget_failures, locked_for
from .users import Account, authenticate

__all__ = ["TooManyAttempts", "sign_in"]


@dataclass(frozen=True)
class TooManyAttempts:
    """Refused without checking the password: try again in ``seconds``."""

    seconds: int


def sign_in(
    app: App, username: str, password: str, address: str
) -> Account | TooManyAttempts | None:
    """The account, when the password is right and neither the account nor the client
    ``address`` is locked; `TooManyAttempts` while one is; None for a wrong username or
    password (counted against both)."""
    wait = locked_for(app, username, address)
    if wait:
        return TooManyAttempts(wait)
    account = authenticate(app, username, password)
    if account is None:
        count_failure(app, username, address)
        return None
    forget_failures(app, username)
    return account
