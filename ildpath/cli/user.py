"""`ildpath user`: the accounts of the web dashboard and API, and their API tokens.

The command line itself trusts the local login (see `edge.Operator`); these accounts are what
the dashboard and the API check. Managing them takes the admin role (``--role admin``), with
one exception: the first account of an empty user table may be added by anyone at the
terminal, or nobody could ever sign in to the dashboard as an admin.
"""

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..accounts import (
    add_user,
    change_role,
    deactivate_user,
    has_users,
    issue_token,
    list_tokens,
    list_users,
    reactivate_user,
    reminder_choice,
    revoke_token,
    set_email,
    set_password,
    set_reminder_choice,
    unlock_account,
)
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases import Actor
from .edge import console, emit_json, open_app, operator

user_app = typer.Typer(
    help="Accounts of the web dashboard and API: add, list, change a password or a role, "
    "deactivate, unlock after wrong passwords, "
    "issue and revoke API tokens (admin role; the very first account needs none).",
    no_args_is_help=True,
)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password as one line from standard input (for scripts) instead of "
        "asking twice without echo.",
    ),
]


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _may_add(ctx: typer.Context, app: App) -> tuple[str, str]:
    """Admins add accounts; but an empty table has no admin yet, so its first account may be
    added by any local operator (who could edit the database file anyway). Who acts, as the
    accounts chain records it: ``cli:<user>`` in their role (``system`` for the first)."""
    if has_users(app):
        return _by(operator(ctx).acting(Permission.ADMINISTER))
    return f"cli:{operator(ctx).user}", "system"


def _by(acting: Actor) -> tuple[str, str]:
    """Who acts at the terminal, as the accounts chain records it."""
    return f"cli:{acting.name}", acting.role


@user_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="2-64 of a-z 0-9 . _ - (e.g. anna.rossi).")],
    role: Annotated[str, typer.Option("--role", help="coordinator, clinician, auditor or admin.")],
    password_stdin: PasswordStdin = False,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Where the reminders of tasks assigned to them go."),
    ] = None,
) -> None:
    """Add an account (admin role). Exception: the first account of an empty user table may
    be added by anyone at this terminal, so that someone can become the first admin (make
    that one an admin). The password is asked twice without echo: at least 12 characters,
    not one character repeated, not containing the username, not a common or breached one."""
    app = open_app()
    by, by_role = _may_add(ctx, app)
    account = add_user(
        app, username, role, _password(password_stdin), email=email, by=by, by_role=by_role
    )
    console.print(f"user {account.username} added ({account.role})", markup=False)


@user_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every account, active or not, by username."""
    operator(ctx).acting(Permission.READ)
    users = list_users(open_app())
    if as_json:
        emit_json(users)
        return
    table = Table("username", "role", "active", "demo", "created")
    for user in users:
        active = "yes" if user.active else "[red]no[/]"
        table.add_row(
            user.username, user.role, active, "yes" if user.demo else "", f"{user.created_at:%c}"
        )
    console.print(table)
    console.print(f"{len(users)} users")


@user_app.command("password")
def password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose password.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password (admin role); the user's dashboard sessions end."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    set_password(open_app(), username, _password(password_stdin), by=by, by_role=by_role)
    console.print(f"password of {username} changed; their sessions are closed", markup=False)


@user_app.command("role")
def role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose account.")],
    new_role: Annotated[
        str, typer.Argument(metavar="ROLE", help="coordinator, clinician, auditor or admin.")
    ],
) -> None:
    """Change an account's role (admin role), from its next request on; the dashboard's
    Accounts page does the same. Nobody changes their own role."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    account = change_role(open_app(), username, new_role, by=by, by_role=by_role)
    console.print(f"role of {username} is now {account.role}", markup=False)


@user_app.command("deactivate")
def deactivate(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose account.")]
) -> None:
    """Refuse the account from now on (admin role): sign-in, sessions and API tokens. The
    account is kept, so the names in the audit trail still mean someone. Nobody deactivates
    their own account."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    deactivate_user(open_app(), username, by=by, by_role=by_role)
    console.print(f"user {username} deactivated", markup=False)


@user_app.command("reactivate")
def reactivate(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose account.")]
) -> None:
    """Let a deactivated account sign in again (admin role); its API tokens that were not
    revoked work again, so revoke any you do not trust first."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    reactivate_user(open_app(), username, by=by, by_role=by_role)
    console.print(f"user {username} reactivated", markup=False)


