"""Policy-checked downloads against a real `fixright serve` process (SQLite and PostgreSQL).

The world: acme owns the real WS-C4948E of the shared `show version` sample
and so, under `lifetime-updates`, may download a maintenance image of its
platform (c4500); beta owns the same switch with no licence on record and no
contract, and is refused; the operator publishes.
Every check talks HTTP to the server; the expected bytes and digests are
computed here from the files that were added.
"""

from __future__ import annotations

import email.message
import hashlib
import json
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.e2e.conftest import LiveServer
from tests.e2e.downloads_support import (
    BIG,
    C4948_SAMPLE,
    ENTITLED,
    MIB,
    OTHER_PLATFORM,
    World,
    _big_file,
    _byteranges,
    _image_file,
    _image_ids,
    _ok,
    _repr_digest,
    _token_of,
    _users_and_tokens,
)

from fixright.downloads.signing import LinkClaims, sign

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> World:
    if not C4948_SAMPLE.is_file():
        pytest.skip(f"shared data not found at {C4948_SAMPLE}")
    server = live_server
    acme, beta, operator = _users_and_tokens(server)
    _ok(server.cli("devices", "import", str(C4948_SAMPLE), "--org", "acme"))
    folder = tmp_path_factory.mktemp("images")
    # beta owns the same kind of switch but no licence is on record for it, and no contract.
    beta_csv = folder / "beta.csv"
    beta_csv.write_text("serial,vendor,os_family,model,running_version,hostname\n"
                        "CAT1999B0TA,cisco,ios,WS-C4948E,12.2(54)SG1,beta-sw1\n")
    _ok(server.cli("devices", "import", str(beta_csv), "--org", "beta"))
    # Sizes that are not multiples of the servers' chunk sizes.
    paths = {ENTITLED: _image_file(folder, ENTITLED, 3 * MIB + 12345),
             OTHER_PLATFORM: _image_file(folder, OTHER_PLATFORM, 70001),
             BIG: _big_file(folder, BIG, 200 * MIB + 7)}
    _ok(server.cli("images", "add", str(paths[ENTITLED]), "--kind", "maintenance"))
    _ok(server.cli("images", "add", str(paths[OTHER_PLATFORM]), "--kind", "security"))
    _ok(server.cli("images", "add", str(paths[BIG]), "--kind", "maintenance"))
    _ok(server.cli("policy", "set", "lifetime-updates"))
    data = {name: paths[name].read_bytes() for name in (ENTITLED, OTHER_PLATFORM)}
    return World(server, acme, beta, operator, _image_ids(server), data, paths)


def _link(world: World, name: str = ENTITLED, token: str | None = None) -> str:
    response = world.client(token or world.acme).post(
        f"/api/v1/images/{world.images[name]}/download")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["allowed"] is True and body["url"]
    return str(body["url"])


def _relink(world: World, token: str, filename: str = ENTITLED) -> str:
    return f"{world.server.url}/dl/{token}/{filename}"


# -- asking for a link ---------------------------------------------------------------


def test_allowed_request_returns_a_link_that_streams_the_image(world: World) -> None:
    before = time.time()
    response = world.client(world.acme).post(f"/api/v1/images/{world.images[ENTITLED]}/download")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["allowed"] is True
    assert body["decision"]["grant"] == "lifetime updates"
    assert body["decision"]["device_serial"] == "CAT1451S15C"
    assert body["decision"]["organization"] == "acme"
    # The default lifetime is 15 minutes.
    assert before + 15 * 60 - 5 <= body["expires"] <= time.time() + 15 * 60 + 5
    assert body["url"].startswith(world.server.url + "/dl/")
    assert _token_of(body["url"])[1] == ENTITLED
    got = world.client(world.acme).get(body["url"])
    assert got.status_code == 200
    assert got.headers["content-length"] == str(len(world.data[ENTITLED]))
    assert got.headers["accept-ranges"] == "bytes"
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(world.data[ENTITLED]).hexdigest()


