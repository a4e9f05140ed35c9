"""The advisory index is reused until advisories or catalog releases change."""

from __future__ import annotations

import io

from fixright.advisories import cache, service
from fixright.advisories.formats import read_document
from fixright.catalog import service as catalog
from fixright.catalog.storage_local import LocalStorage


def test_index_is_reused_until_something_changes(session, shared_data, tmp_path) -> None:
    empty = cache.load_index(session)
    assert cache.load_index(session) is empty
    mdns = shared_data / "advisories/openvuln/cisco-sa-20150325-mdns.json"
    service.import_results(session, [read_document(mdns.read_bytes(), mdns.name)])
    with_mdns = cache.load_index(session)
    assert with_mdns is not empty
    assert {r.advisory_id for r in with_mdns.records} == {"cisco-sa-20150325-mdns"}
    assert cache.load_index(session) is with_mdns
    # a new catalog release is a new known release for inferred fixes
    catalog.add_image(session, LocalStorage(tmp_path / "blobs"), io.BytesIO(b"x" * 100),
                      filename="c2960x-universalk9-mz.152-8.E8.bin", kind="maintenance")
    assert cache.load_index(session) is not with_mdns
    # a rolled-back import is not served from the cache afterwards
    session.commit()
    before = cache.load_index(session)
    smi = shared_data / "advisories/csaf/cisco-sa-20180328-smi2.json"
    service.import_results(session, [read_document(smi.read_bytes(), smi.name)])
    assert "cisco-sa-20180328-smi2" in {r.advisory_id for r in cache.load_index(session).records}
    session.rollback()
    after = cache.load_index(session)
    assert {r.advisory_id for r in after.records} == {r.advisory_id for r in before.records}


def test_planner_is_cached_with_its_index(session) -> None:
    planner = cache.load_planner(session)
    assert cache.load_planner(session) is planner
    assert cache.load_index(session) is planner.index
