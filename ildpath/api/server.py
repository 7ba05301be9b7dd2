"""The HTTP server's settings that the application depends on: whose word names the client.

uvicorn believes ``X-Forwarded-For`` from 127.0.0.1 unless told otherwise, so anyone on the
machine could pose as any address and slip past the per-address sign-in throttle. It is
believed here only from the proxies the settings name (``ILDPATH_TRUSTED_PROXIES``).
"""

from typing import Any

import uvicorn
from fastapi import FastAPI

from ..settings import Settings

__all__ = ["server_config", "trusted_proxies"]


def trusted_proxies(settings: Settings) -> list[str]:
    return [address.strip() for address in settings.trusted_proxies.split(",") if address.strip()]


def server_config(
    api: FastAPI, settings: Settings, *, host: str, port: int, **options: Any
) -> uvicorn.Config:
    """uvicorn's configuration for ``api``: proxy headers read only from trusted proxies."""
    trusted = trusted_proxies(settings)
    return uvicorn.Config(
        api,
        host=host,
        port=port,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        **options,
    )
