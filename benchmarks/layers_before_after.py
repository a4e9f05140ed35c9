"""Benchmark: `report policies` and `report fixes` of two source trees on one benchmark fleet.

Compares two versions of fixright (e.g. a worktree at an older commit and the
current one) on the same inputs, each through its own CLI in a child process
(`PYTHONPATH=<tree>/src python -m fixright.cli ...`), each on its own scratch
SQLite database:

- the fleet: `scale.write_fleet` (IOS, IOS XE, NX-OS, Junos, EOS, FortiOS;
  a few hundred distinct releases), imported with `devices import`;
- `--advisories` Cisco-shaped CSAF 2.0 documents, written from the shared
  `cisco-sa-20180328-smi2.json` as template: each lists every affected IOS or
  IOS XE release of the trains it touches (a prefix-cut of the train, no fixed
  release), imported with `advisories import`;
- one image per (image family, release just above a train's fleet releases),
  added with `images add`, so there is a fix to download; and contracts on 60%
  of the devices (`contracts import`).

Then each report runs `--repeat` times per tree; the figure is the median of
the child's CPU time (user + system, from wait4: the fair number on a shared
machine) and of its wall time. Only the CLI commands both trees have are used.

    .venv/bin/python benchmarks/layers_before_after.py --tree before=/work/wt-old \\
        --tree after=. [--devices 100000] [--advisories 2000] [--repeat 3]

Prints a table and writes benchmarks/results/layers_before_after.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import statistics
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

from measure import run_fixright
from scale import FAMILIES, write_fleet

RESULTS = Path(__file__).parent / "results" / "layers_before_after.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
TEMPLATE = SHARED / "advisories" / "csaf" / "cisco-sa-20180328-smi2.json"
# CSAF product names as Cisco writes them in the template.
PRODUCT = {"ios": "IOS", "iosxe": "Cisco IOS XE Software"}
# Image families of the fleet's Cisco models (scale.FAMILIES) and their file-name shapes.
IMAGES = {
    "ios": ["c2960x-universalk9-mz.{v}.bin", "c3560cx-universalk9-mz.{v}.bin"],
    "iosxe": ["cat9k_iosxe.{v}.SPA.bin", "cat9k_lite_iosxe.{v}.SPA.bin"],
}
REPORTS = [("report policies --format json", ["report", "policies", "--format", "json"]),
           ("report policies --format csv", ["report", "policies", "--format", "csv"]),
           ("report fixes --format json", ["report", "fixes", "--format", "json"]),
           ("report fixes --format csv", ["report", "fixes", "--format", "csv"])]


def trains() -> dict[tuple[str, str], list[str]]:
    """Releases per (family, train) from the fleet's Cisco releases, each train extended
    by four later maintenance releases (so listed releases end and a fix exists)."""
    out: dict[tuple[str, str], list[str]] = {}
    for _vendor, family, _models, releases in FAMILIES:
        if family not in PRODUCT:
            continue
        for text in releases:
            head, _, tail = text.rpartition(".") if family == "iosxe" else (None, None, None)
            if family == "iosxe":
                out.setdefault((family, head), []).append(text)
            else:
                stem = text.rstrip("0123456789")
                out.setdefault((family, stem), []).append(text)
    for (family, train), names in out.items():
        last = int(names[-1][len(train) + (1 if family == "iosxe" else 0):])
        sep = "." if family == "iosxe" else ""
        names += [f"{train}{sep}{last + k}" for k in range(1, 5)]
    return out


def image_name(family: str, pattern: str, version: str) -> str:
    if family == "ios":  # 15.2(7)E11 -> 152-7.E11
        major, rest = version.split("(", 1)
        throttle, train = rest.split(")", 1)
        letters = train.rstrip("0123456789")
        return pattern.format(v=f"{major.replace('.', '')}-{throttle}.{letters}{train[len(letters):]}")
    parts = version.split(".")  # 17.9.5 -> 17.09.05
    return pattern.format(v=f"{parts[0]}.{int(parts[1]):02d}.{int(parts[2]):02d}")


def write_advisories(folder: Path, count: int, seed: int) -> int:
    """`count` Cisco-shaped CSAF documents; returns the number of affected releases listed."""
    rng = random.Random(seed)
    template = json.loads(TEMPLATE.read_text())
    catalog = trains()
    by_family: dict[str, list[tuple[str, str]]] = {}
    for key in catalog:
        by_family.setdefault(key[0], []).append(key)
    folder.mkdir(parents=True, exist_ok=True)
    listed = 0
    for n in range(count):
        family = rng.choices(["ios", "iosxe"], weights=[5, 4])[0]
        pool = by_family[family]
        chosen = rng.sample(pool, rng.randint(max(1, len(pool) // 3), len(pool)))
        doc = copy.deepcopy(template)
        advisory_id = f"cisco-sa-bench-{n:05d}"
        doc["document"]["tracking"]["id"] = advisory_id
        doc["document"]["title"] = f"Synthetic advisory {n}"
        ids: list[str] = []
        branches = []
        for fam, train in chosen:
            names = catalog[(fam, train)]
            start = rng.randint(0, len(names) // 3)
            stop = rng.randint(start + 1, len(names) - 4)  # the last four stay unaffected
            packs = []
            for text in names[start:max(stop, start + 1)]:
                pid = f"BENCH-{n}-{len(ids)}"
                ids.append(pid)
                packs.append({"category": "service_pack", "name": text,
                              "product": {"name": f"{PRODUCT[fam]} {text}", "product_id": pid}})
            branches.append({"category": "product_version", "name": train, "branches": packs})
        listed += len(ids)
        doc["product_tree"] = {"branches": [{"category": "vendor", "name": "Cisco", "branches": [
            {"category": "product_name", "name": PRODUCT[family], "branches": branches}]}]}
        vuln = doc["vulnerabilities"][0]
        vuln["cve"] = f"CVE-2099-{n + 10000}"
        vuln["product_status"] = {"known_affected": ids}
        for score in vuln.get("scores", []):
            score["products"] = ids
            base = rng.choice([9.8, 8.1, 5.3])
            for key in ("cvss_v3", "cvss_v31"):
                if key in score:
                    score[key]["baseScore"] = base
                    score[key]["baseSeverity"] = {9.8: "CRITICAL", 8.1: "HIGH", 5.3: "MEDIUM"}[base]
        for remediation in vuln.get("remediations", []):
            remediation["product_ids"] = ids
        vuln.pop("threats", None)
        (folder / f"{advisory_id}.json").write_text(json.dumps(doc))
    return listed


def write_images(folder: Path) -> list[Path]:
    """One small file per (image family, release above the fleet's releases), distinct bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for (family, _train), names in sorted(trains().items()):
        for version in names[-4:]:
            for pattern in IMAGES[family]:
                path = folder / image_name(family, pattern, version)
                path.write_text(f"{path.name}\n")
                paths.append(path)
    return paths


def write_contracts(path: Path, fleet: Path, share: float, seed: int) -> int:
    rng = random.Random(seed)
    today = date.today()
    lines = 0
    with fleet.open() as src, path.open("w") as out:
        next(src)
        out.write("contract number,service level,serial,product id,start,end\n")
        for row in src:
            serial, _vendor, _family, model, _release = row.rstrip("\n").split(",")[:5]
            if rng.random() >= share:
                continue
            start = today - timedelta(days=rng.randint(30, 1500))
            end = start + timedelta(days=rng.choice([365, 730, 1095]))
            out.write(f"C-{rng.randint(1, 40):04d},8X5XNBD,{serial},{model},{start},{end}\n")
            lines += 1
    return lines


class Failed(Exception):
    """A command exited non-zero; the message is its last stderr line."""


def run(tree: Path, data: Path, args: list[str], memory_gb: float = 0) -> dict[str, float]:
    """One `fixright` command of `tree` (`measure.run_fixright`, capped at `memory_gb`):
    wall and CPU seconds, peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "FIXRIGHT_DATA_DIR": str(data)}
    env.pop("FIXRIGHT_DATABASE_URL", None)
    child = run_fixright(args, env, cwd=data, memory_gb=memory_gb)
    if child.code != 0:
        lines = child.stderr.strip().splitlines() or [f"exit {child.code}"]
        raise Failed(f"exit {child.code}: {lines[-1][:200]}")
    return {"wall_s": child.wall_s, "cpu_s": child.cpu_s, "rss_mb": child.rss_mb}


def prepare(tree: Path, data: Path, inputs: Path) -> dict[str, float]:
    data.mkdir(parents=True)
    steps = [["db", "upgrade"], ["orgs", "add", "big"],
             ["advisories", "import", str(inputs / "advisories")],
             ["devices", "import", str(inputs / "fleet.csv"), "--org", "big"],
             ["images", "add", "--kind", "maintenance", *map(str, sorted((inputs / "images").iterdir()))],
             ["contracts", "import", str(inputs / "contracts.csv"), "--org", "big"]]
    try:
        return {" ".join(step[:2]): round(run(tree, data, step)["wall_s"], 1) for step in steps}
    except Failed as exc:
        raise SystemExit(f"{tree}: setup failed: {exc}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="A source tree to run (its src/ goes on PYTHONPATH); repeatable.")
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--advisories", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reports", nargs="+", choices=[label for label, _ in REPORTS],
                        default=[label for label, _ in REPORTS], metavar="REPORT",
                        help="Which reports to time (default: all four).")
    parser.add_argument("--memory-gb", type=float, default=6.0,
                        help="Address-space cap of each report (0: none); beyond it the run "
                             "is recorded as failed.")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON file to write.")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch folder.")
    args = parser.parse_args()
    trees = {name: Path(path).resolve() for name, path in (t.split("=", 1) for t in args.tree)}
    folder = Path(tempfile.mkdtemp(prefix="fixright-layers-"))
    inputs = folder / "inputs"
    inputs.mkdir()
    distinct = write_fleet(inputs / "fleet.csv", args.devices, args.seed)
    listed = write_advisories(inputs / "advisories", args.advisories, args.seed)
    images = len(write_images(inputs / "images"))
    lines = write_contracts(inputs / "contracts.csv", inputs / "fleet.csv", 0.6, args.seed)
    sizes = {"devices": args.devices, "distinct_releases": distinct,
             "advisories": args.advisories, "affected_releases_listed": listed,
             "images": images, "coverage_lines": lines}
    print("inputs:", sizes, flush=True)
    rows: list[dict[str, object]] = []
    for name, tree in trees.items():
        setup = prepare(tree, folder / name, inputs)
        print(f"{name}: setup {setup}", flush=True)
        for label, command in REPORTS:
            if label not in args.reports:
                continue
            try:
                runs = [run(tree, folder / name, [*command, "--org", "big"], args.memory_gb)
                        for _ in range(args.repeat)]
            except Failed as exc:
                rows.append({"tree": name, "command": label, "failed": str(exc)})
                print(f"{name:<8} {label:<32} failed ({exc})", flush=True)
                continue
            row = {"tree": name, "command": label,
                   "cpu_s_median": round(statistics.median(r["cpu_s"] for r in runs), 2),
                   "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 2),
                   "rss_mb_max": round(max(r["rss_mb"] for r in runs), 1),
                   "runs_cpu_wall": [(round(r["cpu_s"], 2), round(r["wall_s"], 2)) for r in runs]}
            rows.append(row)
            print(f"{name:<8} {label:<32} cpu {row['cpu_s_median']:>7.2f} s  "
                  f"wall {row['wall_s_median']:>7.2f} s  rss {row['rss_mb_max']:>7.1f} MB", flush=True)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps({"sizes": sizes, "memory_gb": args.memory_gb,
                                   "trees": {k: str(v) for k, v in trees.items()},
                                   "rows": rows}, indent=2) + "\n")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
