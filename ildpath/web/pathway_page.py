"""GET /pathway: the state machine the engine runs, as a picture (the API's diagram) and as
text (`pathway.machine.transition_table`), so a screen reader gets all of it."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pathway.machine import STATES, transition_table

from ..api.security import Caller
from .access import signed_in
from .templating import render
from .trigger_form import GUARDS

__all__ = ["router", "transitions_text"]

router = APIRouter(include_in_schema=False)


def transitions_text() -> list[dict[str, str]]:
    """One row per trigger: from which states, to which, and what its guard needs."""
    rows: dict[str, dict[str, list[str]]] = {}
    for row in transition_table():
        sources = row["source"]
        found = rows.setdefault(str(row["trigger"]), {"from": [], "to": []})
        found["from"] += [str(s) for s in sources] if isinstance(sources, list) else [str(sources)]
        found["to"].append(str(row["dest"]))
    return [
        {
            "trigger": trigger,
            "from": ", ".join(dict.fromkeys(r["from"])),
            "to": "the state the referral came from" if len(r["to"]) > 1 else r["to"][0],
            "guard": GUARDS[trigger],
        }
        for trigger, r in rows.items()
    ]


@router.get("/pathway", response_class=HTMLResponse)
def pathway(request: Request, caller: Caller = Depends(signed_in)) -> HTMLResponse:
    return render(
        request,
        caller,
        "pathway.html",
        nav="/pathway",
        states=STATES,
        transitions=transitions_text(),
    )
