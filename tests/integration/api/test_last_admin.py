"""The last active admin is never deactivated or demoted, over the API (409 problem
``urn:ildpath:problem:last-admin``) and in the dashboard (409, the message on the page).

Through the web, whoever asks is an active admin and may not change their own account, so
the last admin is reached when two admins deactivate each other at the same moment: both
requests are let in while the accounts chain's next event is held, then released together.
The accounts chain serialises the two (its unique seq; the loser runs again and reads the
admins afresh), so one of them is refused. On PostgreSQL, where requests truly overlap.
"""

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text

from ildpath.accounts import Account, add_user, issue_token, list_users, open_session
from ildpath.usecases.audit import verify_audit
from persistence.account_chain import account_chain_head
from tests.integration.tampering import as_owner_without_protection
from tests.web import PASSWORD, WebClinic, web_clinic

pytestmark = pytest.mark.writes_outside_the_writer  # the test holds the chain's next seq

Call = Callable[[], httpx.Response]


@pytest.fixture
def clinic(postgres_url: str) -> Iterator[WebClinic]:
    with web_clinic(postgres_url) as clinic:
        for name in ("admin-eve", "admin-fay"):
            add_user(clinic.app, name, "admin", PASSWORD, by="system")
        yield clinic


def _waiting(clinic: WebClinic) -> int:
    with clinic.app.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
        )


def _together(clinic: WebClinic, *calls: Call) -> list[httpx.Response]:
    """Run ``calls`` at once, each held at the accounts chain's next seq until all are."""
    engine = clinic.app.engine
    as_owner_without_protection(engine)
    answers: list[httpx.Response | None] = [None] * len(calls)
    with engine.connect() as holder:
        transaction = holder.begin()
        with clinic.app.transaction() as session:
            seq, _ = account_chain_head(session)
        holder.execute(
            text(
                "INSERT INTO account_event (seq, kind, actor, role, subject, payload, record, "
                "recorded_at, key_id, prev_hash, hash) VALUES (:seq, 'held', 'test', 'test', "
                "'-', '{}', '', :now, '', '', '')"
            ),
            {"seq": seq + 1, "now": datetime.now(UTC)},
        )

        def run(index: int) -> None:
            answers[index] = calls[index]()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _waiting(clinic) < len(calls) and time.monotonic() < deadline:
            time.sleep(0.05)
        transaction.rollback()
    for thread in threads:
        thread.join(60)
    return [answer for answer in answers if answer is not None]


def _active_admins(clinic: WebClinic) -> list[str]:
    return [u.username for u in list_users(clinic.app) if u.role == "admin" and u.active]


@pytest.mark.postgres
def test_two_admins_deactivating_each_other_over_the_api_leave_one(clinic: WebClinic) -> None:
    clinic.tokens["admin-eve"] = issue_token(clinic.app, "admin-eve", "t", by="system")
    clinic.tokens["admin-fay"] = issue_token(clinic.app, "admin-fay", "t", by="system")
    with httpx.Client(base_url=clinic.url, timeout=60) as client:
        client.post(
            "/api/users/admin-dan/deactivation",
            headers={"Authorization": f"Bearer {clinic.tokens['admin-eve']}"},
        ).raise_for_status()

        def by(actor: str, target: str) -> Call:
            headers = {"Authorization": f"Bearer {clinic.tokens[actor]}"}
            return lambda: client.post(f"/api/users/{target}/deactivation", headers=headers)

        answers = _together(clinic, by("admin-eve", "admin-fay"), by("admin-fay", "admin-eve"))
    assert sorted(a.status_code for a in answers) == [201, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["type"] == "urn:ildpath:problem:last-admin"
    assert "is the last active admin" in problem["detail"]
    assert len(_active_admins(clinic)) == 1
    assert verify_audit(clinic.app).findings == []


@pytest.mark.postgres
def test_two_admins_demoting_each_other_in_the_dashboard_leave_one(clinic: WebClinic) -> None:
    sessions = {
        name: open_session(clinic.app, Account(name, "admin"))
        for name in ("admin-eve", "admin-fay")
    }

    def by(actor: str, target: str) -> Call:
        cookie, csrf = sessions[actor]

        def post() -> httpx.Response:
            cookies = {"ildpath_session": cookie}
            with httpx.Client(base_url=clinic.url, cookies=cookies, timeout=60) as client:
                form = {"csrf_token": csrf, "role": "auditor"}
                return client.post(f"/admin/accounts/{target}/role", data=form)

        return post

    assert by("admin-eve", "admin-dan")().status_code == 303
    assert _active_admins(clinic) == ["admin-eve", "admin-fay"]
    answers = _together(clinic, by("admin-eve", "admin-fay"), by("admin-fay", "admin-eve"))
    assert sorted(a.status_code for a in answers) == [303, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    assert "is the last active admin" in refused.text
    assert len(_active_admins(clinic)) == 1
    assert verify_audit(clinic.app).findings == []
