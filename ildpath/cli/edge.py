"""What every command shares at the edge: who is acting, dates as the clinic types them, JSON
for scripts, and one readable line (with an exit code) for every refusal."""

import getpass
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from pathway.date_bounds import RANGE, read_day
from pathway.errors import ClinicalError, InvalidValue
from persistence.audit_key import AuditKeyError
from persistence.errors import ConcurrencyConflict, MigrationRefused, SchemaNeedsOwner

from ..bootstrap import App, bootstrap
from ..roles import ROLES, Permission, require
from ..settings import settings_problem
from ..usecases import Actor

__all__ = [
    "EXIT_CONFLICT",
    "EXIT_DATABASE",
    "EXIT_REFUSED",
    "Operator",
    "console",
    "emit_json",
    "open_app",
    "parse_day",
    "run_guarded",
]

EXIT_REFUSED = 2
"""The input was refused (a wrong value, a trigger not allowed, an unknown patient)."""
EXIT_CONFLICT = 3
"""Someone else changed the patient meanwhile: nothing was written; run it again."""
EXIT_DATABASE = 4
"""The database, or the audit key that signs its trail, could not be reached or read; or
the schema needs its owner to migrate it, or a migration refused data it names."""

console = Console(highlight=False, soft_wrap=True)
_errors = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class Operator:
    """The person at the terminal (``--user``/``ILDPATH_USER``, default the login name) in
    the role they declare (``--role``/``ILDPATH_ROLE``). The command line trusts the local
    login, as it trusts database access; the web dashboard authenticates."""

    user: str
    role: str

    def acting(self, permission: Permission) -> Actor:
        require(self.role, permission)
        return Actor(self.user, self.role)


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def operator(ctx: typer.Context) -> Operator:
    found = ctx.find_object(Operator)
    return found if found is not None else Operator(default_user(), "coordinator")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidValue("role", role, ", ".join(r for r in ROLES if r != "system"))
    return role


def open_app() -> App:
    return bootstrap()


def parse_day(field: str, text: str | None, default: date | None = None) -> date:
    """A date as typed (YYYY-MM-DD), within the accepted range (`pathway.date_bounds`);
    ``default`` when not given."""
    if text is None or text == "":
        if default is None:
            raise InvalidValue(field, text, f"a date YYYY-MM-DD ({RANGE})")
        return default
    if text == "today" and default is not None:
        return default
    return read_day(field, text)


def _plain(value: Any) -> Any:
    if isinstance(value, SQLModel):
        return _plain(value.model_dump())
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout: dates ISO 8601, rows and dataclasses as objects."""
    sys.stdout.write(json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n")


def fail(message: str, code: int) -> NoReturn:
    _errors.print(f"error: {message}", markup=False)
    raise SystemExit(code)


def run_guarded(main: Callable[[], Any]) -> None:
    """Translate the domain's refusals once, at the edge: one line on stderr, an exit code."""
    try:
        main()
    except ClinicalError as error:
        fail(str(error), EXIT_REFUSED)
    except ConcurrencyConflict as error:
        fail(f"{error} Nothing was written; run the command again.", EXIT_CONFLICT)
    except (SchemaNeedsOwner, MigrationRefused) as error:
        fail(str(error), EXIT_DATABASE)
    except OperationalError as error:
        fail(f"database: {error.orig or error}", EXIT_DATABASE)
    except AuditKeyError as error:
        fail(f"audit key: {error}", EXIT_DATABASE)
    except ValidationError as error:
        problem = settings_problem(error)
        if problem is None:
            raise
        fail(problem, EXIT_REFUSED)
