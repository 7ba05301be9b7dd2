"""Issue 21, point 4, as the people receive it (a real SMTP server and a real webhook
endpoint on 127.0.0.1): a person who chose the daily digest gets one email a day at their hour
in their time zone, listing their due and overdue tasks and the new critical alerts, and no
email per task; critical notices still go at once; the webhook keeps every reminder; the
clinic's list gets the unassigned tasks (and those of people it cannot reach), immediately or
in its own digest."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

from sqlmodel import Session, col, select

from ildpath.accounts import add_user, deactivate_user, set_reminder_choice
from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.usecases import Actor, record_therapy
from ildpath.usecases.task_actions import assign_task
from persistence.installation import installation_id
from persistence.tables import CareTaskRow, PatientRow, ReminderDeliveryRow
from scheduler.digest import plan_digests
from scheduler.dispatcher import dispatch
from scheduler.notifiers import EmailNotifier, Notifier, WebhookNotifier
from scheduler.notifiers.email import message_id
from scheduler.preferences import ClinicDigestSettings

from ..apps import CLINICIAN, clinic, enrol
from ..notifiers.smtp_server import Mailbox, smtp_server
from .receiver import Receiver, webhook_receiver

ENROLLED = date(2026, 11, 2)
"""Winter in Paris (UTC+1): 07:00 there is 06:00 UTC."""
PFT_DUE = ENROLLED + timedelta(days=14)
VACCINES_DUE = ENROLLED + timedelta(days=30)
PARIS_SEVEN = time(6, 0)
COORDINATORS = ["ild-nurse@clinic.example"]
SECRET = b"clinic-webhook-secret"
PASSWORD = "Ossigeno-Alto-2026"
ANNA, ANNA_EMAIL = "anna.rossi", "anna@clinic.example"
ACTING = Actor(ANNA, "coordinator")
CLINIC_IMMEDIATE = ClinicDigestSettings("immediate", 7, "Europe/Paris")
CLINIC_DIGEST = ClinicDigestSettings("digest", 7, "Europe/Paris")


@contextmanager
def channels() -> Iterator[tuple[Mailbox, Receiver, dict[str, Notifier]]]:
    """Email to a real SMTP server and a signed webhook to a real endpoint."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port, webhook_receiver(0) as (hook, url):
        email = EmailNotifier("127.0.0.1", port, "ildpath@clinic.example", COORDINATORS)
        yield mailbox, hook, {"email": email, "webhook": WebhookNotifier(url, SECRET)}


def _pass(
    app: App,
    clock: SimulatedClock,
    notifiers: dict[str, Notifier],
    day: date,
    at: time,
    clinic_list: ClinicDigestSettings = CLINIC_IMMEDIATE,
) -> None:
    """One dispatch pass at ``at`` (UTC) on ``day``."""
    clock.move_to(day, at)
    dispatch(app.engine, notifiers, day, clock.now, 7, clinic_list)


def _person(app: App, username: str, email: str | None, *, digest: bool) -> None:
    add_user(app, username, "coordinator", PASSWORD, email=email, by="system")
    if digest:
        set_reminder_choice(
            app, username, delivery="digest", hour=7, timezone="Europe/Paris", by=username
        )


def _task_id(app: App, patient: str, kind: str) -> int:
    with Session(app.engine) as session:
        found = session.exec(
            select(CareTaskRow.id)
            .join(PatientRow, col(PatientRow.id) == CareTaskRow.patient_id)
            .where(PatientRow.external_id == patient, CareTaskRow.kind == kind)
        ).one()
    assert found is not None
    return found


def _assign(app: App, patient: str, kind: str, to: str) -> int:
    task = _task_id(app, patient, kind)
    assign_task(app, task, to, ACTING)
    return task


def _to(mailbox: Mailbox, address: str) -> list[EmailMessage]:
    return [m.message for m in mailbox.received if m.rcpt_tos == [address]]


def _digests(mailbox: Mailbox, address: str) -> list[EmailMessage]:
    return [m for m in _to(mailbox, address) if "Daily digest" in m["Subject"]]


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


def _deliveries(app: App, task_id: int) -> list[ReminderDeliveryRow]:
    with Session(app.engine) as session:
        return list(
            session.exec(select(ReminderDeliveryRow).where(ReminderDeliveryRow.task_id == task_id))
        )


