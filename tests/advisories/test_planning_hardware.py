"""Fix plans that respect hardware and direction (issue 11, item 4).

Every suggestion (per-advisory other trains, the combined fix, upgrade
targets) must be an upgrade and, outside the running train, a train the
device's image family is published in. Checked on the issue's cases, on
generated advisories (hypothesis), and on every plan for the demo devices,
the shared fixtures and the benchmark fleet.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixright.advisories.formats import read_document
from fixright.advisories.hardware_fit import is_upgrade
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import FixPlanner
from fixright.advisories.records import AdvisoryRecord, AffectedReleases, newest_editions
from fixright.advisories.results import (
    KIND_MIGRATION,
    KIND_SAME_TRAIN,
    DeviceExposure,
    DeviceKey,
)
from fixright.demo import loader as demo
from fixright.hardware import Catalogue, shipped_catalogue
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.parse import decode_output, parse_output
from fixright.versions import Version, compare, parse

ROOT = Path(__file__).resolve().parents[2]
DEMO_DATA = ROOT / "src" / "fixright" / "demo" / "data"
_LABEL = re.compile(r"^(?P<train>\S+) \((?P<release>.+?)(?:, inferred)?\)$")


@pytest.fixture(scope="module")
def hardware() -> Catalogue:
    return shipped_catalogue()


def _records(folder: Path) -> list[AdvisoryRecord]:
    records: list[AdvisoryRecord] = []
    for sub in ("csaf", "openvuln", "cve5"):
        for path in sorted((folder / sub).glob("*.json")):
            records += read_document(path.read_bytes(), path.name).advisories
    return newest_editions(records)


# -- what "sound" means, written apart from the planner --------------------------------


def _newer(running: Version, release: Version) -> bool:
    if release.train == running.train or running.os_family != "ios":
        return compare(release, running) > 0
    number = re.compile(r"(\d+)\.(\d+)")
    a, b = number.match(running.train), number.match(release.train)
    assert a and b
    return (int(b[1]), int(b[2])) > (int(a[1]), int(a[2]))


def _families(hardware: Catalogue, device: DeviceKey) -> set[str]:
    """Every family the device could be said to run: its stated one and its model's."""
    found = set()
    if device.platform and device.platform in hardware:
        found.add(device.platform)
    if device.model and device.os_family:
        found |= {f.id for f in hardware.families_for_model(device.model, device.os_family)}
    return found


def _suggestions(result: DeviceExposure) -> list[tuple[str, str, str]]:
    """(train, release text, where) of everything the plan suggests."""
    e = result.exposure
    out = [(t.train, str(t.release), f"target {t.kind}") for t in e.upgrade_targets]
    labels = [(label, "combined other train") for label in
              (e.combined_fix.other_trains if e.combined_fix else ())]
    labels += [(label, f"{h.advisory_id} other train")
               for h in e.advisories for label in h.first_fixed.other_trains]
    for label, where in labels:
        m = _LABEL.match(label)
        assert m, label
        out.append((m["train"], m["release"], where))
    if e.combined_fix and e.combined_fix.version is not None:
        out.append((e.combined_fix.version.train, str(e.combined_fix.version), "combined fix"))
    return out


def assert_sound(result: DeviceExposure, hardware: Catalogue) -> None:
    """No downgrade, and no train the hardware is not published in."""
    e = result.exposure
    if e.version is None:
        return
    families = _families(hardware, result.device)
    for train, text, where in _suggestions(result):
        release = parse(e.version.os_family, text)
        assert _newer(e.version, release), f"{where}: {text} is not newer than {e.version}"
        if train != e.version.train:
            assert families, f"{where}: {train} suggested to unknown hardware {result.device}"
            assert any(hardware.publishes(f, train) for f in families), (
                f"{where}: {train} is not published for {sorted(families)} ({result.device})")
    for target in e.upgrade_targets:
        assert target.kind == (KIND_SAME_TRAIN if target.train == e.version.train else KIND_MIGRATION)


# -- the cases -------------------------------------------------------------------


def _advisory(ident: str, family: str, versions: list[str]) -> AdvisoryRecord:
    return AdvisoryRecord("manual", ident, ident, "high",
                          affected=(AffectedReleases(family, "x", tuple(versions)),))


def _plan(records, releases, device: DeviceKey, hardware: Catalogue) -> DeviceExposure:
    index = AdvisoryIndex(records, releases=releases)
    result = FixPlanner(index, hardware=hardware).match_devices([device])[device.device_id]
    assert_sound(result, hardware)
    return result


