"""Every vendor image name the project uses resolves to an image family; device facts agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.shared import SHOW

from fixright.catalog.filenames import parse_filename
from fixright.hardware import check, shipped_catalogue
from fixright.versions import parse

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"[A-Za-z0-9_.+-]+\.(?:bin|tgz|swi|SPA|iso|qcow2|tar)\b")
# Names that appear only as deliberately unknown or junk examples.
_NOT_IMAGES = re.compile(r"^(?:copy-of-|c9999-|firmware-|vendor-|missing\.|nope\.|foo\.|img\.|[a-z]\.)")


def _names_in(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*"):
        if path.suffix not in (".py", ".raw", ".json", ".csv", ".toml", ".yml", ".md") or not path.is_file():
            continue
        if Path(__file__).parent in path.parents:  # this folder's names are made up on purpose
            continue
        for match in _NAME.finditer(path.read_text(errors="replace")):
            names.add(match.group(0))
    return names


def _vendor_image_names() -> set[str]:
    names = _names_in(ROOT / "tests") | _names_in(ROOT / "src" / "fixright" / "demo")
    return {n for n in names if parse_filename(n) is not None and not _NOT_IMAGES.match(n)}


def test_the_scan_finds_the_names_it_should() -> None:
    names = _vendor_image_names()
    assert len(names) >= 40
    assert "cat9k_iosxe.17.12.04.SPA.bin" in names
    assert "junos-srxsme-21.4R3-S5.4.tgz" in names


@pytest.mark.parametrize("name", sorted(_vendor_image_names()))
def test_every_image_name_in_tests_and_demo_resolves_to_a_family(name: str) -> None:
    family = shipped_catalogue().family_of_image(name)
    assert family is not None, name
    # The grammar and the catalogue agree on the vendor and the OS.
    parsed = parse_filename(name)
    assert parsed is not None
    assert (family.vendor, family.os_family) == (parsed.vendor, parsed.os_family), name


def test_longest_prefix_and_no_guess() -> None:
    catalogue = shipped_catalogue()
    assert catalogue.family_of_image("c3560cx-universalk9-mz.152-7.E8.bin").id == "c3560cx"
    assert catalogue.family_of_image("c3560e-universalk9-mz.152-4.E10.bin").id == "c3560e"
    assert catalogue.family_of_image("c3560-ipbasek9-mz.150-2.SE11.bin").id == "c3560"
    assert catalogue.family_of_image("nxos64-msll.10.4.5.M.bin").id == "nxos64-msll"
    assert catalogue.family_of_image("bootflash:///nxos.9.3.15.bin").id == "nxos"
    assert catalogue.family_of_image("CAT9K_IOSXE").id == "cat9k_iosxe"
    # c2960l is its own family, never read as c2960.
    assert catalogue.family_of_image("c2960l-universalk9-mz.152-7.E8.bin").id == "c2960l"
    assert catalogue.family_of_image("c2960q-universalk9-mz.152-7.E8.bin") is None
    # cat4500e shared by two OSes: an unknown shape under it is unknown, not the nearest.
    assert catalogue.family_of_image("cat4500e-universalk9.17.03.04.SPA.bin") is None
    assert catalogue.family_of_image("packages.conf") is None


# (show folder, model, running version, image the device booted): facts from the real samples.
DEVICES = [
    ("WS-C4948E", "ios", "12.2(54)SG1", "cat4500e-entservicesk9-mz.122-54.SG1.bin"),
    ("ASR1001", "iosxe", "03.09.01.S", "asr1001-universalk9.03.09.01.S.153-2.S1.bin"),
    ("C9396PX", "nxos", "6.1(2)I3(1)", "n9000-dk9.6.1.2.I3.1.bin"),
    ("C9372PX", "nxos", "7.0(3)I4(3)", "nxos.7.0.3.I4.3.bin"),
    ("C93108TC-EX", "nxos", "10.3(6)", "nxos64-cs.10.3.6.M.bin"),
    ("C93180YC-FX3", "nxos", "10.4(5)", "nxos64-cs.10.4.5.M.bin"),
    ("C3232C", "nxos", "9.3(15)", "nxos.9.3.15.bin"),
    ("5596", "nxos", "7.1(4)N1(1)", "n5000-uk9.7.1.4.N1.1.bin"),
    ("ASA5516", "asa", "9.9(2)32", "asa992-32-lfbff-k8.SPA"),
    ("ISA-3000-2C2F", "asa", "9.16(3)19", "asa9-16-3-19-lfbff-k8.SPA"),
    ("1801", "ios", "12.4(6)T2", "c180x-advipservicesk9-mz.124-6.T2.bin"),
]


def test_the_sample_devices_run_what_the_catalogue_says() -> None:
    """Each real device's booted image is compatible with it and its train is published."""
    if not SHOW.is_dir():
        pytest.skip(f"shared data not found at {SHOW}")
    catalogue = shipped_catalogue()
    for model, os_family, version, image in DEVICES:
        result = check(catalogue, model=model, image=image, os_family=os_family)
        assert result.compatible is True, (model, image, result.why)
        train = parse(os_family, version).train
        assert catalogue.publishes(result.image_family, train), (model, train)
        text = "\n".join(p.read_text(errors="replace") for p in SHOW.rglob("*.raw"))
        assert image in text, f"{image} is not in the shared show samples"
