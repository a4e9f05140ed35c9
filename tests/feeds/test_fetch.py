"""The bounded fetcher against a real local server."""

from __future__ import annotations

import pytest
from tests.feeds.site import Route, Site

from fixright.feeds.fetch import Fetcher, FetchError, FetchPolicy, check_url, is_loopback

FAST = FetchPolicy(timeout=1.0, deadline=3.0, retries=2, backoff=0.01, max_bytes=1000)


@pytest.mark.parametrize(("url", "ok"), [
    ("https://psirt.example/x", True), ("http://127.0.0.1:8000/x", True),
    ("http://[::1]/x", True), ("http://localhost/x", True),
    ("http://psirt.example/x", False), ("http://10.0.0.1/x", False), ("file:///etc/passwd", False),
])
def test_https_only_except_loopback(url: str, ok: bool) -> None:
    if ok:
        check_url(url, allow_http=False)
    else:
        with pytest.raises(FetchError, match="refused"):
            check_url(url, allow_http=False)


def test_allow_http_permits_plain_http_but_not_other_schemes() -> None:
    check_url("http://mirror.internal/x", allow_http=True)
    with pytest.raises(FetchError):
        check_url("ftp://mirror.internal/x", allow_http=True)
    assert not is_loopback("127.example")


def test_retries_5xx_then_succeeds(site: Site) -> None:
    site.routes["/flaky"] = Route(b"ok", fail_first=2)
    with Fetcher(FAST) as fetcher:
        answer = fetcher.get(site.url("/flaky"))
    assert answer is not None and answer.body == b"ok"
    assert site.hits["/flaky"] == 3


def test_gives_up_after_the_retries(site: Site) -> None:
    site.routes["/down"] = Route(b"ok", fail_first=10)
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError, match=r"HTTP 503 \(after 3"):
        fetcher.get(site.url("/down"))
    assert site.hits["/down"] == 3


def test_conditional_request_answers_304(site: Site) -> None:
    site.routes["/doc"] = Route(b"{}")
    with Fetcher(FAST) as fetcher:
        first = fetcher.get(site.url("/doc"))
        assert first is not None and first.etag
        again = fetcher.get(site.url("/doc"), etag=first.etag)
    assert again is not None and again.status == 304 and again.body == b""


def test_redirects_followed_counted_and_checked(site: Site) -> None:
    site.routes["/a"] = Route(redirect="/b")
    site.routes["/b"] = Route(b"there")
    site.routes["/loop"] = Route(redirect="/loop")
    site.routes["/away"] = Route(redirect="http://192.0.2.1/x")
    with Fetcher(FAST) as fetcher:
        answer = fetcher.get(site.url("/a"))
        assert answer is not None and answer.body == b"there" and answer.url.endswith("/b")
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.get(site.url("/loop"))
        with pytest.raises(FetchError, match="plain http refused"):
            fetcher.get(site.url("/away"))
    assert site.hits["/loop"] == 6


def test_size_limit_declared_and_streamed(site: Site) -> None:
    site.routes["/declared"] = Route(b"x" * 10, declared_length=10**9)
    site.routes["/endless"] = Route(endless=True)
    with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError, match="declared"):
            fetcher.get(site.url("/declared"))
        with pytest.raises(FetchError, match="stopped reading"):
            fetcher.get(site.url("/endless"))


def test_missing_ok_and_not_found(site: Site) -> None:
    with Fetcher(FAST) as fetcher:
        assert fetcher.get(site.url("/nothing"), missing_ok=True) is None
        with pytest.raises(FetchError, match="HTTP 404"):
            fetcher.get(site.url("/nothing"))


def test_slow_server_times_out_within_the_deadline(site: Site) -> None:
    site.routes["/slow"] = Route(b"late", delay=3)
    policy = FetchPolicy(timeout=0.3, deadline=1.0, retries=5, backoff=0.2)
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="timed out"):
        fetcher.get(site.url("/slow"))
    # The deadline, not the five retries, ended it.
    assert site.hits["/slow"] <= 3
