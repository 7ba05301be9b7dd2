"""Sign-in throttling over real HTTP (uvicorn on 127.0.0.1): 200 wrong passwords in a row get
401 five times, then 429 with ``Retry-After`` and the form saying when to try again, even
for the right password; one address guessing across accounts is locked too, and a forged
``X-Forwarded-For`` does not get round it unless the settings trust that proxy. A weak
password sent to the API is 422 naming the field and the rule."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ildpath.accounts import add_user, issue_token
from ildpath.bootstrap import App, bootstrap
from ildpath.settings import Settings
from tests.web import serving

from .moving_clock import MovingClock

PASSWORD = "correct-horse-battery"


@contextmanager
def _served(url: str, **settings: object) -> Iterator[tuple[httpx.Client, App, MovingClock]]:
    clock = MovingClock()
    app = bootstrap(Settings(database_url=url, **settings), clock)  # type: ignore[arg-type]
    try:
        add_user(app, "anna", "clinician", PASSWORD, by="system")
        add_user(app, "admin-dan", "admin", PASSWORD, by="system")
        with serving(app) as base, httpx.Client(base_url=base, timeout=60) as client:
            yield client, app, clock
    finally:
        app.engine.dispose()


def _sign_in(client: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    return client.post("/login", data={"username": username, "password": password}, headers=headers)


def test_200_wrong_passwords_are_refused_with_429_and_retry_after_after_the_fifth(
    tmp_path,
) -> None:
    with _served(f"sqlite:///{tmp_path}/clinic.db") as (client, _, clock):
        answers = [_sign_in(client, "anna", f"guess-number-{n:04d}") for n in range(200)]
        assert [a.status_code for a in answers[:5]] == [401] * 5
        assert "Wrong username or password" in answers[4].text
        assert {a.status_code for a in answers[5:]} == {429}
        assert answers[5].headers["Retry-After"] == "1"
        assert "Too many attempts; try again in 1 second." in answers[5].text
        refused = _sign_in(client, "anna", PASSWORD)  # the right one: still not checked
        assert refused.status_code == 429 and "ildpath_session" not in refused.cookies
        clock.move_on(1)
        assert _sign_in(client, "anna", "one-more-guess").status_code == 401
        locked = _sign_in(client, "anna", PASSWORD)
        assert locked.status_code == 429 and locked.headers["Retry-After"] == "2"
        assert "try again in 2 seconds" in locked.text
        clock.move_on(2)
        signed_in = _sign_in(client, "anna", PASSWORD)
        assert signed_in.status_code == 303 and "ildpath_session" in signed_in.cookies


def test_one_address_guessing_across_accounts_is_locked_and_x_forwarded_for_is_not_believed(
    tmp_path,
) -> None:
    with _served(f"sqlite:///{tmp_path}/clinic.db") as (client, _, _clock):
        for n in range(20):  # one guess on each of twenty names: no account reaches five
            spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
            assert (
                _sign_in(client, f"user{n:02d}", "a-guessed-password", **spoofed).status_code == 401
            )
        locked = _sign_in(client, "anna", PASSWORD, **{"X-Forwarded-For": "192.0.2.99"})
        assert locked.status_code == 429 and locked.headers["Retry-After"] == "1"
        assert "Too many attempts" in locked.text


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/clinic.db"
    with _served(url, trusted_proxies="127.0.0.1", sign_in_failures_per_address=3) as (
        client,
        _,
        _clock,
    ):
        guesser = {"X-Forwarded-For": "203.0.113.7"}
        for name in ("ben", "cleo", "dora"):
            assert _sign_in(client, name, "a-guessed-password", **guesser).status_code == 401
        assert _sign_in(client, "anna", PASSWORD, **guesser).status_code == 429
        ward = {"X-Forwarded-For": "10.1.2.3"}
        assert _sign_in(client, "anna", PASSWORD, **ward).status_code == 303


def test_a_weak_password_sent_to_the_api_is_422_naming_the_field_and_the_rule(tmp_path) -> None:
    with _served(f"sqlite:///{tmp_path}/clinic.db") as (client, app, _):
        token = issue_token(app, "admin-dan", "tests", by="system")
        body = {"username": "ben", "role": "clinician", "password": "qwertyuiop12"}
        answer = client.post("/api/users", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 422
        problem = answer.json()
        assert problem["field"] == "password"
        assert "easily guessed, made of a common password and a sequence" in problem["detail"]
        assert "qwertyuiop12" not in answer.text
        assert "at least 12 characters" in problem["allowed"]
