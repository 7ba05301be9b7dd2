"""What a coordinator asks of the cohort: search, filters, order and page, as one value the
CLI, the API and the board all build, so all three find and sort alike.

Checked before anything is read: a bad value is refused naming the field and what it
allows, and nothing is looked up.
"""

from dataclasses import dataclass, fields, replace
from typing import Any

from pathway.codes import TASKS, Severity
from pathway.errors import InvalidValue
from pathway.machine import STATES
from pathway.phenotype import PHENOTYPE_GROUPS
from pathway.validation import check_text

__all__ = [
    "ALERT_STANDINGS",
    "COHORT_SORTS",
    "DUE_WINDOWS",
    "MAX_LIMIT",
    "PAGE_SIZE",
    "SEVERITY_RANK",
    "CohortQuery",
    "Paged",
    "id_prefix_pattern",
]

SEVERITY_RANK = {Severity.INFO.value: 0, Severity.WARNING.value: 1, Severity.CRITICAL.value: 2}

PAGE_SIZE = 50
"""Patients (or tasks) a page shows: the board, the worklist, and the API's default limit."""

MAX_LIMIT = 500
"""The most the API returns at once; beyond it, follow ``next_cursor``."""

DUE_WINDOWS = {
    "overdue": "a task overdue",
    "today": "a task due today",
    "week": "a task due in the next 7 days (today included)",
}
"""The due windows a list may ask for: patients with an open task in it."""

ALERT_STANDINGS = {
    "holding": "an unacknowledged alert that holds",
    "cleared": "an unacknowledged alert already cleared",
}
"""§7a: an alert that still holds, or one whose cause is gone but awaits acknowledgement."""

COHORT_SORTS = {
    "urgency": "most urgent first",
    "patient": "patient id",
    "state": "pathway state",
    "phenotype": "phenotype",
    "next_due": "next task due",
    "overdue": "overdue tasks",
    "alerts": "unacknowledged alerts",
}
"""The orders a list may be sorted in; ``-`` before one reverses it (``-next_due``)."""

SEARCH_MAX = 64


class Paged:
    """Where a page sits in its list: for anything with ``offset``, ``limit``, ``total`` and
    the items it holds (``shown``)."""

    offset: int
    limit: int
    total: int

    @property
    def shown(self) -> int:
        raise NotImplementedError

    @property
    def next_offset(self) -> int | None:
        """Where the next page begins; None on the last page."""
        after = self.offset + self.shown
        return after if after < self.total else None

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


def id_prefix_pattern(text: str) -> str:
    """A LIKE pattern (escape ``\\``) for ids beginning with ``text``: ``%`` and ``_`` are
    characters a person typed, not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _allowed(field: str, value: str | None, allowed: dict[str, str] | tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidValue(field, value, ", ".join(allowed))


@dataclass(frozen=True)
class CohortQuery:
    """Empty fields do not filter. ``search``: a patient identifier, matched whole or by its
    beginning, ignoring case (whole matches first). ``assignee``: patients with an open task
    assigned to that username. ``include_closed``: closed patients are listed only when asked
    for by state, by search, or by this flag; they never rank (§7a)."""

    search: str | None = None
    states: tuple[str, ...] = ()
    phenotype: str | None = None
    task_kind: str | None = None
    due: str | None = None
    assignee: str | None = None
    alerts: str | None = None
    alert_severity: str | None = None
    sort: str = "urgency"
    include_closed: bool = False
    needs_completion: bool = False
    """Only patients whose phenotype lacks what the pathway needs (``NEEDS_COMPLETION``):
    typically imported from an EHR that could not tell it, never guessed."""

    def check(self) -> "CohortQuery":
        """This query, refused whole if any field is not one the list knows."""
        for state in self.states:
            _allowed("state", state, STATES)
        _allowed("phenotype", self.phenotype, tuple(PHENOTYPE_GROUPS))
        _allowed("task_kind", self.task_kind, tuple(TASKS))
        _allowed("due", self.due, DUE_WINDOWS)
        _allowed("alerts", self.alerts, ALERT_STANDINGS)
        _allowed("alert_severity", self.alert_severity, tuple(SEVERITY_RANK))
        _allowed("sort", self.sort.removeprefix("-"), COHORT_SORTS)
        if self.search is not None:
            text = check_text("q", self.search).strip()
            if len(text) > SEARCH_MAX:
                raise InvalidValue("q", text, f"a patient id of at most {SEARCH_MAX} characters")
        if self.assignee is not None:
            check_text("assignee", self.assignee)
        return self

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def sort_by(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the list (the sort does not)."""
        return self.narrowed() != CohortQuery()

    def narrowed(self) -> "CohortQuery":
        return replace(self, sort="urgency")

    @property
    def lists_closed(self) -> bool:
        return self.include_closed or bool(self.search) or "closed" in self.states

    def as_params(self) -> list[tuple[str, str]]:
        """The query as URL parameters (the board's links, a saved list), defaults left out."""
        params: list[tuple[str, str]] = []
        for f in fields(self):
            value: Any = getattr(self, f.name)
            if value == f.default or value in ((), None, ""):
                continue
            name = _PARAM_NAMES.get(f.name, f.name)
            if isinstance(value, tuple):
                params.extend((name, v) for v in value)
            elif isinstance(value, bool):
                params.append((name, "1"))
            else:
                params.append((name, str(value)))
        return params

    @classmethod
    def from_params(cls, params: Any) -> "CohortQuery":
        """The query a URL asks for (a Starlette ``QueryParams`` or any multi-dict with
        ``get``/``getlist``); blank values do not filter. Checked."""

        def one(name: str) -> str | None:
            value = params.get(name)
            return value.strip() or None if isinstance(value, str) else None

        sort = one("sort") or "urgency"
        return cls(
            search=one("q"),
            states=tuple(s for s in params.getlist("state") if s),
            phenotype=one("phenotype"),
            task_kind=one("task_kind"),
            due=one("due") or ("overdue" if one("overdue") in _YES else None),
            assignee=one("assignee"),
            alerts=one("alerts"),
            alert_severity=one("alert_severity"),
            sort=sort,
            include_closed=one("closed") in _YES,
            needs_completion=one("needs_completion") in _YES,
        ).check()


_PARAM_NAMES = {"search": "q", "states": "state", "include_closed": "closed"}
_YES = ("1", "true", "on", "yes")
