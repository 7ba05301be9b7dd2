"""`ildpath scenario run`: clinical acceptance scenarios (shared/scenarios/FORMAT.md)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..scenarios import ScenarioFormatError, load_scenario, run_scenario

scenario_app = typer.Typer(
    help="Run clinical scenarios: one patient's course and what the "
    "engine must say on given dates.",
    no_args_is_help=True,
)


@scenario_app.command("run")
def run(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]) -> None:
    """Run each file on a fresh temporary database with a simulated clock. Exit 0 when every
    expectation holds, 1 when one fails (each is printed), 2 when a file is malformed."""
    console = Console(highlight=False, soft_wrap=True)
    failed = malformed = 0
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioFormatError as error:
            console.print(f"[bold red]ERROR[/] {path}: {error}")
            malformed += 1
            continue
        result = run_scenario(scenario)
        if result.passed:
            console.print(f"[green]PASS[/] {path}  {scenario.name}")
            continue
        failed += 1
        console.print(f"[bold red]FAIL[/] {path}  {scenario.name}")
        for failure in result.failures:
            console.print(f"    {failure}", markup=False)
    passed = len(files) - failed - malformed
    console.print(
        f"{passed} passed, {failed} failed" + (f", {malformed} malformed" if malformed else "")
    )
    raise typer.Exit(2 if malformed else 1 if failed else 0)
