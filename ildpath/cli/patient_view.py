"""How `ildpath patient show` lays one patient out in the terminal."""

from typing import Any

from rich.table import Table

from ..usecases.patient_data import patient_data
from ..usecases.summary import PatientSummary
from .edge import console

__all__ = ["SEVERITY_STYLE", "print_patient"]

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for column in columns:
        table.add_column(column)
    return table


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _header(data: dict[str, Any]) -> None:
    p = data["phenotype"]
    console.print(
        f"[bold]{data['id']}[/]  {data['sex']}, born {data['birth_date']}, "
        f"enrolled {data['enrolled_on']}"
    )
    console.print(
        f"State [bold]{data['state']}[/] since {data['state_since']}  "
        f"(pathway {data['pathway_version']}, as of {data['as_of']})"
    )
    flags = ", ".join(p["risk_factors"]) or "none"
    weight = f", {p['weight_kg']:g} kg" if p["weight_kg"] is not None else ""
    console.print(
        f"Phenotype {p['group']}: {p['diagnosis']}, anti-MDA5 {p['anti_mda5']}, "
        f"anti-ARS {p['anti_ars']}, course {p['ild_course'] or 'unknown'}; flags: {flags}{weight}"
    )
    console.print("[dim]Decision support: the engine proposes, clinicians decide.[/]")


def _lists(data: dict[str, Any]) -> list[Table]:
    therapies = _table("Active therapies", "agent", "since", "route", "dose mg/day")
    for t in data["active_therapies"]:
        dose = t["dose_mg_per_day"]
        therapies.add_row(
            t["agent"], str(t["since"]), _text(t["route"]), "" if dose is None else f"{dose:g}"
        )
    tasks = _table("Open tasks", "task", "due", "status", "source")
    for t in sorted((t for t in data["tasks"] if t["status"] == "open"), key=lambda t: t["due_on"]):
        status = "[bold red]overdue[/]" if t["overdue"] else "due"
        tasks.add_row(t["kind"], str(t["due_on"]), status, t["source"])
    alerts = _table("Alerts", "id", "raised", "severity", "code", "acknowledged")
    for a in data["alerts"]:
        style = SEVERITY_STYLE.get(a["severity"], "")
        ack = (
            f"{a['acknowledged_by']}: {a['justification']}"
            if a["acknowledged_at"]
            else "[bold]not acknowledged[/]"
        )
        alerts.add_row(
            str(a["id"]), str(a["raised_on"]), f"[{style}]{a['severity']}[/]", a["code"], ack
        )
    recs = _table("Recommendations (in order)", "#", "code", "recommendation", "source")
    for r in data["recommendations"]:
        recs.add_row(str(r["rank"]), r["code"], r["message"], r["source"])
    return [therapies, tasks, alerts, recs]


def print_patient(summary: PatientSummary) -> None:
    data = patient_data(summary)
    _header(data)
    for table in _lists(data):
        if table.row_count:
            console.print(table)
        else:
            console.print(f"[bold]{table.title}[/]: none")
    for proposal in data["proposed_triggers"]:
        console.print(
            f"[bold magenta]Proposed[/]: {proposal['trigger']} ({proposal['reason']}); "
            f"evidence {', '.join(proposal['evidence']) or 'none'} - a clinician decides"
        )
    allowed = ", ".join(data["allowed_triggers"]) or "none (closed)"
    console.print(f"Triggers allowed now: {allowed}")
    timeline = _table("Timeline", "date", "what", "by")
    for entry in data["timeline"]:
        timeline.add_row(str(entry["on"]), entry["text"], entry["actor"])
    console.print(timeline)
