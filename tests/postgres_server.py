"""A throwaway PostgreSQL server for the test session (standard library only).

``PostgresServer`` runs ``initdb`` into a fresh temporary directory (trust
authentication, superuser ``postgres``, no password), starts the server with
``pg_ctl`` on a free TCP port on 127.0.0.1 with its unix socket inside that
directory, waits until it accepts connections, and on ``stop()`` shuts it down
and deletes the directory.

PostgreSQL refuses to run as root: when this process is root, every server
binary is run as the ``postgres`` system user through ``runuser`` (the user is
created if missing); as a normal user the binaries are run directly.

Command line, used by ``.ci/run``::

    python -m tests.postgres_server start --state FILE   # prints the server URL
    python -m tests.postgres_server stop --state FILE
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYSTEM_USER = "postgres"
"""The system user that runs the server binaries when we are root."""

SUPERUSER = "postgres"
"""The database superuser created by ``initdb`` (independent of the OS user)."""

HOST = "127.0.0.1"

_TEST_SETTINGS = {
    # Durability is irrelevant for a throwaway server; speed is not.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
}


class PostgresServerError(RuntimeError):
    """The server could not be found, initialised, started or stopped."""


def find_bindir() -> Path | None:
    """Return the directory holding ``initdb`` and ``pg_ctl``, or None.

    ``pg_config --bindir`` wins when it names a directory that has both
    binaries (on Debian it may belong to a client-only package); otherwise the
    highest ``/usr/lib/postgresql/<version>/bin`` that has them.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                check=True,
                stdin=subprocess.DEVNULL,
                timeout=30,
            ).stdout.strip()
            if out:
                candidates.append(Path(out))

    def version_key(path: str) -> tuple[int, ...]:
        version = Path(path).parent.name
        return tuple(int(part) for part in re.findall(r"\d+", version))

    candidates += [
        Path(p)
        for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True)
    ]
    for bindir in candidates:
        if all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _ensure_system_user() -> None:
    """As root, create the ``postgres`` system user when it does not exist."""
    try:
        import pwd

        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", SYSTEM_USER],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )


