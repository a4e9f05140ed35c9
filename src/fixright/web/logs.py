"""Logging for the server, configured once with `logging.config.dictConfig`.

Text for a terminal, JSON (one object a line) for a log shipper, chosen by
`FIXRIGHT_LOG_FORMAT`. Access lines come from the `fixright.access` logger
(`web/observe.py`), one per request, with the request id; the servers' own
access logs stay off so a request is logged once.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "principal", "client", "request_id")
_configured: tuple[str, str] | None = None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the access fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """The one dictConfig: ours for `fixright.*` and the servers' own loggers.

    Given to granian as `log_dictconfig` too (it configures logging in each
    worker), so the server's start-up lines and ours share one format.
    """
    formatter: dict[str, Any] = (
        {"()": "fixright.web.logs.JsonFormatter"} if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    handler = ["stderr"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "main",
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "fixright": {"handlers": handler, "level": level.upper(), "propagate": False},
            "_granian": {"handlers": handler, "level": "INFO", "propagate": False},
            "granian": {"handlers": handler, "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": handler, "level": "INFO", "propagate": False},
            # A request is logged once, by `fixright.access`.
            "granian.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Install `logging_config` (idempotent: a second call with the same choice does nothing)."""
    global _configured
    if _configured == (log_format, level.upper()):
        return
    logging.config.dictConfig(logging_config(log_format, level))
    _configured = (log_format, level.upper())
