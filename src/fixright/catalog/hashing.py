"""One pass over an image: SHA-256, SHA-512 and MD5 together, copying to a sink.

`hash_stream` reads 1 MiB chunks once. The main thread reads and writes each
chunk; three worker threads each feed one digest from their own bounded queue.
hashlib releases the GIL while hashing large buffers, so on a machine with
spare cores the three digests and the copy run side by side instead of one
after the other (vendors publish MD5 and SHA-512; the content address is
SHA-256). Chunks are immutable `bytes`, shared by all threads without copies.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fixright.errors import InvalidInput

CHUNK_SIZE = 1024 * 1024
# Chunks a hasher may fall behind the reader before the reader waits.
_QUEUE_DEPTH = 16
_HEX = re.compile(r"[0-9a-fA-F]+", re.ASCII)
DIGEST_LENGTHS = {"md5": 32, "sha256": 64, "sha512": 128}
Progress = Callable[[int], None]
"""Called with the number of bytes just hashed, after each chunk."""


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Digests:
    """Lower-case hex digests and the byte count of one stream."""

    sha256: str
    sha512: str
    md5: str
    size: int


class _NullSink:
    def write(self, data: bytes, /) -> int:
        return len(data)


def _feed(hasher: hashlib._Hash, chunks: queue.Queue[bytes | None]) -> None:
    while (chunk := chunks.get()) is not None:
        hasher.update(chunk)


def hash_stream(
    stream: Readable,
    sink: Sink | None = None,
    *,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Digests:
    """Read `stream` to its end once, writing every chunk to `sink`, and digest it.

    `progress(n)` is called after each chunk with the number of bytes just
    read. Errors from `stream` or `sink` propagate unchanged (the worker
    threads are stopped first).
    """
    out = sink if sink is not None else _NullSink()
    hashers = {"sha256": hashlib.sha256(), "sha512": hashlib.sha512(), "md5": hashlib.md5(usedforsecurity=False)}
    queues: list[queue.Queue[bytes | None]] = []
    threads: list[threading.Thread] = []
    for name, hasher in hashers.items():
        q: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUE_DEPTH)
        thread = threading.Thread(target=_feed, args=(hasher, q), name=f"hash-{name}", daemon=True)
        thread.start()
        queues.append(q)
        threads.append(thread)
    size = 0
    try:
        while chunk := stream.read(chunk_size):
            for q in queues:
                q.put(chunk)
            out.write(chunk)
            size += len(chunk)
            if progress is not None:
                progress(len(chunk))
    finally:
        for q in queues:
            q.put(None)
        for thread in threads:
            thread.join()
    return Digests(
        sha256=hashers["sha256"].hexdigest(),
        sha512=hashers["sha512"].hexdigest(),
        md5=hashers["md5"].hexdigest(),
        size=size,
    )


def normalize_digest(kind: str, value: str, *, source: str = "") -> str:
    """`value` as lower-case hex, or `InvalidInput` if it is not a `kind` digest.

    `source` names where the value came from (an option, a JSON field) for the message.
    """
    expected = DIGEST_LENGTHS[kind]
    text = value.strip()
    if len(text) != expected or _HEX.fullmatch(text) is None:
        where = f" ({source})" if source else ""
        raise InvalidInput(
            f"{kind} digest{where} must be {expected} hexadecimal characters, got {value!r}"
        )
    return text.lower()


def digests_match(expected: str, actual: str) -> bool:
    """Constant-time comparison of two hex digests (case-insensitive)."""
    return hmac.compare_digest(expected.lower().encode(), actual.lower().encode())
