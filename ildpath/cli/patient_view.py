"""How `ildpath patient show` lays one patient out in the terminal."""

from typing import Any

from rich.markup import escape
from rich.table import Table

from pathway.labels import label, labelled

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
    phenotype = data["phenotype"]
    console.print(
        f"[bold]{data['id']}[/]  {data['sex']}, born {data['birth_date']}, "
        f"enrolled {data['enrolled_on']}"
    )
    console.print(
        f"State [bold]{labelled(data['state'], 'state')}[/] since {data['state_since']}  "
        f"(pathway {data['pathway_version']}, as of {data['as_of']})"
    )
    flags = ", ".join(label(f, "value") for f in phenotype["risk_factors"]) or "none"
    course = label(phenotype["ild_course"], "value").lower() or "unknown"
    weight = f", {phenotype['weight_kg']:g} kg" if phenotype["weight_kg"] is not None else ""
    if phenotype.get("height_cm") is not None:
        weight += f", {phenotype['height_cm']:g} cm"
    console.print(
        f"Phenotype group {labelled(phenotype['group'], 'phenotype_group')}: "
        f"{label(phenotype['diagnosis'], 'value')}, "
        f"anti-MDA5 {phenotype['anti_mda5']}, anti-ARS {phenotype['anti_ars']}, "
        f"ILD course at presentation {course}; risk factors: {flags}{weight}"
    )
    console.print("[dim]Decision support: the engine proposes, clinicians decide.[/]")


def _lists(data: dict[str, Any]) -> list[Table]:
    therapies = _table("Active therapies", "agent", "since", "route", "dose")
    for therapy in data["active_therapies"]:
        therapies.add_row(
            label(therapy["agent"], "agent"),
            str(therapy["since"]),
            label(therapy["route"], "value"),
            therapy["dose_text"],
        )
    tasks = _table("Open tasks", "id", "task", "due", "status", "assigned", "source")
    still_open = (task for task in data["tasks"] if task["status"] == "open")
    for task in sorted(still_open, key=lambda task: task["due_in_force"]):
        status = "[bold red]overdue[/]" if task["overdue"] else "due"
        due = str(task["due_in_force"])
        if task["rescheduled_to"] is not None:
            due += f" (rescheduled; engine {task['due_on']})"
        tasks.add_row(
            str(task["id"]),
            labelled(task["kind"], "task"),
            due,
            status,
            _text(task["assignee"]),
            task["source"],
        )
    for task in data["tasks"]:
        if task["status"] == "declined":
            tasks.add_row(
                str(task["id"]),
                labelled(task["kind"], "task"),
                "",
                f"declined {task['closed_on']}",
                "",
                escape(task["declined_reason"] or ""),
            )
    alerts = _table("Alerts", "id", "raised", "severity", "alert", "standing", "acknowledged")
    for alert in sorted(data["alerts"], key=lambda a: not a["holds"]):
        style = SEVERITY_STYLE.get(alert["severity"], "") if alert["holds"] else "dim"
        ack = (
            f"{alert['acknowledged_by']}: {alert['justification']}"
            if alert["acknowledged_at"]
            else "[bold]not acknowledged[/]"
        )
        alerts.add_row(
            str(alert["id"]),
            str(alert["raised_on"]),
            f"[{style}]{alert['severity']}[/]",
            labelled(alert["code"], "alert"),
            alert["standing"],
            ack,
        )
    for alert in data["withdrawn_alerts"]:
        alerts.add_row(
            str(alert["id"]),
            str(alert["raised_on"]),
            f"[dim]{alert['severity']}[/]",
            f"[strike]{labelled(alert['code'], 'alert')}[/]",
            alert["standing"],
            "[dim]withdrawn: not acknowledged[/]",
        )
    recs = _table("Recommendations (in order)", "#", "recommendation", "what", "source")
    for recommendation in data["recommendations"]:
        since = recommendation["in_place_since"]
        recs.add_row(
            str(recommendation["rank"]),
            labelled(recommendation["code"], "recommendation")
            + (f"\n[green]in place since {since}[/]" if since else ""),
            recommendation["message"],
            recommendation["source"],
        )
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
        evidence = "; ".join(proposal["evidence_shown"]) or "none"
        console.print(
            f"[bold magenta]Proposed[/]: {labelled(proposal['trigger'], 'trigger')} "
            f"({proposal['reason']}); evidence {evidence} - a clinician decides"
        )
    allowed = ", ".join(labelled(t, "trigger") for t in data["allowed_triggers"]) or (
        "none (closed)"
    )
    console.print(f"Triggers allowed now: {allowed}")
    timeline = _table("Timeline", "date", "what", "by")
    for entry in data["timeline"]:
        code = f" [dim]({entry['code']})[/]" if entry["code"] else ""
        timeline.add_row(str(entry["on"]), escape(entry["text"]) + code, entry["actor"])
    console.print(timeline)
