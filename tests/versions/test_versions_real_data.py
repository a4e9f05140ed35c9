"""Every release string in the shared real-world samples parses, with Cisco's own trains."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixright.versions import InvalidVersion, compare, parse

CISCO_PRODUCTS = {
    "Cisco IOS XE Software": "iosxe",
    "Cisco IOS XR Software": "iosxr",
    "Cisco NX-OS Software": "nxos",
    "Cisco IOS": "ios",
}


def _cisco_release(product_name: str) -> tuple[str, str] | None:
    for product, family in CISCO_PRODUCTS.items():
        if product_name.startswith(product + " "):
            return family, product_name[len(product) + 1 :]
    return None


def test_every_openvuln_release_parses(shared_data: Path) -> None:
    names: list[str] = []
    for advisory in json.loads((shared_data / "advisories/openvuln/all.json").read_text())[
        "advisories"
    ]:
        names += advisory["productNames"]
    for name in ["cisco-sa-n39k-isis-dos-JhJA8Rfx.json", "cisco-sa-20150325-mdns.json"]:
        names += json.loads((shared_data / "advisories/openvuln" / name).read_text())[
            "productNames"
        ]
    parsed = {"ios": 0, "iosxe": 0, "nxos": 0}
    for name in names:
        release = _cisco_release(name)
        if release is None or release == ("iosxr", ""):  # "NA", and XR without a release
            continue
        family, text = release
        v = parse(family, text)
        assert v.normalized == text, name  # Cisco already writes the canonical spelling
        parsed[family] += 1
    assert parsed["ios"] > 3000 and parsed["iosxe"] > 500 and parsed["nxos"] > 100


def _csaf_leaves(branches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    leaves = []
    for branch in branches:
        if "product" in branch:
            leaves.append(branch)
        leaves += _csaf_leaves(branch.get("branches", []))
    return leaves


def test_trains_match_cisco_csaf_product_names(shared_data: Path) -> None:
    # CSAF names each product "Cisco IOS 12.2SE 12.2(55)SE": product, train, release.
    doc = json.loads((shared_data / "advisories/csaf/cisco-sa-20180328-smi2.json").read_text())
    leaves = _csaf_leaves(doc["product_tree"]["branches"])
    assert len(leaves) == 259
    for leaf in leaves:
        release = _cisco_release(leaf["product"]["name"])
        assert release is not None
        family, rest = release
        train, text = rest.rsplit(" ", 1)
        assert text == leaf["name"]
        v = parse(family, text)
        assert (v.train, v.normalized) == (train, text)


def test_junos_cve_ranges(shared_data: Path) -> None:
    doc = json.loads((shared_data / "advisories/cve5/CVE-2024-21591.json").read_text())
    for affected in doc["containers"]["cna"]["affected"]:
        for entry in affected["versions"]:
            ends = [parse("junos", t) for t in entry["lessThan"].split(",")]
            if entry["version"] == "0":  # "from the beginning": the matcher's sentinel
                with pytest.raises(InvalidVersion):
                    parse("junos", "0")
                continue
            start = parse("junos", entry["version"])
            assert start.train == entry["version"]
            for end in ends:
                assert start < end and end.train == start.train


def test_eos_cve_ranges(shared_data: Path) -> None:
    doc = json.loads((shared_data / "advisories/cve5/CVE-2023-24509.json").read_text())
    for entry in doc["containers"]["cna"]["affected"][0]["versions"]:
        texts = entry["version"].split()  # "4.23.0 4.23.13M": two versions in one string
        texts += [entry["lessThanOrEqual"]] if "lessThanOrEqual" in entry else []
        versions = [parse("eos", t) for t in texts]
        if entry["version"] != "4.286.0":  # the record's own typo: start above end
            assert compare(versions[0], versions[-1]) <= 0


# folder -> (os_family or None to pick ios/iosxe by shape, YAML field)
SHOW_SAMPLES = {
    "cisco_ios/show_version": (None, "version"),
    "cisco_nxos/show_version": ("nxos", "os"),
    "cisco_asa/show_version": ("asa", "version"),
    "cisco_xr/show_version": ("iosxr", "version"),
    "juniper_junos/show_version": ("junos", "junos_version"),
    "arista_eos/show_version": ("eos", "image"),
    "hp_procurve/show_system": ("procurve", "software_version"),
    "aruba_aoscx/show_system": ("aoscx", "version"),
    "aruba_os/show_version": ("arubaos", "image_version"),
}


@pytest.mark.parametrize("folder", list(SHOW_SAMPLES))
def test_every_show_sample_release_parses(shared_data: Path, folder: str) -> None:
    family, field = SHOW_SAMPLES[folder]
    seen = 0
    for path in sorted((shared_data / "show" / folder).glob("*.yml")):
        for record in yaml.safe_load(path.read_text())["parsed_sample"]:
            text = record.get(field, "")
            if not text:  # a sample with no release (Junos vmhost)
                continue
            fam = family or ("ios" if "(" in text else "iosxe")
            v = parse(fam, text)
            assert parse(fam, v.normalized) == v
            seen += 1
    assert seen
    if folder == "cisco_ios/show_version":
        assert parse("iosxe", "03.06.05E").train == "3.6E"


def test_eos_build_suffix_in_real_samples_is_dropped(shared_data: Path) -> None:
    raw = (shared_data / "show/arista_eos/show_version").glob("*.yml")
    images = [
        r["image"]
        for p in raw
        for r in yaml.safe_load(p.read_text())["parsed_sample"]
        if r["image"]
    ]
    built = [i for i in images if "-" in i]
    assert built
    for image in built:
        assert parse("eos", image) == parse("eos", re.sub(r"-.*", "", image))