def test_one_digest_a_day_at_their_hour_and_no_email_per_task(database_url: str) -> None:
    with clinic(database_url, ENROLLED) as (app, clock), channels() as (mailbox, hook, notifiers):
        _person(app, ANNA, ANNA_EMAIL, digest=True)
        enrol(app)
        pft = _assign(app, "P-001", "pft", ANNA)

        for at in (time(5), PARIS_SEVEN, time(12)):  # nothing of hers due yet: no digest
            _pass(app, clock, notifiers, PFT_DUE - timedelta(days=1), at)
        assert _to(mailbox, ANNA_EMAIL) == []

        for at in (time(5), time(5, 59)):  # 06:59 in Paris: not yet
            _pass(app, clock, notifiers, PFT_DUE, at)
        assert _to(mailbox, ANNA_EMAIL) == []
        for at in (PARIS_SEVEN, time(6, 5), time(9), time(12), time(18), time(22, 55)):
            _pass(app, clock, notifiers, PFT_DUE, at)
        [first] = _to(mailbox, ANNA_EMAIL)
        assert first["Subject"] == "[ildpath] Daily digest for 2026-11-16: 1 due"
        assert "Patient P-001: Pulmonary function tests, due 2026-11-16 (today)" in _body(first)

        for at in (time(5), PARIS_SEVEN, time(6, 5), time(12)):
            _pass(app, clock, notifiers, PFT_DUE + timedelta(days=1), at)
        assert _to(mailbox, ANNA_EMAIL)[0] is first
        [second] = _to(mailbox, ANNA_EMAIL)[1:]
        assert second["Subject"] == "[ildpath] Daily digest for 2026-11-17: 1 overdue"
        assert "Patient P-001: Pulmonary function tests, due 2026-11-16, overdue by 1 day" in _body(
            second
        )

        # Each digest has its own key, naming the installation, and its Message-ID from it.
        installation = installation_id(app.engine)
        keys = [m["X-Ildpath-Reminder-Key"] for m in (first, second)]
        assert keys == [
            f"{installation}:digest:{ANNA}:2026-11-16:email",
            f"{installation}:digest:{ANNA}:2026-11-17:email",
        ]
        assert [m["Message-ID"] for m in (first, second)] == [message_id(k) for k in keys]

        # Her task had no email of its own, to her or anyone; the webhook had every reminder.
        assert not [m for m in mailbox.received if "PFT" in m.message["Subject"]]
        rows = _deliveries(app, pft)
        assert rows and {(r.channel, r.status) for r in rows} == {("webhook", "sent")}
        assert {r.key for r in rows} <= hook.distinct


def test_a_critical_notice_goes_at_once_and_the_next_digest_lists_it(database_url: str) -> None:
    with clinic(database_url, ENROLLED) as (app, clock), channels() as (mailbox, hook, notifiers):
        _person(app, ANNA, ANNA_EMAIL, digest=True)
        enrol(app, "P-002", anti_mda5="positive", ild_course="rapidly_progressive")
        _assign(app, "P-002", "pft", ANNA)
        record_therapy(app, "P-002", "start", "tocilizumab", ENROLLED, CLINICIAN)

        _pass(app, clock, notifiers, ENROLLED, time(12))  # the alert is raised at 12:00 UTC
        [notice] = [m for m in mailbox.received if "CRITICAL" in m.message["Subject"]]
        assert notice.rcpt_tos == COORDINATORS  # at once, as ever: alerts are not task emails
        assert any(":critical_alert:" in key for key in hook.distinct)
        assert _to(mailbox, ANNA_EMAIL) == []  # her 07:00 digest that day had nothing

        next_day = ENROLLED + timedelta(days=1)
        for at in (time(5, 59), PARIS_SEVEN, time(12)):
            _pass(app, clock, notifiers, next_day, at)
        [digest] = _to(mailbox, ANNA_EMAIL)
        assert digest["Subject"] == ("[ildpath] Daily digest for 2026-11-03: 1 new critical alert")
        assert (
            "Patient P-002: Agent to avoid in anti-MDA5 (AVOID_AGENT), raised 2026-11-02"
            in _body(digest)
        )

        # The day after: no new alert, nothing due: no digest. Then a fortnight unrun: the
        # first pass sends that day's digest only, never the missed days'.
        _pass(app, clock, notifiers, next_day + timedelta(days=1), time(8))
        assert len(_to(mailbox, ANNA_EMAIL)) == 1
        _pass(app, clock, notifiers, PFT_DUE + timedelta(days=2), time(9))
        [_, late] = _to(mailbox, ANNA_EMAIL)
        assert late["Subject"] == "[ildpath] Daily digest for 2026-11-18: 1 overdue"
        assert "new critical" not in _body(late)  # the alert was in the earlier digest


