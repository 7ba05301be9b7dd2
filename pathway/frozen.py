"""A dict nobody changes once it is read: the lists and tables of the pathway definition.

Not ``types.MappingProxyType``: the daily run hands the definition to worker processes, which
needs pickling (a proxy cannot be pickled), and the definition is hashed and compared as one
value. A dict underneath keeps the rules' many look-ups at dict speed.
"""

from collections.abc import Iterable, Mapping
from typing import NoReturn, TypeVar

__all__ = ["FrozenDict"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A read-only, hashable dict (its values must be hashable): every way to change it
    raises ``TypeError``."""

    __slots__ = ()

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        dict.__init__(self, items)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"

    def __reduce__(self) -> tuple[type["FrozenDict[K, V]"], tuple[dict[K, V]]]:
        """Pickled and copied as a plain dict rebuilt, never item by item (which would
        write to it)."""
        return (type(self), (dict(self),))

    def _refuse(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError("the pathway definition cannot be changed once read")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
