"""Import patients with their history in bulk: a clinic moving its cohort from spreadsheets or
another tracker (docs/bulk-import.md).

A reader of NDJSON (`reading`), each history decided event by event with the commands every
other way in uses (`planning`, through the one dispatcher), and the one writer writing a
thousand patients per transaction (`importing`).
"""

from .importing import BATCH, ImportReport, import_histories
from .reading import ImportRefused

__all__ = ["BATCH", "ImportRefused", "ImportReport", "import_histories"]
