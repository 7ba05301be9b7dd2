"""Who may do what (issue: coordinators record, clinicians decide, auditors read).

One table for every edge: the command line and the web API both check it before calling a
use case, so the same role is refused the same things everywhere. The use cases themselves
take any actor, because scenario files (shared/scenarios/FORMAT.md) may name roles of their
own.
"""

from enum import StrEnum

from pathway.errors import ClinicalError

__all__ = ["ROLES", "Permission", "RoleNotPermitted", "allows", "require"]


class Permission(StrEnum):
    READ = "read records"
    ENROL = "enrol patients"
    RECORD = "record data"
    MANAGE_TASKS = "manage tasks"
    FIRE_TRIGGER = "fire clinical triggers"
    ACKNOWLEDGE_ALERT = "acknowledge alerts"
    REPORT = "produce reports"
    ADMINISTER = "manage users and tokens"
    EVALUATE = "evaluate the cohort"
    MANAGE_REMINDERS = "see and re-queue failing reminder deliveries"
    SEE_ACCESS_LOG = "see who saw a patient's record"


_COORDINATOR = frozenset(
    {
        Permission.READ,
        Permission.ENROL,
        Permission.RECORD,
        Permission.MANAGE_TASKS,
        Permission.REPORT,
        Permission.MANAGE_REMINDERS,
    }
)

ROLES: dict[str, frozenset[Permission]] = {
    "coordinator": _COORDINATOR,
    "clinician": _COORDINATOR | {Permission.FIRE_TRIGGER, Permission.ACKNOWLEDGE_ALERT},
    "auditor": frozenset({Permission.READ, Permission.REPORT, Permission.SEE_ACCESS_LOG}),
    "admin": frozenset(
        {
            Permission.READ,
            Permission.ADMINISTER,
            Permission.MANAGE_REMINDERS,
            Permission.SEE_ACCESS_LOG,
        }
    ),
    "system": frozenset({Permission.READ, Permission.EVALUATE}),
}
"""The engine itself acts as ``system``: it evaluates and raises, it never records clinical
data or moves a patient."""


class RoleNotPermitted(ClinicalError):
    def __init__(self, role: str, permission: Permission) -> None:
        self.role, self.permission = role, permission
        allowed = sorted(r for r, granted in ROLES.items() if permission in granted)
        super().__init__(
            f"role: {role!r} may not {permission.value}; roles that may: {', '.join(allowed)}"
        )


def allows(role: str, permission: Permission) -> bool:
    """Whether the role may do it (an unknown role may do nothing)."""
    return permission in ROLES.get(role, frozenset())


def require(role: str, permission: Permission) -> None:
    """Refuse, before anything is read or written, an action the role does not allow."""
    if not allows(role, permission):
        raise RoleNotPermitted(role, permission)
