"""`ildpath record`: enter what happened to a patient, on its clinical date.

After each entry the engine re-evaluates at once, and what the entry did is printed (the
alerts it raised, the tasks it opened or closed), so the person entering a therapy sees an
agent-to-avoid alert before they leave the screen.
"""

from typing import Annotated, Any

import typer

from pathway.errors import InvalidValue

from ..roles import Permission
from ..usecases import correct_entry, enter_in_error, record_event
from .edge import console, open_app, operator, parse_day
from .outcome_lines import print_outcome

record_app = typer.Typer(
    help="Record PFTs, CMV results, HRCT, oxygen, laboratory results, SpO2, six-minute walks, "
    "therapies, procedures, vaccinations; correct an entry or mark it entered in error.",
    no_args_is_help=True,
)

PatientId = Annotated[str, typer.Argument(help="Patient id.")]
Day = Annotated[str | None, typer.Option("--on", help="Clinical date YYYY-MM-DD (default: today).")]


def _record(
    ctx: typer.Context, patient_id: str, on: str | None, what: str, kind: str, body: Any
) -> None:
    actor = operator(ctx).acting(Permission.RECORD)
    app = open_app()
    day = parse_day("on", on, app.clock.today())
    outcome = record_event(app, patient_id, kind, body, day, actor)
    ids = ", ".join(f"#{n}" for n in outcome.entry_ids or (outcome.entry_id,))
    console.print(f"recorded {what} ({ids}) for {patient_id} on {day}")
    print_outcome(outcome)


@record_app.command("pft")
def pft(
    ctx: typer.Context,
    patient_id: PatientId,
    fvc: Annotated[float | None, typer.Option("--fvc", help="FVC % predicted (10-200).")] = None,
    dlco: Annotated[float | None, typer.Option("--dlco", help="DLCO % predicted (5-200).")] = None,
    dlco_corrected: Annotated[
        float | None,
        typer.Option("--dlco-corrected", help="DLCO % predicted, haemoglobin-corrected."),
    ] = None,
    fvc_l: Annotated[float | None, typer.Option("--fvc-l", help="FVC in litres.")] = None,
    on: Day = None,
) -> None:
    """A pulmonary function test (FVC and/or DLCO % predicted)."""
    values = {
        "fvc_pct": fvc,
        "dlco_pct": dlco,
        "dlco_corrected_pct": dlco_corrected,
        "fvc_l": fvc_l,
    }
    _record(ctx, patient_id, on, "PFT", "pft", values)


@record_app.command("cmv")
def cmv(
    ctx: typer.Context,
    patient_id: PatientId,
    iu_per_ml: Annotated[
        float | None,
        typer.Option("--iu-per-ml", help="CMV DNA viral load, IU/mL (0: not detected)."),
    ] = None,
    copies_per_ml: Annotated[
        float | None,
        typer.Option(
            "--copies-per-ml",
            help="Or the load in copies/mL, as the laboratory reported it (never converted).",
        ),
    ] = None,
    comparator: Annotated[
        str | None,
        typer.Option(
            "--comparator",
            help="<, <=, >, >=: a result reported beyond a limit (--comparator '<' "
            "--iu-per-ml 35 is '< 35 IU/mL', below the detection limit).",
        ),
    ] = None,
    on: Day = None,
) -> None:
    """A CMV DNA (PCR) result: --iu-per-ml or --copies-per-ml (one of them)."""
    values = {"iu_per_ml": iu_per_ml, "copies_per_ml": copies_per_ml, "comparator": comparator}
    _record(ctx, patient_id, on, "CMV result", "cmv", values)


@record_app.command("lab")
def lab(
    ctx: typer.Context,
    patient_id: PatientId,
    ferritin: Annotated[
        float | None, typer.Option("--ferritin", help="Ferritin, ng/mL (0-1000000).")
    ] = None,
    ck: Annotated[
        float | None, typer.Option("--ck", help="Creatine kinase, U/L (0-1000000).")
    ] = None,
    kl6: Annotated[float | None, typer.Option("--kl6", help="KL-6, U/mL (0-50000).")] = None,
    crp: Annotated[float | None, typer.Option("--crp", help="CRP, mg/L (0-1000).")] = None,
    on: Day = None,
) -> None:
    """Laboratory results (at least one analyte); each analyte is recorded as its own entry."""
    values = {"ferritin": ferritin, "ck": ck, "kl6": kl6, "crp": crp}
    _record(ctx, patient_id, on, "laboratory results", "lab", values)


@record_app.command("spo2")
def spo2(
    ctx: typer.Context,
    patient_id: PatientId,
    percent: Annotated[float, typer.Argument(help="SpO2 at rest, % (50-100).")],
    on: Day = None,
) -> None:
    """Oxygen saturation at rest (pulse oximetry)."""
    _record(ctx, patient_id, on, f"SpO2 {percent:g}%", "spo2", {"spo2": percent})


@record_app.command("six-minute-walk")
def six_minute_walk(
    ctx: typer.Context,
    patient_id: PatientId,
    metres: Annotated[float, typer.Option("--metres", help="Distance walked, m (0-1000).")],
    nadir_spo2: Annotated[
        float | None,
        typer.Option("--nadir-spo2", help="Lowest SpO2 during the walk, % (50-100)."),
    ] = None,
    on: Day = None,
) -> None:
    """A six-minute walk test."""
    values = {"metres": metres, "nadir_spo2": nadir_spo2}
    _record(ctx, patient_id, on, "six-minute walk", "six_minute_walk", values)