def test_nxos_10_is_never_sent_back_to_9_3(hardware) -> None:
    # Fixed in 9.3(15) and 10.4(3); the 10.3 train has no fix: the plan is 10.4, never 9.3.
    advisory = _advisory("NX", "nxos", ["9.3(14)", "10.3(6)", "10.3(7)", "10.4(2)"])
    releases = [("nxos", v) for v in ("9.3(15)", "10.3(7)", "10.4(3)", "10.5(1)")]
    device = DeviceKey(1, "nxos", "10.3(6)", None, "C93108TC-EX")
    e = _plan([advisory], releases, device, hardware).exposure
    assert "9.3" not in " ".join(e.advisories[0].first_fixed.other_trains)
    # 10.5 is newer, but the advisory says nothing of it: only 10.4 is known to be fixed.
    assert [(t.train, t.kind) for t in e.upgrade_targets] == [("10.4", "migration")]
    assert "no fix in 10.3; migrate to 10.4: first fixed 10.4(3)" in e.combined_fix.reason
    assert e.image_families == ("nxos64-cs",)
    # A stale stated family (`nxos`, published up to 9.3) gives way to the model's.
    stale = _plan([advisory], releases, DeviceKey(1, "nxos", "10.3(6)", "nxos", "C93108TC-EX"),
                  hardware).exposure
    assert stale.image_families == ("nxos64-cs",)


def test_4948e_migrates_only_to_its_own_newer_trains(hardware) -> None:
    trains = {"12.2SG": "12.2(54)SG", "15.0SG": "15.0(2)SG", "15.1SG": "15.1(2)SG",
              "15.1M": "15.1(4)M", "15.1SVG": "15.1(3)SVG", "15.2E": "15.2(7)E", "15.3SY": "15.3(1)SY"}
    affected = [f"{base}{n}" for base in trains.values() for n in range(1, 8)]
    releases = [("ios", f"{base}{n}") for base in trains.values() for n in range(1, 10)
                if base != "12.2(54)SG" or n < 8]  # every known 12.2SG release is affected
    device = DeviceKey(1, "ios", "12.2(54)SG1", None, "WS-C4948E")
    e = _plan([_advisory("SNMP", "ios", affected)], releases, device, hardware).exposure
    assert [t.train for t in e.upgrade_targets] == ["15.2E", "15.1SG", "15.0SG"]  # newest first
    assert e.upgrade_targets[0].why == "no fix in 12.2SG; migrate to 15.2E: first fixed 15.2(7)E8 (inferred)"
    others = e.advisories[0].first_fixed.other_trains
    assert not any(t.startswith(("15.1M", "15.1SVG", "15.3SY")) for t in others)
    # A release later in its own train is a same-train fix, and comes alone.
    device = DeviceKey(2, "ios", "15.0(2)SG3", None, "WS-C4948E")
    same = _plan([_advisory("SNMP", "ios", affected)], releases, device, hardware).exposure
    assert [(str(t.release), t.kind) for t in same.upgrade_targets] == [("15.0(2)SG8", "same-train")]


def test_unknown_router_gets_same_train_fixes_only(hardware) -> None:
    affected = ["15.8(3)M2", "15.1(4)M3", "15.2(7)E1", "15.3(1)SY1"]
    releases = [("ios", v) for v in ("15.1(4)M9", "15.2(7)E9", "15.3(1)SY9")]
    device = DeviceKey(1, "ios", "15.8(3)M2", None, "IOSv")
    e = _plan([_advisory("A", "ios", affected)], releases, device, hardware).exposure
    assert e.upgrade_targets == () and e.advisories[0].first_fixed.other_trains == ()
    assert "hardware unknown" in e.combined_fix.reason and "IOSv" in e.combined_fix.reason
    fixed = _plan([_advisory("A", "ios", affected)], [*releases, ("ios", "15.8(3)M3")], device,
                  hardware).exposure
    assert [(str(t.release), t.kind) for t in fixed.upgrade_targets] == [("15.8(3)M3", "same-train")]


def test_3560cx_from_15_0se_migrates_to_15_2e(hardware) -> None:
    affected = ["15.0(2)SE1", "15.0(2)SE2", "15.2(7)E1", "15.2(7)E2"]
    releases = [("ios", v) for v in ("15.0(2)SE3", "15.2(7)E3")]
    advisory = AdvisoryRecord(
        "manual", "B", "b", "high",
        affected=(AffectedReleases("ios", "x", tuple(affected)),
                  AffectedReleases("ios", "x", ("15.0(2)SE3",), complete=False)))
    device = DeviceKey(1, "ios", "15.0(2)SE1", "c3560cx", "WS-C3560CX-8PC-S")
    e = _plan([advisory], releases, device, hardware).exposure
    [target] = e.upgrade_targets
    assert (str(target.release), target.kind) == ("15.2(7)E3", "migration")
    assert target.why.startswith("no fix in 15.0SE; migrate to 15.2E: first fixed 15.2(7)E3")


