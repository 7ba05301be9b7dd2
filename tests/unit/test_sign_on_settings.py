"""Hospital single sign-on settings: set whole or refused with each missing or wrong
``ILDPATH_*`` variable named (and the allowed roles listed); unset, nothing of it applies."""

import pytest
from pydantic import ValidationError

from ildpath.oidc.role_map import role_for
from ildpath.settings import Settings, settings_problem

WHOLE = {
    "oidc_issuer": "https://login.example.org/realms/hospital",
    "oidc_client_id": "ildpath",
    "oidc_client_secret": "synthetic-secret",
    "oidc_roles": "ild-clinicians=clinician,ild-nurses=coordinator",
    "public_url": "https://ildpath.example.org",
}


def _problem(**values: object) -> str:
    with pytest.raises(ValidationError) as refused:
        Settings(**values)  # type: ignore[arg-type]
    problem = settings_problem(refused.value)
    assert problem is not None
    return problem


def test_whole_sign_on_settings_are_read_with_the_role_map_in_the_order_written() -> None:
    settings = Settings(**WHOLE)  # type: ignore[arg-type]
    assert settings.oidc_role_map() == (
        ("ild-clinicians", "clinician"),
        ("ild-nurses", "coordinator"),
    )
    assert settings.oidc_scopes == "openid profile email"
    assert settings.oidc_username_claim == "preferred_username"
    assert settings.oidc_role_claim == "roles"
    assert "synthetic-secret" not in repr(settings)


def test_without_an_issuer_nothing_of_sign_on_is_required() -> None:
    settings = Settings()
    assert settings.oidc_issuer is None
    assert settings.oidc_role_map() == ()


@pytest.mark.parametrize(
    "missing",
    ["oidc_client_id", "oidc_client_secret", "oidc_roles", "public_url"],
)
def test_an_issuer_without_one_of_the_rest_names_the_missing_variable(missing: str) -> None:
    values = {name: value for name, value in WHOLE.items() if name != missing}
    problem = _problem(**values)
    assert f"ILDPATH_{missing.upper()} must be set" in problem
    assert "ILDPATH_OIDC_ISSUER is set" in problem


def test_an_issuer_alone_names_every_missing_variable() -> None:
    problem = _problem(oidc_issuer=WHOLE["oidc_issuer"])
    for name in ("CLIENT_ID", "CLIENT_SECRET", "ROLES"):
        assert f"ILDPATH_OIDC_{name}" in problem
    assert "ILDPATH_PUBLIC_URL" in problem


def test_a_role_map_naming_an_unknown_role_is_refused_with_the_allowed_roles() -> None:
    problem = _problem(**{**WHOLE, "oidc_roles": "ild-team=superuser"})
    assert problem.startswith("settings: ILDPATH_OIDC_ROLES:")
    assert "'superuser'" in problem
    assert "allowed roles: coordinator, clinician, auditor, admin" in problem


def test_the_engine_s_own_role_cannot_be_given_through_sign_on() -> None:
    problem = _problem(**{**WHOLE, "oidc_roles": "ild-robots=system"})
    assert "ILDPATH_OIDC_ROLES" in problem and "'system'" in problem


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("clinician", "is not <claim value>=<role>"),
        ("=clinician", "is not <claim value>=<role>"),
        ("a=clinician,a=coordinator", "mapped twice"),
    ],
)
def test_a_malformed_role_map_is_refused_saying_what_is_wrong(written: str, said: str) -> None:
    problem = _problem(**{**WHOLE, "oidc_roles": written})
    assert "ILDPATH_OIDC_ROLES" in problem and said in problem


def test_scopes_without_openid_are_refused() -> None:
    problem = _problem(**{**WHOLE, "oidc_scopes": "profile email"})
    assert problem.startswith("settings: ILDPATH_OIDC_SCOPES:")
    assert "must include openid" in problem


def test_an_issuer_that_is_no_url_is_refused() -> None:
    problem = _problem(**{**WHOLE, "oidc_issuer": "login.example.org"})
    assert problem.startswith("settings: ILDPATH_OIDC_ISSUER:")


def test_the_settings_come_from_ildpath_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in WHOLE.items():
        monkeypatch.setenv(f"ILDPATH_{name.upper()}", value)
    monkeypatch.setenv("ILDPATH_OIDC_BUTTON_LABEL", "St Mary's account")
    settings = Settings()
    assert settings.oidc_issuer == WHOLE["oidc_issuer"]
    assert settings.oidc_button_label == "St Mary's account"
    monkeypatch.delenv("ILDPATH_OIDC_CLIENT_ID")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "ILDPATH_OIDC_CLIENT_ID must be set" in str(settings_problem(refused.value))


def test_the_first_mapped_group_the_person_holds_gives_the_role() -> None:
    mapping = Settings(**WHOLE).oidc_role_map()  # type: ignore[arg-type]
    both = {"roles": ["staff", "ild-nurses", "ild-clinicians"]}
    assert role_for(both, "roles", mapping) == "clinician"  # first in ILDPATH_OIDC_ROLES
    assert role_for({"roles": "ild-nurses"}, "roles", mapping) == "coordinator"
    assert role_for({"roles": ["staff"]}, "roles", mapping) is None
    assert role_for({"groups": ["ild-nurses"]}, "roles", mapping) is None
    assert role_for({"roles": 42}, "roles", mapping) is None
