"""Talking to the hospital's identity provider with Authlib: its discovery document, the
authorization URL (code flow, PKCE S256, state and nonce), and the exchange of the code for
tokens over the back channel, where ildpath authenticates with its client secret.

Discovery and the provider's keys are fetched at each sign-on: signing on is rare, and a
provider that rotates its keys is then followed at once.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session

__all__ = [
    "Client",
    "Metadata",
    "ProviderUnreachable",
    "SignOnStart",
    "discover",
    "exchange_code",
    "new_start",
    "provider_keys",
]

TIMEOUT_SECONDS = 10


class ProviderUnreachable(Exception):
    """The identity provider did not answer as an OpenID provider (down, or misconfigured)."""


@dataclass(frozen=True)
class Client:
    """ildpath as a client of the provider (from the ``ILDPATH_OIDC_*`` settings)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str

    def session(self) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=self.scopes,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            default_timeout=TIMEOUT_SECONDS,
        )


@dataclass(frozen=True)
class Metadata:
    """What the discovery document says (only what ildpath uses)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class SignOnStart:
    """One sign-on begun: where to send the browser, and what to keep until it comes back."""

    url: str
    state: str
    code_verifier: str
    nonce: str


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
        found = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnreachable(f"{url}: {error}") from None
    if not isinstance(found, dict):
        raise ProviderUnreachable(f"{url}: not a JSON object")
    return found


def discover(issuer: str) -> Metadata:
    """The provider's endpoints from ``<issuer>/.well-known/openid-configuration``; refused
    when the document names another issuer (a mix-up or a wrong setting)."""
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    try:
        metadata = Metadata(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
        )
    except KeyError as missing:
        raise ProviderUnreachable(f"discovery document lacks {missing}") from None
    if metadata.issuer != issuer:
        raise ProviderUnreachable(
            f"discovery names issuer {metadata.issuer!r}, the settings {issuer!r}"
        )
    return metadata


def provider_keys(metadata: Metadata) -> dict[str, Any]:
    """The provider's current public keys (its JWKS document)."""
    return _get_json(metadata.jwks_uri)


def new_start(client: Client, metadata: Metadata) -> SignOnStart:
    """A fresh state, PKCE verifier and nonce, and the authorization URL that carries the
    state, the verifier's S256 challenge and the nonce."""
    state, verifier, nonce = (secrets.token_urlsafe(32) for _ in range(3))
    url, _ = client.session().create_authorization_url(
        metadata.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
    )
    return SignOnStart(str(url), state, verifier, nonce)


def exchange_code(client: Client, metadata: Metadata, code: str, code_verifier: str) -> str:
    """The ID token the provider gives for ``code`` and the PKCE verifier."""
    try:
        token = client.session().fetch_token(
            metadata.token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
        )
    except Exception as error:  # Authlib raises its own errors and requests' alike
        raise ProviderUnreachable(f"token endpoint refused the code: {error}") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderUnreachable("token endpoint answered without an id_token")
    return id_token
