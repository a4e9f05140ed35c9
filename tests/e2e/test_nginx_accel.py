"""fixright behind a real nginx with X-Accel-Redirect: the app checks, nginx sends the bytes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.e2e.conftest import LiveServer, free_port, start_server
from tests.e2e.downloads_support import ENTITLED, _small_world

pytestmark = pytest.mark.e2e

PREFIX = "/_fixright_blobs/"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
# The test wraps the shipped locations in a minimal nginx.conf of its own.
CONF = """\
{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        include {locations};
    }}
}}
"""


def shipped_locations(upstream: int, blobs: Path) -> str:
    """deploy/nginx/fixright-locations.conf with this test's upstream port and blob folder."""
    text = (DEPLOY / "fixright-locations.conf").read_text()
    assert "http://127.0.0.1:8000;" in text and "/var/lib/fixright/blobs/;" in text
    assert f"location {PREFIX}" in text
    return (text.replace("http://127.0.0.1:8000;", f"http://127.0.0.1:{upstream};")
                .replace("/var/lib/fixright/blobs/;", f"{blobs}/;"))


def _nginx() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                     else None)


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    nginx = _nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (make test installs Debian's nginx-light)")
    tmp = tmp_path_factory.mktemp("accel")
    proc, server = start_server(tmp, f"sqlite:///{tmp / 'fixright.db'}",
                                extra_env={"FIXRIGHT_ACCEL_REDIRECT_PREFIX": PREFIX})
    folder = tmp / "nginx"
    folder.mkdir()
    port = free_port()
    locations = folder / "fixright-locations.conf"
    locations.write_text(shipped_locations(urlsplit(server.url).port or 0,
                                           server.data_dir / "blobs"))
    conf = folder / "nginx.conf"
    conf.write_text(CONF.format(
        user="user root;\n" if os.geteuid() == 0 else "", tmp=folder, port=port,
        locations=locations))
    web = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield server, base
    web.terminate()
    web.wait(timeout=10)
    proc.terminate()
    proc.wait(timeout=15)


def test_nginx_sends_the_checked_bytes(behind_nginx: tuple[LiveServer, str], tmp_path: Path
                                       ) -> None:
    server, base = behind_nginx
    acme, beta, data, body = _small_world(server, tmp_path)
    link = base + urlsplit(str(body["url"])).path
    auth = {"Authorization": f"Bearer {acme}"}
    whole = httpx.get(link, headers=auth, timeout=30)
    assert whole.status_code == 200
    assert whole.headers["server"].startswith("nginx")
    assert hashlib.sha256(whole.content).digest() == hashlib.sha256(data).digest()
    assert whole.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert "sha-256=:" in whole.headers["repr-digest"]
    assert ENTITLED in whole.headers["content-disposition"]
    part = httpx.get(link, headers={**auth, "Range": "bytes=100-199"}, timeout=30)
    assert part.status_code == 206 and part.content == data[100:200]
    # The checks still happen in fixright: other organisation, no credentials, forgery.
    assert httpx.get(link, headers={"Authorization": f"Bearer {beta}"}).status_code == 403
    assert httpx.get(link).status_code in (401, 403)
    token, name = urlsplit(link).path.split("/")[2:4]
    forged = f"{base}/dl/{token.rsplit('.', 1)[0]}.AAAA/{name}"
    assert httpx.get(forged, headers=auth).status_code == 403
    # The internal location cannot be asked for directly.
    sha = hashlib.sha256(data).hexdigest()
    direct = httpx.get(f"{base}{PREFIX}{sha[:2]}/{sha[2:4]}/{sha}", headers=auth)
    assert direct.status_code == 404
