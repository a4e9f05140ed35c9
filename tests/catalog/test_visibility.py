"""Who may see which image: the operator all, an owner public ones and its platforms'."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fixright.accounts.service import Principal, get_or_create_organization
from fixright.catalog.service import add_image
from fixright.catalog.storage_local import LocalStorage
from fixright.catalog.visibility import may_see, visible_image
from fixright.errors import NotFound
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.importing import import_csv_rows

C4500 = "cat4500e-entservicesk9-mz.122-54.SG2.bin"
ASR = "asr1001-universalk9.03.09.02.S.153-2.S2.bin"
NXOS = "nxos.9.3.8.bin"


def _who(organization_id: int, *, operator: bool = False) -> Principal:
    return Principal(1, "a@example.org", organization_id, "org", operator, "admin")


def test_owner_sees_public_images_and_those_of_its_platforms(session: Session,
                                                             tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "blobs")
    images = {name: add_image(session, storage, io.BytesIO(name.encode() * 5), filename=name,
                              public=name == NXOS).image
              for name in (C4500, ASR, NXOS)}
    acme, _ = get_or_create_organization(session, "acme")
    csv = ("serial,vendor,os_family,model,running_version\n"
           "CAT0000001X,cisco,ios,WS-C4948E,12.2(54)SG1\n")
    import_csv_rows(session, acme.id, read_devices_csv(csv, "acme.csv"))
    owner, operator = _who(acme.id), _who(acme.id, operator=True)
    everything = list(images.values())

    assert {i.filename for i in may_see(session, owner, everything)} == {C4500, NXOS}
    assert may_see(session, operator, everything) == everything
    assert visible_image(session, owner, images[C4500].id) is images[C4500]
    # Another platform's image is "unknown", exactly like an id that does not exist.
    for image_id in (images[ASR].id, 10_000):
        with pytest.raises(NotFound, match=f"^no image with id {image_id}$"):
            visible_image(session, owner, image_id)
    assert visible_image(session, operator, images[ASR].id) is images[ASR]
