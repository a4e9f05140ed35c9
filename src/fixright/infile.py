"""Opening a file someone named on the command line, for an importer.

Importers read what an operator points them at, and their errors quote what
they read. A symbolic link to `/etc/shadow` or `/etc/passwd` was followed and
its first line ended up in an error message; a FIFO or a device blocked the
command forever. So an importer reads only a regular file that is not itself
a symbolic link (`O_NOFOLLOW`, then `fstat`), and never more than its limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from fixright.errors import InvalidInput

_CONTROL = {c: f"\\x{c:02x}" for c in range(32)} | {127: "\\x7f"}


def shown(name: str) -> str:
    """`name` with control characters (CR, LF, ESC ...) escaped, so a message stays one line."""
    return name.translate(_CONTROL)


def read_regular_file(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of `path`; `InvalidInput` naming it when it is a symbolic link, not a
    regular file, unreadable, or longer than `max_bytes`."""
    name = shown(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidInput(
                f"{name}: is a symbolic link; give the file itself (links are not followed)"
            ) from None
        raise InvalidInput(f"{name}: cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{name}: not a regular file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise InvalidInput(f"{name}: {info.st_size} bytes is more than the {max_bytes} "
                               "an import reads")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidInput(f"{name}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:
        raise InvalidInput(f"{name}: more than the {max_bytes} bytes an import reads")
    return data
