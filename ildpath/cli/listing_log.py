"""What a CLI listing logs (`ildpath.usecases.listings`): the person the command acts as, and
the options as given, so an auditor can tell which page or filter showed whom."""

import typer

from ..usecases import Actor
from ..usecases.listings import Listing

__all__ = ["cli_listing"]


def _asked(ctx: typer.Context) -> str:
    """The options set, in the order the command declares them (unset ones left out)."""
    given = {name: value for name, value in ctx.params.items() if value not in (None, False)}
    return " ".join(
        f"{name}={','.join(map(str, value)) if isinstance(value, list | tuple) else value}"
        for name, value in given.items()
        if value not in ([], ())
    )


def cli_listing(ctx: typer.Context, actor: Actor, what: str) -> Listing:
    """The listing a command shows, as the access log records it."""
    return Listing(actor, "cli", what, _asked(ctx))
