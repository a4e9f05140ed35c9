"""A real HTTP server on 127.0.0.1 for feed tests, and a CSAF provider laid out on it.

`Site` serves routes from a dict (so a test can change a document between two
syncs), counts requests per path, answers conditional requests with 304, and
can misbehave per route: delay, redirect, never end, declare a huge length.
`publish()` lays out a provider as CSAF 2.0 §7 says: provider-metadata.json,
a ROLIE feed, a directory with index.txt and changes.csv, .sha256/.sha512
and .asc beside each document.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import gnupg

LAST_MODIFIED = "Mon, 01 Dec 2026 10:00:00 GMT"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    delay: float = 0.0  # before the headers
    redirect: str | None = None
    endless: bool = False
    declared_length: int | None = None  # a Content-Length the body does not have
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer 503 to this many requests first


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.posts: list[dict[str, list[str]]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                with site.lock:
                    site.posts.append(form)
                self._answer(urlsplit(self.path).path, "POST")

            def do_GET(self) -> None:
                self._answer(self.path, "GET")

            def _answer(self, path: str, method: str) -> None:
                with site.lock:
                    site.hits[urlsplit(path).path] += 1
                    site.requests.append((path, dict(self.headers)))
                    route = site.routes.get(f"{method} {path}") or site.routes.get(path) \
                        or site.routes.get(urlsplit(path).path)
                    failing = route is not None and route.fail_first > 0
                    if failing:
                        route.fail_first -= 1
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if failing:
                    return self._send(503, b"busy", "text/plain")
                if route.delay:
                    time.sleep(route.delay)
                if route.redirect:
                    self.send_response(302)
                    self.send_header("Location", route.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if route.endless:
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b" " * 65536
                    try:
                        for _ in range(200_000):  # ~13 GB: endless for any client with a limit
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return None
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:20] + '"'
                if route.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return None
                extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED, **route.headers}
                return self._send(route.status, route.body, route.content_type, extra,
                                  route.declared_length)

            def _send(self, status: int, body: bytes, content_type: str,
                      headers: dict[str, str] | None = None, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(length if length is not None else len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body if length is None else body[:length])
                if length is not None:
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def doc_hits(self) -> int:
        """Requests for documents and their hash/signature files (not feeds or indexes)."""
        return sum(n for p, n in self.hits.items() if "/white/" in p and not p.endswith(
            ("index.txt", "changes.csv")))


# -- OpenPGP ----------------------------------------------------------------------------


class Signer:
    """A GnuPG home with a provider key and a stranger's key, made for the test session."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.gpg = gnupg.GPG(gnupghome=str(home))
        self.provider = self._key("psirt@provider.test")
        self.stranger = self._key("mallory@elsewhere.test")

    def _key(self, email: str) -> str:
        spec = self.gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", key_usage="sign",
                                      name_email=email, no_protection=True, expire_date=0)
        fingerprint = self.gpg.gen_key(spec).fingerprint
        assert fingerprint, "gpg could not make a test key"
        return str(fingerprint)

    def public(self, fingerprint: str) -> bytes:
        return str(self.gpg.export_keys(fingerprint)).encode()

    def sign(self, data: bytes, fingerprint: str | None = None) -> bytes:
        signature = self.gpg.sign(data, keyid=fingerprint or self.provider, detach=True)
        assert signature.status == "signature created", signature.status
        return str(signature).encode()

    def close(self) -> None:
        subprocess.run(["gpgconf", "--homedir", str(self.home), "--kill", "gpg-agent"],
                       check=False, capture_output=True)


# -- a CSAF provider ---------------------------------------------------------------------


@dataclass
class Doc:
    """One document as published: its path under the directory and what goes beside it."""

    path: str  # e.g. "2018/cisco-sa-20180328-smi2.json"
    body: bytes
    updated: datetime
    in_feed: bool = True
    sha: str = "sha512"  # which hash file is published: sha256, sha512, or ""
    signed_by: str | None = "provider"  # "provider", "stranger", "bad", or None (unsigned)
    hash_of: bytes | None = None  # publish the hash of these bytes instead (tampering)
    url: str | None = None  # an absolute URL for the feed entry instead of the directory