def test_the_clinic_list_gets_its_own_digest_of_the_tasks_nobody_it_can_reach_holds(
    database_url: str,
) -> None:
    with clinic(database_url, ENROLLED) as (app, clock), channels() as (mailbox, _hook, notifiers):
        _person(app, ANNA, ANNA_EMAIL, digest=False)
        _person(app, "bob.verdi", None, digest=True)  # no address: his tasks are the list's
        enrol(app)
        _assign(app, "P-001", "pft", ANNA)
        _assign(app, "P-001", "vaccination_influenza", "bob.verdi")

        def day(on: date) -> None:
            for at in (time(5, 59), PARIS_SEVEN, time(6, 5), time(12)):
                _pass(app, clock, notifiers, on, at, CLINIC_DIGEST)

        day(PFT_DUE)
        pft_emails = _to(mailbox, ANNA_EMAIL)
        assert [m["Subject"] for m in pft_emails] == [
            "[ildpath] PFT due 2026-11-16 — patient P-001"  # she chose immediate
        ]
        assert _to(mailbox, COORDINATORS[0]) == []  # nothing of the list's due yet

        day(VACCINES_DUE)
        [digest] = _to(mailbox, COORDINATORS[0])  # one digest, no email per vaccination
        assert digest["Subject"] == "[ildpath] Daily digest for 2026-12-02: 3 due"
        body = _body(digest)
        for vaccine in ("Influenza", "Pneumococcal", "COVID-19"):
            assert f"Patient P-001: {vaccine} vaccination, due 2026-12-02 (today)" in body
        assert "Daily digest for the clinic's list" in body
        assert "ILDPATH_CLINIC_REMINDERS" in body
        assert "Pulmonary function tests" not in body  # Anna's, by email to her

        with Session(app.engine) as session:
            [row] = session.exec(
                select(ReminderDeliveryRow).where(ReminderDeliveryRow.kind == "digest")
            ).all()
        assert row.patient_id is None and row.channel == "email" and row.status == "sent"
        assert row.message["to"] == [] and row.message["recipient"] == "clinic"
        assert [t["task"] for t in row.message["tasks"]] == [
            "vaccination_covid19",
            "vaccination_influenza",
            "vaccination_pneumococcal",
        ]


def test_with_the_clinic_list_immediate_tasks_of_people_it_cannot_reach_go_there_one_by_one(
    database_url: str,
) -> None:
    with clinic(database_url, ENROLLED) as (app, clock), channels() as (mailbox, _hook, notifiers):
        _person(app, ANNA, ANNA_EMAIL, digest=True)
        _person(app, "bob.verdi", None, digest=True)
        _person(app, "carla.neri", "carla@clinic.example", digest=True)
        enrol(app)
        _assign(app, "P-001", "vaccination_influenza", "bob.verdi")
        _assign(app, "P-001", "vaccination_covid19", "carla.neri")
        deactivate_user(app, "carla.neri", by="system")  # her tasks: the list's again
        _assign(app, "P-001", "vaccination_pneumococcal", ANNA)

        for at in (PARIS_SEVEN, time(12)):
            _pass(app, clock, notifiers, VACCINES_DUE, at)

        to_list = sorted(
            m["Subject"]
            for m in _to(mailbox, COORDINATORS[0])
            if "vaccination" in m["Subject"].lower()
        )
        assert to_list == [
            "[ildpath] COVID-19 vaccination due 2026-12-02 — patient P-001",
            "[ildpath] Vaccination influenza due 2026-12-02 — patient P-001",
        ]
        assert _to(mailbox, "carla@clinic.example") == []
        [digest] = _to(mailbox, ANNA_EMAIL)
        assert digest["Subject"] == "[ildpath] Daily digest for 2026-12-02: 1 due"
        assert "Pneumococcal vaccination" in _body(digest)


