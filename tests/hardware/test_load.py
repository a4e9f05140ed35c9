"""Hardware files: validated on load, one line naming file, line and field; overrides listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixright.errors import InvalidInput
from fixright.hardware import check, load_catalogue, shipped_catalogue
from fixright.hardware.load import catalogue_from_settings, parse_text, read_file

GOOD = """\
schema = 1
vendor = "cisco"

[families.c3560cx]
os_family = "ios"
models = ["WS-C3560CX-*", "WS-C3560E-*"]
trains = ["15.2E"]
sources = ["our lab, 2024: a 3560-E booted it"]

[families.c9800]
os_family = "iosxe"
prefix = "C9800"
models = ["C9800-*"]
trains = ["17.9"]
sources = ["Catalyst 9800 release notes"]
"""


def write(tmp_path: Path, text: str, name: str = "ours.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_shipped_file_is_valid_and_every_family_names_a_source() -> None:
    catalogue = shipped_catalogue()
    assert len(catalogue) >= 60
    vendors = {f.vendor for f in catalogue}
    assert {"cisco", "juniper", "arista", "fortinet", "paloalto", "aruba", "hpe"} <= vendors
    for family in catalogue:
        assert family.sources and all(s.strip() for s in family.sources), family.id
        assert family.origin == "shipped"
        assert family.trains


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        # tomllib's own position for a syntax error
        ('schema = 1\nvendor = "cisco"\n[families.x\nos_family = "ios"\n', 3, None),
        # a missing field: the entry's header line
        ('schema = 1\nvendor = "cisco"\n\n[families.c3560cx]\nos_family = "ios"\n'
         'models = ["WS-C3560CX-*"]\nsources = ["x"]\n', 4, "families.c3560cx.trains"),
        # a wrong value: the line of its key
        ('schema = 1\nvendor = "cisco"\n\n[families.c3560cx]\nos_family = "ios"\n'
         'models = ["WS-C3560CX-*"]\ntrains = "15.2E"\nsources = ["x"]\n', 7,
         "families.c3560cx.trains"),
        # a misspelt field is refused, not ignored
        ('schema = 1\nvendor = "cisco"\n[families.a]\nos_family = "ios"\nmodels = ["A*"]\n'
         'trains = ["15.2E"]\nsources = ["x"]\n[families.b]\nos_family = "ios"\n'
         'model = ["B*"]\ntrains = ["15.2E"]\nsources = ["x"]\n', 10, "families.b.model"),
        # a last release that is not a version of the family's OS
        ('schema = 1\nvendor = "cisco"\n[families.a]\nos_family = "ios"\nmodels = ["A*"]\n'
         'trains = ["15.2E"]\nlast_release = "banana"\nsources = ["x"]\n', 3, "families.a"),
        # no vendor anywhere
        ('schema = 1\n[families.a]\nos_family = "ios"\nmodels = ["A*"]\ntrains = ["15.2E"]\n'
         'sources = ["x"]\n', 2, "families.a.vendor"),
        ('schema = 2\nvendor = "cisco"\n', 1, "schema"),
    ],
)
def test_a_malformed_file_is_one_line_naming_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        load_catalogue([path])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line {line}")
    if field is not None:
        assert f"field {field}:" in message


def test_nothing_is_loaded_from_a_malformed_file(tmp_path: Path) -> None:
    bad = GOOD.replace('trains = ["17.9"]', 'trains = []')
    with pytest.raises(InvalidInput, match="line 14, field families.c9800.trains"):
        load_catalogue([write(tmp_path, bad)])
    # The valid entry above the bad one did not leak into anything.
    assert shipped_catalogue().get("c9800") is None
    assert shipped_catalogue().get("c3560cx").models == ("WS-C3560CX-*",)


def test_an_override_wins_and_is_listed(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    catalogue = load_catalogue([path])
    cx = catalogue.get("c3560cx")
    assert cx is not None and cx.origin == "override"
    assert cx.replaced == "fixright/hardware/data/cisco.toml"
    assert cx.path == str(path)
    assert [f.id for f in catalogue.overrides] == ["c3560cx"]
    assert catalogue.get("c9800").origin == "added"
    image = "c3560cx-universalk9-mz.152-7.E8.bin"
    assert check(catalogue, model="WS-C3560E-24TD-S", image=image).compatible is True
    assert check(shipped_catalogue(), model="WS-C3560E-24TD-S", image=image).compatible is False
    # The rest of the shipped data is still there.
    assert len(catalogue) == len(shipped_catalogue()) + 1


def test_the_setting_and_extra_files_apply_in_order(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "first.toml")
    second = write(tmp_path, GOOD.replace('"17.9"', '"17.12"'), "second.toml")
    catalogue = catalogue_from_settings(first, [second])
    assert catalogue.trains_for("c9800") == ("17.12",)
    assert catalogue.get("c9800").origin == "added"
    assert catalogue_from_settings(None) is shipped_catalogue()


def test_unreadable_files_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        read_file(tmp_path / "missing.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_file(binary)


def test_trains_may_be_globs() -> None:
    catalogue = shipped_catalogue()
    assert catalogue.publishes("n5000", "7.3(8)N1") is True
    assert catalogue.publishes("n5000", "9.3") is False
    assert catalogue.publishes("cat9k_lite_iosxe", "17.9") is True
    assert catalogue.publishes("no-such-family", "17.9") is None
    assert parse_text(GOOD, "x").families["c9800"].prefix == "C9800"
