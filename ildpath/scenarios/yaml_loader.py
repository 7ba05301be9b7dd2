"""YAML as clinicians write it: ``on:`` is a key, not the boolean YAML 1.1 makes of it."""

import re
from typing import Any

import yaml

__all__ = ["load_yaml"]


class _ClinicalLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (on/off/yes/no stay words)."""


_ClinicalLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ClinicalLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_ClinicalLoader)