@record_app.command("hrct")
def hrct(
    ctx: typer.Context,
    patient_id: PatientId,
    finding: Annotated[str, typer.Option(help="The radiologist's finding (free text).")],
    extensive_ggo: Annotated[
        bool,
        typer.Option(
            "--extensive-ggo/--no-extensive-ggo", help="Extensive ground-glass opacities."
        ),
    ] = False,
    on: Day = None,
) -> None:
    """A high-resolution CT of the chest."""
    values = {"finding": finding, "extensive_ggo": extensive_ggo}
    _record(ctx, patient_id, on, "HRCT", "hrct", values)


@record_app.command("oxygen")
def oxygen(
    ctx: typer.Context,
    patient_id: PatientId,
    requirement: Annotated[
        str,
        typer.Argument(help="none, low_flow, high_flow, mechanical_ventilation, ecmo."),
    ],
    on: Day = None,
) -> None:
    """The patient's current oxygen requirement."""
    _record(ctx, patient_id, on, f"oxygen {requirement}", "oxygen", {"oxygen": requirement})


@record_app.command("therapy")
def therapy(
    ctx: typer.Context,
    patient_id: PatientId,
    action: Annotated[str, typer.Argument(help="start (or change dose) | stop.")],
    agent: Annotated[
        str, typer.Argument(help="Generic name in lower case, e.g. tacrolimus, prednisone.")
    ],
    dose: Annotated[
        float | None,
        typer.Option(
            "--dose",
            help="The dose, in --unit given --every (e.g. --dose 15 --unit mg --every week); "
            "alone, mg every day.",
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="mg, g, mg/kg, g/kg, mg/m2 (needs a height).")
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(
            help="day, 2_days, week, 2_weeks, 4_weeks, month, once (glucocorticoids: day or "
            "2_days)."
        ),
    ] = None,
    route: Annotated[str | None, typer.Option(help="iv or oral.")] = None,
    on: Day = None,
) -> None:
    """Start an agent (a start of an active agent changes its dose) or stop it."""
    if action not in ("start", "stop"):
        raise InvalidValue("action", action, "start, stop")
    therapy: dict[str, object] = {"agent": agent, "route": route}
    if dose is not None and unit is None and every is None:
        therapy["dose_mg_per_day"] = dose
    else:
        therapy |= {"dose": dose, "unit": unit, "every": every}
    _record(ctx, patient_id, on, f"{action} {agent}", action, therapy)


@record_app.command("procedure")
def procedure(
    ctx: typer.Context,
    patient_id: PatientId,
    kind: Annotated[str, typer.Argument(help="plasma_exchange, pulmonary_rehabilitation.")],
    on: Day = None,
) -> None:
    """A procedure done."""
    _record(ctx, patient_id, on, kind, "procedure", {"kind": kind})


@record_app.command("vaccination")
def vaccination(
    ctx: typer.Context,
    patient_id: PatientId,
    kind: Annotated[str, typer.Argument(help="influenza, pneumococcal, covid19.")],
    on: Day = None,
) -> None:
    """A vaccination given."""
    _record(ctx, patient_id, on, f"{kind} vaccination", "vaccination", {"kind": kind})


Reason = Annotated[
    str, typer.Option("--reason", help="Why the entry is taken back (required, audited).")
]
EntryId = Annotated[
    str, typer.Argument(help="The entry's record id, e.g. obs12, rx7, ph3 (patient show).")
]


def _typed(text: str) -> object:
    """A value as typed after ``field=``: null, true/false, a number, a comma-separated list
    (risk_factors), or text. The use case checks it as it checks a new entry."""
    lowered = text.strip().lower()
    if lowered in ("null", "none", ""):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _changes(settings: list[str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        if not equals or not name.strip():
            raise InvalidValue("--set", setting, "field=value, e.g. --set iu_per_ml=0")
        name = name.strip()
        changes[name] = (
            [f for f in value.split(",") if f] if name == "risk_factors" else _typed(value)
        )
    return changes


@record_app.command("correct")
def correct(
    ctx: typer.Context,
    patient_id: PatientId,
    entry_id: EntryId,
    reason: Reason,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="field=value to change (repeatable); null removes a value."),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="New clinical date YYYY-MM-DD (default: the entry's)."),
    ] = None,
) -> None:
    """Correct a recorded entry (§11): a new entry replaces it; nothing is deleted."""
    actor = operator(ctx).acting(Permission.RECORD)
    app = open_app()
    day = None if on is None else parse_day("on", on)
    outcome = correct_entry(
        app, patient_id, entry_id, _changes(settings or []), reason, actor, on=day
    )
    prefix = entry_id.rstrip("0123456789")
    console.print(f"corrected {entry_id} of {patient_id}: replaced by {prefix}{outcome.entry_id}")
    print_outcome(outcome)


@record_app.command("entered-in-error")
def entered_in_error(
    ctx: typer.Context, patient_id: PatientId, entry_id: EntryId, reason: Reason
) -> None:
    """Mark a recorded entry entered in error (§11): kept, no longer read by the rules."""
    actor = operator(ctx).acting(Permission.RECORD)
    app = open_app()
    outcome = enter_in_error(app, patient_id, entry_id, reason, actor)
    console.print(f"{entry_id} of {patient_id} marked entered in error")
    print_outcome(outcome)
