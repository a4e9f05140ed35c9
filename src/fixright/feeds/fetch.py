"""HTTP for feeds: https only, bounded size and time, retries, conditional requests.

Every answer is read as a stream and abandoned as soon as it passes the size
limit or the per-document deadline, so a feed serving 1 GB or never ending
costs at most `max_bytes` of memory and `deadline` seconds. Redirects are
followed here (not by httpx) so that each hop is checked against the scheme
rule and counted.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from fixright import __version__
from fixright.errors import InvalidInput

try:
    import httpx
except ImportError:  # the `feeds` extra is missing: said in one line when a sync starts
    httpx = None  # type: ignore[assignment]

MISSING_HTTPX = "syncing advisories needs httpx: pip install 'fixright[feeds]'"

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """One URL could not be fetched; `reason` says why in words a user can act on."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class FetchPolicy:
    allow_http: bool = False
    max_bytes: int = 20 * 1024 * 1024
    deadline: float = 60.0  # seconds for one document, all retries and redirects included
    timeout: float = 15.0  # seconds to connect, or between two received chunks
    retries: int = 3
    backoff: float = 0.5  # first wait; doubled after each retry
    max_redirects: int = 5


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional request the server says is unchanged
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, allow_http: bool) -> None:
    """Refuse anything but https, except http to a loopback address or with `allow_http`."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http":
        if allow_http or is_loopback(parts.hostname or ""):
            return
        raise FetchError(url, "plain http refused (https only; --allow-http to permit it)")
    raise FetchError(url, f"scheme {parts.scheme or '(none)'!r} refused (https only)")


class Fetcher:
    """A pooled HTTP client applying one `FetchPolicy`; safe to share between threads."""

    def __init__(self, policy: FetchPolicy, *, headers: dict[str, str] | None = None) -> None:
        if httpx is None:
            raise InvalidInput(MISSING_HTTPX)
        self.policy = policy
        self._client = httpx.Client(
            timeout=httpx.Timeout(policy.timeout),
            follow_redirects=False,
            headers={"User-Agent": f"fixright/{__version__}", **(headers or {})},
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        headers: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> Response | None:
        """GET `url` within the policy; a 304 answers with status 304 and no body.

        Raises `FetchError` for anything else than 200/304 (None for a 404 when
        `missing_ok`), a refused scheme, too many redirects, a body over the
        limit, or the deadline passing; 5xx answers and time-outs are retried
        with exponential backoff while the deadline allows.
        """
        policy = self.policy
        deadline = time.monotonic() + policy.deadline
        wait = policy.backoff
        attempt = 0
        while True:
            try:
                return self._get_once(url, etag, last_modified, max_bytes or policy.max_bytes,
                                      deadline, headers or {}, missing_ok)
            except _Retryable as exc:
                attempt += 1
                if attempt > policy.retries or time.monotonic() + wait >= deadline:
                    raise FetchError(url, f"{exc.reason} (after {attempt} attempt(s))") from None
                time.sleep(wait)
                wait *= 2

    def post_form(self, url: str, data: dict[str, str]) -> bytes:
        """POST a form (OAuth2 token request); same scheme rule, size bound and retries."""
        check_url(url, self.policy.allow_http)
        wait = self.policy.backoff
        for attempt in range(self.policy.retries + 1):
            try:
                answer = self._client.post(url, data=data)
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:
                reason = f"connection failed ({type(exc).__name__})"
            else:
                if answer.status_code < 500:
                    if answer.status_code != 200:
                        raise FetchError(url, f"HTTP {answer.status_code}")
                    if len(answer.content) > self.policy.max_bytes:
                        raise FetchError(url, "answer too large")
                    return answer.content
                reason = f"HTTP {answer.status_code}"
            if attempt == self.policy.retries:
                raise FetchError(url, f"{reason} (after {attempt + 1} attempt(s))")
            time.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")

    def _get_once(self, url: str, etag: str | None, last_modified: str | None, limit: int,
                  deadline: float, extra: dict[str, str], missing_ok: bool) -> Response | None:
        headers = dict(extra)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            check_url(current, self.policy.allow_http)
            try:
                request = self._client.build_request("GET", current, headers=headers)
                answer = self._client.send(request, stream=True)
            except httpx.TimeoutException:
                raise _Retryable("timed out") from None
            except httpx.TransportError as exc:
                raise _Retryable(f"connection failed ({type(exc).__name__})") from None
            try:
                if answer.status_code in _REDIRECTS:
                    location = answer.headers.get("location")
                    if not location:
                        raise FetchError(url, f"HTTP {answer.status_code} without Location")
                    current = urljoin(current, location)
                    continue
                if answer.status_code == 304:
                    return Response(current, 304, b"", answer.headers.get("etag"),
                                    answer.headers.get("last-modified"))
                if answer.status_code >= 500:
                    raise _Retryable(f"HTTP {answer.status_code}")
                if answer.status_code == 404 and missing_ok:
                    return None
                if answer.status_code != 200:
                    raise FetchError(url, f"HTTP {answer.status_code}")
                body = self._read(answer, url, limit, deadline)
                return Response(current, 200, body, answer.headers.get("etag"),
                                answer.headers.get("last-modified"))
            finally:
                answer.close()
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    def _read(self, answer: httpx.Response, url: str, limit: int, deadline: float) -> bytes:
        declared = answer.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"larger than the {_size(limit)} limit ({_size(int(declared))} declared)")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in answer.iter_bytes(65536):
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, f"larger than the {_size(limit)} limit (stopped reading)")
                if time.monotonic() > deadline:
                    raise FetchError(url, "took longer than the per-document time limit")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise _Retryable("timed out while reading") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection broke while reading ({type(exc).__name__})") from None
        return b"".join(chunks)


class _Retryable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"
