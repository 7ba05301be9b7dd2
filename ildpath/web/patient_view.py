"""What the patient page shows, as plain values for its template: the patient's whole picture
(`ildpath.usecases.patient_data`, the same fields as the API and the report), ordered for a
person at a glance, plus the controls their role allows."""

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from pathway.codes import TASKS
from pathway.errors import InvalidValue
from pathway.labels import label
from pathway.task_actions import DECLINABLE

from ..api.security import Caller
from ..bootstrap import App
from ..errors import TaskNotFound
from ..reports.charts import SCREEN_WIDTH, MarkerPoint, PftPoint, markers_chart, pft_chart
from ..roles import Permission
from ..usecases.cohort import SEVERITY_RANK
from ..usecases.patient_data import patient_data
from ..usecases.results import markers
from ..usecases.summary import PatientSummary
from ..usecases.task_done import task_to_close
from .access import may
from .entry_forms import AGENT_GROUPS, CHOICES, ENTRY_FORMS
from .flash import Flash
from .phenotype_fields import amend_view
from .refusals import Refusal
from .task_done import done_link, form_key, form_values
from .trigger_form import OPTIONS, TRIGGER_FIELDS, trigger_choices

__all__ = ["FormState", "closing_form", "patient_context"]


@dataclass(frozen=True)
class FormState:
    """A form drawn again with what was typed: refused (with its message), or opened by a
    task's "Record it" with the values that close the task and a ``note`` saying so (§8)."""

    key: str
    refusal: Refusal | None
    values: dict[str, str] = field(default_factory=dict)
    note: str = ""


def closing_form(app: App, patient_id: str, task: str | None) -> FormState | None:
    """The form a task's "Record it" opens (``?close_task=ID``), filled with what closes the
    task (§8 done); None when the task is not one of this patient's open tasks."""
    if task is None or not task.isdigit():
        return None
    try:
        found = task_to_close(app, int(task))
    except (InvalidValue, TaskNotFound):
        return None
    if found.patient_id != patient_id:
        return None
    entry = found.entry
    needs = f" Enter {entry.needs}." if entry.needs else ""
    also = f" Note: {entry.note}." if entry.note else ""
    what = label(found.kind, "task")
    note = f"Recording this closes task {found.id} ({what}).{needs}{also}"
    return FormState(form_key(entry), None, form_values(entry), note)


def _alerts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Unacknowledged first; then those that hold above cleared ones (§7a); then the most
    severe; then the newest."""
    return sorted(
        data["alerts"],
        key=lambda a: (
            a["acknowledged_at"] is not None,
            not a["holds"],
            -SEVERITY_RANK.get(a["severity"], 0),
            -a["raised_on"].toordinal(),
            -(a["id"] or 0),
        ),
    )


def _pfts(summary: PatientSummary) -> list[Any]:
    """The PFTs known on the page's day, oldest first (as the patient report draws them)."""
    pfts = [
        o
        for o in summary.standing_observations()
        if o.kind == "pft" and o.clinical_on <= summary.as_of
    ]
    return sorted(pfts, key=lambda o: (o.clinical_on, o.id or 0))


def _chart(pfts: list[Any]) -> Markup:
    """The chart drawn wide for the screen: it fills the content width, and its ticks stay
    about 13 px tall there."""
    points = [PftPoint(o.clinical_on, o.fvc_pct, o.dlco_pct) for o in pfts]
    chart = pft_chart(
        points,
        title="FVC and DLCO, % predicted",
        id_prefix="pft-chart",
        width=SCREEN_WIDTH,
        height=360.0,
    )
    return Markup(chart)


def _markers_chart(summary: PatientSummary) -> Markup:
    points = [MarkerPoint(*m) for m in markers(summary)]
    chart = markers_chart(
        points, title="Ferritin and KL-6", id_prefix="markers-chart", width=SCREEN_WIDTH
    )
    return Markup(chart)


def _flash_alerts(
    flash: Flash | None, data: dict[str, Any], key: str = "alerts"
) -> list[dict[str, Any]]:
    """The alerts the write raised (``alerts``) or withdrew (``withdrawn_alerts``): the flash
    carries both kinds of id, the page tells them apart by how each stands now."""
    if flash is None:
        return []
    return [a for a in data[key] if a["id"] in flash.alert_ids]


def _shown_beside_its_form(refused: FormState | None, controls: dict[str, bool]) -> bool:
    """Whether the refused form is on this page (a role refused outright sees no form)."""
    if refused is None or refused.refusal is None:
        return False
    if refused.key == "trigger":
        return controls["can_fire"]
    if refused.key.startswith("ack-"):
        return controls["can_acknowledge"]
    if refused.key == "amend":
        return controls["can_record"]
    return controls["can_record"] and refused.key in ENTRY_FORMS


def _form_title(refused: FormState | None) -> str:
    if refused is None or refused.refusal is None:
        return ""
    if refused.key == "trigger":
        return "Move along the pathway"
    if refused.key.startswith("ack-"):
        return "Acknowledge"
    if refused.key == "amend":
        return "Amend the phenotype"
    form = ENTRY_FORMS.get(refused.key)
    return form.title if form else ""


def patient_context(
    summary: PatientSummary,
    caller: Caller,
    *,
    flash: Flash | None = None,
    refused: FormState | None = None,
    people: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Everything the patient page's template reads; ``people``: who a task may be assigned
    to (the active accounts)."""
    data = patient_data(summary)
    pfts = _pfts(summary)
    proposed = {p["trigger"] for p in data["proposed_triggers"]}
    controls = {
        "can_record": may(caller, Permission.RECORD),
        "can_fire": may(caller, Permission.FIRE_TRIGGER),
        "can_acknowledge": may(caller, Permission.ACKNOWLEDGE_ALERT),
        "can_report": may(caller, Permission.REPORT),
        "can_manage_tasks": may(caller, Permission.MANAGE_TASKS),
    }
    return {
        **controls,
        "data": data,
        "version": summary.patient.version,
        "today": summary.as_of,
        "alerts": _alerts(data),
        "withdrawn_alerts": data["withdrawn_alerts"],
        "open_tasks": sorted(
            (t for t in data["tasks"] if t["status"] == "open"), key=lambda t: t["due_in_force"]
        ),
        "declined_tasks": [t for t in data["tasks"] if t["status"] == "declined"],
        "task_messages": {kind: info.message for kind, info in TASKS.items()},
        "pfts": pfts,
        "pft_chart": _chart(pfts),
        "markers_chart": _markers_chart(summary),
        "triggers": trigger_choices(
            data["allowed_triggers"], summary.patient.referral_origin, proposed
        ),
        "trigger_fields": TRIGGER_FIELDS,
        "trigger_options": OPTIONS,
        "entry_forms": ENTRY_FORMS,
        "done_link": done_link,
        "declinable": DECLINABLE,
        "people": people,
        "agent_groups": AGENT_GROUPS,
        "choices": CHOICES,
        "flash": flash,
        "flash_alerts": _flash_alerts(flash, data),
        "flash_withdrawn": _flash_alerts(flash, data, "withdrawn_alerts"),
        "refused": refused,
        "refused_inline": _shown_beside_its_form(refused, controls),
        "refused_title": _form_title(refused),
        "amend_form": amend_view(data["phenotype"], summary.as_of, refused),
    }
