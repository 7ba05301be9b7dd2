"""A picture of the care pathway's state machine, for the people who review it.

Decision support: the diagram shows which moves the engine allows, not what a clinician
should do. It is drawn from the same definition the engine runs (`pathway.machine.STATES`
and `transition_table()`), by the `transitions` library's own diagram support, so the
picture cannot drift from the rules. svg and png are laid out by Graphviz's ``dot``;
mermaid text needs nothing outside Python.
"""

import copy
import re
from typing import Any, Literal

import graphviz  # type: ignore[import-untyped]
from transitions.extensions import GraphMachine
from transitions.extensions.diagrams_base import BaseGraph

from pathway.errors import ClinicalError, InvalidValue
from pathway.machine import STATES, transition_table

__all__ = ["DIAGRAM_FORMATS", "DiagramToolMissing", "diagram_title", "pathway_diagram"]

DIAGRAM_FORMATS: tuple[str, ...] = ("svg", "png", "mermaid")
TERMINAL_STATE = "closed"
_TERMINAL_STYLE = {"fillcolor": "lightgrey", "color": "black", "peripheries": "2"}


class DiagramToolMissing(ClinicalError):
    """svg or png was asked for but Graphviz's ``dot`` program is not installed."""

    def __init__(self) -> None:
        super().__init__(
            'format: svg and png need Graphviz\'s "dot" program '
            "(Debian: apt-get install graphviz); --format mermaid needs nothing"
        )


class _PathwayGraphMachine(GraphMachine):
    """GraphMachine with one extra node style for the terminal state."""

    style_attributes: Any = copy.deepcopy(GraphMachine.style_attributes)
    style_attributes["node"]["terminal"] = _TERMINAL_STYLE


def diagram_title(version: str) -> str:
    return f"ILD care pathway — version {version} (decision support)"


def _graph(version: str, engine: Literal["graphviz", "mermaid"]) -> BaseGraph:
    """The library's graph of a one-model machine built like `pathway_machine(version)`."""
    machine = _PathwayGraphMachine(
        states=list(STATES),
        transitions=transition_table(),
        initial="diagnosis",
        auto_transitions=False,
        send_event=True,
        name=f"pathway-{version}",
        title=diagram_title(version),
        graph_engine=engine,
    )
    graph: BaseGraph = machine.model_graphs[id(machine)]
    graph.reset_styling()  # the machine's own "current" state means nothing here
    graph.set_node_style(TERMINAL_STATE, "terminal")
    return graph


def _mermaid(version: str) -> bytes:
    """transitions 0.9.3 writes the class statement as ``Class``; Mermaid's keyword is
    ``class``."""
    source = str(_graph(version, "mermaid").get_graph().draw(None))
    return re.sub(r"(?m)^(\s*)Class ", r"\1class ", source).encode("utf-8")


def _graphviz(version: str, fmt: str) -> bytes:
    drawable = _graph(version, "graphviz").get_graph()
    try:
        data: Any = drawable.draw(None, format=fmt)
    except graphviz.ExecutableNotFound as missing:
        raise DiagramToolMissing() from missing
    return bytes(data)


def pathway_diagram(version: str, fmt: str) -> bytes:
    """The pathway's state machine as svg, png or mermaid (UTF-8) bytes."""
    if fmt not in DIAGRAM_FORMATS:
        raise InvalidValue("format", fmt, ", ".join(DIAGRAM_FORMATS))
    if fmt == "mermaid":
        return _mermaid(version)
    return _graphviz(version, fmt)
