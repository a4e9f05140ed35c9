"""Two `fixright serve` processes on one PostgreSQL and one S3 (moto's server): what one
changes, the other answers with at once (no cache of state in a process outlives a change).

A policy change, a revoked token and a newly added image are each checked on both
processes right after the change, with no waiting: the next request of either sees it.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from tests.e2e.conftest import LiveServer, _drop_pg, _pg_database, start_server
from tests.e2e.downloads_support import ENTITLED, MIB, _image_file, _image_ids, _ok, _small_world

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    pg = _pg_database()
    if pg is None:
        pytest.fail("PostgreSQL required for the two-process test but not reachable")
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    bucket = f"fixright-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing",
                 ).create_bucket(Bucket=bucket)
    # One secret: a link signed by one process is honoured by the other.
    env = {"FIXRIGHT_STORAGE_URL": f"s3://{bucket}/images", "FIXRIGHT_S3_ENDPOINT_URL": endpoint,
           "FIXRIGHT_S3_REGION": "us-east-1", "FIXRIGHT_S3_ACCESS_KEY_ID": "testing",
           "FIXRIGHT_S3_SECRET_ACCESS_KEY": "testing",
           "FIXRIGHT_SECRET_KEY": "two-" + uuid.uuid4().hex}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name in ("a", "b"):
            proc, server = start_server(tmp_path_factory.mktemp(f"two-{name}"), pg[1],
                                        extra_env=env)
            procs.append(proc)
            if name == "a":
                first = server
        yield first, server
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=15)
        moto.stop()
        _drop_pg(*pg)


def _decide(server: LiveServer, token: str, image_id: int) -> httpx.Response:
    return server.client(token).post(f"/api/v1/images/{image_id}/download")


def test_both_processes_see_every_change_at_once(pair, tmp_path: Path) -> None:
    a, b = pair
    acme, beta, data, body = _small_world(a, tmp_path)
    image_id = _image_ids(a)[ENTITLED]
    # A link signed by A is served by B: a redirect to the object in the shared bucket.
    link = b.client(acme).get(str(body["url"]), follow_redirects=True)
    assert link.status_code == 200 and link.content == data
    assert _decide(b, acme, image_id).json()["allowed"] is True

    # An image added through one process is listed and decided by both at once.
    extra = _image_file(tmp_path, "cat4500e-entservicesk9-mz.122-54.SG3.bin", MIB + 7)
    _ok(a.cli("images", "add", str(extra), "--kind", "maintenance"))
    new_id = _image_ids(a)["cat4500e-entservicesk9-mz.122-54.SG3.bin"]
    for server in (a, b):
        names = [i["filename"] for i in server.client(acme).get("/api/v1/images").json()["items"]]
        assert "cat4500e-entservicesk9-mz.122-54.SG3.bin" in names
        decided = _decide(server, acme, new_id).json()
        assert decided["allowed"] is True, decided
        got = server.client(acme).get(decided["url"], follow_redirects=True)
        assert got.content == extra.read_bytes()

    # A policy change: the next decision of both processes follows the new policy.
    _ok(a.cli("policy", "set", "contract-only"))
    for server in (b, a):
        refused = _decide(server, acme, image_id)
        assert refused.status_code == 403 and refused.json()["allowed"] is False
        assert refused.json()["decision"]["policy"] == "contract-only"
    _ok(a.cli("policy", "set", "lifetime-updates"))
    assert _decide(b, acme, image_id).json()["allowed"] is True

    # A revoked token: both processes refuse it on the next request; the others still work.
    _ok(b.cli("tokens", "revoke", acme))
    for server in (a, b):
        assert server.client(acme).get("/api/v1/images").status_code == 401
        assert _decide(server, acme, image_id).status_code == 401
        assert server.client(beta).get("/api/v1/images").status_code == 200
