"""Configuration: one validated settings object from ``ILDPATH_*`` environment variables."""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, FilePath, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from pathway.patient_identifier import DEFAULT_PATTERN, PatientIdRule, pattern_problem

from .oidc.role_map import RoleMap, parse_role_map

__all__ = ["Settings", "safe_url", "settings_problem"]


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs (as typed if
    unparsable)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def settings_problem(error: ValidationError) -> str | None:
    """One line naming each ``ILDPATH_*`` variable that is wrong and what it must be, or None
    when ``error`` is not about the settings (a command's own input is reported elsewhere)."""
    if not error.title.endswith("Settings"):
        return None
    problems = [
        f"ILDPATH_{'_'.join(str(part) for part in problem['loc']).upper()}: "
        f"{problem['msg'].lower()} (got {problem['input']!r})"
        if problem["loc"]
        else str(problem["msg"]).removeprefix("Value error, ")
        for problem in error.errors()
    ]
    return "settings: " + "; ".join(problems)


def _cores(at_most: int) -> int:
    """The cores this process may run on (its affinity, where the system says), capped."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, at_most))


class Settings(BaseSettings):
    """``ILDPATH_DATABASE_URL`` (default: ``ildpath.db`` in the working directory),
    ``ILDPATH_TIMEZONE`` (the clinic's days), ``ILDPATH_DEFINITION`` (a reviewed copy of the
    pathway definition; default: the packaged one), and the reminder schedule below; the
    channels are `scheduler.notifiers.settings.NotifierSettings` (``ILDPATH_NOTIFY_*``,
    ``ILDPATH_SMTP_*``, ``ILDPATH_WEBHOOK_*``)."""

    model_config = SettingsConfigDict(env_prefix="ILDPATH_", extra="ignore")

    database_url: str = "sqlite:///ildpath.db"
    timezone: str = "UTC"
    definition: Path | None = None
    daily_evaluation_at: str = "06:00"
    """Clinic time of the daily re-evaluation (HH:MM)."""
    dispatch_interval_seconds: int = 300
    """How often due reminders are looked for and sent."""
    pseudonym_key: str | None = None
    """Key of pseudonymised reports (``--pseudonymise``): set it to give a patient the same
    pseudonym in every report; unset, each report draws its own random key."""
    reminder_cadence_days: int = 7
    """After the overdue reminder, repeat every this many days while the task stays open
    (0: no repeats)."""
    clinic_reminders: Literal["immediate", "digest"] = "immediate"
    """The clinic's list (``ILDPATH_SMTP_RECIPIENTS``): one email per task reminder, or one
    daily digest at ``digest_hour`` in the clinic's time zone. Critical-alert notices are
    immediate either way; each person chooses their own (`ildpath user reminders`)."""
    digest_hour: int = Field(default=7, ge=0, le=23)
    """The hour (0-23, clinic time) of the clinic list's daily digest, and the hour a person
    who chooses the digest gets unless they pick another."""
    reminder_retry_first_seconds: int = Field(default=300, ge=1, le=86_400)
    """A delivery that failed and may succeed later is tried again after this long, then
    after twice as long each time (`scheduler.retry`)..."""
    reminder_retry_max_seconds: int = Field(default=21_600, ge=1, le=7 * 86_400)
    """...but never more than this apart (default 6 hours)."""
    reminder_max_age_days: int = Field(default=7, ge=1, le=365)
    """A reminder still failing this many days after it was planned (or re-queued) expires;
    a critical alert's notice never does while the alert is unacknowledged."""
    longest_quiet_days: int = Field(default=7, ge=0, le=366)
    """The daily run judges again a patient whose judgement cannot change (no entry, task or
    window falls due: `pathway.horizon`) after at most this many days all the same (0: every
    patient every day)."""
    daily_workers: int = Field(default_factory=lambda: _cores(4), ge=1, le=64)
    """Processes judging the daily run's batches side by side once thousands of patients are
    to be judged (default: the machine's cores, at most 4; 1: always in the scheduler's own
    process)."""
    secure_cookies: bool = True
    """Mark the dashboard's session cookie Secure (sent over HTTPS only; browsers also send it
    to http://localhost and 127.0.0.1). Turn off only behind a trusted TLS-terminating proxy
    that forwards plain HTTP from a non-loopback address."""
    session_hours: int = 12
    """A dashboard sign-in lasts this long."""
    sign_in_failures: int = Field(default=5, ge=1, le=100)
    """Wrong passwords in a row on one account before it is locked for a second; each further
    one doubles the lock (2, 4, 8 ... seconds, up to ``sign_in_longest_lock_seconds``)."""
    sign_in_failures_per_address: int = Field(default=20, ge=1, le=1000)
    """The same, for every sign-in from one client address, whatever the account (higher:
    a ward's computers may share one address)."""
    sign_in_longest_lock_seconds: int = Field(default=900, ge=1, le=86_400)
    """The longest a sign-in lock lasts (default 15 minutes); an admin can unlock sooner."""
    trusted_proxies: str = ""
    """Addresses (comma-separated) of the reverse proxies whose ``X-Forwarded-For`` names the
    client; empty: the header is ignored and the client is the connection's address."""
    audit_key_file: Path | None = None
    """The secret that signs the audit chains (default ``~/.config/ildpath/audit.key``; made
    on first use with mode 0600). Keep it off the database's host and out of its backups:
    whoever holds both can rewrite the trail undetected (docs/audit.md)."""
    audit_checkpoint_file: Path | None = None
    """Where signed checkpoints of every chain head are appended (default
    ``~/.local/state/ildpath/audit-checkpoints.jsonl``): outside the database, so events,
    views or whole patients removed after a checkpoint are found (docs/audit.md)."""
    fhir_low_flow_max_l_per_min: float = 6.0
    """FHIR import: the highest oxygen flow (LOINC 3151-8, L/min) read as ``low_flow``; above
    it ``high_flow`` (a reading, not a standard: see docs/fhir.md)."""
    fhir_local_codes: FilePath | None = None
    """FHIR import: a CSV of the clinic's own codes for diagnoses and antibodies (columns
    ``system,code,meaning``; meaning a diagnosis of CLINICAL_SPEC section 1, ``ild``,
    ``anti_mda5`` or ``anti_ars``), for what the shipped tables lack (docs/fhir.md). Read by
    ``ildpath.fhir.phenotype_codes.load_local_codes``, which names the line of a bad row."""
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    """The address people reach the dashboard at (e.g. ``https://ildpath.clinic.example``):
    what a calendar feed's URL starts with when the command line prints it (unset: the path
    alone, to put after the dashboard's address), and where the hospital's identity provider
    sends people back after single sign-on (required with ``ILDPATH_OIDC_ISSUER``)."""
    calendar_cancelled_days: int = Field(default=90, ge=1, le=3660)
    """A task that left a calendar feed (closed, or assigned to someone else) stays in it as
    a cancelled event this many days, so every subscribed calendar app removes it."""
    patient_id_pattern: str = DEFAULT_PATTERN
    """The regular expression a whole patient id must match (`pathway.patient_identifier`):
    default ASCII letters, digits, ``.``, ``_`` and ``-``. A clinic whose ids use another
    script widens it (e.g. ``[\\w.-]+`` for letters of any script), knowing that look-alike
    letters of two scripts then enrol two patients. Whatever the pattern, an id is read in
    NFC and refused with a space at either end, a control or format character, a ``/`` or
    more than 64 characters, and unique whatever the case."""

    oidc_issuer: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    """The hospital's OpenID Connect provider (e.g. ``https://login.microsoftonline.com/<tenant>
    /v2.0``): set, the sign-in page offers "Sign in with ..." beside the password form
    (docs/sign-in.md). Its ``/.well-known/openid-configuration`` names everything else."""
    oidc_client_id: str | None = None
    """ildpath's client id at that provider (required with the issuer)."""
    oidc_client_secret: SecretStr | None = None
    """ildpath's client secret at that provider (required with the issuer)."""
    oidc_scopes: str = "openid profile email"
    """The scopes asked for (must include ``openid``)."""
    oidc_role_claim: str = "roles"
    """The ID token claim holding the person's groups or app roles (``roles`` in Entra ID,
    ``groups`` in Keycloak and Okta once the provider is told to send it)."""
    oidc_username_claim: str = "preferred_username"
    """The claim the new account's username is made from (the identity itself is the issuer
    and ``sub``, never this nor the email)."""
    oidc_roles: str = ""
    """``<claim value>=<role>`` pairs, comma-separated (e.g. ``ildpath-clinicians=clinician,
    ildpath-coordinators=coordinator``): the first pair whose value the role claim holds gives
    the role; none, and signing on is refused (required with the issuer)."""
    oidc_button_label: str = Field(default="hospital sign-in", min_length=1, max_length=60)
    """The sign-in button's words after "Sign in with" (e.g. ``St Mary's account``)."""

    @field_validator("oidc_roles")
    @classmethod
    def _a_role_map(cls, text: str) -> str:
        parse_role_map(text)
        return text

    @field_validator("oidc_scopes")
    @classmethod
    def _asks_for_openid(cls, scopes: str) -> str:
        if "openid" not in scopes.split():
            raise ValueError("must include openid (e.g. 'openid profile email')")
        return scopes

    @model_validator(mode="after")
    def _a_whole_sign_on(self) -> "Settings":
        """With an issuer, everything signing on needs, each missing one named."""
        if self.oidc_issuer is None:
            return self
        needed = {
            "ILDPATH_OIDC_CLIENT_ID": self.oidc_client_id,
            "ILDPATH_OIDC_CLIENT_SECRET": self.oidc_client_secret,
            "ILDPATH_OIDC_ROLES": self.oidc_roles.strip(),
            "ILDPATH_PUBLIC_URL": self.public_url,
        }
        missing = [name for name, value in needed.items() if not value]
        if missing:
            named = (
                " and ".join(missing)
                if len(missing) < 3
                else (", ".join(missing[:-1]) + " and " + missing[-1])
            )
            raise ValueError(
                f"ILDPATH_OIDC_ISSUER is set, so {named} must be set too "
                "(docs/sign-in.md, Hospital single sign-on)"
            )
        return self

    def oidc_role_map(self) -> RoleMap:
        """``ILDPATH_OIDC_ROLES`` as (claim value, role) pairs, in the order written."""
        return parse_role_map(self.oidc_roles)

    @field_validator("patient_id_pattern")
    @classmethod
    def _a_usable_pattern(cls, pattern: str) -> str:
        problem = pattern_problem(pattern)
        if problem is not None:
            raise ValueError(problem)
        return pattern

    def patient_id_rule(self) -> PatientIdRule:
        """The id rule with this clinic's pattern, for every way a patient comes in."""
        return PatientIdRule(self.patient_id_pattern)