def csaf_bytes(shared: Path, name: str, tracking_id: str | None = None,
               version: str | None = None) -> bytes:
    """A shared CSAF document, as is, or under another tracking id / revision."""
    raw = (shared / name).read_bytes()
    if tracking_id is None and version is None:
        return raw
    data = json.loads(raw)
    tracking = data["document"]["tracking"]
    if tracking_id is not None:
        tracking["id"] = tracking_id
    if version is not None:
        tracking["version"] = version
        tracking["revision_history"].append(
            {"date": "2026-12-01T10:00:00Z", "number": version, "summary": "test revision"})
        tracking["current_release_date"] = "2026-12-01T10:00:00Z"
    return json.dumps(data, indent=1).encode()


def publish(site: Site, signer: Signer, docs: list[Doc], *, prefix: str = "",
            key_fingerprint: str | None = None) -> str:
    """Lay the provider out on `site`; returns its provider-metadata.json URL."""
    root = f"{prefix}/.well-known/csaf"
    directory = f"{root}/white/"
    feed_path = f"{root}/rolie/feed-tlp-white.json"
    entries = []
    for doc in docs:
        path = directory + doc.path
        url = doc.url or site.url(path)
        site.routes[path] = Route(doc.body)
        links = [{"rel": "self", "href": url}]
        if doc.sha:
            digest = hashlib.new(doc.sha, doc.hash_of or doc.body).hexdigest()
            site.routes[f"{path}.{doc.sha}"] = Route(
                f"{digest}  {doc.path.rsplit('/', 1)[-1]}\n".encode(), content_type="text/plain")
            links.append({"rel": "hash", "href": f"{url}.{doc.sha}"})
        if doc.signed_by:
            signed = doc.body if doc.signed_by != "bad" else doc.body + b" "
            fingerprint = signer.stranger if doc.signed_by == "stranger" else signer.provider
            site.routes[f"{path}.asc"] = Route(signer.sign(signed, fingerprint),
                                               content_type="text/plain")
            links.append({"rel": "signature", "href": f"{url}.asc"})
        if doc.in_feed:
            entries.append({
                "id": doc.path.rsplit("/", 1)[-1].removesuffix(".json"),
                "title": doc.path, "link": links,
                "published": doc.updated.isoformat(), "updated": doc.updated.isoformat(),
                "content": {"type": "application/json", "src": url},
                "format": {"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                           "version": "2.0"},
            })
    feed = {"feed": {"id": "provider-white", "title": "TLP:WHITE advisories",
                     "link": [{"rel": "self", "href": site.url(feed_path)}],
                     "category": [{"scheme": "urn:ietf:params:rolie:category:information-type",
                                   "term": "csaf"}],
                     "updated": datetime.now(UTC).isoformat(), "entry": entries}}
    site.routes[feed_path] = Route(json.dumps(feed).encode())
    listed = [d for d in docs if d.url is None]
    newest = sorted(listed, key=lambda d: d.updated, reverse=True)
    site.routes[directory + "changes.csv"] = Route(
        "".join(f'"{d.path}","{d.updated.isoformat()}"\n' for d in newest).encode(),
        content_type="text/csv")
    site.routes[directory + "index.txt"] = Route(
        "".join(f"{d.path}\n" for d in listed).encode(), content_type="text/plain")
    key_path = f"{root}/openpgp/provider.asc"
    site.routes[key_path] = Route(signer.public(signer.provider), content_type="text/plain")
    metadata = {
        "canonical_url": site.url(f"{root}/provider-metadata.json"),
        "distributions": [
            {"rolie": {"feeds": [{"summary": "WHITE advisories", "tlp_label": "WHITE",
                                  "url": site.url(feed_path)}]}},
            {"directory_url": site.url(directory)},
        ],
        "last_updated": datetime.now(UTC).isoformat(),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "public_openpgp_keys": [{"fingerprint": key_fingerprint or signer.provider,
                                 "url": site.url(key_path)}],
        "publisher": {"category": "vendor", "name": "Test PSIRT", "namespace": site.base},
        "role": "csaf_trusted_provider",
    }
    site.routes[f"{root}/provider-metadata.json"] = Route(json.dumps(metadata).encode())
    return site.url(f"{root}/provider-metadata.json")
