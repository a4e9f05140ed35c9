"""A real world for entitlement service tests (both backends)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from tests.contracts.contracts_fleet import ASR, C4948, register_fleet

from fixright.accounts.service import get_or_create_organization
from fixright.advisories.service import import_paths
from fixright.catalog.backends import storage_from_url
from fixright.catalog.service import add_image
from fixright.contracts.csvio import read_contract_csv
from fixright.contracts.service import import_rows

TODAY = date(2025, 6, 1)
SG2 = "cat4500e-entservicesk9-mz.122-54.SG2.bin"
SG2_IP = "cat4500e-ipservicesk9-mz.122-54.SG2.bin"
ASR_IMG = "asr1001-universalk9.03.09.02.S.153-2.S2.bin"
CONTRACTS = (
    "contract,sla,serial,pid,start,end,price,currency\n"
    f"91234,8X5XNBD,{C4948},WS-C4948E,2021-03-02,2024-03-01,1200,USD\n"
    f"91234,8X5XNBD,{ASR},ASR1001,2022-03-02,2025-07-15,3650,USD\n"
)


@pytest.fixture
def world(session, shared_data, tmp_path):
    """acme owns the shared Cisco IOS fleet; a few images; the shared Cisco advisories."""
    acme = register_fleet(session, shared_data, "acme")
    other, _ = get_or_create_organization(session, "other")
    storage = storage_from_url(f"file://{tmp_path / 'blobs'}")
    for name, kind in ((SG2, "maintenance"), (SG2_IP, "maintenance"), (ASR_IMG, "security")):
        add_image(session, storage, io.BytesIO(name.encode() * 10), filename=name, kind=kind)
    import_paths(session, [shared_data / "advisories/openvuln", shared_data / "advisories/csaf"])
    import_rows(session, acme, read_contract_csv(CONTRACTS.encode()).rows)
    session.commit()
    return {"acme": acme, "other": other.id}


