"""Running `ildpath` as a user does: a real subprocess on a real SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ILDPATH = [sys.executable, "-m", "ildpath"]


class Terminal:
    """One user's shell: a working folder with its database, and who they are."""

    def __init__(self, folder: Path, user: str = "coord-anna", role: str = "coordinator") -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "ILDPATH_DATABASE_URL": f"sqlite:///{folder}/clinic.db",
            "ILDPATH_USER": user,
            "ILDPATH_ROLE": role,
            "COLUMNS": "200",
        }

    def run(self, *args: str, role: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env, **({"ILDPATH_ROLE": role} if role else {}))
        return subprocess.run(
            [*ILDPATH, *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=self.folder,
        )

    def ok(self, *args: str, role: str | None = None) -> str:
        done = self.run(*args, role=role)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done.stdout

    def json(self, *args: str, role: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", role=role))
