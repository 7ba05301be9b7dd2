"""The checks an ID token must pass before anyone is signed in with it: tokens built here with
joserfc and keys generated for the test, each spoiled in one way, are refused naming what
failed; the right one gives its claims."""

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from ildpath.oidc.id_token import IdTokenRefused, check_id_token

ISSUER = "https://login.example.org/realms/hospital"
CLIENT = "ildpath"
NONCE = "the-nonce-this-sign-on-sent"
NOW = int(time.time())

PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
"""Another key with the same key id: a forger's."""
PUBLISHED = KeySet([PROVIDER_KEY]).as_dict(private=False)
"""What the provider's jwks_uri shows."""


def _claims(**changed: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "248289761001",
        "iat": NOW,
        "exp": NOW + 300,
        "nonce": NONCE,
        "preferred_username": "dr.petra",
    }
    claims.update(changed)
    return {name: value for name, value in claims.items() if value is not None}


def _token(claims: dict[str, Any], key: Any = PROVIDER_KEY, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": "provider-1"}, claims, key)


def _check(token: str) -> dict[str, Any]:
    return check_id_token(
        token, keys=PUBLISHED, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, now=NOW
    )


def test_a_token_signed_by_the_provider_for_this_client_gives_its_claims() -> None:
    claims = _check(_token(_claims()))
    assert claims["sub"] == "248289761001"
    assert claims["preferred_username"] == "dr.petra"


def test_a_token_from_another_issuer_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="iss"):
        _check(_token(_claims(iss="https://evil.example.org")))


def test_a_token_for_another_client_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="aud"):
        _check(_token(_claims(aud="another-app")))


def test_a_token_for_several_audiences_without_this_client_as_azp_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="azp"):
        _check(_token(_claims(aud=[CLIENT, "another-app"])))
    assert _check(_token(_claims(aud=[CLIENT, "another-app"], azp=CLIENT)))["sub"]


def test_an_expired_token_is_refused_beyond_a_minute_of_clock_difference() -> None:
    with pytest.raises(IdTokenRefused, match="exp"):
        _check(_token(_claims(iat=NOW - 3600, exp=NOW - 61)))
    assert _check(_token(_claims(iat=NOW - 3600, exp=NOW - 30)))["sub"]


def test_a_token_without_an_expiry_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="exp"):
        _check(_token(_claims(exp=None)))


def test_a_token_signed_by_another_key_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="signature"):
        _check(_token(_claims(), key=OTHER_KEY))


def test_a_token_altered_after_signing_is_refused() -> None:
    header, payload, signature = _token(_claims()).split(".")
    other_payload = _token(_claims(sub="someone-else")).split(".")[1]
    with pytest.raises(IdTokenRefused, match="signature"):
        _check(f"{header}.{other_payload}.{signature}")
    assert payload != other_payload


def test_a_token_with_another_nonce_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="nonce"):
        _check(_token(_claims(nonce="a-nonce-from-another-sign-on")))
    with pytest.raises(IdTokenRefused, match="nonce"):
        _check(_token(_claims(nonce=None)))


def test_an_unsigned_token_alg_none_is_refused() -> None:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(_claims())}."
    with pytest.raises(IdTokenRefused, match="signature"):
        _check(unsigned)


def test_a_token_signed_with_a_shared_secret_hmac_is_refused() -> None:
    """HS256 with a key anyone who knows the client secret (or the public key) could use."""
    secret = OctKey.import_key("a-shared-secret-of-at-least-32-bytes!!")
    with pytest.raises(IdTokenRefused, match="signature"):
        check_id_token(
            _token(_claims(), key=secret, alg="HS256"),
            keys=KeySet([secret]).as_dict(private=False),
            issuer=ISSUER,
            client_id=CLIENT,
            nonce=NONCE,
            now=NOW,
        )


def test_a_token_without_a_subject_is_refused() -> None:
    with pytest.raises(IdTokenRefused, match="sub"):
        _check(_token(_claims(sub=None)))
