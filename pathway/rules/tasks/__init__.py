"""Care-task policy (CLINICAL_SPEC §8): which tasks are open, their due dates, when they close.

Tasks are derived from the record by replaying it in clinical order, so a late entry puts each
task where the course says it belongs. Each kind has its own small module.
"""

from .policy import care_tasks

__all__ = ["care_tasks"]
