"""A synthetic, clinically plausible demo cohort (`ildpath demo`): archetypal courses of
myositis-ILD planned with a seeded random generator and replayed day by day through the use
cases and the scheduler's daily job. The patients are synthetic: no real person's data."""

from .build import build_demo
from .plan import DemoPlanError
from .summary import DemoSummary

__all__ = ["DemoPlanError", "DemoSummary", "build_demo"]
