"""What a forged credential costs the server (issue 22): an API token with a real id and a
made-up secret, checked against the keyed digest (HMAC-SHA-256) as tokens are stored now and
against argon2 as they were; and a sign-in refused while its account is locked (no argon2).

The figures are medians of whole calls (``account_for_token``, ``sign_in``: the database read
included), on a SQLite file in a folder of its own, with an audit key of its own (nothing is
written to the user's configuration).

    python -m bench.token_check                 # prints the figures as JSON
    python -m bench.token_check --calls 200
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ildpath.accounts import (
    TooManyAttempts,
    account_for_token,
    add_user,
    issue_token,
    sign_in,
)
from ildpath.accounts.hashing import hash_secret, verify_secret
from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings

__all__ = ["main", "measure"]

PASSWORD = "bench-pages-synthetic-password"


def _median_us(call: Callable[[], object], times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return round(statistics.median(spent) * 1e6, 1)


def measure(folder: Path, calls: int = 2000, slow_calls: int = 5) -> dict[str, Any]:
    """The median microseconds of each check; ``slow_calls`` argon2 ones (each ~0.1 s)."""
    settings = Settings(
        database_url=f"sqlite:///{folder}/tokens.db", audit_key_file=folder / "audit.key"
    )
    app = bootstrap(settings, SimulatedClock(date(2026, 12, 8)))
    try:
        add_user(app, "bench-user", "clinician", PASSWORD, by="system")
        token = issue_token(app, "bench-user", "bench", by="system")
        token_id = token.split("_")[1]
        forged = f"ildp_{token_id}_" + "A" * 43
        assert account_for_token(app, token) is not None
        assert account_for_token(app, forged) is None
        old_hash = hash_secret(token)
        for _ in range(5):
            sign_in(app, "bench-user", "not-the-password", "192.0.2.1")
        locked = sign_in(app, "bench-user", PASSWORD, "192.0.2.1")
        assert isinstance(locked, TooManyAttempts)
        return {
            "calls": calls,
            "forged_token_keyed_us": _median_us(lambda: account_for_token(app, forged), calls),
            "right_token_keyed_us": _median_us(lambda: account_for_token(app, token), calls),
            "forged_token_argon2_us": _median_us(
                lambda: verify_secret(old_hash, forged), slow_calls
            ),
            "locked_sign_in_us": _median_us(
                lambda: sign_in(app, "bench-user", PASSWORD, "192.0.2.1"), calls
            ),
        }
    finally:
        app.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="Calls per fast measure.")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ildpath-bench-tokens-") as folder:
        figures = measure(Path(folder), options.calls)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
