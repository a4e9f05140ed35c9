"""Benchmark: exposure + fix planning for a synthetic fleet against Cisco-shaped advisories.

A fleet of 100,000 devices on a few hundred distinct IOS, IOS XE, NX-OS and
Junos versions, against 2,000 advisories shaped like Cisco's (each listing
every affected release of the trains it touches: hundreds to thousands of
releases) plus Juniper-shaped range advisories. Measures the indexed matcher
(`fixright.advisories.index` and `.planning`) and, on a sample of devices, a
straightforward per-device, per-advisory loop, scaled to the fleet.

    .venv/bin/python benchmarks/matching.py [--devices 100000] [--advisories 2000] [--sample 10]

Prints a table and writes benchmarks/results/matching.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from pathlib import Path

from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import match_devices
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedRange,
    AffectedReleases,
    FixedRelease,
)
from fixright.advisories.results import DeviceKey
from fixright.hardware import shipped_catalogue
from fixright.versions import Version, parse

RESULTS = Path(__file__).parent / "results" / "matching.json"


def _rss_mib() -> float:
    # ru_maxrss is KiB on Linux: the process's peak resident set so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def release_catalog(rng: random.Random) -> dict[tuple[str, str], list[str]]:
    """Releases per (family, train), oldest first, spelled as vendors print them."""
    trains: dict[tuple[str, str], list[str]] = {}
    for major_minor in ("12.2", "15.0", "15.1", "15.2", "15.3", "15.4", "15.5", "15.6", "15.7"):
        for letters in ("E", "SE", "SG", "SY", "M", "T", "S", "EX"):
            if rng.random() < 0.3:
                continue
            names = []
            for throttle in range(1, rng.randint(4, 10)):
                for maint in range(0, rng.randint(4, 14)):
                    names.append(f"{major_minor}({throttle}){letters}{maint}")
                    if rng.random() < 0.15:
                        names.append(f"{major_minor}({throttle}){letters}{maint}a")
            trains[("ios", f"{major_minor}{letters}")] = names
    for major, minors in ((16, range(3, 13)), (17, range(1, 16))):
        for minor in minors:
            names = []
            for patch in range(1, rng.randint(4, 12)):
                names.append(f"{major}.{minor:02d}.{patch:02d}")
                for letter in "ab"[: rng.randint(0, 2)]:
                    names.append(f"{major}.{minor:02d}.{patch:02d}{letter}")
            trains[("iosxe", f"{major}.{minor}")] = names
    for minor, count in ((3, 15), (2, 4)):
        trains[("nxos", f"9.{minor}")] = [f"9.{minor}({n})" for n in range(1, count + 1)]
    for minor in range(1, 6):
        trains[("nxos", f"10.{minor}")] = [f"10.{minor}({n})" for n in range(1, rng.randint(3, 9))]
    trains[("nxos", "7.0(3)I7")] = [f"7.0(3)I7({n})" for n in range(1, 11)]
    for major in range(19, 24):
        for minor in range(1, 5):
            names = []
            for r in range(1, 4):
                names.append(f"{major}.{minor}R{r}")
                names += [f"{major}.{minor}R{r}-S{s}" for s in range(1, rng.randint(2, 11))]
            trains[("junos", f"{major}.{minor}")] = names
    return trains


def make_advisories(
    rng: random.Random, catalog: dict[tuple[str, str], list[str]], count: int
) -> list[AdvisoryRecord]:
    """Cisco-shaped complete lists (90%) and Juniper-shaped per-train ranges (10%)."""
    by_family: dict[str, list[tuple[str, str]]] = {}
    for key in catalog:
        by_family.setdefault(key[0], []).append(key)
    records = []
    for n in range(count):
        if n % 10 == 9:
            chosen = rng.sample(by_family["junos"], rng.randint(3, 12))
            ranges = []
            fixed = []
            for family, train in chosen:
                names = catalog[(family, train)]
                cut = names[rng.randint(1, len(names) - 1)]
                ranges.append(AffectedRange(family, "Junos OS", introduced=train, fixed=cut, train=train))
                fixed.append(FixedRelease(family, train, cut, "Junos OS"))
            if rng.random() < 0.3:
                ranges.append(AffectedRange("junos", "Junos OS", fixed="19.4R3", platforms=("SRX Series",)))
            records.append(AdvisoryRecord("cve5", f"JSA-{n}", "synthetic", "high",
                                          affected=tuple(ranges), fixed=tuple(fixed)))
            continue
        family = rng.choices(["ios", "iosxe", "nxos"], weights=[5, 4, 1])[0]
        pool = by_family[family]
        chosen = rng.sample(pool, min(len(pool), rng.randint(len(pool) // 3, len(pool))))
        versions: list[str] = []
        for key in chosen:
            names = catalog[key]
            start = rng.randint(0, len(names) // 3)
            stop = rng.randint(start + 1, len(names))
            # Cisco's spelling in advisories: 17.3.4a, not the device's 17.03.04a.
            versions += [parse(family, v).normalized for v in names[start:stop]]
        product = {"ios": "Cisco IOS", "iosxe": "Cisco IOS XE Software", "nxos": "Cisco NX-OS Software"}[family]
        records.append(AdvisoryRecord(
            "csaf", f"cisco-sa-synthetic-{n}", "synthetic", rng.choice(["critical", "high", "medium"]),
            affected=(AffectedReleases(family, product, tuple(versions)),),
        ))
    return records


def make_fleet(
    rng: random.Random, catalog: dict[tuple[str, str], list[str]], size: int, distinct: int
) -> list[DeviceKey]:
    keys = list(catalog)
    running = []
    for _ in range(distinct):
        family, train = rng.choice(keys)
        running.append((family, rng.choice(catalog[(family, train)])))
    devices = []
    for i in range(size):
        family, version = running[int(rng.paretovariate(1.2)) % len(running)]
        devices.append(DeviceKey(i, family, version, None, rng.choice(MODELS[family])))
    return devices


# Real PIDs per OS: the hardware catalogue gives each its image family.
MODELS = {
    "ios": ["WS-C2960X-48FPD-L", "WS-C3750X-48P-S", "CISCO2911/K9"],
    "iosxe": ["C9300-48P", "WS-C3850-48U", "ISR4331/K9"],
    "nxos": ["N9K-C93180YC-EX", "N9K-C9372PX"],
    "junos": ["SRX1500", "EX4300-48T", "MX240", "QFX5100-48S-6Q"],
}


# -- the straightforward loop ------------------------------------------------------


def _in_range(group: AffectedRange, v: Version) -> bool:
    if group.train is not None and group.train != v.train:
        return False
    if group.introduced and v.key < parse(v.os_family, group.introduced).key:
        return False
    if group.fixed and not v.key < parse(v.os_family, group.fixed).key:
        return False
    return not (group.last_affected and v.key > parse(v.os_family, group.last_affected).key)


def naive_device(
    records: list[AdvisoryRecord], known: dict[tuple[str, str], list[Version]], device: DeviceKey
) -> dict[str, str | None]:
    """Per advisory, per listed release: is the device's version there? Then scan for a fix."""
    assert device.os_family and device.version
    v = parse(device.os_family, device.version)
    out: dict[str, str | None] = {}
    for record in records:
        hit, listed_max = False, None
        for group in record.affected:
            if group.os_family != v.os_family:
                continue
            if isinstance(group, AffectedReleases):
                for text in group.versions:
                    r = parse(group.os_family, text)
                    if r == v:
                        hit = True
                    if r.train == v.train and (listed_max is None or r.key > listed_max.key):
                        listed_max = r
            elif _in_range(group, v) and (
                    not group.platforms or (device.model or "").upper().startswith("SRX")):
                hit = True
        if not hit:
            continue
        fix = None
        published = [parse(f.os_family, f.version) for f in record.fixed if f.train == v.train]
        later = [f for f in published if f.key > v.key]
        if later:
            fix = min(later, key=lambda x: x.key)
        else:
            floor = listed_max.key if listed_max is not None and listed_max.key > v.key else v.key
            fix = next((r for r in known.get((v.os_family, v.train), []) if r.key > floor), None)
        out[record.advisory_id] = None if fix is None else fix.normalized
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--advisories", type=int, default=2_000)
    parser.add_argument("--distinct", type=int, default=400, help="distinct running versions")
    parser.add_argument("--sample", type=int, default=10, help="devices for the naive loop")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    catalog = release_catalog(rng)
    records = make_advisories(rng, catalog, args.advisories)
    fleet = make_fleet(rng, catalog, args.devices, args.distinct)
    listed = sum(len(g.versions) for r in records for g in r.affected if isinstance(g, AffectedReleases))
    sizes = sorted(sum(len(getattr(g, "versions", ())) for g in r.affected) for r in records if r.source == "csaf")
    rss_before = _rss_mib()

    hardware = shipped_catalogue()  # loaded once per process, like a server
    t0 = time.perf_counter()
    c0 = time.process_time()
    index = AdvisoryIndex(records, [(f, v) for (f, _t), names in catalog.items() for v in names])
    t1 = time.perf_counter()
    c1 = time.process_time()
    result = match_devices(index, fleet, hardware=hardware)
    t2 = time.perf_counter()
    c2 = time.process_time()
    # The same planning without the hardware catalogue (trains of any hardware, as before
    # the catalogue existed), on an index of its own so neither run inherits the other's
    # warm caches: the issue asks planning with the catalogue to stay within 10% of this.
    bare = AdvisoryIndex(records, [(f, v) for (f, _t), names in catalog.items() for v in names])
    c5 = time.process_time()
    match_devices(bare, fleet, hardware=None)
    c6 = time.process_time()
    del bare
    rss_after = _rss_mib()
    affected = sum(1 for d in result.values() if d.status == "affected")
    distinct_keys = len({(d.os_family, d.version, d.platform, d.model) for d in fleet})

    # The naive loop, on a sample, in the same process; its answers must agree.
    known = {key: sorted((parse(key[0], v) for v in names), key=lambda v: v.key)
             for key, names in catalog.items()}
    sample = rng.sample(fleet, args.sample)
    t3 = time.perf_counter()
    naive = [naive_device(records, known, d) for d in sample]
    t4 = time.perf_counter()
    agree = all(
        set(n) == {h.advisory_id for h in result[d.device_id].advisories}
        for n, d in zip(naive, sample, strict=True)
    )
    naive_per_device = (t4 - t3) / len(sample)
    naive_fleet = naive_per_device * len(fleet)
    indexed = t2 - t0
    row = {
        "devices": len(fleet),
        "distinct_keys": distinct_keys,
        "advisories": len(records),
        "listed_releases": listed,
        "releases_per_cisco_advisory_min_median_max": [sizes[0], sizes[len(sizes) // 2], sizes[-1]],
        "affected_devices": affected,
        "index_build_s": round(t1 - t0, 3),
        "match_and_plan_s": round(t2 - t1, 3),
        "total_s": round(indexed, 3),
        "index_build_cpu_s": round(c1 - c0, 3),
        "match_and_plan_cpu_s": round(c2 - c1, 3),
        "match_and_plan_without_hardware_cpu_s": round(c6 - c5, 3),
        "hardware_cpu_ratio": round((c2 - c1) / max(c6 - c5, 1e-9), 3),
        "peak_rss_mib": round(rss_after, 1),
        "rss_before_index_mib": round(rss_before, 1),
        "naive_sample_devices": len(sample),
        "naive_s_per_device": round(naive_per_device, 4),
        "naive_fleet_s_scaled": round(naive_fleet, 1),
        "speedup": round(naive_fleet / indexed, 1),
        "naive_agrees_on_sample": agree,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    width = max(len(k) for k in row)
    print("fixright matching benchmark")
    for key, value in row.items():
        print(f"  {key:<{width}}  {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(row, indent=2) + "\n")
    if not agree:
        sys.exit("naive loop and index disagree on the sample")


if __name__ == "__main__":
    main()
