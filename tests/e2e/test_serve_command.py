"""`ildpath serve --demo` as a new user runs it: one command, a populated dashboard, a
sign-in printed, the scheduler in the same process; a restart serves the same cohort."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.web import free_port


class Served:
    """`ildpath serve ...` in a subprocess, its output collected in a file."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"serve-{self.port}.log"
        env = {**os.environ, "ILDPATH_DATABASE_URL": f"sqlite:///{folder}/clinic.db"}
        env.pop("ILDPATH_ROLE", None)
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ildpath", "serve", "--port", str(self.port), *args],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_up(self, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"not up after {seconds} s:\n{self.output()}")

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(how)
        return self.process.wait(timeout=60)

    def logins(self) -> dict[str, str]:
        return dict(re.findall(r"sign in as (\S+) / (\S+)", self.output()))


@contextmanager
def _sign_in(url: str, username: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        answer = client.post("/login", data={"username": username, "password": password})
        assert answer.status_code == 303, answer.text
        # The cookie is Secure: browsers send it to 127.0.0.1, httpx's jar does not.
        client.headers["Cookie"] = f"ildpath_session={client.cookies['ildpath_session']}"
        yield client


def test_serve_demo_opens_a_populated_dashboard_with_a_printed_sign_in(tmp_path):
    served = Served(tmp_path, "--demo", "--demo-size", "6")
    try:
        served.wait_until_up()
        logins = served.logins()
        assert set(logins) == {"demo-clinician", "demo-coordinator", "demo-auditor", "demo-admin"}

        with _sign_in(served.url, "demo-clinician", logins["demo-clinician"]) as browser:
            board = browser.get("/")
            found = browser.get("/", params={"q": "demo-0001"})  # closed ones too, by search
        assert board.status_code == 200
        assert "DEMO-000" in board.text
        assert "DEMO-0001" in found.text
        assert "Decision support only" in board.text
        time.sleep(1)
        assert "leader: running daily evaluation" in served.output()  # scheduler in-process
    finally:
        assert served.stop() == 0
    assert "scheduler stopped" in served.output()

    again = Served(tmp_path, "--demo", "--no-scheduler")
    try:
        again.wait_until_up()
        new_logins = again.logins()
        assert new_logins["demo-clinician"] != logins["demo-clinician"]  # fresh every start
        with _sign_in(again.url, "demo-auditor", new_logins["demo-auditor"]) as browser:
            assert "DEMO-0006" in browser.get("/").text  # the same cohort, not seeded again
        assert "Seeding" not in again.output()
        assert "leader: running" not in again.output()
    finally:
        assert again.stop(signal.SIGINT) == 0
