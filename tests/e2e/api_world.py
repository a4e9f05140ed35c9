"""Two owner organisations and an operator, set up with the real CLI against a live server.

acme owns the devices of the shared Cisco IOS / IOS XE `show version` samples
(cat9k among them), globex those of the NX-OS samples. Each has a contract
file; the operator publishes a cat9k_iosxe image (visible to acme only), a
cat9k_lite_iosxe image (for Catalyst 9200s: visible to neither), an NX-OS
image (globex only) and a public c2960x image, imports the shared advisories
and activates `lifetime-updates`. Dates in the contract files are fixed, so
tests pass `today=` to the contract routes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.e2e.conftest import LiveServer

TODAY = "2025-01-15"

ACME_CONTRACTS = """contract number,service level,serial,product id,start,end,list price,currency
ACME-100,SNTC-8X5XNBD,FOC11111111,WS-C3850-48U,2024-02-02,2025-02-01,1200.00,EUR
ACME-100,SNTC-8X5XNBD,FCW2233FFG3,C9500-40X,2024-01-01,2025-12-31,3400.00,EUR
ACME-OLD,SNT,CAT1451S15C,WS-C4948E,2023-01-01,2024-06-30,800.00,EUR
"""
GLOBEX_CONTRACTS = """contract number,service level,serial,product id,start,end,list price,currency
GLX-200,SNTC-24X7X4,SAL1819S6LU,N9K-C9396PX,2024-03-01,2025-03-01,5000.00,USD
GLX-200,SNTC-24X7X4,FOC21261DQD,N3K-C3232C,2024-01-01,2026-01-01,2500.00,USD
"""
# name -> (size, CLI options); sizes differ so the bytes (and digests) differ.
IMAGES = {
    "cat9k_iosxe.17.12.04.SPA.bin": (40_000, ["--kind", "maintenance"]),
    "nxos.9.3.16.bin": (30_000, ["--kind", "maintenance"]),
    "c2960x-universalk9-mz.152-7.E8.bin": (20_000, ["--public", "--kind", "maintenance"]),
    # Catalyst 9200 images: neither owner has a C9200, acme's C9500s run cat9k_iosxe.
    "cat9k_lite_iosxe.17.12.04.SPA.bin": (10_000, ["--kind", "maintenance"]),
}


@dataclass
class Org:
    slug: str
    email: str
    token: str
    serials: set[str] = field(default_factory=set)
    hostnames: set[str] = field(default_factory=set)
    device_ids: list[int] = field(default_factory=list)
    contracts: set[str] = field(default_factory=set)


@dataclass
class World:
    server: LiveServer
    operator: Org
    acme: Org
    globex: Org
    images: dict[str, int]
    tmp: Path
    shared: Path

    def client(self, org: Org | None = None) -> httpx.Client:
        return self.server.client(org.token if org else None)

    def get(self, org: Org | None, path: str, **params: Any) -> httpx.Response:
        with self.client(org) as client:
            return client.get(f"/api/v1{path}", params=params)

    def cli_ok(self, *args: str, input: str | None = None) -> str:
        result = self.server.cli(*args, input=input)
        assert result.returncode == 0, f"fixright {' '.join(args)}: {result.stderr}"
        return result.stdout


def _user(cli_ok: Any, email: str, slug: str, *extra: str) -> Org:
    cli_ok("users", "add", email, "--org", slug, "--no-password", *extra)
    token = cli_ok("tokens", "create", "--email", email, "--name", "e2e").strip()
    return Org(slug=slug, email=email, token=token)


def build_world(server: LiveServer, tmp: Path, shared_data: Path) -> World:
    def cli_ok(*args: str) -> str:
        result = server.cli(*args)
        assert result.returncode == 0, f"fixright {' '.join(args)}: {result.stderr}"
        return result.stdout

    operator = _user(cli_ok, "op@portal.test", "portal", "--operator")
    acme = _user(cli_ok, "alice@acme.test", "acme")
    globex = _user(cli_ok, "bob@globex.test", "globex")
    show = shared_data / "show"
    cli_ok("devices", "import", "--org", "acme",
           *map(str, sorted((show / "cisco_ios/show_version").glob("*.raw"))))
    cli_ok("devices", "import", "--org", "globex",
           *map(str, sorted((show / "cisco_nxos/show_version").glob("*.raw"))))
    advisories = shared_data / "advisories"
    cli_ok("advisories", "import", *(str(advisories / kind) for kind in ("csaf", "openvuln", "cve5")))
    for org, text in ((acme, ACME_CONTRACTS), (globex, GLOBEX_CONTRACTS)):
        path = tmp / f"{org.slug}-contracts.csv"
        path.write_text(text)
        cli_ok("contracts", "import", str(path), "--org", org.slug)
        org.contracts = {line.split(",")[0] for line in text.splitlines()[1:]}
    images_dir = tmp / "images"
    images_dir.mkdir(exist_ok=True)
    for name, (size, options) in IMAGES.items():
        path = images_dir / name
        path.write_bytes(os.urandom(size))
        cli_ok("images", "add", str(path), *options)
    cli_ok("policy", "set", "lifetime-updates")
    for org in (acme, globex):
        devices = json.loads(cli_ok("devices", "list", "--org", org.slug, "--format", "json"))
        org.serials = {d["serial"] for d in devices}
        org.hostnames = {d["hostname"] for d in devices if d["hostname"]}
        org.device_ids = sorted(d["id"] for d in devices)
    listed = json.loads(cli_ok("images", "list", "--format", "json"))
    images = {row["filename"]: row["id"] for row in listed}
    # The isolation tests look for one organisation's names in another's answers.
    assert acme.serials and globex.serials and not acme.serials & globex.serials
    assert not acme.hostnames & globex.hostnames
    return World(server, operator, acme, globex, images, tmp, shared_data)
