"""`fixright serve`: migrate, then run the app under granian (default) or uvicorn.

granian is the default and the one hard dependency: it hands files to the
kernel (1.6 GB/s on a 1 GiB download where uvicorn reached 0.36 GB/s, see
docs/operations.md). uvicorn is the optional `uvicorn` extra. Either way the
servers' own proxy-header handling is off (`FIXRIGHT_TRUSTED_PROXIES` is the
only source of truth, `web/proxy.py`) and their access logs are off (the app
logs one line per request itself, `web/observe.py`).
"""

from __future__ import annotations

import os
from typing import Any

import typer

from fixright.clikit import app_context, console
from fixright.demo import load_demo
from fixright.errors import ConfigurationError, InvalidInput
from fixright.web.logs import configure_logging, logging_config

APP = "fixright.web.app:create_app_from_env"


def run_server(ctx: typer.Context, *, host: str, port: int, demo: bool, workers: int,
               server: str, root_path: str | None, with_jobs: bool = False) -> None:
    """Check the settings, migrate, load the demo if asked, then serve until stopped."""
    if server not in ("granian", "uvicorn"):
        raise InvalidInput(f"--server must be granian or uvicorn, not {server!r}")
    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    if root_path is not None:
        settings = settings.model_validate({**settings.model_dump(), "root_path": root_path})
    configure_logging(settings.log_format, settings.log_level)
    app_ctx.engine(migrate=True)  # fail fast, with one line, before binding the port
    settings.resolved_secret_key()
    if demo:
        for line in load_demo(app_ctx):
            console.print(line, highlight=False)
    # Workers read settings from the environment, so pass ours down.
    os.environ["FIXRIGHT_DATA_DIR"] = str(settings.data_dir)
    os.environ["FIXRIGHT_DATABASE_URL"] = settings.resolved_database_url()
    os.environ["FIXRIGHT_STORAGE_URL"] = settings.resolved_storage_url()
    os.environ["FIXRIGHT_ROOT_PATH"] = settings.root_path
    if demo:
        os.environ["FIXRIGHT_DEMO"] = "1"
    if with_jobs:
        os.environ["FIXRIGHT_SERVE_JOBS"] = "1"
    console.print(f"fixright listening on http://{host}:{port}{settings.root_path}/",
                  highlight=False)
    if server == "granian":
        _granian(host, port, workers, settings.log_format, settings.log_level)
    else:
        _uvicorn(host, port, workers, settings.log_format, settings.log_level)


def _granian(host: str, port: int, workers: int, log_format: str, log_level: str) -> None:
    # Only the server chosen by --server is imported (uvicorn is an extra).
    from granian import Granian
    from granian.constants import Interfaces

    # No url_path_prefix: the app takes its root path from the settings, so both
    # servers behave alike (the proxy strips the prefix; links and redirects add it).
    Granian(APP, address=host, port=port, interface=Interfaces.ASGI, workers=workers,
            factory=True, log_access=False,
            log_dictconfig=logging_config(log_format, log_level)).serve()


def _uvicorn(host: str, port: int, workers: int, log_format: str, log_level: str) -> None:
    try:
        import uvicorn
    except ImportError:
        raise ConfigurationError(
            "--server uvicorn needs the uvicorn extra: pip install 'fixright[uvicorn]'"
        ) from None
    options: dict[str, Any] = {"proxy_headers": False, "access_log": False,
                               "log_config": logging_config(log_format, log_level)}
    uvicorn.run(APP, host=host, port=port, workers=workers, factory=True, **options)
