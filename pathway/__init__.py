"""The care pathway for ILD in inflammatory myopathy, as pure rules over plain values.

Decision support: the engine proposes, people decide. Nothing here touches a database, a
clock or the network; time is passed in as ``as_of``.
"""

from .definition import PathwayDefinition, default_definition, load_definition
from .evaluation import Evaluation, evaluate
from .record import PatientRecord

__all__ = [
    "Evaluation",
    "PathwayDefinition",
    "PatientRecord",
    "default_definition",
    "evaluate",
    "load_definition",
]