def test_the_digest_reads_as_a_coordinators_list_for_the_day(database_url: str) -> None:
    """The whole text, as a coordinator opens it: the most urgent first, each line enough to
    find the patient and know what is late, and why it is a digest and how to change that."""
    before = date(2026, 11, 15)
    with clinic(database_url, before) as (app, clock), channels() as (mailbox, _hook, notifiers):
        _person(app, ANNA, ANNA_EMAIL, digest=True)
        enrol(app, "P-003", enrolled_on=date(2026, 10, 1))
        enrol(app, "P-001", enrolled_on=ENROLLED)
        enrol(app, "P-002", anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-002", "start", "tocilizumab", before, CLINICIAN)
        for patient, kind in (
            ("P-003", "pft"),
            ("P-003", "vaccination_influenza"),
            ("P-001", "pft"),
            ("P-002", "transplant_referral"),
        ):
            _assign(app, patient, kind, ANNA)

        _pass(app, clock, notifiers, PFT_DUE, PARIS_SEVEN)
        [digest] = _to(mailbox, ANNA_EMAIL)

    assert digest["Subject"] == (
        "[ildpath] Daily digest for 2026-11-16: 3 overdue, 1 due, 1 new critical alert"
    )
    assert _body(digest) == (
        "Daily digest for anna.rossi: Monday 16 November 2026\n"
        "3 overdue, 1 due, 1 new critical alert.\n"
        "\n"
        "NEW CRITICAL ALERTS (1), raised between 2026-11-15 07:00 and 2026-11-16 07:00 "
        "(Europe/Paris):\n"
        "- Patient P-002: Agent to avoid in anti-MDA5 (AVOID_AGENT), raised 2026-11-15\n"
        "\n"
        "OVERDUE (3), the longest waiting first:\n"
        "- Patient P-003: Pulmonary function tests, due 2026-10-15, overdue by 32 days\n"
        "- Patient P-003: Influenza vaccination, due 2026-10-31, overdue by 16 days\n"
        "- Patient P-002: Transplant referral, due 2026-11-15, overdue by 1 day\n"
        "\n"
        "DUE TODAY (1):\n"
        "- Patient P-001: Pulmonary function tests, due 2026-11-16 (today)\n"
        "\n"
        "Open each patient's record in ildpath for the details and to act on the task.\n"
        "Decision support: the care team decides.\n"
        "\n"
        "--\n"
        "Why a digest: you chose one email a day at 07:00 (Europe/Paris) for the tasks "
        "assigned to you, instead of one email per reminder. Critical-alert notices are not "
        "held for the digest: they go out at once.\n"
        "To change it: the Reminders form on your account page in the ildpath dashboard, or "
        "`ildpath user reminders anna.rossi --delivery immediate`.\n"
    )


def test_two_schedulers_planning_the_same_digest_at_once_make_one(postgres_url: str) -> None:
    """The second waits on the first's key (the unique index), then inserts nothing."""
    with clinic(postgres_url, PFT_DUE) as (app, _):
        _person(app, ANNA, ANNA_EMAIL, digest=True)
        enrol(app, enrolled_on=ENROLLED)
        _assign(app, "P-001", "pft", ANNA)
        installation_id(app.engine)
        now = datetime.combine(PFT_DUE, PARIS_SEVEN, UTC)
        planned: dict[str, int] = {}
        with Session(app.engine) as first, Session(app.engine) as second:
            planned["first"] = plan_digests(first, now, ["email"], CLINIC_IMMEDIATE)

            def other_scheduler() -> None:
                planned["second"] = plan_digests(second, now, ["email"], CLINIC_IMMEDIATE)
                second.commit()

            other = threading.Thread(target=other_scheduler)
            other.start()
            other.join(1)  # it sees no digest yet (not committed) and waits on the key
            first.commit()
            other.join(30)
        with Session(app.engine) as session:
            digests = session.exec(
                select(ReminderDeliveryRow).where(ReminderDeliveryRow.kind == "digest")
            ).all()
    assert planned == {"first": 1, "second": 0}
    assert [d.key for d in digests] == [
        f"{installation_id(app.engine)}:digest:{ANNA}:2026-11-16:email"
    ]
