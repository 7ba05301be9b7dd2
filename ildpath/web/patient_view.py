"""What the patient page shows, as plain values for its template: the patient's whole picture
(`ildpath.usecases.patient_data`, the same fields as the API and the report), ordered for a
person at a glance, plus the controls their role allows."""

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from pathway.codes import TASKS

from ..api.security import Caller
from ..reports.charts import MarkerPoint, PftPoint, markers_chart, pft_chart
from ..roles import Permission
from ..usecases.cohort import SEVERITY_RANK
from ..usecases.patient_data import patient_data
from ..usecases.results import markers
from ..usecases.summary import PatientSummary
from .access import may
from .entry_forms import AGENT_GROUPS, CHOICES, ENTRY_FORMS
from .flash import Flash
from .refusals import Refusal
from .trigger_form import OPTIONS, TRIGGER_FIELDS, trigger_choices

__all__ = ["FormState", "patient_context"]


@dataclass(frozen=True)
class FormState:
    """A refused form, drawn again with its message and what was typed."""

    key: str
    refusal: Refusal
    values: dict[str, str] = field(default_factory=dict)


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
    points = [PftPoint(o.clinical_on, o.fvc_pct, o.dlco_pct) for o in pfts]
    return Markup(pft_chart(points, title="FVC and DLCO, % predicted", id_prefix="pft-chart"))


def _markers_chart(summary: PatientSummary) -> Markup:
    points = [MarkerPoint(*m) for m in markers(summary)]
    return Markup(markers_chart(points, title="Ferritin and KL-6", id_prefix="markers-chart"))


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
    if refused is None:
        return False
    if refused.key == "trigger":
        return controls["can_fire"]
    if refused.key.startswith("ack-"):
        return controls["can_acknowledge"]
    return controls["can_record"] and refused.key in ENTRY_FORMS


def _form_title(refused: FormState | None) -> str:
    if refused is None:
        return ""
    if refused.key == "trigger":
        return "Move along the pathway"
    if refused.key.startswith("ack-"):
        return "Acknowledge"
    form = ENTRY_FORMS.get(refused.key)
    return form.title if form else ""


def patient_context(
    summary: PatientSummary,
    caller: Caller,
    *,
    flash: Flash | None = None,
    refused: FormState | None = None,
) -> dict[str, Any]:
    """Everything the patient page's template reads."""
    data = patient_data(summary)
    pfts = _pfts(summary)
    proposed = {p["trigger"] for p in data["proposed_triggers"]}
    controls = {
        "can_record": may(caller, Permission.RECORD),
        "can_fire": may(caller, Permission.FIRE_TRIGGER),
        "can_acknowledge": may(caller, Permission.ACKNOWLEDGE_ALERT),
        "can_report": may(caller, Permission.REPORT),
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
        "agent_groups": AGENT_GROUPS,
        "choices": CHOICES,
        "flash": flash,
        "flash_alerts": _flash_alerts(flash, data),
        "flash_withdrawn": _flash_alerts(flash, data, "withdrawn_alerts"),
        "refused": refused,
        "refused_inline": _shown_beside_its_form(refused, controls),
        "refused_title": _form_title(refused),
    }
