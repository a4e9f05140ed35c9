"""Entitlement and visibility ask hardware compatibility (issue 11): the image is for a
device when the hardware catalogue says the device can run it, never by a shared token."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fixright.accounts.service import Principal, get_or_create_organization
from fixright.catalog.service import add_image, get_image, page_images
from fixright.catalog.storage_local import LocalStorage
from fixright.catalog.visibility import may_see, visible_image, visible_platforms
from fixright.entitlement import service
from fixright.errors import NotFound
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.importing import import_csv_rows

C3560CX = "c3560cx-universalk9-mz.152-7.E8.bin"
C3560E = "c3560e-universalk9-mz.152-4.E10.bin"
CAT9K = "cat9k_iosxe.17.12.04.SPA.bin"
CAT9K_LITE = "cat9k_lite_iosxe.17.12.04.SPA.bin"
ASR9K = "asr9k-mini-x64-7.1.3.iso"
HEADER = "serial,vendor,os_family,model,running_version,licensed_feature_set\n"


def _who(organization_id: int) -> Principal:
    return Principal(1, "a@example.org", organization_id, "org", False, "admin")


@pytest.fixture
def images(session: Session, tmp_path: Path) -> dict[str, int]:
    storage = LocalStorage(tmp_path / "blobs")
    found = {}
    for name in (C3560CX, C3560E, CAT9K, CAT9K_LITE, ASR9K):
        image = add_image(session, storage, io.BytesIO(name.encode() * 7), filename=name,
                          kind="maintenance").image
        found[name] = image.id
    return found


def _org(session: Session, slug: str, rows: str) -> int:
    org, _ = get_or_create_organization(session, slug)
    import_csv_rows(session, org.id, read_devices_csv(HEADER + rows, f"{slug}.csv"))
    return org.id


def test_images_carry_their_hardware_family(session: Session, images: dict[str, int]) -> None:
    assert {name: get_image(session, i).platform for name, i in images.items()} == {
        C3560CX: "c3560cx", C3560E: "c3560e", CAT9K: "cat9k_iosxe",
        CAT9K_LITE: "cat9k_lite_iosxe", ASR9K: "asr9k"}


def test_a_3560e_owner_is_refused_a_3560cx_image(session: Session, images: dict[str, int]) -> None:
    org = _org(session, "e-owner", "FDO1111A1AA,cisco,ios,WS-C3560E-24TD-S,15.2(4)E9,universalk9\n")
    denied = service.decide(session, org, images[C3560CX], actor="t", policy="lifetime-updates")
    assert not denied.allowed
    assert denied.grants[0].failures[0].condition == "owns_device"
    assert "c3560cx" in denied.grants[0].failures[0].message
    # The same owner is allowed the image its own hardware runs: the refusal is the hardware.
    allowed = service.decide(session, org, images[C3560E], actor="t", policy="lifetime-updates")
    assert allowed.allowed and allowed.device_serial == "FDO1111A1AA"
    # ... and the 3560-CX image is not even visible to it.
    owner = _who(org)
    assert visible_platforms(session, owner) == {"c3560e"}
    with pytest.raises(NotFound):
        visible_image(session, owner, images[C3560CX])
    listed = {i.filename for i in page_images(session, limit=50,
                                              visible_platforms=visible_platforms(session, owner))[0]}
    assert listed == {C3560E}


def test_a_c9200l_sees_the_lite_image_and_not_the_universal_one(
    session: Session, images: dict[str, int]
) -> None:
    org = _org(session, "lite", "JAE2222B2BB,cisco,iosxe,C9200L-24P-4G,17.9.4,\n")
    owner = _who(org)
    assert visible_image(session, owner, images[CAT9K_LITE]).filename == CAT9K_LITE
    with pytest.raises(NotFound):
        visible_image(session, owner, images[CAT9K])
    assert service.decide(session, org, images[CAT9K_LITE], actor="t", policy="open").allowed
    assert not service.decide(session, org, images[CAT9K], actor="t", policy="open").allowed


def test_an_asr9006_owner_is_allowed_asr9k_images_under_open(
    session: Session, images: dict[str, int]
) -> None:
    org = _org(session, "xr", "FOX3333C3CC,cisco,iosxr,ASR-9006,7.1.2,\n")
    decision = service.decide(session, org, images[ASR9K], actor="t", policy="open")
    assert decision.allowed and decision.device_serial == "FOX3333C3CC"
    assert visible_image(session, _who(org), images[ASR9K]).filename == ASR9K


def test_unknown_hardware_never_counts(session: Session, images: dict[str, int]) -> None:
    org = _org(session, "unknown", "NOPE0000001,cisco,ios,WS-C9999-NOPE,15.2(7)E8,\n")
    owner = _who(org)
    assert visible_platforms(session, owner) == set()
    for name in (C3560CX, C3560E):
        assert not service.decide(session, org, images[name], actor="t", policy="open").allowed
    all_images = [get_image(session, i) for i in images.values()]
    assert may_see(session, owner, all_images) == []


def test_an_explicit_platform_overrides_the_model(session: Session, images: dict[str, int]) -> None:
    org, _ = get_or_create_organization(session, "override")
    rows = ("serial,vendor,os_family,model,running_version,platform\n"
            "NOPE0000002,cisco,ios,WS-C9999-NOPE,15.2(7)E8,C3560CX\n")
    import_csv_rows(session, org.id, read_devices_csv(rows, "o.csv"))
    assert visible_platforms(session, _who(org.id)) == {"c3560cx"}
    assert service.decide(session, org.id, images[C3560CX], actor="t", policy="open").allowed
