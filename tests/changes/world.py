"""A fleet and advisory revisions for the change, alert and jobs tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ADVISORY = "cisco-sa-20180328-smi2"


def advisory_path(shared_data: Path) -> Path:
    return shared_data / f"advisories/csaf/{ADVISORY}.json"


def revision_without(shared_data: Path, folder: Path, versions: set[str]) -> Path:
    """A newer revision of the advisory whose affected list no longer names `versions`."""
    doc: dict[str, Any] = json.loads(advisory_path(shared_data).read_text())
    dropped: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        for branch in node.get("branches", []):
            if "product" in branch and branch["name"] in versions:
                dropped.add(branch["product"]["product_id"])
            walk(branch)

    walk(doc["product_tree"])
    assert dropped, f"no product named {versions}"
    for vuln in doc["vulnerabilities"]:
        status = vuln.get("product_status", {})
        status["known_affected"] = [p for p in status.get("known_affected", [])
                                    if p not in dropped]
        status["known_not_affected"] = sorted(dropped)
        for key in ("remediations", "scores", "threats"):
            for entry in vuln.get(key, []):
                if "product_ids" in entry:
                    entry["product_ids"] = [p for p in entry["product_ids"] if p not in dropped] \
                        or entry["product_ids"]
    tracking = doc["document"]["tracking"]
    tracking["version"] = "4.0.0"
    tracking["current_release_date"] = "2026-11-30T10:00:00Z"
    tracking["revision_history"].append(
        {"number": "4.0.0", "date": "2026-11-30T10:00:00Z", "summary": "Fewer affected."})
    path = folder / f"{ADVISORY}-v4.json"
    path.write_text(json.dumps(doc))
    return path


def own_copy(shared_data: Path, dest: Path, serials: set[str], tag: str) -> Path:
    """The shared IOS show-version outputs with each of `serials` made unique by `tag`.

    A serial belongs to one organisation (a second one importing it is refused),
    so a second organisation's fleet is the same hardware with serials of its own.
    """
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(serials))) + r")\b")
    dest.mkdir(parents=True, exist_ok=True)
    for source in (shared_data / "show/cisco_ios/show_version").iterdir():
        text = source.read_text(errors="replace")
        (dest / source.name).write_text(pattern.sub(lambda m: m.group(1) + tag, text))
    return dest


def fleet(cli: Any, shared_data: Path, org: str = "acme", folder: Path | None = None
          ) -> list[dict[str, Any]]:
    """`org` with the shared IOS show-version devices (or those in `folder`, see
    `own_copy`); returns `devices list` rows."""
    assert cli("orgs", "add", org).exit_code == 0
    imported = cli("devices", "import", str(folder or shared_data / "show/cisco_ios/show_version"),
                   "--skip-bad", "--org", org)
    assert "created" in imported.stdout, imported.output
    return json.loads(cli("devices", "list", "--format", "json", "--org", org).stdout)


def changes(cli: Any, org: str = "acme", since: str = "2020-01-01") -> list[dict[str, Any]]:
    result = cli("report", "changes", "--since", since, "--format", "json", "--org", org)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def affected_serials(cli: Any, org: str = "acme") -> set[str]:
    rows = json.loads(cli("report", "exposure", "--format", "json", "--org", org).stdout)
    return {r["serial"] for r in rows if r["status"] == "affected"}