@user_app.command("unlock")
def unlock(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose account.")]
) -> None:
    """Let an account locked by wrong passwords sign in again at once (admin role; the
    admin is `--user`). The unlock is an event on the accounts chain. A lock on a client
    address is not lifted: it ends by itself."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    if unlock_account(open_app(), username, by=by, by_role=by_role):
        console.print(f"user {username} unlocked: they can sign in again now", markup=False)
    else:
        console.print(f"user {username} was not locked (no failed sign-ins)", markup=False)


@user_app.command("token")
def token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Who the token acts as (in their role).")],
    name: Annotated[str, typer.Option("--name", help="What it is for, e.g. 'lab import'.")],
) -> None:
    """Issue an API token (admin role). It is printed once and never stored in clear."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    issued = issue_token(open_app(), username, name, by=by, by_role=by_role)
    token_id = issued.split("_", 2)[1]
    console.print(f"API token {token_id} for {username} ({name.strip()}):", markup=False)
    sys.stdout.write(issued + "\n")
    console.print(
        f"It will not be shown again: store it now. Revoke: `ildpath user revoke {token_id}`.",
        markup=False,
    )


@user_app.command("tokens")
def tokens(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose tokens.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A user's API tokens (never the tokens themselves): name, issued, last used, revoked."""
    operator(ctx).acting(Permission.READ)
    found = list_tokens(open_app(), username)
    if as_json:
        emit_json(found)
        return
    table = Table("id", "name", "issued", "last used", "revoked")
    for token in found:
        used = f"{token.last_used_at:%c}" if token.last_used_at else ""
        revoked = f"{token.revoked_at:%c}" if token.revoked_at else ""
        table.add_row(str(token.id), escape(token.name), f"{token.created_at:%c}", used, revoked)
    console.print(table)


@user_app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="Token number (see `ildpath user tokens`).")],
) -> None:
    """Revoke an API token (admin role): refused from its next use on."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    revoke_token(open_app(), token_id, by=by, by_role=by_role)
    console.print(f"API token {token_id} revoked")


@user_app.command("email")
def email_(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    address: Annotated[
        str | None, typer.Argument(help="The address; leave out to remove it.")
    ] = None,
) -> None:
    """Set (or remove) the address where the reminders of the tasks assigned to the user go
    (admin role); without one, their tasks' reminders go to the clinic's list."""
    by, by_role = _by(operator(ctx).acting(Permission.ADMINISTER))
    set_email(open_app(), username, address, by=by, by_role=by_role)
    said = f"set to {address}" if address else "removed"
    console.print(f"email of {username} {said}", markup=False)


@user_app.command("reminders")
def reminders(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose reminders.")],
    delivery: Annotated[
        str | None,
        typer.Option(
            "--delivery",
            help="immediate (one email per task reminder) or digest (one email a day).",
        ),
    ] = None,
    hour: Annotated[
        int | None,
        typer.Option("--hour", help="The digest's hour, 0-23, in their time zone (7: 07:00)."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Their IANA time zone, e.g. Europe/Paris."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show, or with an option change, how the reminders of a user's tasks reach them by
    email: immediately, one email each, or in one daily digest at an hour of their time zone
    (due and overdue tasks, new critical alerts). Critical-alert notices always go at once.
    Anyone may change their own (--user); an admin anyone's. Without an email address their
    tasks' reminders go to the clinic's list, whatever they chose."""
    acting = operator(ctx)
    app = open_app()
    if delivery is None and hour is None and timezone is None:
        if acting.user != username:
            require(acting.role, Permission.READ)
        choice = reminder_choice(app, username)
    else:
        if acting.user != username:
            require(acting.role, Permission.ADMINISTER)
        choice = set_reminder_choice(
            app,
            username,
            delivery=delivery,
            hour=hour,
            timezone=timezone,
            by=f"cli:{acting.user}",
            by_role=acting.role,
        )
    if as_json:
        emit_json(choice)
        return
    console.print(f"reminders of {username}: {choice.describe()}", markup=False)
