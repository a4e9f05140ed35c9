"""Bad input gives one clear InvalidInput naming the source, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.shared import SHOW

from fixright.errors import InvalidInput
from fixright.inventory.parse import MAX_OUTPUT_CHARS, decode_output, parse_output

RAW_FILES = sorted(SHOW.rglob("*.raw")) if SHOW.is_dir() else []
IOS_1 = SHOW / "cisco_ios/show_version/cisco_ios_show_version.raw"
IOS_2 = SHOW / "cisco_ios/show_version/cisco_ios_show_version3.raw"
# Inventories that list no chassis (transceivers, a route processor): no device to read.
NO_CHASSIS = {"cisco_asa_show_inventory_pid_spaces.raw", "cisco_xr_admin_show_inventory1.raw"}

# A configuration listing as devices print it (no real one is in shared data).
SHOW_RUN = """Building configuration...

Current configuration : 1234 bytes
!
version 15.2
hostname core1
!
interface GigabitEthernet0/1
 description uplink
!
line vty 0 4
end
"""


@pytest.fixture(autouse=True)
def _need_data() -> None:
    if not RAW_FILES:
        pytest.skip("shared data not found")


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^empty\.txt: empty"):
        parse_output(text, source_name="empty.txt")


def test_binary_bytes_and_text() -> None:
    with pytest.raises(InvalidInput, match=r"^img\.bin: binary data"):
        decode_output(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100, "img.bin")
    with pytest.raises(InvalidInput, match=r"^img\.bin: binary data"):
        parse_output("\x01\x02\x03garbage\x04\x05" * 50, source_name="img.bin")


def test_decode_accepts_bom_and_latin1() -> None:
    text = IOS_1.read_text()
    assert decode_output(b"\xef\xbb\xbf" + text.encode(), "a") == text
    assert "caf\xe9" in decode_output("caf\xe9 uptime".encode("latin-1"), "a")


def test_show_running_config() -> None:
    with pytest.raises(InvalidInput, match=r"^run\.txt: a configuration listing"):
        parse_output(SHOW_RUN, source_name="run.txt")


def test_unrecognised_text() -> None:
    with pytest.raises(InvalidInput, match=r"^notes\.txt: unrecognised output"):
        parse_output("hello, these are my notes about the network\n" * 3, source_name="notes.txt")


@pytest.mark.parametrize("raw", [IOS_1, SHOW / "cisco_nxos/show_version/cisco_nxos_show_version4.raw",
                                 SHOW / "arista_eos/show_version/arista_eos_show_version2.raw",
                                 SHOW / "hp_procurve/show_system/hp_procurve_show_system.raw"],
                         ids=lambda p: p.name)
def test_truncated_show_version(raw: Path) -> None:
    lines = raw.read_text().splitlines()
    # keep only the start: the banner is there, the hardware and serial are not
    head = "\n".join(lines[: max(3, len(lines) // 5)])
    with pytest.raises(InvalidInput, match=r"^cut\.txt: .*(truncated|incomplete)"):
        parse_output(head, source_name="cut.txt")


def test_two_devices_concatenated() -> None:
    text = IOS_1.read_text() + "\n" + IOS_2.read_text()
    with pytest.raises(InvalidInput, match=r"^two\.txt: .*more than one device"):
        parse_output(text, source_name="two.txt")


def test_two_vendors_concatenated() -> None:
    text = IOS_1.read_text() + "\n" + (
        SHOW / "juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware2.raw"
    ).read_text()
    with pytest.raises(InvalidInput, match=r"more than one device"):
        parse_output(text, source_name="mixed.txt")


def test_oversized() -> None:
    with pytest.raises(InvalidInput, match=r"^big\.txt: 50 MB is far larger"):
        decode_output(b"x" * (50 * 1024 * 1024), "big.txt")
    with pytest.raises(InvalidInput, match=r"^big\.txt: .* far larger"):
        parse_output("a" * (MAX_OUTPUT_CHARS + 1), source_name="big.txt")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_text_gives_facts_or_invalid_input(text: str) -> None:
    try:
        parse_output(text, source_name="fuzz")
    except InvalidInput as exc:
        assert exc.message.startswith("fuzz: ") or "platform" in exc.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_truncation_never_invents_devices(data: st.DataObject) -> None:
    """Cutting a real output after any line gives an error or a subset of the full facts.

    (A cut inside the serial number itself cannot be told from a short serial.)
    """
    raw = data.draw(st.sampled_from([p for p in RAW_FILES if p.name not in NO_CHASSIS]))
    text = raw.read_text()
    ends = [i + 1 for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    cut = data.draw(st.sampled_from(ends))
    full = {(f.serial, f.version_text) for f in parse_output(text, source_name="x")}
    try:
        partial = parse_output(text[:cut], source_name="x")
    except InvalidInput:
        return
    for f in partial:
        assert f.serial in {s for s, _ in full} or f.serial == ""
        assert f.version_text == "" or f.version_text in text[:cut]


def test_a_fleet_csv_may_be_larger_than_one_devices_output() -> None:
    data = b"serial,vendor\n" + b"SN1,cisco\n" * (MAX_OUTPUT_CHARS // 10 + 1)
    assert len(data) > MAX_OUTPUT_CHARS
    assert decode_output(data, "fleet.csv", limit=4 * MAX_OUTPUT_CHARS).startswith("serial")
    with pytest.raises(InvalidInput, match=r"^fleet\.csv: 8 MB is over the limit of 4 MB"):
        decode_output(data, "fleet.csv", limit=4 * 1024 * 1024)
