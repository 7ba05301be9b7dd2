"""The line a page shows after a successful form (POST -> 303 -> GET): what was done and
which alerts it raised.

Carried in the redirect's query (``done``, ``alerts``) with an HMAC keyed by the session's
CSRF token, so a link made by someone else cannot make the page claim something was done.
Only codes and alert ids travel; the page writes the words itself.
"""

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from pathway.labels import label
from pathway.machine import TRIGGERS

__all__ = ["DONE", "Flash", "flash_query", "read_flash"]

DONE = {
    "pft": "PFT recorded.",
    "cmv": "CMV result recorded.",
    "hrct": "HRCT recorded.",
    "oxygen": "Oxygen requirement recorded.",
    "lab": "Laboratory results recorded.",
    "spo2": "SpO2 recorded.",
    "six_minute_walk": "Six-minute walk recorded.",
    "therapy": "Therapy recorded.",
    "procedure": "Procedure recorded.",
    "vaccination": "Vaccination recorded.",
    "acknowledged": "Alert acknowledged.",
    "task_decline": "Task declined: it is closed and will not reopen for the same event.",
    "task_reschedule": "Task rescheduled: overdue now counts from the new date.",
    "task_assign": "Task assigned: its reminders go to that person where a channel can.",
    "enrolled": "Enrolled in diagnosis: the tasks it opened are listed under Open tasks.",
    "amended": "Phenotype amended: the tasks, recommendations and proposals below follow from it.",
    "requeued": "Re-queued: tried again at the next dispatch pass, within minutes. A delivery "
    "that fails again comes back to this list with its new error.",
    "requeued_none": "Nothing was failing: nothing to re-queue.",
    **{trigger: f"Trigger fired: {label(trigger, 'trigger')}." for trigger in TRIGGERS},
}
"""What each successful form says, by its code."""


@dataclass(frozen=True)
class Flash:
    message: str
    alert_ids: tuple[int, ...]


def _signature(key: str, patient_id: str, done: str, alerts: str) -> str:
    material = f"{patient_id}\x1f{done}\x1f{alerts}".encode()
    return hmac.new(key.encode(), material, hashlib.sha256).hexdigest()[:32]


def flash_query(key: str, patient_id: str, done: str, alert_ids: Sequence[int]) -> str:
    """The query string of the redirect after a successful form."""
    alerts = ".".join(str(i) for i in alert_ids)
    fields = {"done": done, "alerts": alerts, "sig": _signature(key, patient_id, done, alerts)}
    return urlencode({k: v for k, v in fields.items() if v})


def read_flash(key: str, patient_id: str, query: Mapping[str, str]) -> Flash | None:
    """The flash in a page's query, if it is this session's and well formed."""
    done, alerts, sig = query.get("done", ""), query.get("alerts", ""), query.get("sig", "")
    if done not in DONE or not sig:
        return None
    if not hmac.compare_digest(sig, _signature(key, patient_id, done, alerts)):
        return None
    ids = tuple(int(i) for i in alerts.split(".") if i.isdigit())
    return Flash(DONE[done], ids)
