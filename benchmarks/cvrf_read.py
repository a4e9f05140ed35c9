"""Benchmark: reading 2,000 CVRF files (the read side of `advisories import` on an archive).

Generates CVRF 1.2 documents from a Cisco-shaped template (a product tree of
IOS / IOS XE releases, known-affected statuses, CVSS v3 and v2 score sets, a
remediation) into a temporary folder, then times reading every file from disk
and turning it into records with `read_document`, as the import does before
storing. Storing in the database is not measured here.

    .venv/bin/python benchmarks/cvrf_read.py [--files 2000] [--releases 120]

Prints a table and writes benchmarks/results/cvrf_read.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Stopwatch, usage, write_result  # noqa: E402

from fixright.advisories.formats import read_document  # noqa: E402

NS = "http://docs.oasis-open.org/csaf/ns/csaf-cvrf/v1.2/{}"
TRAINS = [("Cisco IOS", "15.2", "E"), ("Cisco IOS", "15.0", "SE"), ("Cisco IOS", "12.2", "SE")]


def _document(n: int, releases: int, rng: random.Random) -> str:
    leaves, ids = [], []
    for i in range(releases):
        if i % 3 == 2:
            name, version = "Cisco IOS XE Software", f"16.{rng.randint(3, 12)}.{rng.randint(1, 9)}"
        else:
            product, base, train = rng.choice(TRAINS)
            name, version = product, f"{base}({rng.randint(1, 7)}){train}{rng.randint(1, 12)}"
        pid = f"CVRFPID-{n}-{i}"
        ids.append(pid)
        leaves.append(
            f'<Branch Type="Product Name" Name="{name}"><Branch Type="Product Version" '
            f'Name="{version}"><FullProductName ProductID="{pid}">{name} {version}'
            f"</FullProductName></Branch></Branch>"
        )
    statuses = "".join(f"<ProductID>{p}</ProductID>" for p in ids)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<cvrf:cvrfdoc xmlns:cvrf="{NS.format("cvrf")}">'
        f"<cvrf:DocumentTitle>Synthetic advisory {n}</cvrf:DocumentTitle>"
        f"<cvrf:DocumentTracking><cvrf:Identification><cvrf:ID>cisco-sa-bench-{n}</cvrf:ID>"
        "</cvrf:Identification><cvrf:Status>Final</cvrf:Status><cvrf:Version>1.0</cvrf:Version>"
        "<cvrf:InitialReleaseDate>2017-03-22T16:00:00Z</cvrf:InitialReleaseDate>"
        "<cvrf:CurrentReleaseDate>2017-03-22T16:00:00Z</cvrf:CurrentReleaseDate>"
        "</cvrf:DocumentTracking>"
        f'<ProductTree xmlns="{NS.format("prod")}"><Branch Type="Vendor" Name="Cisco">'
        + "".join(leaves)
        + "</Branch></ProductTree>"
        f'<Vulnerability xmlns="{NS.format("vuln")}" Ordinal="1">'
        f'<ID SystemName="Cisco Bug ID">CSCvb{n:05d}</ID><CVE>CVE-2017-{n:04d}</CVE>'
        f'<ProductStatuses><Status Type="Known Affected">{statuses}</Status></ProductStatuses>'
        "<CVSSScoreSets><ScoreSetV3><BaseScoreV3>8.6</BaseScoreV3>"
        "<VectorV3>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:H</VectorV3></ScoreSetV3>"
        "<ScoreSetV2><BaseScoreV2>7.8</BaseScoreV2><VectorV2>AV:N/AC:L/Au:N/C:N/I:N/A:C</VectorV2>"
        "</ScoreSetV2></CVSSScoreSets>"
        '<Remediations><Remediation Type="Workaround"><Description>Disable the feature.'
        "</Description></Remediation></Remediations></Vulnerability></cvrf:cvrfdoc>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=120, help="releases listed per document")
    args = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        total_bytes = 0
        for n in range(args.files):
            text = _document(n, args.releases, rng)
            total_bytes += len(text)
            (folder / f"cisco-sa-bench-{n}_cvrf.xml").write_text(text)
        records = 0
        releases = 0
        with Stopwatch() as watch:
            for path in sorted(folder.glob("*.xml")):
                result = read_document(path.read_bytes(), path.name)
                records += len(result.advisories)
                releases += sum(len(getattr(g, "versions", ()))
                                for a in result.advisories for g in a.affected)
        elapsed = max(watch.seconds, 0.01)
    write_result("cvrf_read", {
        "files": args.files,
        "releases_per_file": args.releases,
        "megabytes": round(total_bytes / 1e6, 1),
        "records": records,
        "affected_releases": releases,
        "read_seconds": round(elapsed, 2),
        "files_per_second": round(args.files / elapsed, 1),
        **usage(),
    })


if __name__ == "__main__":
    main()
