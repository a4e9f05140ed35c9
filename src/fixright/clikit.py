"""What every domain's CLI shares: the app context, transactions, error exits.

A command gets its `AppContext` from `ctx.obj`, opens one transaction with
`app.session()` and calls services; `FixrightError`s become one line on
stderr and exit code 2 (bad input) or 1 (failure), never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from fixright.config import Settings, load_settings
from fixright.errors import ConfigurationError
from fixright.safe_open import shown

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

err_console = Console(stderr=True, soft_wrap=True)
console = Console(soft_wrap=True)


@dataclass
class AppContext:
    """Settings plus a lazily created, migrated engine for one CLI run."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)
    _factory: sessionmaker[Session] | None = field(default=None, repr=False)
    _reader: sessionmaker[Session] | None = field(default=None, repr=False)

    def engine(self, *, migrate: bool = True) -> Engine:
        # SQLAlchemy and the migrations load here, on first use, not on import: commands
        # that need no database (`check --advisories`, `--help`) start without them.
        from fixright.db import check_connection, make_engine, upgrade

        if self._engine is None:
            if self.settings.database_url is None:
                self.settings.ensure_data_dir()
            engine = make_engine(self.settings.resolved_database_url())
            check_connection(engine)
            if migrate:
                upgrade(engine)
            self._engine = engine
        return self._engine

    @contextmanager
    def session(self, *, writes: bool = True) -> Iterator[Session]:
        """One transaction for the whole command: all-or-nothing.

        `writes=False` for commands that only read (reports, lists): on SQLite
        they then never hold the write lock the server's requests need.
        """
        from fixright.db import make_session_factory, session_scope

        if self._factory is None or self._reader is None:
            self._factory = make_session_factory(self.engine(), writes=True)
            self._reader = make_session_factory(self.engine())
        with session_scope(self._factory if writes else self._reader) as session:
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def app_context(ctx: typer.Context) -> AppContext:
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, AppContext):
        obj = AppContext(settings=load_settings())
        root.obj = obj
    return obj


def error_line(message: str) -> None:
    """Print `message` as one error line on stderr.

    Messages quote what the user gave (file names, cells): a CR or LF in a file
    name must not start a forged line, and `[/]` in a cell is text, not markup.
    """
    err_console.print(f"[bold red]error:[/] {escape(shown(message))}", highlight=False)


def fail(message: str, code: int = 2) -> None:
    """Print one error line and exit with `code`."""
    error_line(message)
    raise typer.Exit(code)


__all__ = [
    "AppContext",
    "ConfigurationError",
    "app_context",
    "console",
    "err_console",
    "error_line",
    "fail",
]