def test_3560x_is_told_no_fix_runs_on_it(hardware) -> None:
    # Fixed only in 15.2(7)E, after the 3560-X's last release 15.2(4)E10.
    affected = ["15.0(2)SE1", "15.0(2)SE2", "15.0(2)SE3", "15.2(4)E10", "15.2(7)E1"]
    releases = [("ios", "15.2(7)E2")]
    device = DeviceKey(1, "ios", "15.0(2)SE1", None, "WS-C3560X-24P-S")
    e = _plan([_advisory("C", "ios", affected)], releases, device, hardware).exposure
    assert e.upgrade_targets == () and e.combined_fix.version is None
    assert e.combined_fix.reason.startswith(
        "no published fix runs on WS-C3560X-24P-S; last release 15.2(4)E10")
    family = hardware.get("c3560e")
    if family is not None and family.end_of_sw_maintenance:
        assert f"end of software maintenance {family.end_of_sw_maintenance}" in e.combined_fix.reason
    # On the same train, a release past the last one is no fix either.
    on_e = _plan([_advisory("C", "ios", affected)], releases,
                 DeviceKey(2, "ios", "15.2(4)E10", None, "WS-C3560X-24P-S"), hardware).exposure
    assert on_e.upgrade_targets == () and on_e.advisories[0].first_fixed.version is None


def test_is_upgrade_rules() -> None:
    ios = lambda text: parse("ios", text)  # noqa: E731
    assert is_upgrade(ios("15.0(2)SE1"), ios("15.2(7)E1"))
    assert not is_upgrade(ios("15.2(4)E1"), ios("15.1(2)SG8"))
    assert not is_upgrade(ios("15.2(4)E1"), ios("15.2(4)M1"))  # same release number: lateral
    assert not is_upgrade(ios("15.2(4)E2"), ios("15.2(4)E1"))
    nx = lambda text: parse("nxos", text)  # noqa: E731
    assert not is_upgrade(nx("10.3(6)"), nx("9.3(15)")) and is_upgrade(nx("10.3(6)"), nx("10.4(1)"))
    assert not is_upgrade(parse("junos", "21.4R3"), parse("junos", "20.4R3-S9"))


# -- properties ----------------------------------------------------------------------------

_TRAINS = ["12.2SE", "15.0SE", "15.2E", "15.0SG", "15.1SG", "15.1M", "15.3SY", "12.2SG", "15.0EX"]
_MODELS = ["WS-C2960X-48FPD-L", "WS-C3560X-24P-S", "WS-C3560CX-8PC-S", "WS-C4948E",
           "WS-C2960-24TT-L", "CISCO2911/K9", "IOSv", None]


def _ios(train: str, throttle: int, maint: int) -> str:
    number, letters = train[:4], train[4:]
    return f"{number}({throttle}){letters}{maint}"


@st.composite
def _world(draw):
    releases = [_ios(t, th, m) for t in _TRAINS for th in (1, 2) for m in range(0, 6)]
    advisories = []
    for n in range(draw(st.integers(1, 4))):
        listed = draw(st.lists(st.sampled_from(releases), min_size=1, max_size=30, unique=True))
        advisories.append(_advisory(f"A{n}", "ios", listed))
    known = draw(st.lists(st.sampled_from(releases), max_size=40, unique=True))
    devices = [DeviceKey(i, "ios", draw(st.sampled_from(releases)), None, draw(st.sampled_from(_MODELS)))
               for i in range(draw(st.integers(1, 6)))]
    return advisories, known, devices


@settings(max_examples=150, deadline=None)
@given(_world())
def test_no_plan_is_a_downgrade_or_for_other_hardware(world) -> None:
    advisories, known, devices = world
    hardware = shipped_catalogue()
    planner = FixPlanner(AdvisoryIndex(advisories, [("ios", v) for v in known]), hardware=hardware)
    for result in planner.match_devices(devices).values():
        assert_sound(result, hardware)


