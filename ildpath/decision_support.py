"""The decision-support sentence every screen and every start-up message carries.

Its own module so that the command line can say it without importing the web stack."""

__all__ = ["DECISION_SUPPORT"]

DECISION_SUPPORT = (
    "Decision support only: the engine proposes, clinicians decide. It never moves a patient "
    "along the pathway without a person."
)
