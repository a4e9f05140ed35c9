"""Benchmark: entitlement decisions per second, and `report policies` on a 100,000-device fleet.

1. Decisions: 100,000 devices (1,000 organisations of 100, 20 platforms,
   licences, 0-2 coverage lines each) against 1,000 images; every
   (organisation, image) pair of a sample is decided under all five presets
   by the pure engine (`evaluate`), from facts built once, in bulk.
2. Report: a SQLite database with one organisation of 100,000 devices running
   the IOS releases listed by the shared Cisco advisories
   (`advisories/openvuln/all.json`, `cisco-sa-20150325-mdns.json`, the CSAF
   smi2 document), 1,000 catalog images of those releases, contracts on 60% of
   the devices; the wall time of `compare_policies` (what `fixright report
   policies` runs) with all five presets.

    .venv/bin/python benchmarks/entitlement.py [--devices 100000] [--images 1000] [--pairs 100000]

Prints a table and writes benchmarks/results/entitlement.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from fixright.accounts.service import get_or_create_organization
from fixright.advisories.service import import_paths
from fixright.advisories.severity import SEVERITIES
from fixright.catalog.models import Image, Release
from fixright.catalog.sortkey import encode_key
from fixright.contracts.models import Contract, CoverageLine
from fixright.db import make_engine, make_session_factory, upgrade
from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.entitlement.fleet import compare_policies
from fixright.entitlement.policy import RELEASE_KINDS, evaluate
from fixright.entitlement.presets import PRESETS, load_preset
from fixright.inventory.models import Device
from fixright.versions import InvalidVersion, Version, parse

RESULTS = Path(__file__).parent / "results" / "entitlement.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
TODAY = date(2025, 6, 1)
PLATFORMS = ("c2960x", "c2960", "c3560", "c3750", "c4500", "c1900", "c2900", "c3900", "c800",
             "c1800", "cat9k", "cat3k_caa", "isr4300", "isr4400", "asr1000", "nxos", "asa",
             "ex", "mx", "srx")
LICENCES = ("lanbase", "ipbase", "ipservices", "advipservices", "network-advantage", "unknown")
FEATURE_SETS = ("universalk9", "lanbasek9", "ipbasek9", "ipservicesk9", "advipservicesk9", "base")
TRAINS = ("15.2E", "15.0SE", "12.2SG", "15.1M", "17.3", "16.12")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _day(rng: random.Random, lo: int, hi: int) -> date:
    return TODAY + timedelta(days=rng.randint(lo, hi))


def pure_decisions(devices: int, images: int, pairs: int, seed: int = 6) -> dict[str, float]:
    rng = random.Random(seed)
    per_org = 100
    orgs: list[dict[str, list[DeviceFacts]]] = []
    fixes: list[dict[int, tuple[AdvisoryFix, ...]]] = []
    started = time.perf_counter()
    device_id = 0
    for _ in range(devices // per_org):
        by_platform: dict[str, list[DeviceFacts]] = {}
        org_fixes: dict[int, tuple[AdvisoryFix, ...]] = {}
        for _ in range(per_org):
            device_id += 1
            coverage = tuple(
                CoverageFacts(str(rng.randint(1, 9999)), start, start + timedelta(days=364))
                for start in (_day(rng, -1500, 100) for _ in range(rng.choice((0, 1, 1, 2))))
            )
            dev = DeviceFacts(device_id, f"SN{device_id:08d}", "WS-X", rng.choice(PLATFORMS),
                              "x", rng.choice(TRAINS), rng.choice(LICENCES), coverage)
            by_platform.setdefault(dev.platform, []).append(dev)
            if rng.random() < 0.4:
                org_fixes[device_id] = (AdvisoryFix("cisco-sa-x", rng.choice(SEVERITIES)),)
        orgs.append(by_platform)
        fixes.append(org_fixes)
    image_facts = [
        ImageFacts(i, f"img{i}.bin", rng.choice(PLATFORMS), rng.choice(FEATURE_SETS), "v",
                   rng.choice(TRAINS), rng.choice(RELEASE_KINDS), _day(rng, -1500, 0),
                   rng.random() < 0.02)
        for i in range(images)
    ]
    built = time.perf_counter() - started
    policies = [load_preset(p) for p in PRESETS]
    sample = [(rng.randrange(len(orgs)), rng.randrange(images)) for _ in range(pairs)]
    facts = [
        EntitlementFacts(TODAY, str(o), image_facts[i],
                         tuple(orgs[o].get(image_facts[i].platform, ())), fixes[o])
        for o, i in sample
    ]
    started = time.perf_counter()
    allowed = 0
    for f in facts:
        for policy in policies:
            allowed += evaluate(policy, f).allowed
    elapsed = time.perf_counter() - started
    decisions = len(facts) * len(policies)
    return {"devices": devices, "images": images, "pairs": len(facts),
            "decisions": decisions, "allowed": allowed, "facts_build_s": round(built, 2),
            "evaluate_s": round(elapsed, 2), "decisions_per_s": round(decisions / elapsed)}


def _ios_versions() -> list[str]:
    doc = json.loads((SHARED / "advisories/openvuln/all.json").read_text())
    out = set()
    for advisory in doc["advisories"]:
        for name in advisory["productNames"]:
            if name.startswith("Cisco IOS 1"):
                text = name.removeprefix("Cisco IOS ").strip()
                try:
                    parse("ios", text)
                except InvalidVersion:
                    continue
                out.add(text)
    return sorted(out)


def _next_release(text: str) -> str:
    """A plausible next maintenance release: the trailing number plus one (15.2(8)E7 -> E8)."""
    match = re.match(r"^(.*?)(\d+)([a-z]*)$", text)
    if match is None:
        return text + "1"
    return f"{match.group(1)}{int(match.group(2)) + 1}"


def _fix_releases(versions: list[str]) -> list[str]:
    """Per train, a release above the highest listed one, so that fixes exist to download
    (the shared advisories list affected releases only, up to the newest)."""
    top: dict[str, Version] = {}
    for text in versions:
        v = parse("ios", text)
        if v.train not in top or top[v.train] < v:
            top[v.train] = v
    out = []
    for v in top.values():
        try:
            candidate = parse("ios", _next_release(v.normalized))
        except InvalidVersion:
            continue
        if candidate.train == v.train and v < candidate:
            out.append(candidate.normalized)
    return sorted(out)


def report_policies(devices: int, images: int, seed: int = 6) -> dict[str, float]:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="fixright-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    versions = _ios_versions()
    platforms = ("c2960x", "c3750", "c3560", "c4500", "c2900", "c3900")
    started = time.perf_counter()
    with factory() as session:
        org, _ = get_or_create_organization(session, "fleet")
        import_paths(session, [SHARED / "advisories/openvuln", SHARED / "advisories/csaf"])
        fixes = _fix_releases(versions)
        chosen = rng.sample(versions, min(images, len(versions)))
        releases = []
        for text in chosen + fixes:
            v = parse("ios", text)
            releases.append({"vendor": "cisco", "os_family": "ios", "version": text,
                             "version_normalized": v.normalized,
                             "version_key": encode_key(v.key), "train": v.train,
                             "kind": "maintenance" if text in fixes else rng.choice(
                                 ("maintenance", "security", "feature")),
                             "release_date": _day(rng, -3000, -10), "deferred": False})
        release_ids = list(session.scalars(insert(Release).returning(Release.id), releases))
        now = datetime.now(UTC)
        rows = [(rid, rng.choice(platforms), rng.choice(("universalk9", "ipbasek9", "ipservicesk9")))
                for rid in release_ids[:len(chosen)]]
        # Each fix release is published for every platform, as the universal image.
        rows += [(rid, plat, "universalk9") for rid in release_ids[len(chosen):]
                 for plat in platforms]
        session.execute(insert(Image), [
            {"release_id": rid, "platform": plat, "feature_set": feature_set,
             "filename": f"img-{n}.bin", "size": 1, "sha256": f"{n:064x}",
             "sha512": "0" * 128, "md5": "0" * 32, "blob_key": f"{n:064x}",
             "published_at": now - timedelta(days=rng.randint(10, 3000)), "public": False}
            for n, (rid, plat, feature_set) in enumerate(rows)
        ])
        session.execute(insert(Device), [
            {"organization_id": org.id, "serial": f"FOC{n:08d}", "vendor": "cisco",
             "os_family": "ios", "model": "WS-C3750X-48P", "platform": rng.choice(platforms),
             "running_version": rng.choice(versions),
             "licensed_feature_set": rng.choice(("ipbase", "ipservices", "lanbase", "unknown")),
             "source": "csv"}
            for n in range(devices)
        ])
        contracts = list(session.scalars(insert(Contract).returning(Contract.id), [
            {"organization_id": org.id, "number": f"C{n:05d}", "service_level": "8X5XNBD",
             "start": date(2023, 1, 1), "end": date(2026, 12, 31), "currency": "USD",
             "cost": Decimal(0)}
            for n in range(devices // 100)
        ]))
        lines = []
        for n in range(devices):
            if rng.random() < 0.6:
                start = _day(rng, -900, -30)
                lines.append({"contract_id": contracts[n // 100], "organization_id": org.id,
                              "serial": f"FOC{n:08d}", "pid": "WS-C3750X-48P", "start": start,
                              "end": start + timedelta(days=rng.choice((364, 729, 1094))),
                              "cost": Decimal(rng.randint(100, 900))})
        session.execute(insert(CoverageLine), lines)
        session.commit()
        built = time.perf_counter() - started
        policies = [load_preset(p) for p in PRESETS]
        started = time.perf_counter()
        outcomes = compare_policies(session, org.id, policies, today=TODAY)
        elapsed = time.perf_counter() - started
    engine.dispose()
    return {
        "devices": devices, "images": len(rows), "fix_releases": len(fixes),
        "coverage_lines": len(lines),
        "distinct_versions": len(set(versions)), "setup_s": round(built, 1),
        "report_s": round(elapsed, 2),
        "exposed": outcomes[0].exposed,
        "may_download": {o.policy: o.allowed for o in outcomes},
        "blocked_pct": {o.policy: round(100 * o.share_blocked, 1) for o in outcomes},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--images", type=int, default=1_000)
    parser.add_argument("--pairs", type=int, default=100_000,
                        help="(organisation, image) pairs decided, each under five presets")
    args = parser.parse_args()
    pure = pure_decisions(args.devices, args.images, args.pairs)
    report = report_policies(args.devices, args.images)
    rows = [
        ("pure evaluate", f"{pure['decisions']:,} decisions",
         f"{pure['decisions_per_s']:,}/s", f"{pure['evaluate_s']} s"),
        ("report policies (SQLite)", f"{report['devices']:,} devices, 5 presets",
         f"{report['exposed']:,} exposed", f"{report['report_s']} s"),
    ]
    print(f"{'what':28} {'size':32} {'rate / result':20} time")
    for row in rows:
        print(f"{row[0]:28} {row[1]:32} {row[2]:20} {row[3]}")
    print("may download, per preset:", report["may_download"])
    result = {"pure": pure, "report": report, "peak_rss_mib": round(_rss_mib()),
              "python": sys.version.split()[0], "machine": platform.machine()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
