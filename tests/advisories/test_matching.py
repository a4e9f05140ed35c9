"""Matching and fix planning: the shared Cisco/Juniper/Arista documents, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixright.advisories.formats import read_document
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import advisories_fixed_by, match_devices
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedRange,
    AffectedReleases,
    FixedRelease,
    newest_editions,
)
from fixright.advisories.results import DeviceKey
from fixright.versions import parse


@pytest.fixture(scope="module")
def index(shared_data: Path) -> AdvisoryIndex:
    records = []
    for folder in ("csaf", "openvuln", "cve5"):
        for path in sorted((shared_data / "advisories" / folder).glob("*.json")):
            records += read_document(path.read_bytes(), path.name).advisories
    return AdvisoryIndex(newest_editions(records))


def _check(index, family, version, platform=None):
    return match_devices(index, [DeviceKey(1, family, version, platform)])[1].exposure


def _doc_lists(shared_data: Path, rel: str, text: str) -> bool:
    return text in (shared_data / "advisories" / rel).read_text()


def test_ios_listed_release(index, shared_data: Path) -> None:
    # 12.2(54)SG1 (WS-C4948E show version) is in the SNMP advisory's productNames, not smi2's.
    e = _check(index, "ios", "12.2(54)SG1")
    assert _doc_lists(shared_data, "openvuln/all.json", '"Cisco IOS 12.2(54)SG1"')
    assert not _doc_lists(shared_data, "csaf/cisco-sa-20180328-smi2.json", '"12.2(54)SG1"')
    assert e.status == "affected"
    assert [h.advisory_id for h in e.advisories] == ["cisco-sa-snmp-dos-sdxnSUcW"]
    assert e.advisories[0].matched == "listed as affected"


def test_iosxe_device_spelling(index, shared_data: Path) -> None:
    # The 3850 prints 03.06.05E; smi2 lists 3.6.5E and the SNMP advisory "3.6.5E"; mdns only 3.6.0(a)E.
    e = _check(index, "iosxe", "03.06.05E")
    ids = [h.advisory_id for h in e.advisories]
    assert ids == ["cisco-sa-20180328-smi2", "cisco-sa-snmp-dos-sdxnSUcW"]
    smi2 = e.advisories[0].first_fixed
    # smi2 lists 3.6E up to 3.6.7bE; the next known 3.6E release is inferred as its fix.
    assert smi2.inferred and str(smi2.version) == "3.6.8E"
    assert "3.6.7bE" in smi2.reason


def test_interim_build_is_never_safe(index) -> None:
    # 15.2(4.0.55)E is listed nowhere, but sits between releases both Cisco lists mark affected.
    e = _check(index, "ios", "15.2(4.0.55)E")
    assert e.status == "affected"
    assert {h.advisory_id for h in e.advisories} == {
        "cisco-sa-20180328-smi2", "cisco-sa-snmp-dos-sdxnSUcW"}
    assert all(h.matched.startswith("inferred") for h in e.advisories)


def test_mdns_and_fixed_by(index) -> None:
    e = _check(index, "ios", "15.2(2)E")
    assert "cisco-sa-20150325-mdns" in [h.advisory_id for h in e.advisories]
    fixed = advisories_fixed_by(index, "ios", "15.2(2)E3")
    assert "cisco-sa-20150325-mdns" in fixed
    assert "cisco-sa-20180328-smi2" not in fixed  # 15.2(2)E3 is on its list
    assert advisories_fixed_by(index, "ios", "not-a-version") == []


def test_unreadable_version_is_unknown(index) -> None:
    assert _check(index, "ios", "garbage").status == "unknown"
    assert _check(index, "ios", None).status == "unknown"
    assert _check(index, None, "15.2(2)E").status == "unknown"


def test_junos_range_platform_and_train(index) -> None:
    srx = _check(index, "junos", "19.4R3-S1.3", "srx1500")
    assert [h.advisory_id for h in srx.advisories] == ["CVE-2024-21591"]
    assert srx.advisories[0].first_fixed.version is None
    assert "20.4 (20.4R3-S9)" in srx.advisories[0].first_fixed.other_trains
    assert _check(index, "junos", "13.3R1.4", "mx240").status == "not_affected"
    # qfx is not an SRX or EX: 21.4R3-S3 is in range, but not on this platform.
    assert _check(index, "junos", "21.4R3-S3.4", "qfx5100").status == "not_affected"
    ex = _check(index, "junos", "21.4R3-S3.4", "ex4300")
    fix = ex.advisories[0].first_fixed
    assert str(fix.version) == "21.4R3-S5" and not fix.inferred
    # A range applies within its train only: 21.4R3-S5 and later are clean.
    assert _check(index, "junos", "21.4R3-S5", "ex4300").status == "not_affected"
    assert _check(index, "junos", "22.4R2-S2", "srx").status == "not_affected"


def test_eos_ranges(index) -> None:
    assert _check(index, "eos", "4.27.6M").status == "affected"
    assert _check(index, "eos", "4.28.9M").status == "not_affected"
    assert _check(index, "eos", "4.26.2F").status == "affected"  # the 4.286.0 typo range


def test_family_without_releases_is_flagged(index) -> None:
    e = _check(index, "iosxr", "6.1.4")
    assert e.status == "not_affected"
    assert "cisco-sa-ios-xr-verii-bypass-HhPwQRvx" in e.review


def test_combined_fix_and_catalog_releases() -> None:
    a = AdvisoryRecord("manual", "A", "a", "high",
                       affected=(AffectedReleases("ios", "IOS", ("15.2(7)E1", "15.2(7)E2")),))
    b = AdvisoryRecord("manual", "B", "b", "critical",
                       affected=(AffectedReleases("ios", "IOS", ("15.2(7)E1", "15.2(7)E2", "15.2(7)E3")),))
    c = AdvisoryRecord("manual", "C", "c", "low",
                       affected=(AffectedRange("ios", "IOS", "15.2(7)E0", "15.2(7)E4", train="15.2E"),))
    index = AdvisoryIndex([a, b, c], releases=[("ios", "15.2(7)E5"), ("ios", "15.2(7)E4")])
    e = _check(index, "ios", "15.2(7)E1")
    fixes = {h.advisory_id: h.first_fixed for h in e.advisories}
    assert str(fixes["A"].version) == "15.2(7)E3" and fixes["A"].inferred
    assert str(fixes["B"].version) == "15.2(7)E4" and fixes["B"].inferred
    assert str(fixes["C"].version) == "15.2(7)E4" and not fixes["C"].inferred
    assert [h.advisory_id for h in e.advisories] == ["B", "A", "C"]  # by severity
    assert str(e.combined_fix.version) == "15.2(7)E4" and e.combined_fix.inferred
    assert index.known_source(parse("ios", "15.2(7)E5")) == "the release catalog"


def test_published_fix_beats_inference() -> None:
    a = AdvisoryRecord("manual", "A", "a", "high",
                       affected=(AffectedReleases("iosxe", "XE", ("17.3.1", "17.3.2")),),
                       fixed=(FixedRelease("iosxe", "17.3", "17.3.4a"),))
    index = AdvisoryIndex([a], releases=[("iosxe", "17.3.3")])
    fix = _check(index, "iosxe", "17.03.01").advisories[0].first_fixed
    assert str(fix.version) == "17.3.4a" and not fix.inferred


# -- property: the index agrees with a plain per-advisory loop ---------------------------

_TRAINS = ["15.2E", "15.0SE", "12.2SG"]


def _release(train: str, throttle: int, maint: int) -> str:
    major_minor, letters = train[:4], train[4:]
    return f"{major_minor}({throttle}){letters}{maint}"


_releases = st.builds(_release, st.sampled_from(_TRAINS), st.integers(1, 4), st.integers(0, 6))


def _naive(records, family, text):
    v = parse(family, text)
    hits = set()
    for record in records:
        for group in record.affected:
            if isinstance(group, AffectedReleases):
                if any(parse(group.os_family, t) == v for t in group.versions):
                    hits.add(record.advisory_id)
            elif group.train == v.train:
                lo = group.introduced and parse(family, group.introduced)
                hi = group.fixed and parse(family, group.fixed)
                if (not lo or lo <= v) and (not hi or v < hi):
                    hits.add(record.advisory_id)
    return hits


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(_releases, min_size=1, max_size=8), min_size=1, max_size=6),
    st.lists(st.tuples(st.sampled_from(_TRAINS), st.integers(1, 4), st.integers(0, 6)), max_size=3),
    st.lists(_releases, min_size=1, max_size=10),
)
def test_index_matches_naive_loop(lists, ranges, devices) -> None:
    records = [
        AdvisoryRecord("manual", f"L{i}", "t", "high",
                       affected=(AffectedReleases("ios", "IOS", tuple(vs)),))
        for i, vs in enumerate(lists)
    ]
    for j, (train, throttle, maint) in enumerate(ranges):
        upper = _release(train, throttle, maint)
        records.append(AdvisoryRecord("manual", f"R{j}", "t", "low", affected=(
            AffectedRange("ios", "IOS", fixed=upper, train=parse("ios", upper).train),)))
    index = AdvisoryIndex(records)
    known = {parse("ios", t).normalized for r in records for g in r.affected
             if isinstance(g, AffectedReleases) for t in g.versions}
    for text in devices:
        found = {h.advisory_id for h in _check(index, "ios", text).advisories}
        expected = _naive(records, "ios", text)
        # Listed and ranged hits are exactly the naive ones; the index may add
        # inferred hits only for versions no list names.
        assert expected <= found
        if parse("ios", text).normalized in known:
            assert found == expected
        for h in _check(index, "ios", text).advisories:
            fix = h.first_fixed.version
            if fix is not None:
                assert fix > parse("ios", text)
                assert h.advisory_id not in _naive(records, "ios", str(fix))
