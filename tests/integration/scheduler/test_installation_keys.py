"""Issue 21 (c): every reminder key starts with the installation id (random, kept in the
database), so two installations whose tasks and alerts have the same row ids never send the
same Message-ID or Idempotency-Key to a shared mailbox or receiver."""

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from ildpath.bootstrap import App
from ildpath.usecases import evaluate_patient, record_therapy
from persistence.installation import installation_id
from persistence.tables import CareTaskRow
from scheduler.dispatcher import dispatch
from scheduler.notifiers import EmailNotifier, Notifier, WebhookNotifier

from ..apps import CLINICIAN, clinic, enrol
from ..notifiers.http_server import Endpoint, http_server
from ..notifiers.smtp_server import Mailbox, smtp_server

ENROLLED = date(2026, 3, 2)
DAY = ENROLLED + timedelta(days=31)
"""The PFT and the vaccinations overdue, a critical alert standing."""


def _task_ids(app: App) -> list[tuple[int, str]]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(CareTaskRow.id, CareTaskRow.kind))]  # type: ignore[misc]


def test_two_installations_never_share_a_message_id_or_an_idempotency_key(
    database_url: str, tmp_path: Path
) -> None:
    mailbox, endpoint = Mailbox(), Endpoint()
    sent: dict[str, tuple[set[str], set[str], str]] = {}
    ids = []
    with smtp_server(mailbox) as port, http_server(endpoint) as url:
        for name, db in (("first", database_url), ("second", f"sqlite:///{tmp_path / 'b.db'}")):
            with clinic(db, ENROLLED) as (app, clock):
                enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
                record_therapy(app, "P-001", "start", "tocilizumab", ENROLLED, CLINICIAN)
                clock.move_to(DAY)
                evaluate_patient(app, "P-001", DAY)
                mails, posts = len(mailbox.received), len(endpoint.requests)
                channels: dict[str, Notifier] = {
                    "email": EmailNotifier("127.0.0.1", port, "ildpath@a.example", ["n@a.example"]),
                    "webhook": WebhookNotifier(url, b"secret", timeout=5),
                }
                dispatch(app.engine, channels, DAY, clock.now)
                ids.append(_task_ids(app))
                message_ids = {m.message["Message-ID"] for m in mailbox.received[mails:]}
                keys = {r.headers["Idempotency-Key"] for r in endpoint.requests[posts:]}
                installation = installation_id(app.engine, create=False)
                assert installation is not None
                sent[name] = (message_ids, keys, installation)

    assert ids[0] == ids[1]  # the same row ids in both databases
    (first_ids, first_keys, first), (second_ids, second_keys, second) = sent.values()
    assert first != second
    # the PFT, the transplant referral and three vaccinations overdue; the AVOID_AGENT alert
    assert len(first_ids) == len(first_keys) == len(second_ids) == len(second_keys) == 6
    assert first_ids.isdisjoint(second_ids)
    assert first_keys.isdisjoint(second_keys)
    assert all(k.startswith(f"{first}:") for k in first_keys)
    assert all(k.startswith(f"{second}:") for k in second_keys)
    assert all(json.loads(r.body)["key"] == r.headers["Idempotency-Key"] for r in endpoint.requests)
    assert {m.message["X-Ildpath-Reminder-Key"].split(":")[0] for m in mailbox.received} == {
        first,
        second,
    }
