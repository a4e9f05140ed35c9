"""The error tree every layer raises and every boundary translates.

The CLI maps `InvalidInput` (and subclasses) to exit code 2 and anything else
in the tree to exit code 1; the API maps each class to one HTTP status. All of
them carry a message a user can act on, never a traceback.
"""

from __future__ import annotations


class FixrightError(Exception):
    """Base class. `code` is the stable machine-readable name used by the API."""

    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(FixrightError):
    """The caller gave something fixright cannot read or accept."""

    code = "invalid_input"
    http_status = 422
    exit_code = 2


class NotFound(FixrightError):
    """No such object, or one the caller may not see (never confirm existence)."""

    code = "not_found"
    http_status = 404


class Forbidden(FixrightError):
    """The caller is known but not allowed to do this."""

    code = "forbidden"
    http_status = 403


class Unauthorized(FixrightError):
    """No valid credentials were presented."""

    code = "unauthorized"
    http_status = 401


class Conflict(FixrightError):
    """The operation clashes with existing state (a duplicate, say)."""

    code = "conflict"
    http_status = 409
    exit_code = 2


class IntegrityFailure(FixrightError):
    """Stored data does not match what it should be (a digest, a hash chain)."""

    code = "integrity_failure"
    http_status = 500


class ConfigurationError(FixrightError):
    """A setting is wrong: a database URL that does not connect, an unwritable data dir."""

    code = "configuration_error"
    http_status = 500
