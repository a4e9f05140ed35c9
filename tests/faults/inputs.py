"""Inputs big enough that an import is still working when it is killed.

Generated at run time (deterministic, from the shared real data where there is
some), so the repository carries no large files.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

OS_VERSIONS = (("cisco", "ios", "15.2(7)E4", "WS-C2960X-48FPD-L"),
               ("cisco", "iosxe", "17.3.4a", "C9300-48P"),
               ("cisco", "nxos", "9.3(8)", "N9K-C93180YC-EX"),
               ("juniper", "junos", "21.4R3-S5", "EX4300-48T"),
               ("arista", "eos", "4.28.3M", "DCS-7050SX3-48YC8"))


def serial(i: int) -> str:
    return f"FLT{i:08d}"


def devices_csv(path: Path, rows: int) -> Path:
    """A device CSV of `rows` devices across five families."""
    lines = ["serial,vendor,os_family,model,running_version,hostname"]
    for i in range(rows):
        vendor, family, version, model = OS_VERSIONS[i % len(OS_VERSIONS)]
        lines.append(f"{serial(i)},{vendor},{family},{model},{version},sw-{i}")
    path.write_text("\n".join(lines) + "\n")
    return path


def contracts_csv(path: Path, contracts: int, lines_each: int) -> Path:
    """`contracts` contracts of `lines_each` covered serials each."""
    lines = ["contract number,serial,pid,service level,start,end,list price,currency"]
    for c in range(contracts):
        for n in range(lines_each):
            i = c * lines_each + n
            lines.append(f"K{c:06d},{serial(i)},C9300-48P,8X5XNBD,2024-01-01,2026-12-31,"
                         f"{100 + i % 900}.00,USD")
    path.write_text("\n".join(lines) + "\n")
    return path


def openvuln_json(path: Path, shared_data: Path, count: int) -> Path:
    """`count` copies of the real Cisco advisory with the longest product list, each its own id."""
    source = json.loads((shared_data / "advisories/openvuln/all.json").read_text())
    model = max(source["advisories"], key=lambda a: len(a.get("productNames") or []))
    advisories = []
    for i in range(count):
        item = copy.deepcopy(model)
        item["advisoryId"] = f"{model['advisoryId']}-fault{i:04d}"
        item["cves"] = [f"CVE-2099-{10000 + i}"]
        advisories.append(item)
    path.write_text(json.dumps({"advisories": advisories}))
    return path
