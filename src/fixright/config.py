"""Settings from the environment (``FIXRIGHT_*``) and embedded defaults.

Everything defaults to one data directory, so ``fixright serve`` works on a
fresh machine with no configuration: a SQLite database, a folder of blobs and a
secret key generated on first use, all inside it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fixright.errors import ConfigurationError

SECRET_KEY_FILE = "secret_key"


class Settings(BaseSettings):
    """Process settings. Any field can be set as ``FIXRIGHT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="FIXRIGHT_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("fixright")))
    database_url: str | None = None
    storage_url: str | None = None
    secret_key: str | None = None
    # S3-compatible endpoint settings, used when storage_url is s3://bucket/prefix.
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    # A link born expired (0, negative) or valid for months is a mistake, not a choice.
    download_link_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    active_policy_default: str = "lifetime-updates"
    # Behind nginx: answer an allowed download with `X-Accel-Redirect: <prefix><blob path>`
    # and let nginx send the bytes from an `internal` location (docs/portal.md).
    accel_redirect_prefix: str | None = None
    # Set by `fixright serve --demo`: the login page then lists the demo logins.
    demo: bool = False
    # An operator's hardware file (docs/hardware.md): adds to or overrides the shipped catalogue.
    hardware_path: Path | None = None
    # Peers whose X-Forwarded-Proto/-Host/-For are believed (comma-separated addresses or
    # CIDRs, e.g. "127.0.0.1,10.0.0.0/8"). Empty: forwarded headers are ignored.
    trusted_proxies: str = ""
    # Served under a sub-path by the proxy (e.g. "/fixright"); links and redirects carry it.
    root_path: str = ""
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # `/metrics` answers only to `Authorization: Bearer <this>`; unset, it answers 404.
    metrics_token: str | None = None
    # Where alert messages link to (the portal as its users reach it), e.g. https://fix.example.
    public_url: str = "http://127.0.0.1:8000"
    # Outgoing alert e-mail (docs/operations.md). STARTTLS is on by default: no credentials
    # in clear; `smtp_ca_file` trusts a private CA (or a test server's own certificate).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "fixright@localhost"
    smtp_ca_file: Path | None = None
    # Each alert delivery: this many attempts, waiting backoff, 2*backoff ... between them,
    # each attempt bounded by the timeout.
    alert_attempts: int = Field(default=4, ge=1, le=10)
    alert_backoff_seconds: float = Field(default=2.0, ge=0, le=300)
    alert_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # `fixright serve --with-jobs`: run `jobs run` inside the server every this many minutes.
    jobs_interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    serve_jobs: bool = False

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # A relative --data-dir must not change meaning inside file:// and sqlite:// URLs.
        return Path(value).expanduser().absolute()

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                try:
                    ipaddress.ip_network(item.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{item.strip()!r} is not an address or CIDR") from None
        return value

    def trusted_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The trusted proxies as networks (a bare address is a /32 or /128)."""
        return [ipaddress.ip_network(item.strip(), strict=False)
                for item in self.trusted_proxies.split(",") if item.strip()]

    @field_validator("root_path")
    @classmethod
    def _root_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            raise ValueError("must start with '/', e.g. /fixright")
        return value

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'fixright.db'}"

    def resolved_storage_url(self) -> str:
        """The blob storage URL, defaulting to a folder in the data dir."""
        if self.storage_url:
            return self.storage_url
        return f"file://{self.data_dir / 'blobs'}"

    def ensure_data_dir(self) -> Path:
        """Create the data dir if needed and prove it is writable.

        Raises `ConfigurationError` naming the directory when it is not.
        """
        path = self.data_dir
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ConfigurationError(
                f"data directory {path} is not writable: {exc.strerror or exc}"
            ) from exc
        return path

    def resolved_secret_key(self) -> str:
        """The HMAC/session secret: the setting, else a key kept in the data dir.

        The key file is created once with mode 0600 and reused afterwards, so
        signed links and sessions survive a restart.
        """
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / SECRET_KEY_FILE
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            pass
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            # Another process won the race; use its key.
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI flags) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"])
        problems.append(f"FIXRIGHT_{name.upper()}: {error['msg']}")
    return "; ".join(problems)
