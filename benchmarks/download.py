"""Benchmark: a 1 GiB download through a signed link, next to nginx; entitlement checks per second.

One run, one machine, one client:

1. A fresh data dir (SQLite, local blobs): an owner organisation with the real
   WS-C4948E of the shared `show version` sample, a 1 GiB maintenance image of
   its platform, the `lifetime-updates` policy, an API token.
2. `fixright serve --server granian` and `fixright serve` (uvicorn), one
   worker each, and nginx (Debian's package; `sendfile on`, one worker) with a
   generated configuration in the temporary folder, serving the very blob file
   the portal streams; and fixright (granian) behind that nginx with
   FIXRIGHT_ACCEL_REDIRECT_PREFIX set, so the app checks the link and nginx
   sends the bytes (the deployment docs/portal.md describes). Each is started
   by this script on 127.0.0.1.
3. Downloads: `curl -o /dev/null` of the signed link (with the owner's bearer
   token, as a script would) and of nginx's URL, in interleaved rounds after a
   warm-up (the file is in the page cache for all three); the median of
   curl's `%{speed_download}` is reported, and its ratio to nginx.
4. Requests per second of `POST /api/v1/images/{id}/download` (policy
   decision + audit event + signed link) and `GET /api/v1/images/{id}/entitlement`
   (decision + audit event), with `wrk` (16 connections, 10 s; a thread pool
   of httpx clients when wrk is missing), then `fixright audit verify` to see
   that the hash chain survived the concurrent writes.

    .venv/bin/python benchmarks/download.py [--size-mib 1024] [--rounds 5] [--seconds 10]

Prints a table and writes benchmarks/results/download.json. Installs nginx
and wrk with apt-get when missing and running as root.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

RESULTS = Path(__file__).parent / "results" / "download.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path(os.environ.get("FIXRIGHT_SHARED_DATA", "/work/shared/data"))
SAMPLE = SHARED / "show/cisco_ios/show_version/cisco_ios_show_version.raw"  # WS-C4948E
IMAGE = "cat4500e-entservicesk9-mz.122-54.SG2.bin"
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_tools() -> dict[str, str | None]:
    """Paths of nginx, wrk and curl; nginx and wrk are installed from Debian when missing."""
    def find(name: str) -> str | None:
        return shutil.which(name) or next(
            (str(p) for p in (Path("/usr/sbin") / name,) if p.exists()), None)

    missing = [pkg for pkg, tool in (("nginx-light", "nginx"), ("wrk", "wrk")) if not find(tool)]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(missing)} with apt-get ...", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    tools = {name: find(name) for name in ("nginx", "wrk", "curl")}
    if tools["nginx"] is None or tools["curl"] is None:
        sys.exit("nginx and curl are needed: apt-get install nginx-light curl")
    return tools


@dataclass
class Portal:
    env: dict[str, str]
    blob: Path
    image_id: int
    token: str


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run one `fixright` command; its output, or exit naming the command and its error."""
    result = subprocess.run([sys.executable, "-m", "fixright.cli", *args], env=env, input=stdin,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"fixright {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def make_portal(tmp: Path, size: int, database_url: str | None) -> Portal:
    data_dir = tmp / "data"
    env = {**os.environ, "FIXRIGHT_DATA_DIR": str(data_dir),
           "FIXRIGHT_SECRET_KEY": "bench-" + os.urandom(16).hex()}
    env.pop("FIXRIGHT_STORAGE_URL", None)
    if database_url:
        env["FIXRIGHT_DATABASE_URL"] = database_url
    cli(env, "db", "upgrade")
    cli(env, "users", "add", "noc@acme.example", "--org", "acme", "--no-password")
    cli(env, "devices", "import", str(SAMPLE), "--org", "acme")
    source = tmp / IMAGE
    block = os.urandom(16 * MIB)
    with source.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(block[: size % len(block)])
    cli(env, "images", "add", str(source), "--kind", "maintenance")
    source.unlink()  # the portal keeps its own copy in the blob folder
    cli(env, "policy", "set", "lifetime-updates")
    row = json.loads(cli(env, "images", "list", "--format", "json"))[0]
    sha = row["sha256"]
    token = cli(env, "tokens", "create", "--email", "noc@acme.example").strip()
    blob = data_dir / "blobs" / sha[:2] / sha[2:4] / sha
    return Portal(env, blob, int(row["id"]), token)


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120  # a busy machine, a large database
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{url} did not start:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within 120 s:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process this script started, with the workers it spawned (its own group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def serve(env: dict[str, str], tmp: Path, server: str = "granian", workers: int = 1,
          ) -> Iterator[tuple[str, int]]:
    """`fixright serve` on a free port, in a process group of its own (so its workers
    stop with it and `measure.group_cpu_seconds` counts them): its URL and group id."""
    port = free_port()
    log = tmp / f"{server}-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fixright.cli", "serve", "--server", server,
             "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", proc, log)
        yield url, proc.pid
    finally:
        stop(proc)


@contextmanager
def fixright_server(portal: Portal, tmp: Path, server: str,
                    env: dict[str, str] | None = None) -> Iterator[str]:
    with serve({**portal.env, **(env or {})}, tmp, server) as (url, _group):
        yield url


NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /blobs/ {{ alias {blobs}/; }}
    }}
    # fixright behind nginx: the app checks the link, nginx sends the bytes.
    server {{
        listen 127.0.0.1:{proxy_port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
        location {accel_prefix} {{
            internal;
            alias {blobs}/;
            etag off;
            add_header ETag $upstream_http_etag;
            add_header Repr-Digest $upstream_http_repr_digest;
        }}
    }}
}}
"""
ACCEL_PREFIX = "/_fixright_blobs/"


@contextmanager
def nginx_server(nginx: str, portal: Portal, tmp: Path, upstream: str
                 ) -> Iterator[tuple[str, str]]:
    """nginx serving the blob folder directly, and proxying to fixright at `upstream`
    with X-Accel-Redirect; yields (the blob's static URL, the proxy's base URL)."""
    port, proxy_port = free_port(), free_port()
    folder = tmp / "nginx"
    folder.mkdir()
    blobs = portal.blob.parents[2]
    # Run as root, nginx's workers would drop to `nobody`, who cannot enter the temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, tmp=folder, port=port, blobs=blobs,
                                      proxy_port=proxy_port, accel_prefix=ACCEL_PREFIX,
                                      upstream_port=upstream.rsplit(":", 1)[1]))
    log = folder / "stdout.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-e",
                                 str(folder / "nginx-error.log")],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/", proc, folder / "nginx-error.log")
        yield (f"{url}/blobs/{portal.blob.relative_to(blobs)}",
               f"http://127.0.0.1:{proxy_port}")
    finally:
        stop(proc)


def curl_speed(curl: str, url: str, headers: dict[str, str], size: int) -> float:
    """Bytes per second of one `curl -o /dev/null` of `url`, as curl measures it."""
    args = [curl, "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download}"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "200" or int(out[1]) != size:
        sys.exit(f"download of {url} answered {out[0]} with {out[1]} of {size} bytes")
    return float(out[2])


def signed_link(base: str, portal: Portal) -> str:
    response = httpx.post(f"{base}/api/v1/images/{portal.image_id}/download",
                          headers={"Authorization": f"Bearer {portal.token}"}, timeout=30)
    if response.status_code != 200:
        sys.exit(f"download link refused: {response.status_code} {response.text}")
    return str(response.json()["url"])


def wrk_rps(wrk: str, tmp: Path, method: str, url: str, token: str, seconds: int,
            connections: int) -> dict[str, float]:
    script = tmp / f"wrk-{method.lower()}.lua"
    script.write_text(f'wrk.method = "{method}"\n'
                      f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if rps is None or total is None:
        sys.exit(f"cannot read wrk's output:\n{out}")
    return {"rps": round(float(rps.group(1)), 1), "requests": int(total.group(1)),
            "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else ""}  # type: ignore[dict-item]


def httpx_rps(method: str, url: str, token: str, seconds: int,
              connections: int) -> dict[str, float]:
    deadline = time.monotonic() + seconds

    def worker(_: int) -> tuple[int, int]:
        done = bad = 0
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            while time.monotonic() < deadline:
                bad += client.request(method, url).status_code >= 300
                done += 1
        return done, bad

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        counts = list(pool.map(worker, range(connections)))
    elapsed = time.monotonic() - start
    total = sum(c[0] for c in counts)
    return {"rps": round(total / elapsed, 1), "requests": total,
            "non_2xx": sum(c[1] for c in counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5, help="downloads per target (median)")
    parser.add_argument("--seconds", type=int, default=10, help="load per endpoint and server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", help="default: SQLite in the temporary data dir")
    args = parser.parse_args()
    if not SAMPLE.is_file():
        sys.exit(f"shared data not found: {SAMPLE}")
    tools = ensure_tools()
    load = os.getloadavg()  # other work on the machine skews every number here
    size = args.size_mib * MIB
    speeds: dict[str, list[float]] = {"nginx": [], "nginx+fixright": [], "granian": [],
                                      "uvicorn": []}
    rps: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="fixright-bench-") as name:
        tmp = Path(name)
        print(f"preparing a {args.size_mib} MiB image ...", file=sys.stderr)
        portal = make_portal(tmp, size, args.database_url)
        auth = {"Authorization": f"Bearer {portal.token}"}
        accel_env = {"FIXRIGHT_ACCEL_REDIRECT_PREFIX": ACCEL_PREFIX}
        with fixright_server(portal, tmp, "granian", accel_env) as behind, \
                nginx_server(str(tools["nginx"]), portal, tmp, behind) as (nginx_url, proxy), \
                fixright_server(portal, tmp, "granian") as granian, \
                fixright_server(portal, tmp, "uvicorn") as uvicorn:
            targets = {"nginx": (nginx_url, {}),
                       "nginx+fixright": (signed_link(proxy, portal), auth),
                       "granian": (signed_link(granian, portal), auth),
                       "uvicorn": (signed_link(uvicorn, portal), auth)}
            for url, headers in targets.values():  # warm-up: page cache, connections, imports
                curl_speed(str(tools["curl"]), url, headers, size)
            for round_ in range(args.rounds):
                print(f"download round {round_ + 1}/{args.rounds}", file=sys.stderr)
                for target, (url, headers) in targets.items():
                    speeds[target].append(curl_speed(str(tools["curl"]), url, headers, size))
            for server, base in (("granian", granian), ("uvicorn", uvicorn)):
                rps[server] = {}
                for label, method, path in (
                    ("POST download", "POST", f"/api/v1/images/{portal.image_id}/download"),
                    ("GET entitlement", "GET", f"/api/v1/images/{portal.image_id}/entitlement"),
                ):
                    print(f"load: {server} {label} ...", file=sys.stderr)
                    if tools["wrk"]:
                        rps[server][label] = wrk_rps(str(tools["wrk"]), tmp, method, base + path,
                                                     portal.token, args.seconds, args.connections)
                    else:
                        rps[server][label] = httpx_rps(method, base + path, portal.token,
                                                       args.seconds, args.connections)
        verify = subprocess.run([sys.executable, "-m", "fixright.cli", "audit", "verify"],
                                env=portal.env, capture_output=True, text=True, check=False)
    nginx_mb = statistics.median(speeds["nginx"]) / 1e6
    rows = []
    for target in speeds:
        median = statistics.median(speeds[target]) / 1e6
        # Each round downloads from nginx and the portal back to back, so the
        # ratio within a round is the fairest on a machine with other load.
        paired = statistics.median(t / n for t, n in zip(speeds[target], speeds["nginx"],
                                                          strict=True))
        rows.append({"target": target, "median_mb_s": round(median, 1),
                     "best_mb_s": round(max(speeds[target]) / 1e6, 1),
                     "ratio_to_nginx": round(median / nginx_mb, 3),
                     "paired_ratio_to_nginx": round(paired, 3)})
    print(f"\n{args.size_mib} MiB download, curl -o /dev/null, {args.rounds} rounds, 127.0.0.1, "
          f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'target':15} {'median MB/s':>12} {'best MB/s':>10} {'vs nginx':>9} {'per round':>10}")
    for row in rows:
        print(f"{row['target']:15} {row['median_mb_s']:>12,.1f} {row['best_mb_s']:>10,.1f} "
              f"{row['ratio_to_nginx']:>8.0%} {row['paired_ratio_to_nginx']:>10.0%}")
    print(f"\nentitlement endpoints, {args.connections} connections, {args.seconds} s "
          f"({'wrk' if tools['wrk'] else 'httpx threads'}), database "
          f"{'given' if args.database_url else 'SQLite'}")
    print(f"{'server':10} {'endpoint':18} {'req/s':>8} {'requests':>9} {'non-2xx':>8}")
    for server, results in rps.items():
        for label, r in results.items():
            print(f"{server:10} {label:18} {r['rps']:>8,.1f} {r['requests']:>9,} {r['non_2xx']:>8}")
    chain = (verify.stdout + verify.stderr).strip().splitlines()
    print(f"\naudit verify after the load: exit {verify.returncode}: {chain[-1] if chain else ''}")
    result = {
        "size_bytes": size, "rounds": args.rounds, "downloads": rows,
        "download_samples_bytes_per_s": speeds,
        "target_ratio": 0.8,
        "meets_target": {row["target"]: row["paired_ratio_to_nginx"] >= 0.8 for row in rows[1:]},
        "load_average_before": round(load[0], 2), "load_average_after": round(os.getloadavg()[0], 2),
        "entitlement_rps": rps, "connections": args.connections, "seconds": args.seconds,
        "load_tool": "wrk" if tools["wrk"] else "httpx",
        "database": "given" if args.database_url else "sqlite",
        "audit_verify_exit": verify.returncode,
        "cpus": os.cpu_count(), "python": sys.version.split()[0], "machine": platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
