"""Behind nginx: an allowed download is handed over with X-Accel-Redirect, not streamed."""

from __future__ import annotations

import base64
import hashlib
import io

from fastapi.testclient import TestClient

from fixright.accounts import service as accounts
from fixright.catalog import service as catalog
from fixright.catalog.storage_local import LocalStorage
from fixright.config import Settings
from fixright.entitlement import service as entitlement
from fixright.inventory import importing as inventory
from fixright.inventory.csvio import read_devices_csv
from fixright.web.app import create_app

CSV = """serial,vendor,os_family,model,running_version,licensed_feature_set,hostname
FOC2118X0QA,cisco,ios,WS-C2960X-48FPD-L,15.2(2)E3,lanbasek9,acc-01
"""
NAME = "c2960x-universalk9-mz.152-8.E8.bin"


def _world(session, data_dir) -> tuple[str, bytes]:
    org, _ = accounts.get_or_create_organization(session, "acme")
    user = accounts.add_user(session, email="a@acme.test", password=None, organization=org)
    _, token = accounts.create_token(session, user, "t")
    inventory.import_csv_rows(session, org.id, read_devices_csv(CSV, "d.csv"))
    data = bytes(range(256)) * 40
    catalog.add_image(session, LocalStorage(data_dir / "blobs"), io.BytesIO(data),
                      filename=NAME, kind="maintenance")
    entitlement.set_active_policy(session, "lifetime-updates")
    session.commit()
    return token, data


def _app(db_url, data_dir, prefix):
    return create_app(Settings(data_dir=data_dir, database_url=db_url,
                               storage_url=f"file://{data_dir / 'blobs'}",
                               accel_redirect_prefix=prefix))


def test_accel_redirect_names_the_blob_and_keeps_the_digests(db_url, data_dir, session) -> None:
    token, data = _world(session, data_dir)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(_app(db_url, data_dir, "/_blobs/")) as client:
        link = client.post("/api/v1/images/1/download", headers=auth).json()["url"]
        answer = client.get(link, headers=auth)
    sha = hashlib.sha256(data).hexdigest()
    assert answer.status_code == 200
    assert answer.content == b""  # nginx sends the bytes
    assert answer.headers["x-accel-redirect"] == f"/_blobs/{sha[:2]}/{sha[2:4]}/{sha}"
    assert (data_dir / "blobs" / sha[:2] / sha[2:4] / sha).read_bytes() == data
    assert answer.headers["etag"] == f'"{sha}"'
    expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert f"sha-256=:{expected}:" in answer.headers["repr-digest"]
    assert NAME in answer.headers["content-disposition"]


def test_without_the_setting_the_app_streams_the_file(db_url, data_dir, session) -> None:
    token, data = _world(session, data_dir)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(_app(db_url, data_dir, None)) as client:
        link = client.post("/api/v1/images/1/download", headers=auth).json()["url"]
        answer = client.get(link, headers=auth)
    assert "x-accel-redirect" not in answer.headers
    assert answer.content == data


def test_accel_redirect_is_given_only_after_the_link_checks(db_url, data_dir, session) -> None:
    token, _data = _world(session, data_dir)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(_app(db_url, data_dir, "/_blobs/")) as client:
        link = client.post("/api/v1/images/1/download", headers=auth).json()["url"]
        forged = link.replace("/dl/1.", "/dl/2.")
        assert client.get(forged, headers=auth).status_code == 403
        anonymous = client.get(link)
        assert anonymous.status_code in (401, 403)
        assert "x-accel-redirect" not in anonymous.headers
