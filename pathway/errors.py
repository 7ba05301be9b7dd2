"""Domain exceptions. Each edge (CLI, API, scenario runner) translates them once."""

__all__ = [
    "ClinicalError",
    "DefinitionError",
    "GuardFailed",
    "InvalidTransition",
    "InvalidValue",
]


class ClinicalError(Exception):
    """Base of every refusal the pathway makes; nothing is written when one is raised."""


class InvalidValue(ClinicalError):
    """A value that the clinical vocabulary or its ranges do not allow (§11).

    Names the field and what is allowed, so the person entering it can correct it.
    """

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: {value!r} is not allowed; allowed: {allowed}")


class InvalidTransition(ClinicalError):
    """A trigger that the state machine does not allow from the current state (§3)."""

    def __init__(self, trigger: str, state: str, allowed: tuple[str, ...]) -> None:
        self.trigger = trigger
        self.state = state
        self.allowed = allowed
        allowed_text = ", ".join(allowed) if allowed else "none (terminal state)"
        super().__init__(
            f"trigger {trigger!r} is not allowed from state {state!r}; "
            f"allowed from {state!r}: {allowed_text}"
        )


class GuardFailed(ClinicalError):
    """A trigger allowed from this state whose clinical guard does not hold (§3)."""

    def __init__(self, trigger: str, missing: list[str]) -> None:
        self.trigger = trigger
        self.missing = missing
        super().__init__(f"trigger {trigger!r} refused: " + "; ".join(missing))


class DefinitionError(ClinicalError):
    """A pathway definition the engine will not run, refused when it is loaded (at start).

    A definition that is silently half-read advises with numbers nobody chose: a misspelt key
    would leave the shipped value in force. So every problem is named by the key's full path
    (``tasks.hrct_days``), all of them at once, on one line with the file they are in.
    """

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        where = f"pathway definition {source}" if source else "pathway definition"
        super().__init__(f"{where}: " + "; ".join(self.problems))

    def in_file(self, source: str) -> "DefinitionError":
        """The same problems, said of the file they were read from."""
        return DefinitionError(list(self.problems), source)
