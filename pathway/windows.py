"""Every window the rules reckon from the day asked, gathered from their declarations.

Each module whose rules do date arithmetic declares its windows beside them (`WINDOWS`,
possibly empty; see `window.py`), and is listed here, so a window added to any of them is read
by the quiet horizon with no change here. `tests/unit/test_rules_declare_their_windows.py`
fails when a rule reckons from the day asked without a declaration, or a declaring module is
missing from this list.
"""

from . import chart
from .rules import progression, safety
from .rules.tasks import ledger, monitoring, prevention, treatment
from .window import Window

__all__ = ["WINDOWS"]

WINDOWS: tuple[Window, ...] = (
    *chart.WINDOWS,
    *safety.WINDOWS,
    *prevention.WINDOWS,
    *progression.WINDOWS,
    *ledger.WINDOWS,
    *monitoring.WINDOWS,
    *treatment.WINDOWS,
)
