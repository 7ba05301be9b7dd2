"""Configuration: one validated settings object from ``ILDPATH_*`` environment variables."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """``ILDPATH_DATABASE_URL`` (default: ``ildpath.db`` in the working directory),
    ``ILDPATH_TIMEZONE`` (the clinic's days), ``ILDPATH_DEFINITION`` (a reviewed copy of the
    pathway definition; default: the packaged one)."""

    model_config = SettingsConfigDict(env_prefix="ILDPATH_", extra="ignore")

    database_url: str = "sqlite:///ildpath.db"
    timezone: str = "UTC"
    definition: Path | None = None
