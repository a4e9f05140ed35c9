"""`fixright check` against a portal database says whether the owner may download the fix."""

from __future__ import annotations

import io

from fixright.accounts import service as accounts
from fixright.catalog import service as catalog
from fixright.catalog.storage_local import LocalStorage
from fixright.check import _annotator
from fixright.entitlement import service as entitlement
from fixright.inventory import importing as inventory
from fixright.inventory.csvio import read_devices_csv

CSV = """serial,vendor,os_family,model,running_version,licensed_feature_set,hostname
FOC2118X0QA,cisco,ios,WS-C2960X-48FPD-L,15.2(2)E3,lanbasek9,acc-01
"""


def _report() -> dict:
    target = {"release": "15.2(8)E8", "train": "15.2E", "kind": "same-train", "why": "w"}
    return {"os_family": "ios", "combined_fix": "15.2(8)E8", "platform": "c2960x",
            "image_families": ["c2960x"], "upgrade_targets": [target]}


def test_check_says_who_may_download_the_fix(session, tmp_path) -> None:
    owner, _ = accounts.get_or_create_organization(session, "owner")
    stranger, _ = accounts.get_or_create_organization(session, "stranger")
    inventory.import_csv_rows(session, owner.id, read_devices_csv(CSV, "d.csv"))
    catalog.add_image(session, LocalStorage(tmp_path / "blobs"), io.BytesIO(b"x" * 1000),
                      filename="c2960x-universalk9-mz.152-8.E8.bin", kind="maintenance")
    entitlement.set_active_policy(session, "lifetime-updates")
    session.flush()

    mine = [_report()]
    _annotator("owner")(session, mine)
    assert [d["allowed"] for d in mine[0]["downloads"]] == [True]
    assert mine[0]["downloads"][0]["image"] == "c2960x-universalk9-mz.152-8.E8.bin"
    [named] = mine[0]["upgrade_targets"][0]["images"]
    assert named["filename"] == "c2960x-universalk9-mz.152-8.E8.bin" and named["size"] == 1000
    assert len(named["md5"]) == 32 and len(named["sha512"]) == 128

    theirs = [_report()]
    _annotator("stranger")(session, theirs)
    assert [d["allowed"] for d in theirs[0]["downloads"]] == [False]
    assert "c2960x" in theirs[0]["downloads"][0]["why"]

    entitlement.set_active_policy(session, "contract-only")
    again = [_report()]
    _annotator("owner")(session, again)
    assert again[0]["downloads"][0]["allowed"] is False  # no contract on the 2960X


def test_check_without_fix_adds_nothing(session) -> None:
    accounts.get_or_create_organization(session, "owner")
    reports = [{"os_family": "ios", "combined_fix": None, "platform": "c2960x",
                "image_families": ["c2960x"], "upgrade_targets": []}]
    _annotator("owner")(session, reports)
    assert "downloads" not in reports[0]


def test_check_names_no_image_for_other_hardware(session, tmp_path) -> None:
    owner, _ = accounts.get_or_create_organization(session, "owner")
    inventory.import_csv_rows(session, owner.id, read_devices_csv(CSV, "d.csv"))
    catalog.add_image(session, LocalStorage(tmp_path / "blobs"), io.BytesIO(b"y" * 10),
                      filename="c2960x-universalk9-mz.152-8.E8.bin", kind="maintenance")
    session.flush()
    report = _report() | {"image_families": ["c3560cx"]}
    _annotator("owner")(session, [report])
    assert report["upgrade_targets"][0]["images"] == [] and report["downloads"] == []
