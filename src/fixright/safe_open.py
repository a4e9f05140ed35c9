"""Open a file an operator named, refusing symbolic links and special files.

Every importer and `images add` read files through here. A symbolic link is
refused (`O_NOFOLLOW` on the last path component), and so is anything that is
not a regular file once opened (a FIFO, a device, a folder, a socket): the
check is made with `fstat` on the opened descriptor, so the file cannot be
swapped between the check and the read. Errors name the path and the reason,
never a byte of the file, so a link planted towards a secret cannot make an
error message echo it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from typing import BinaryIO

from fixright.errors import InvalidInput

_CONTROL = {c: f"\\x{c:02x}" for c in range(32)} | {127: "\\x7f"}


def shown(name: str) -> str:
    """`name` with control characters (CR, LF, ESC ...) escaped, so a message stays one line."""
    return name.translate(_CONTROL)


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """`path` opened for binary reading if it is a regular file and not a symbolic link.

    `InvalidInput` (naming the path and why) otherwise, or when it cannot be
    opened. The caller closes the returned file.
    """
    name = shown(os.fspath(path))
    # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.EMLINK and os.path.islink(path)):
            raise InvalidInput(
                f"{name}: is a symbolic link; refused (give the file it points to)"
            ) from None
        raise InvalidInput(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InvalidInput(f"{name}: is {_kind(mode)}, not a regular file; refused")
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], *, limit: int | None = None) -> bytes:
    """The bytes of regular file `path` (see `open_regular`).

    With `limit`, a file larger than `limit` bytes is `InvalidInput` (nothing
    beyond `limit + 1` bytes is read).
    """
    with open_regular(path) as handle:
        if limit is None:
            return handle.read()
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"{shown(os.fspath(path))}: larger than the {limit // (1024 * 1024) or limit} "
            f"{'MB' if limit >= 1024 * 1024 else 'bytes'} accepted"
        )
    return data

