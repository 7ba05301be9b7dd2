"""What a calendar feed lists: its open tasks, and the tasks that left it lately.

A subscribed calendar app never deletes an event on its own when it is missing from the next
fetch (several keep it for good), so a task that left the feed stays in it a while as a
``STATUS:CANCELLED`` event: closed (done, declined, cancelled by the engine) or, in a
personal feed, assigned to someone else. "A while" is ``calendar_cancelled_days``
(default 90), counted from when it left, and never from before the feed was issued: a task
that left before a subscription existed was never in its calendar.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from persistence.tables import CareTaskRow, TaskActionRow

from ..accounts.calendar_feeds import Feed
from ..bootstrap import App
from .listings import Listing, log_listing
from .task_calendar import Listed, calendar_of, change_counts, task_rows

__all__ = ["feed_calendar"]

_OPEN = "open"


def _closed_since(session: Session, since: datetime, assignee: str | None = None) -> list[Listed]:
    """Tasks closed since ``since`` (the last change of a closed row is its closing, or
    later); only those assigned to ``assignee`` when one is named."""
    conditions = [col(CareTaskRow.status) != _OPEN, col(CareTaskRow.updated_at) >= since]
    if assignee is not None:
        conditions.append(col(CareTaskRow.assignee) == assignee)
    return [Listed(task, task.status) for task in task_rows(session, *conditions)]


def _left_at(
    actions: Iterable[tuple[int, str | None, datetime]], username: str
) -> dict[int, datetime]:
    """Task id -> when it was assigned away from ``username`` (the assignment that followed
    the last one to them); tasks still theirs are left out."""
    last_to_them: dict[int, int] = {}
    by_task: dict[int, list[tuple[str | None, datetime]]] = {}
    for task_id, assignee, at in actions:
        steps = by_task.setdefault(task_id, [])
        if assignee == username:
            last_to_them[task_id] = len(steps)
        steps.append((assignee, at))
    left: dict[int, datetime] = {}
    for task_id, index in last_to_them.items():
        steps = by_task[task_id]
        if index + 1 < len(steps):
            left[task_id] = steps[index + 1][1]
    return left


def _reassigned_since(session: Session, username: str, since: datetime) -> list[Listed]:
    """The tasks of ``username`` assigned to someone else since ``since``."""
    theirs = select(TaskActionRow.task_id).where(
        TaskActionRow.action == "assign", TaskActionRow.assignee == username
    )
    actions = session.exec(
        select(TaskActionRow.task_id, TaskActionRow.assignee, TaskActionRow.recorded_at)
        .where(TaskActionRow.action == "assign")
        .where(col(TaskActionRow.task_id).in_(theirs))
        .order_by(col(TaskActionRow.task_id), col(TaskActionRow.recorded_at), col(TaskActionRow.id))
    )
    left = {task: at for task, at in _left_at(actions, username).items() if at >= since}
    if not left:
        return []
    rows = task_rows(
        session,
        col(CareTaskRow.id).in_(sorted(left)),
        col(CareTaskRow.assignee) != username,
    )
    return [Listed(task, "reassigned") for task in rows]


def _mine(session: Session, username: str, since: datetime) -> list[Listed]:
    listed = [
        Listed(task)
        for task in task_rows(
            session, col(CareTaskRow.status) == _OPEN, col(CareTaskRow.assignee) == username
        )
    ]
    gone = _closed_since(session, since, username)
    seen = {item.task.id for item in gone}
    gone += [
        item for item in _reassigned_since(session, username, since) if item.task.id not in seen
    ]
    return listed + gone


def _everyone(session: Session, since: datetime) -> list[Listed]:
    listed = [Listed(task) for task in task_rows(session, col(CareTaskRow.status) == _OPEN)]
    return listed + _closed_since(session, since)


def _name(feed: Feed) -> str:
    if feed.scope == "mine":
        return f"ildpath: care tasks of {feed.username}"
    return "ildpath: every open care task"


def feed_calendar(app: App, feed: Feed, listing: Listing | None = None) -> bytes:
    """The feed's calendar now: ``mine``, the open tasks assigned to its user; ``all``, every
    open task; each with the tasks that left it lately, cancelled. Logged as ``listing``
    (the patients of every event in it, cancelled ones too: their ids are in it) when
    given."""
    now = app.clock.now()
    keep = timedelta(days=app.settings.calendar_cancelled_days)
    since = max(feed.created_at, now - keep)
    with app.transaction() as session:
        if feed.scope == "mine":
            listed = _mine(session, feed.username, since)
        else:
            listed = _everyone(session, since)
        changes = change_counts(session, (item.task for item in listed))
    if listing is not None:
        log_listing(app, listing, (item.task.patient_id for item in listed))
    return calendar_of(_name(feed), listed, changes, now, subscribed=True)
