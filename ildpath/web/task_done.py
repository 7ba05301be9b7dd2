"""*Done* on the dashboard (§8): a task's "Record it" link opens the patient page with the
form of the entry that closes it, its fixed values already chosen (the vaccine, the agent, the
procedure, `refer_transplant`), for the person to complete and save."""

from urllib.parse import quote

from pathway.task_closing import ClosingEntry, closing_entry

__all__ = ["done_link", "form_key", "form_values"]

_FORMS = {"start": "therapy", "trigger": "trigger"}
"""Dispatcher event kinds whose patient-page form has another name."""

_FIELDS = {"procedure": "procedure", "vaccination": "vaccination"}
"""Given-entry forms name their ``kind`` field after themselves."""


def form_key(entry: ClosingEntry) -> str:
    """The patient-page form that records the entry."""
    return _FORMS.get(entry.event, entry.event)


def form_values(entry: ClosingEntry) -> dict[str, str]:
    """The entry's fixed values as the form's fields hold them."""
    values = {_FIELDS.get(entry.event, name): str(v) for name, v in entry.preset.items()}
    if entry.event == "start":
        values["action"] = "start"
    return values


def done_link(patient_id: str, task_id: int, kind: str) -> str:
    """The patient page, open at the form that closes the task."""
    key = form_key(closing_entry(kind))
    return f"/patients/{quote(patient_id, safe='')}?close_task={task_id}#form-{key}"
