"""`ildpath pathway diagram`: draw the state machine the engine runs."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pathway import PathwayDefinition, default_definition, load_definition
from pathway.errors import ClinicalError, InvalidValue

from ..diagram import DIAGRAM_FORMATS, pathway_diagram
from ..settings import Settings

pathway_app = typer.Typer(
    help="The care pathway definition the engine runs (decision support).",
    no_args_is_help=True,
)


@pathway_app.callback()
def _group() -> None:
    """Keeps `diagram` a subcommand when this module runs on its own (``python -m``)."""


def _definition() -> PathwayDefinition:
    """The configured pathway definition, without touching the database."""
    path = Settings().definition
    return load_definition(path) if path else default_definition()


def _diagram(fmt: str, out: Path | None) -> None:
    if fmt not in DIAGRAM_FORMATS:
        raise InvalidValue("format", fmt, ", ".join(DIAGRAM_FORMATS))
    if fmt == "png" and out is None:
        raise ClinicalError(
            "--out: png is binary and is not written to the terminal; give --out FILE"
        )
    version = _definition().version
    data = pathway_diagram(version, fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(data)
    Console(highlight=False).print(
        f"wrote {fmt} diagram of pathway {version} to {out}", markup=False
    )


@pathway_app.command("diagram")
def diagram(
    fmt: Annotated[
        str, typer.Option("--format", help="svg, png or mermaid (mermaid needs no Graphviz).")
    ] = "svg",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write; without it svg and mermaid go to stdout."),
    ] = None,
) -> None:
    """Draw the patient state machine (states, triggers, the terminal state) from the same
    definition the engine runs. svg and png need Graphviz's "dot"; mermaid needs nothing."""
    try:
        _diagram(fmt, out)
    except ClinicalError as refused:  # until main() translates ClinicalError itself
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"error: {refused}", markup=False
        )
        raise typer.Exit(2) from None


if __name__ == "__main__":
    pathway_app()
