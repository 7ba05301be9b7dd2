"""A real OpenID Connect provider for the tests: the npm package ``oidc-provider`` (installed
by ``npm ci``) run by Node on ``localhost``, while ildpath serves on ``127.0.0.1``, so the
provider's redirect back to ildpath crosses sites as a hospital's would (SameSite cookies).

Its people and their groups are in a JSON file the provider reads at every sign-in: a test
changes someone's groups with `HospitalProvider.set_groups`. Its login page accepts any
password for a listed login; then it asks for consent.
"""

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import in_ci

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "HOSPITAL_STAFF",
    "ROLE_MAP",
    "HospitalProvider",
    "hospital_provider",
    "sign_on_settings",
]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "ildpath-tests"
CLIENT_SECRET = "tests-only-client-secret"  # synthetic: the provider exists for the test only

HOSPITAL_STAFF = {
    "nurse.olga": ["staff", "ildpath-coordinators"],
    "dr.petra": ["staff", "ildpath-clinicians"],
    "it.quinn": ["staff", "ildpath-admins"],
    "porter.rik": ["staff"],
}
"""Logins at the hospital and their groups; the porter has no ildpath group."""

ROLE_MAP = "ildpath-admins=admin,ildpath-clinicians=clinician,ildpath-coordinators=coordinator"
"""``ILDPATH_OIDC_ROLES`` for these groups."""


def sign_on_settings(issuer: str, public_url: str) -> dict[str, str]:
    """The ``Settings`` fields that point ildpath at the test provider."""
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_role_claim": "groups",
        "oidc_roles": ROLE_MAP,
        "oidc_button_label": "St Elsewhere account",
        "public_url": public_url,
    }


@dataclass
class HospitalProvider:
    issuer: str
    people: Path

    def set_groups(self, login: str, groups: list[str]) -> None:
        staff = json.loads(self.people.read_text())
        staff[login]["claims"]["groups"] = groups
        self.people.write_text(json.dumps(staff))


def node() -> str:
    """Debian's Node with npm's oidc-provider: skipped without them, except in CI, where a
    missing provider must fail rather than pass by skipping."""
    found = shutil.which("node")
    if found is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        message = "Node or npm's oidc-provider not installed (run npm ci)"
        if in_ci():
            pytest.fail(f"{message}; CI=true: sign-on tests must not be skipped", pytrace=False)
        pytest.skip(message)
    return found


@contextmanager
def hospital_provider(folder: Path, port: int, redirect_uri: str) -> Iterator[HospitalProvider]:
    """The provider on ``localhost:<port>``, with ildpath as a client redirecting to
    ``redirect_uri``, until the block ends."""
    issuer = f"http://localhost:{port}"
    people = folder / "hospital-staff.json"
    staff = {
        login: {"claims": {"preferred_username": login, "groups": groups}}
        for login, groups in HOSPITAL_STAFF.items()
    }
    people.write_text(json.dumps(staff))
    settings = folder / "provider.json"
    settings.write_text(
        json.dumps(
            {
                "port": port,
                "issuer": issuer,
                "users": str(people),
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [redirect_uri],
                },
            }
        )
    )
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [node(), str(SCRIPT), str(settings)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(
                        "the OIDC provider did not start: " + (folder / "provider.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield HospitalProvider(issuer, people)
    finally:
        process.terminate()
        process.wait(10)
        log.close()
