"""`ildpath calendar`: calendar feeds, the addresses calendar apps subscribe to.

Issuing one grants reading the tasks to whoever holds the address, so it is done by the user
themself or an admin, named with ``--by`` (the accounts chain records who); the address is
printed once. Revoking takes the feed's user or an admin too (``--by``), or the terminal in
the admin role, as `ildpath user revoke` does.
"""

import sys
from typing import Annotated

import typer
from rich.table import Table

from ..accounts import FEED_SCOPES, issue_feed, list_feeds, revoke_feed
from ..roles import Permission
from .edge import console, emit_json, open_app, operator

calendar_app = typer.Typer(
    help="Calendar feeds: a per-user address (/calendar/<secret>.ics) that Outlook, Google "
    "or Apple Calendar subscribe to; issue, list, revoke.",
    no_args_is_help=True,
)

_SCOPES = "; ".join(f"{name}: {means}" for name, means in FEED_SCOPES.items())


@calendar_app.command("issue")
def issue(
    username: Annotated[str, typer.Argument(help="Whose feed (the tasks assigned to them).")],
    by: Annotated[
        str,
        typer.Option("--by", help="Who issues it: that user themself or an admin (username)."),
    ],
    scope: Annotated[str, typer.Option("--scope", help=_SCOPES + ".")] = "mine",
) -> None:
    """Issue a calendar feed; its address is printed once and never stored in clear."""
    app = open_app()
    issued = issue_feed(app, username, scope, by=f"cli:{by}")
    base = app.settings.public_url
    console.print(f"Calendar feed {issued.id} of {username} ({scope}):", markup=False)
    sys.stdout.write((base.rstrip("/") if base else "") + issued.path + "\n")
    if not base:
        console.print(
            "That is the path: put the dashboard's address before it (set ILDPATH_PUBLIC_URL, "
            "e.g. https://ildpath.clinic.example, to have it printed whole).",
            markup=False,
        )
    console.print(
        "Subscribe to it (Outlook: Add calendar > Subscribe from web; Google Calendar: Other "
        "calendars > From URL; Apple Calendar: File > New Calendar Subscription). It will not "
        f"be shown again; whoever has it reads the tasks. Revoke: `ildpath calendar revoke "
        f"{issued.id} --by {by}`.",
        markup=False,
    )


@calendar_app.command("list")
def list_(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Option("--user", help="Only this user's feeds (default: everyone's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Calendar feeds (never their addresses): user, scope, issued, last read, revoked."""
    operator(ctx).acting(Permission.READ)
    found = list_feeds(open_app(), username)
    if as_json:
        emit_json(found)
        return
    table = Table("id", "user", "scope", "issued", "last read", "revoked")
    for feed in found:
        read = f"{feed.last_read_at:%c}" if feed.last_read_at else "never"
        revoked = f"{feed.revoked_at:%c}" if feed.revoked_at else ""
        table.add_row(
            str(feed.id), feed.username, feed.scope, f"{feed.created_at:%c}", read, revoked
        )
    console.print(table)


@calendar_app.command("revoke")
def revoke(
    ctx: typer.Context,
    feed_id: Annotated[int, typer.Argument(help="Feed number (see `ildpath calendar list`).")],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Who revokes it: the feed's user or an admin (username). Without it: the "
            "terminal, in the admin role (--role admin).",
        ),
    ] = None,
) -> None:
    """Revoke a calendar feed: its address answers 404 from the next fetch on."""
    if by is None:
        acting = operator(ctx).acting(Permission.ADMINISTER)
        who, role = f"cli:{acting.name}", acting.role
    else:
        who, role = f"cli:{by}", None
    feed = revoke_feed(open_app(), feed_id, by=who, by_role=role)
    console.print(f"calendar feed {feed_id} of {feed.username} revoked", markup=False)