def test_head_gives_the_headers_without_the_body(world: World) -> None:
    url = _link(world)
    head = world.client(world.acme).head(url)
    get = world.client(world.acme).get(url, headers={"Range": "bytes=0-0"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(world.data[ENTITLED]))
    for name in ("etag", "repr-digest", "content-disposition", "accept-ranges"):
        assert head.headers[name] == get.headers[name]


def test_etag_repr_digest_and_content_disposition(world: World) -> None:
    response = world.client(world.acme).get(_link(world))
    data = response.content
    assert data == world.data[ENTITLED]
    assert response.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    digests = _repr_digest(response.headers["repr-digest"])
    assert digests == {"sha-256": hashlib.sha256(data).digest(),
                       "sha-512": hashlib.sha512(data).digest()}
    disposition = email.message.Message()
    disposition["content-disposition"] = response.headers["content-disposition"]
    assert disposition.get_content_disposition() == "attachment"
    assert disposition.get_filename() == ENTITLED
    assert disposition.get_param("filename", header="content-disposition") == ENTITLED


# -- ranges --------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "first", "last"), [
    ("bytes=0-99", 0, 99),
    ("bytes=65530-65545", 65530, 65545),  # across the server's 64 KiB read chunks
    ("bytes=-500", -500, -1),  # the last 500 bytes
    ("bytes=3000000-", 3000000, -1),  # from an offset to the end
    ("bytes=0-999999999", 0, -1),  # an end past the end is clamped
])
def test_single_range(world: World, header: str, first: int, last: int) -> None:
    data = world.data[ENTITLED]
    size = len(data)
    start, end = first % size, last % size
    response = world.client(world.acme).get(_link(world), headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.content == data[start:end + 1]


def test_multiple_ranges_are_multipart_byteranges(world: World) -> None:
    data = world.data[ENTITLED]
    size = len(data)
    wanted = [(0, 9), (100000, 165535), (size - 16, size - 1)]
    header = "bytes=0-9, 100000-165535, -16"
    response = world.client(world.acme).get(_link(world), headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-length"] == str(len(response.content))
    parts = _byteranges(response)
    assert [p[0] for p in parts] == [f"bytes {a}-{b}/{size}" for a, b in wanted]
    assert [p[1] for p in parts] == [data[a:b + 1] for a, b in wanted]


@pytest.mark.parametrize("spec", ["{size}-", "{size}-{far}", "{far}-{far}"])
def test_unsatisfiable_range_is_416(world: World, spec: str) -> None:
    size = len(world.data[ENTITLED])
    header = "bytes=" + spec.format(size=size, far=size + 10)
    response = world.client(world.acme).get(_link(world), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


def test_if_range_with_the_current_etag_gives_the_range(world: World) -> None:
    data = world.data[ENTITLED]
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    response = world.client(world.acme).get(
        _link(world), headers={"Range": "bytes=10-19", "If-Range": etag})
    assert response.status_code == 206 and response.content == data[10:20]


@pytest.mark.parametrize("if_range", [
    '"' + "0" * 64 + '"',  # an older image's ETag
    "W/{etag}",  # a weak validator never matches (RFC 9110 13.1.5)
    "Sat, 01 Jan 2000 00:00:00 GMT",  # an old Last-Modified date
])
def test_if_range_with_a_stale_validator_gives_the_whole_file(world: World, if_range: str) -> None:
    data = world.data[ENTITLED]
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    response = world.client(world.acme).get(
        _link(world), headers={"Range": "bytes=10-19", "If-Range": if_range.format(etag=etag)})
    assert response.status_code == 200
    assert "content-range" not in response.headers
    assert response.content == data


def test_unknown_range_unit_is_ignored(world: World) -> None:
    """RFC 9110 14.2: a Range in a unit the server does not know is ignored (it was a 400)."""
    response = world.client(world.acme).get(_link(world), headers={"Range": "items=0-1"})
    assert response.status_code == 200 and response.content == world.data[ENTITLED]


def test_satisfiable_part_of_a_mixed_range_is_served(world: World) -> None:
    """One valid range and one beyond the end: 206 with the valid part (it was a 416)."""
    data = world.data[ENTITLED]
    size = len(data)
    response = world.client(world.acme).get(
        _link(world), headers={"Range": f"bytes=0-9,{size + 10}-{size + 20}"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 0-9/{size}"
    assert response.content == data[:10]


def test_if_none_match_with_the_current_etag_is_304(world: World) -> None:
    data = world.data[ENTITLED]
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    url = _link(world)
    for method in ("GET", "HEAD"):
        response = world.client(world.acme).request(method, url, headers={"If-None-Match": etag})
        assert response.status_code == 304 and response.content == b""
        assert response.headers["etag"] == etag
    other = world.client(world.acme).get(url, headers={"If-None-Match": '"' + "0" * 64 + '"'})
    assert other.status_code == 200 and other.content == data


def test_link_with_another_file_name_is_404(world: World) -> None:
    token, name = _token_of(_link(world))
    assert name == ENTITLED
    for other in (ENTITLED + "x", "evil.bin", ENTITLED.upper()):
        assert world.client(world.acme).get(_relink(world, token, other)).status_code == 404


# -- links that must not work --------------------------------------------------------


@pytest.mark.parametrize("field", ["image", "organisation", "expiry", "signature"])
def test_tampered_link_is_refused(world: World, field: str) -> None:
    token, filename = _token_of(_link(world))
    image, org, expires, signature = token.split(".")
    changed = {
        "image": (str(world.images[OTHER_PLATFORM]), org, expires, signature),
        "organisation": (image, str(int(org) + 1), expires, signature),
        "expiry": (image, org, str(int(expires) + 86400), signature),
        "signature": (image, org, expires, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")),
    }[field]
    for token_value in (world.acme, world.beta):
        response = world.client(token_value).get(_relink(world, ".".join(changed), filename))
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "link_invalid"


@pytest.mark.parametrize("token", ["", "abc", "1.2.3", "1.2.x.sig", "1.2.3.sig.extra", "-1.2.3.s"])
def test_malformed_link_is_refused(world: World, token: str) -> None:
    response = world.client(world.acme).get(f"{world.server.url}/dl/{token or '.'}/{ENTITLED}")
    assert response.status_code in (403, 404)
    assert response.headers["content-type"] == "application/json"


def test_expired_link_is_refused_and_a_fresh_one_with_the_same_key_works(world: World) -> None:
    key = world.server.env["FIXRIGHT_SECRET_KEY"].encode()
    _token, _name = _token_of(_link(world))
    org = int(_token.split(".")[1])
    image = world.images[ENTITLED]
    fresh = sign(key, LinkClaims(image, org, int(time.time()) + 60))
    assert world.client(world.acme).get(_relink(world, fresh)).status_code == 200
    expired = sign(key, LinkClaims(image, org, int(time.time()) - 1))
    response = world.client(world.acme).get(_relink(world, expired))
    assert response.status_code == 403
    assert response.json()["error"] == "link_expired"


def test_link_replayed_by_another_organisation_or_anonymously_is_refused(world: World) -> None:
    url = _link(world)
    for token in (world.beta, world.operator):
        response = world.client(token).get(url)
        assert response.status_code == 403
        assert response.json()["error"] == "link_other_organisation"
        assert world.client(token).head(url).status_code == 403
    anonymous = world.client().get(url)
    assert anonymous.status_code in (401, 403)
    assert "log in" in anonymous.json()["detail"]
    forged_bearer = world.client("not-a-real-token").get(url)
    assert forged_bearer.status_code == 401
    assert world.client(world.acme).get(url).status_code == 200  # still good for its owner


# -- refusals by the policy ----------------------------------------------------------


def _decide_events(world: World, org: str) -> list[dict[str, object]]:
    out = _ok(world.server.cli("audit", "list", "--org", org, "--action",
                               "entitlement:download:decide", "--limit", "1000",
                               "--format", "json"))
    return list(json.loads(out))


def test_denied_request_is_403_with_reasons_and_audited(world: World) -> None:
    image_id = world.images[ENTITLED]
    before = _decide_events(world, "beta")
    response = world.client(world.beta).post(f"/api/v1/images/{image_id}/download")
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "not_entitled"
    assert body["decision"]["organization"] == "beta"
    assert body["allowed"] is False and body["url"] is None and body["expires"] is None
    denied = body["decision"]["denied_by"]
    assert {d["grant"] for d in denied} == {"lifetime updates", "active contract", "public image"}
    reasons = [f["reason"] for d in denied for f in d["failed"]]
    assert any("licen" in r and "CAT1999B0TA" in r for r in reasons), reasons
    assert any("no active contract" in r for r in reasons), reasons
    assert body["decision"]["hint"]
    after = _decide_events(world, "beta")
    assert len(after) == len(before) + 1
    newest = after[0]
    assert newest["subject"] == f"image {image_id} {ENTITLED}"
    assert newest["actor"] == "user:it@beta.example"
    assert newest["data"]["allowed"] is False  # type: ignore[index]


def test_allowed_request_is_audited_for_its_organisation(world: World) -> None:
    before = _decide_events(world, "acme")
    _link(world)
    after = _decide_events(world, "acme")
    assert len(after) == len(before) + 1
    assert after[0]["data"]["allowed"] is True  # type: ignore[index]
    assert after[0]["data"]["grant"] == "lifetime updates"  # type: ignore[index]


def test_image_of_a_platform_the_owner_lacks_is_not_even_visible(world: World) -> None:
    # An owner sees public images and those of its platforms; anything else is a 404
    # (never a 403 that would confirm it exists), and no decision is logged.
    before = _decide_events(world, "acme")
    response = world.client(world.acme).post(
        f"/api/v1/images/{world.images[OTHER_PLATFORM]}/download")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert len(_decide_events(world, "acme")) == len(before)


def test_unknown_image_is_404_and_anonymous_is_401(world: World) -> None:
    missing = max(world.images.values()) + 1000
    response = world.client(world.acme).post(f"/api/v1/images/{missing}/download")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    anonymous = world.client().post(f"/api/v1/images/{world.images[ENTITLED]}/download")
    assert anonymous.status_code == 401


def test_link_to_an_image_whose_file_is_gone_is_404(world: World, tmp_path: Path) -> None:
    name = "cat4500e-entservicesk9-mz.122-54.SG4.bin"
    path = _image_file(tmp_path, name, 4096)
    _ok(world.server.cli("images", "add", str(path), "--kind", "maintenance"))
    world.images[name] = _image_ids(world.server)[name]
    url = _link(world, name)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    (world.server.data_dir / "blobs" / sha[:2] / sha[2:4] / sha).unlink()
    response = world.client(world.acme).get(url)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found" and name in response.json()["detail"]


# -- streaming, not buffering ----------------------------------------------------------


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def _reset_peak_rss(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM (Linux >= 4.0)
    except OSError:
        return False
    return True


def _idle_in_transaction(database_url: str) -> int:
    url = make_url(database_url)
    engine = create_engine(url.set(database="postgres"))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = :db AND state LIKE 'idle in transaction%'"),
                {"db": url.database}).scalar_one())
    finally:
        engine.dispose()


def test_big_download_streams_without_buffering_or_holding_the_database(world: World) -> None:
    pid = world.server.pid
    if pid is None or not Path(f"/proc/{pid}/status").exists():
        pytest.skip("server process memory is not observable here")
    url = _link(world, BIG)
    expected = hashlib.sha256(world.paths[BIG].read_bytes()).hexdigest()
    size = world.paths[BIG].stat().st_size
    baseline = _status_kib(pid, "VmRSS")
    peak_before = _status_kib(pid, "VmHWM")
    reset = _reset_peak_rss(pid)
    digest = hashlib.sha256()
    received = 0
    with world.client(world.acme).stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-length"] == str(size)
        for chunk in response.iter_bytes(MIB):
            digest.update(chunk)
            received += len(chunk)
            if received == len(chunk) and world.server.database_url.startswith("postgresql"):
                # Mid-download: the request's transaction must be over, or every
                # long download pins a pooled connection.
                assert _idle_in_transaction(world.server.database_url) == 0
    assert received == size and digest.hexdigest() == expected
    peak = _status_kib(pid, "VmHWM")
    grown = peak - (baseline if reset else peak_before)
    assert grown < 64 * 1024, f"server peak RSS grew by {grown} KiB for a {size >> 20} MiB file"
