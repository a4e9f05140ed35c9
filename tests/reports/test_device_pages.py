"""`device_page`: pages sorted or filtered by exposure, cut through the situations in SQL,
give the same devices in the same order as sorting the whole list in Python did."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from fixright.accounts.service import get_or_create_organization
from fixright.advisories import fleet as advisories
from fixright.advisories.service import import_paths
from fixright.db import utcnow
from fixright.inventory import queries as inventory
from fixright.inventory.models import Device
from fixright.reports import device_pages
from fixright.reports.device_pages import device_key, device_page, exposure_order

# (os_family, version, platform, model): affected at several severities and advisory
# counts, clean, and unknown (unreadable or no version), on more than one hardware.
SITUATIONS = [
    ("ios", "15.2(4)E10", "c2960x", "WS-C2960X-48FPD-L"),
    ("ios", "15.2(2)E1", "c2960x", "WS-C2960X-48FPD-L"),
    ("ios", "15.2(2)E1", "", "WS-C3560CX-12PC-S"),
    ("ios", "12.2(55)SE1", "", ""),
    ("iosxe", "17.3.1", "cat9k", "C9300-48P"),
    ("iosxe", "03.06.05E", "", ""),
    ("junos", "20.4R3-S1", "", "EX4300-48T"),
    ("junos", "23.4R1", "", "EX4300-48T"),
    ("fortios", "7.4.5", "", "FortiGate-60F"),
    ("eos", "4.30.1F", "", ""),
    ("ios", "garbage", "", ""),
    ("ios", None, "", ""),
    ("ios", "", "", ""),
]


def _fleet(session: Session, shared_data: Path, size: int = 90) -> tuple[int, int]:
    """Two organisations; the first has `size` devices in shuffled situations and one retired."""
    advisories_dir = shared_data / "advisories"
    import_paths(session, [advisories_dir / "openvuln", advisories_dir / "csaf"])
    org, _ = get_or_create_organization(session, "acme")
    other, _ = get_or_create_organization(session, "globex")
    rng = random.Random(18)
    rows = []
    for n in range(size):
        family, version, platform, model = rng.choice(SITUATIONS)
        rows.append({"organization_id": org.id, "serial": f"S{rng.randrange(10**6):06d}-{n}",
                     "vendor": "cisco", "os_family": family, "running_version": version,
                     "platform": platform, "model": model, "source": "csv",
                     "hostname": rng.choice([None, f"Core-{n}", f"acc-{n}", f"éd-{n}"])})
    rows += [{**row, "organization_id": other.id} for row in rows[:10]]
    session.execute(insert(Device), rows)
    retired = session.scalars(select(Device.id).where(Device.organization_id == org.id)
                              .order_by(Device.id).limit(1)).one()
    session.execute(update(Device).where(Device.id == retired).values(retired_at=utcnow()))
    session.flush()
    return org.id, other.id


def _reference(session: Session, org: int | None, *, search: str | None = None,
               os_family: str | None = None, sort: str = "exposure",
               exposed: bool = False) -> list[int]:
    """The order the page had before: the whole list, matched device by device, sorted."""
    every = inventory.list_devices(session, org, search=search, os_family=os_family)
    exposures = advisories.exposure_for_devices(session, [device_key(d) for d in every])
    if exposed:
        every = [d for d in every if exposures[d.id].status == "affected"]
    if sort == "exposure":
        every.sort(key=lambda d: exposure_order(exposures[d.id].exposure))
    elif sort == "host":
        every.sort(key=lambda d: ((d.hostname or "").lower(), d.serial, d.id))
    else:
        every.sort(key=lambda d: (d.serial, d.id))
    return [d.id for d in every]


def _paged(session: Session, org: int | None, limit: int, **filters: object) -> list[int]:
    first = device_page(session, org, offset=0, limit=limit, **filters)  # type: ignore[arg-type]
    ids = []
    for offset in range(0, first.total + limit, limit):
        page = device_page(session, org, offset=offset, limit=limit, **filters)  # type: ignore[arg-type]
        assert page.total == first.total
        assert len(page.rows) == min(limit, max(page.total - offset, 0))
        ids += [d.id for d in page.rows]
    return ids


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_exposure_sort_is_the_whole_list_sorted_cut_into_pages(
        session: Session, shared_data: Path, limit: int) -> None:
    org, _ = _fleet(session, shared_data)
    expected = _reference(session, org)
    whole = device_page(session, org, limit=500)
    assert [d.id for d in whole.rows] == expected
    statuses = {e.status for e in whole.exposures.values()}
    assert statuses == {"affected", "not_affected", "unknown"}
    assert len(expected) == 89  # the retired device and the other organisation's left out
    assert _paged(session, org, limit) == expected


@pytest.mark.parametrize("filters", [
    {"exposed": True},
    {"search": "core"},
    {"search": "15.2(2"},
    {"os_family": "junos"},
    {"search": "acc", "exposed": True},
    {"sort": "host", "exposed": True},
    {"sort": "serial", "exposed": True, "os_family": "ios"},
    {"sort": "host"},
    {"search": "no such device"},
])
def test_filtered_pages_match_the_whole_list(session: Session, shared_data: Path,
                                             filters: dict[str, object]) -> None:
    org, _ = _fleet(session, shared_data)
    expected = _reference(session, org, **filters)  # type: ignore[arg-type]
    if filters.get("sort") == "host":  # SQL lower() folds ASCII only, as the page always did
        assert sorted(_paged(session, org, 5, **filters)) == sorted(expected)
    else:
        assert _paged(session, org, 5, **filters) == expected


def test_exposed_keeps_affected_devices_and_exposures_are_theirs(
        session: Session, shared_data: Path) -> None:
    org, _ = _fleet(session, shared_data)
    page = device_page(session, org, exposed=True, limit=500)
    every = advisories.exposure_for_devices(
        session, [device_key(d) for d in inventory.list_devices(session, org)])
    assert page.total == sum(1 for e in every.values() if e.status == "affected") > 0
    for device in page.rows:
        assert page.exposures[device.id].status == "affected"
        assert page.exposures[device.id].exposure == every[device.id].exposure


def test_operator_scope_pages_every_organisation(session: Session, shared_data: Path) -> None:
    _fleet(session, shared_data)
    assert _paged(session, None, 9) == _reference(session, None)


@pytest.mark.parametrize("filters", [{"search": "core"}, {"search": "-", "exposed": True}])
def test_a_search_too_large_for_one_pass_pages_the_same(
        session: Session, shared_data: Path, monkeypatch: pytest.MonkeyPatch,
        filters: dict[str, object]) -> None:
    org, _ = _fleet(session, shared_data)
    one_pass = _paged(session, org, 4, **filters)
    monkeypatch.setattr(device_pages, "SEARCH_IN_ONE_PASS", 3)
    assert _paged(session, org, 4, **filters) == one_pass == _reference(session, org, **filters)
    assert len(one_pass) > 3
