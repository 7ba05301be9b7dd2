"""The links of a working list (the board, the worklist): the same list with one parameter
changed — another page, another sort — so a person can bookmark and share what they see."""

from collections.abc import Sequence
from urllib.parse import urlencode

__all__ = ["PageLinks", "with_params"]


def with_params(path: str, params: Sequence[tuple[str, str]], **changes: str | None) -> str:
    """``path`` with ``params``, each name in ``changes`` replaced (left out when None)."""
    kept = [(k, v) for k, v in params if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    query = urlencode(kept)
    return f"{path}?{query}" if query else path


class PageLinks:
    """What a list's header and footer link to: sorting by a column, the pages."""

    def __init__(self, path: str, params: Sequence[tuple[str, str]], sort: str) -> None:
        self.path = path
        # a page's own news (the flash after a form) is not part of the list
        self.params = [(k, v) for k, v in params if k not in ("page", "done", "alerts", "sig")]
        self.sort = sort

    def sorted_by(self, column: str) -> str:
        """The list sorted by ``column``; again on the column already sorted reverses it."""
        wanted = f"-{column}" if self.sort == column else column
        return with_params(self.path, self.params, sort=wanted)

    def direction(self, column: str) -> str | None:
        """``ascending``/``descending`` for aria-sort on the sorted column, else None."""
        if self.sort.removeprefix("-") != column:
            return None
        return "descending" if self.sort.startswith("-") else "ascending"

    def page(self, number: int) -> str:
        return with_params(self.path, self.params, page=str(number) if number > 1 else None)