class PostgresServer:
    """One throwaway PostgreSQL server; ``start()`` then ``stop()``."""

    def __init__(self, bindir: Path | None = None, *, start_timeout: float = 60.0) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise PostgresServerError(
                "no PostgreSQL server binaries (initdb, pg_ctl): "
                "neither `pg_config --bindir` nor /usr/lib/postgresql/*/bin has them"
            )
        self.bindir = found
        self.start_timeout = start_timeout
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.base_dir: Path | None = None
        self.port: int | None = None

    # -- paths and URL -------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "socket"

    @property
    def log_file(self) -> Path:
        assert self.base_dir is not None, "server not started"
        return self.base_dir / "server.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the server's ``postgres`` database."""
        assert self.port is not None, "server not started"
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self.port}/postgres"

    # -- running binaries ----------------------------------------------------

    def _run(self, name: str, *args: str, timeout: float = 120.0) -> str:
        cmd = [str(self.bindir / name), *args]
        if self.as_root:
            cmd = ["runuser", "-u", SYSTEM_USER, "--", *cmd]
        try:
            proc = subprocess.run(
                cmd,
                # A cwd the postgres user can enter (root's cwd may be /root).
                cwd=self.base_dir or "/",
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresServerError(f"{name} failed: {exc}") from exc
        if proc.returncode != 0:
            raise PostgresServerError(
                f"{name} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}{self._log_tail()}"
            )
        return proc.stdout

    def _log_tail(self, lines: int = 30) -> str:
        if self.base_dir is None or not self.log_file.exists():
            return ""
        tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        return "\n--- server log (tail) ---\n" + "\n".join(tail)

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> str:
        """Initialise and start the server; return its URL."""
        if self.as_root:
            _ensure_system_user()
        # As root, /tmp rather than $TMPDIR: the postgres user must reach it.
        parent = "/tmp" if self.as_root else None
        self.base_dir = Path(tempfile.mkdtemp(prefix="ildpath-pg-", dir=parent))
        try:
            self.socket_dir.mkdir()
            if self.as_root:
                for path in (self.base_dir, self.socket_dir):
                    shutil.chown(path, user=SYSTEM_USER)
            self._run(
                "initdb",
                "--pgdata",
                str(self.data_dir),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            )
            self._write_settings()
            self._start_on_free_port()
        except BaseException:
            self._remove_base_dir()
            raise
        return self.url

    def _write_settings(self) -> None:
        settings = {
            **_TEST_SETTINGS,
            "listen_addresses": f"'{HOST}'",
            "unix_socket_directories": f"'{self.socket_dir}'",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# ildpath test server\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _start_on_free_port(self, attempts: int = 5) -> None:
        last_error: PostgresServerError | None = None
        for _ in range(attempts):
            self.port = _free_port()
            try:
                self._run(
                    "pg_ctl",
                    "--pgdata",
                    str(self.data_dir),
                    "--log",
                    str(self.log_file),
                    "--options",
                    f"-p {self.port}",
                    "--wait",
                    "--timeout",
                    str(int(self.start_timeout)),
                    "start",
                    timeout=self.start_timeout + 30,
                )
                self._wait_until_ready()
                return
            except PostgresServerError as exc:  # e.g. the port was taken meanwhile
                last_error = exc
                self._stop_server()
        raise PostgresServerError(f"could not start PostgreSQL: {last_error}")

    def _wait_until_ready(self) -> None:
        """Wait until the server accepts TCP connections on 127.0.0.1."""
        pg_isready = self.bindir / "pg_isready"
        deadline = time.monotonic() + self.start_timeout
        while True:
            if pg_isready.exists():
                ready = (
                    subprocess.run(
                        [str(pg_isready), "-q", "-h", HOST, "-p", str(self.port), "-U", SUPERUSER],
                        stdin=subprocess.DEVNULL,
                        capture_output=True,
                        timeout=30,
                    ).returncode
                    == 0
                )
            else:
                try:
                    socket.create_connection((HOST, self.port), timeout=1).close()
                    ready = True
                except OSError:
                    ready = False
            if ready:
                return
            if time.monotonic() > deadline:
                raise PostgresServerError(
                    f"server on port {self.port} not ready after {self.start_timeout}s"
                    + self._log_tail()
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (if running) and delete its directory."""
        try:
            self._stop_server()
        finally:
            self._remove_base_dir()

    def _stop_server(self) -> None:
        if self.base_dir is None or not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            self._run(
                "pg_ctl",
                "--pgdata",
                str(self.data_dir),
                "--mode",
                "immediate",
                "--wait",
                "stop",
            )
        except PostgresServerError:
            self._kill_postmaster()

    def _kill_postmaster(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGKILL)

    def _remove_base_dir(self) -> None:
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    # -- state file for the command line -----------------------------------

    def to_state(self) -> dict[str, str | int | None]:
        return {
            "bindir": str(self.bindir),
            "base_dir": str(self.base_dir),
            "port": self.port,
            "url": self.url,
        }

    @classmethod
    def from_state(cls, state: dict[str, str | int | None]) -> PostgresServer:
        server = cls(Path(str(state["bindir"])))
        server.base_dir = Path(str(state["base_dir"]))
        server.port = int(state["port"]) if state["port"] is not None else None
        return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.postgres_server",
        description="Start or stop a throwaway PostgreSQL server for the tests.",
    )
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument(
        "--state",
        required=True,
        type=Path,
        help="JSON file written by start and read by stop",
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            server = PostgresServer()
            url = server.start()
            args.state.write_text(json.dumps(server.to_state()))
            print(url)
        else:
            if not args.state.exists() or not args.state.read_text().strip():
                return 0  # never started: nothing to stop
            PostgresServer.from_state(json.loads(args.state.read_text())).stop()
            args.state.unlink()
    except PostgresServerError as exc:
        print(f"postgres_server: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
