"""What a write did, printed as the person who made it reads it: the alerts it raised (in the
severity's colour), withdrew or cleared (§7a), the tasks it opened and those it closed."""

from rich.markup import escape

from ..usecases import Outcome
from .edge import console
from .patient_view import SEVERITY_STYLE

__all__ = ["print_outcome"]


def print_outcome(outcome: Outcome) -> None:
    for alert in outcome.alerts_raised:
        style = SEVERITY_STYLE.get(alert.severity, "")
        console.print(
            f"[{style}]{alert.severity.upper()} alert {alert.id} {alert.code}[/]: "
            f"{escape(alert.message)} [dim]({escape(alert.source)})[/]"
        )
    for moved in outcome.alerts_withdrawn:
        console.print(
            f"alert {moved.id} {moved.code} withdrawn: the same day's entries show its cause "
            f"did not hold ({escape(moved.by or 'this entry')}); it needs no acknowledgement"
        )
    for moved in outcome.alerts_cleared:
        by = f" by {escape(moved.by)}" if moved.by else ""
        console.print(
            f"alert {moved.id} {moved.code} cleared on {moved.on}{by}; "
            "it still awaits acknowledgement"
        )
    for task in outcome.tasks_opened:
        console.print(f"task opened: {task.kind}, due {task.due_on}")
    for task in outcome.tasks_closed:
        console.print(f"task {task.status}: {task.kind} (was due {task.due_on})")
