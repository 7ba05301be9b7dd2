"""Decided histories kept between checking the file and writing it, a batch at a time.

Deciding them again to write them would double the import's work, and a regional cohort's
histories do not fit in memory. So the batches are kept as they are while they take less
than `IN_MEMORY` bytes (reckoned at `ITEM_BYTES` an item: a clinic's cohort of thousands),
and the rest go to an anonymous temporary file, pickled.
"""

import pickle
from collections.abc import Iterator, Sequence
from tempfile import TemporaryFile
from typing import IO

from persistence.changes import PatientChanges

__all__ = ["IN_MEMORY", "ITEM_BYTES", "Spool"]

IN_MEMORY = 256 * 1024 * 1024
"""Bytes of decided histories kept in memory before the rest go to a temporary file."""

ITEM_BYTES = 700
"""Memory an item of a decided history takes, measured (tracemalloc) on the benchmark's
cohort: an entry, its values and its audit event."""


class Spool:
    """Batches of decided patients, kept once and given back once, in order."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self.budget = in_memory // ITEM_BYTES
        self.held: list[list[PatientChanges]] = []
        self.file: IO[bytes] | None = None

    def keep(self, batch: Sequence[PatientChanges]) -> None:
        items = sum(len(changes.items) for changes in batch)
        if self.file is None and items <= self.budget:
            self.budget -= items
            self.held.append(list(batch))
            return
        if self.file is None:
            self.file = TemporaryFile()  # noqa: SIM115 (closed by `close`)
        frame = pickle.dumps(list(batch), protocol=pickle.HIGHEST_PROTOCOL)
        self.file.write(len(frame).to_bytes(8, "little"))
        self.file.write(frame)

    def batches(self) -> Iterator[list[PatientChanges]]:
        while self.held:
            yield self.held.pop(0)
        if self.file is None:
            return
        self.file.seek(0)
        while size := int.from_bytes(self.file.read(8), "little"):
            yield pickle.loads(self.file.read(size))

    def close(self) -> None:
        self.held.clear()
        if self.file is not None:
            self.file.close()
