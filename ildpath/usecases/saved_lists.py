"""A coordinator's saved working lists: a name for a board query, kept per user ("my
overdue CMV tests", "site B salvage"), so the same filters come back with one click.

The query is checked as the board checks it before it is kept, so a saved list always opens.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlmodel import col, select
from starlette.datastructures import QueryParams

from pathway.errors import InvalidValue
from pathway.validation import check_text
from persistence.account_tables import SavedListRow, UserRow

from ..accounts.users import find_user
from ..bootstrap import App
from .cohort_query import CohortQuery

__all__ = ["SavedList", "delete_list", "query_of", "save_list", "saved_lists"]

NAME_MAX = 60


@dataclass(frozen=True)
class SavedList:
    id: int
    name: str
    query: str
    """The board's query string (``state=salvage&due=overdue``)."""


def _name(name: str) -> str:
    text = check_text("name", name).strip()
    if not text or len(text) > NAME_MAX:
        raise InvalidValue("name", name, f"a name of 1 to {NAME_MAX} characters")
    return text


def save_list(app: App, username: str, name: str, query: CohortQuery) -> SavedList:
    """Keep ``query`` under ``name`` for this user; the same name again replaces it."""
    title = _name(name)
    text = urlencode(query.check().as_params())
    with app.transaction() as session:
        user = find_user(session, username)
        row = session.exec(
            select(SavedListRow).where(SavedListRow.user_id == user.id, SavedListRow.name == title)
        ).first()
        if row is None:
            row = SavedListRow(
                user_id=user.id or 0, name=title, query=text, created_at=app.clock.now()
            )
        row.query = text
        session.add(row)
        session.flush()
        return SavedList(row.id or 0, row.name, row.query)


def saved_lists(app: App, username: str) -> list[SavedList]:
    """This user's lists, by name."""
    with app.transaction() as session:
        rows = session.exec(
            select(SavedListRow)
            .join(UserRow, col(UserRow.id) == col(SavedListRow.user_id))
            .where(UserRow.username == username)
            .order_by(col(SavedListRow.name))
        ).all()
        return [SavedList(r.id or 0, r.name, r.query) for r in rows]


def delete_list(app: App, username: str, list_id: int) -> None:
    """Remove one of this user's lists (someone else's is never theirs to remove)."""
    with app.transaction() as session:
        user = find_user(session, username)
        row = session.get(SavedListRow, list_id)
        if row is None or row.user_id != user.id:
            raise InvalidValue("list", list_id, "one of your saved lists")
        session.delete(row)


def query_of(saved: SavedList) -> CohortQuery:
    """The saved list's query, as the board reads it."""
    return CohortQuery.from_params(QueryParams(parse_qsl(saved.query)))
