"""A measure taken in a fresh Python process, so its memory, caches and start are its own."""

import json
import subprocess
import sys
from typing import Any

__all__ = ["figures_of_child"]


def figures_of_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module args…`` and read the JSON figures it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
