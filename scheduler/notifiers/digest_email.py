"""The daily digest as a coordinator reads it: plain text, most urgent first.

Critical alerts first (each was also sent at once; here so the day's list is complete), then
overdue tasks, the longest waiting first, then what is due today. One line per task: patient
identifier, task, date in force, how late. The footer says why this is a digest and how to
change it, so nobody has to ask where their individual reminders went.
"""

from zoneinfo import ZoneInfo

from pathway.labels import label, labelled

from ..digest_content import CLINIC, DailyDigest, DigestAlert, DigestTask
from .wording import DISCLAIMER, one_line

__all__ = ["digest_body"]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _task_line(task: DigestTask) -> str:
    patient = one_line(task.patient_id)
    what = one_line(label(task.task, "task"))
    due = task.due_on.isoformat()
    if task.days_overdue > 0:
        return f"- Patient {patient}: {what}, due {due}, overdue by {_days(task.days_overdue)}"
    return f"- Patient {patient}: {what}, due {due} (today)"


def _alert_line(alert: DigestAlert) -> str:
    patient = one_line(alert.patient_id)
    what = one_line(labelled(alert.code, "alert"))
    return f"- Patient {patient}: {what}, raised {alert.raised_on.isoformat()}"


def _section(title: str, lines: list[str]) -> list[str]:
    return [title, *lines, ""] if lines else []


def _when(digest: DailyDigest) -> str:
    return f"{digest.hour:02d}:00 ({one_line(digest.timezone)})"


def _window(digest: DailyDigest) -> str:
    """The alerts' window, in the recipient's own zone."""
    zone = ZoneInfo(digest.timezone)
    since = digest.alerts_since.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    until = digest.alerts_until.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return f"raised between {since} and {until} ({one_line(digest.timezone)})"


def _footer(digest: DailyDigest) -> list[str]:
    """One sentence a line: mail clients wrap plain text to their own width."""
    held = "Critical-alert notices are not held for the digest: they go out at once."
    if digest.recipient == CLINIC:
        return [
            f"Why a digest: the clinic's list gets one email a day at {_when(digest)} for the "
            "tasks of nobody with an email address, instead of one email per reminder. " + held,
            "To change it: an administrator sets ILDPATH_CLINIC_REMINDERS (immediate or "
            "digest) and ILDPATH_DIGEST_HOUR.",
        ]
    name = one_line(digest.recipient)
    return [
        f"Why a digest: you chose one email a day at {_when(digest)} for the tasks assigned "
        "to you, instead of one email per reminder. " + held,
        "To change it: the Reminders form on your account page in the ildpath dashboard, or "
        f"`ildpath user reminders {name} --delivery immediate`.",
    ]


def digest_body(digest: DailyDigest) -> str:
    """The whole plain-text body."""
    who = "the clinic's list" if digest.recipient == CLINIC else one_line(digest.recipient)
    day = digest.day.strftime("%A %d %B %Y").replace(" 0", " ")
    summary = digest.summary().split(": ", 1)[1]
    lines = [f"Daily digest for {who}: {day}", f"{summary[:1].upper()}{summary[1:]}.", ""]
    lines += _section(
        f"NEW CRITICAL ALERTS ({len(digest.alerts)}), {_window(digest)}:",
        [_alert_line(a) for a in digest.alerts],
    )
    lines += _section(
        f"OVERDUE ({len(digest.overdue)}), the longest waiting first:",
        [_task_line(t) for t in digest.overdue],
    )
    lines += _section(f"DUE TODAY ({len(digest.due)}):", [_task_line(t) for t in digest.due])
    lines += [
        "Open each patient's record in ildpath for the details and to act on the task.",
        DISCLAIMER,
        "",
        "--",
        *_footer(digest),
        "",
    ]
    return "\n".join(lines)