_NUMBERED = {"nxos": ["9.3(8)", "9.3(15)", "10.2(5)", "10.3(4)", "10.3(6)", "10.4(1)", "10.4(3)", "10.5(2)"],
             "iosxe": ["16.12.4", "16.12.10", "17.3.1", "17.3.8", "17.9.4", "17.12.2", "3.6.5E", "3.11.3E"],
             "junos": ["19.4R3-S1", "20.4R3-S9", "21.4R3-S5", "22.4R2", "23.2R1"]}
_NUMBERED_MODELS = {"nxos": ["C93108TC-EX", "N9K-C9372PX", None], "iosxe": ["C9300-48P", "WS-C3850-48U", "ISR4331/K9"],
                    "junos": ["SRX1500", "EX4300-48T", "MX240"]}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(_NUMBERED)), st.data())
def test_numbered_families_never_go_back(family, data) -> None:
    pool = _NUMBERED[family]
    hardware = shipped_catalogue()
    advisories = [_advisory(f"A{n}", family, data.draw(st.lists(st.sampled_from(pool), min_size=1, unique=True)))
                  for n in range(data.draw(st.integers(1, 3)))]
    devices = [DeviceKey(i, family, data.draw(st.sampled_from(pool)), None,
                         data.draw(st.sampled_from(_NUMBERED_MODELS[family]))) for i in range(3)]
    planner = FixPlanner(AdvisoryIndex(advisories, [(family, v) for v in pool]), hardware=hardware)
    for result in planner.match_devices(devices).values():
        assert_sound(result, hardware)


# -- every plan of the demo, the shared fixtures and the benchmark fleet -----------------


def _show_devices(folder: Path) -> list[DeviceKey]:
    keys = []
    for path in sorted(folder.rglob("*.raw")):
        try:
            facts = parse_output(decode_output(path.read_bytes(), path.name), source_name=path.name)
        except Exception:  # noqa: BLE001 - some captures are not show version
            continue
        keys += [DeviceKey(len(keys) + i, f.os_family, f.version_text, f.platform or None,
                           f.model or None) for i, f in enumerate(facts)]
    return keys


def test_demo_and_shared_fixture_plans_are_sound(shared_data: Path, hardware) -> None:
    csv_rows = read_devices_csv(demo.GLOBEX_CSV, "globex.csv")
    demo_keys = [DeviceKey(f"csv{i}", r.os_family, r.running_version, getattr(r, "platform", None) or None,
                           r.model or None) for i, r in enumerate(csv_rows)]
    for data, extra in ((DEMO_DATA, demo_keys), (shared_data, [])):
        devices = _show_devices(data / "show") + extra
        assert len(devices) > 10
        planner = FixPlanner(AdvisoryIndex(_records(data / "advisories"),
                                           releases=[("ios", "15.2(7)E8"), ("ios", "15.2(8)E8")]),
                             hardware=hardware)
        results = planner.match_devices(devices)
        assert any(r.exposure.advisories for r in results.values())
        for result in results.values():
            assert_sound(result, hardware)


def _benchmark():
    spec = importlib.util.spec_from_file_location("bench_matching", ROOT / "benchmarks" / "matching.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_matching"] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_fleet_plans_are_sound(hardware) -> None:
    bench = _benchmark()
    rng = random.Random(5)
    catalog = bench.release_catalog(rng)
    records = bench.make_advisories(rng, catalog, 150)
    fleet = bench.make_fleet(rng, catalog, 3_000, 150)
    index = AdvisoryIndex(records, [(f, v) for (f, _t), names in catalog.items() for v in names])
    results = FixPlanner(index, hardware=hardware).match_devices(fleet)
    assert any(r.exposure.upgrade_targets for r in results.values())
    for result in results.values():
        assert_sound(result, hardware)


def test_report_fixes_benchmark_plans_are_sound(shared_data: Path, hardware) -> None:
    """The end-to-end benchmark's fleet (benchmarks/report_fixes.py): its PIDs, families,
    running releases and fix releases, planned against the shared Cisco advisories."""
    spec = importlib.util.spec_from_file_location("bench_report_fixes", ROOT / "benchmarks" / "report_fixes.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_report_fixes"] = bench
    spec.loader.exec_module(bench)
    versions = bench._ios_versions()
    fixes = bench._fix_releases(versions)
    index = AdvisoryIndex(bench.load_shared(), releases=[("ios", v.normalized) for v in fixes])
    fleet = [DeviceKey(f"{pid}/{v}", "ios", v, family, pid)
             for pid, family, _prefix in bench.HARDWARE for v in versions]
    results = FixPlanner(index, hardware=hardware).match_devices(fleet)
    assert any(r.exposure.upgrade_targets for r in results.values())
    for result in results.values():
        assert_sound(result, hardware)
