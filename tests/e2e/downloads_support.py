"""What the download tests share: the world they set up and HTTP helpers."""

from __future__ import annotations

import base64
import email.message
import json
import os
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from tests.conftest import SHARED_DATA
from tests.e2e.conftest import LiveServer

ENTITLED = "cat4500e-entservicesk9-mz.122-54.SG2.bin"  # maintenance, acme's platform
BIG = "cat4500e-entservicesk9-mz.122-54.SG3.bin"  # 200 MB, for the memory check
OTHER_PLATFORM = "asr1001-universalk9.03.09.02.S.153-2.S2.bin"  # nobody owns an ASR1001
C4948_SAMPLE = SHARED_DATA / "show/cisco_ios/show_version/cisco_ios_show_version.raw"
MIB = 1024 * 1024


@dataclass
class World:
    server: LiveServer
    acme: str  # API tokens
    beta: str
    operator: str
    images: dict[str, int]  # file name -> id
    data: dict[str, bytes]  # file name -> bytes (the small images)
    paths: dict[str, Path]

    def client(self, token: str | None = None) -> httpx.Client:
        return self.server.client(token)


def _ok(result: object) -> str:
    assert result.returncode == 0, result.stdout + result.stderr  # type: ignore[attr-defined]
    return result.stdout  # type: ignore[attr-defined, no-any-return]


def _image_file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _big_file(folder: Path, name: str, size: int) -> Path:
    """A mostly sparse file with random blocks spread through it, so every range differs."""
    path = folder / name
    with path.open("wb") as handle:
        handle.truncate(size)
        for offset in range(0, size, 16 * MIB):
            handle.seek(offset)
            handle.write(os.urandom(64 * 1024))
    return path


def _image_ids(server: LiveServer) -> dict[str, int]:
    rows = json.loads(_ok(server.cli("images", "list", "--format", "json")))
    return {row["filename"]: row["id"] for row in rows}


def _users_and_tokens(server: LiveServer) -> tuple[str, str, str]:
    _ok(server.cli("users", "add", "ops@portal.example", "--org", "portal", "--operator",
                   "--no-password"))
    _ok(server.cli("users", "add", "noc@acme.example", "--org", "acme", "--no-password"))
    _ok(server.cli("users", "add", "it@beta.example", "--org", "beta", "--no-password"))
    return tuple(  # type: ignore[return-value]
        _ok(server.cli("tokens", "create", "--email", email)).strip()
        for email in ("noc@acme.example", "it@beta.example", "ops@portal.example")
    )


def _token_of(url: str) -> tuple[str, str]:
    """(token, file name) of a link `.../dl/<token>/<filename>`."""
    _dl, token, filename = urlsplit(url).path.strip("/").split("/")
    return token, filename


def _repr_digest(value: str) -> dict[str, bytes]:
    """RFC 9530 `Repr-Digest` (a structured-field dictionary of byte sequences)."""
    out = {}
    for member in value.split(","):
        key, _, item = member.strip().partition("=")
        assert item.startswith(":") and item.endswith(":"), value
        out[key] = base64.b64decode(item[1:-1], validate=True)
    return out


def _byteranges(response: httpx.Response) -> list[tuple[str, bytes]]:
    """The (Content-Range, bytes) of each part of a multipart/byteranges body."""
    header = email.message.Message()
    header["content-type"] = response.headers["content-type"]
    assert header.get_content_type() == "multipart/byteranges"
    boundary = header.get_boundary()
    assert boundary
    delimiter = b"--" + boundary.encode()
    body = response.content
    assert body.startswith(delimiter + b"\r\n") and body.endswith(b"\r\n" + delimiter + b"--")
    parts = []
    for chunk in body[len(delimiter) + 2:-(len(delimiter) + 4)].split(b"\r\n" + delimiter + b"\r\n"):
        head, _, payload = chunk.partition(b"\r\n\r\n")
        headers = BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
        assert headers["content-type"] == "application/octet-stream"
        parts.append((str(headers["content-range"]), payload))
    return parts


def _small_world(server: LiveServer, tmp: Path) -> tuple[str, str, bytes, dict[str, object]]:
    """acme with its WS-C4948E, one entitled image; (acme token, beta token, bytes, link body)."""
    acme, beta, _operator = _users_and_tokens(server)
    _ok(server.cli("devices", "import", str(C4948_SAMPLE), "--org", "acme"))
    path = _image_file(tmp, ENTITLED, 2 * MIB + 3)
    _ok(server.cli("images", "add", str(path), "--kind", "maintenance"))
    _ok(server.cli("policy", "set", "lifetime-updates"))
    image_id = _image_ids(server)[ENTITLED]
    body = server.client(acme).post(f"/api/v1/images/{image_id}/download").json()
    assert body["allowed"] is True, body
    return acme, beta, path.read_bytes(), body
