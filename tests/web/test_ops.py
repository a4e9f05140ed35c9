"""Operations in-process: errors for unknown routes, security headers, request ids,
metrics and readiness, the API's CSRF check for cookie sessions, the OpenAPI contract."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fixright.accounts import service
from fixright.config import Settings
from fixright.inventory.models import Device
from fixright.web.app import create_app

DEVICE = {"serial": "FOC1234X0AB", "vendor": "cisco", "os_family": "ios"}


@pytest.fixture
def owner(session) -> str:
    org, _ = service.get_or_create_organization(session, "acme")
    service.add_user(session, email="ann@acme.test", password="correct horse battery",
                     organization=org)
    session.commit()
    return "ann@acme.test"


def _app(db_url, data_dir, **settings):
    return create_app(Settings(data_dir=data_dir, database_url=db_url, **settings))


def _login(client: TestClient, email: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/login", data={"email": email, "password": "correct horse battery",
                                         "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    home = client.get("/")
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text).group(1)


def test_unknown_routes_answer_the_error_shape_and_the_ui_a_page(db_url, data_dir) -> None:
    with TestClient(_app(db_url, data_dir)) as client:
        api = client.get("/api/v1/no-such-thing")
        assert api.status_code == 404
        assert api.json() == {"error": "not_found", "detail": "no route GET /api/v1/no-such-thing"}
        wrong_method = client.delete("/api/v1/me")
        assert wrong_method.status_code == 405
        assert wrong_method.json()["error"] == "method_not_allowed"
        page = client.get("/no-such-page", headers={"Accept": "text/html"})
        assert page.status_code == 404
        assert "text/html" in page.headers["content-type"]
        assert "Not found" in page.text and "/static/style.css" in page.text


def test_security_headers_on_pages_and_api(db_url, data_dir) -> None:
    with TestClient(_app(db_url, data_dir)) as client:
        for path in ("/login", "/api/v1/me", "/healthz"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
            assert "unsafe-inline" not in csp.split("style-src-attr")[0]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "strict-transport-security" not in headers  # plain http
        docs = client.get("/api/v1/docs")
        assert docs.status_code == 200
        assert "<script>" not in docs.text  # only script files, as the CSP demands
        assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    with TestClient(_app(db_url, data_dir), base_url="https://portal.test") as client:
        assert client.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_request_id_is_echoed_when_sane_and_made_otherwise(db_url, data_dir) -> None:
    with TestClient(_app(db_url, data_dir)) as client:
        assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
            "x-request-id"] == "abc-123"
        made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith junk"})
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
        assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz").headers["x-request-id"])


def test_access_log_has_one_line_per_request(db_url, data_dir, owner, caplog) -> None:
    caplog.set_level("INFO", logger="fixright.access")
    with TestClient(_app(db_url, data_dir)) as client:
        _login(client, owner)
        caplog.clear()
        client.get("/api/v1/me", headers={"X-Request-ID": "req-42"})
    lines = [r for r in caplog.records if r.name == "fixright.access"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status, line.principal, line.request_id) == (
        "GET", "/api/v1/me", 200, "user:ann@acme.test", "req-42")
    assert line.duration_ms >= 0


def test_metrics_need_their_token_and_count_requests(db_url, data_dir) -> None:
    with TestClient(_app(db_url, data_dir)) as client:
        assert client.get("/metrics").status_code == 404  # disabled without a token
    with TestClient(_app(db_url, data_dir, metrics_token="s3cret")) as client:
        client.get("/api/v1/devices/7")
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        text = client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).text
        assert re.search(r'fixright_http_requests_total\{method="GET",'
                         r'route="/api/v1/devices/\{device_id\}",status="401"\} [1-9]', text)
        assert "fixright_http_request_duration_seconds_bucket" in text
        for name in ("fixright_download_bytes_total", "fixright_entitlement_decisions_total",
                     "fixright_imports_total"):
            assert re.search(rf"# TYPE {name.removesuffix('_total')}(_total)? counter", text)


def test_readyz_checks_database_and_storage(db_url, data_dir, tmp_path) -> None:
    with TestClient(_app(db_url, data_dir)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    broken = _app(db_url, data_dir, storage_url=f"file://{blocker}/blobs")
    with TestClient(broken) as client:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["storage"] != "ok" and answer.json()["database"] == "ok"


def test_cookie_api_writes_need_csrf_token_and_same_origin(db_url, data_dir, owner,
                                                            session) -> None:
    def devices() -> int:
        session.expire_all()
        return session.scalar(select(func.count()).select_from(Device))

    with TestClient(_app(db_url, data_dir)) as client:
        token = _login(client, owner)
        bare = client.post("/api/v1/devices", json=DEVICE)
        assert bare.status_code == 403 and bare.json()["error"] == "csrf_failed"
        wrong = client.post("/api/v1/devices", json=DEVICE,
                            headers={"X-CSRF-Token": "x" + token, "Origin": "http://testserver"})
        assert wrong.status_code == 403
        foreign = client.post("/api/v1/devices", json=DEVICE,
                              headers={"X-CSRF-Token": token, "Origin": "http://evil.test"})
        assert foreign.status_code == 403
        assert devices() == 0
        # Reads need nothing more than the cookie.
        assert client.get("/api/v1/devices").status_code == 200
        ok = client.post("/api/v1/devices", json=DEVICE,
                         headers={"X-CSRF-Token": token, "Origin": "http://testserver"})
        assert ok.status_code == 201, ok.text
        assert devices() == 1


def test_openapi_contract(db_url, data_dir) -> None:
    with TestClient(_app(db_url, data_dir)) as client:
        spec = client.get("/api/v1/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearer"]["description"]}
    operations = {op["operationId"]: op for path in spec["paths"].values()
                  for op in path.values()}
    assert len(operations) == sum(len(path) for path in spec["paths"].values())
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", name) for name in operations)
    link = operations["createDownloadLink"]
    assert link["security"] == [{"bearer": []}]
    assert link["responses"]["403"]["content"]["application/json"]["schema"]["$ref"] \
        == "#/components/schemas/DownloadRefused"
    assert {"401", "404", "422"} <= set(link["responses"])
    for name, op in operations.items():
        for status, response in op["responses"].items():
            if int(status) >= 400 and not (name == "createDownloadLink" and status == "403"):
                assert response["content"]["application/json"]["schema"]["$ref"] \
                    == "#/components/schemas/Error", (name, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_json_log_lines_carry_the_access_fields() -> None:
    import json
    import logging

    from fixright.web.logs import JsonFormatter

    record = logging.LogRecord("fixright.access", logging.INFO, __file__, 1, "GET / 200", None,
                               None)
    record.method, record.status, record.request_id = "GET", 200, "abc"
    line = json.loads(JsonFormatter().format(record))
    assert (line["logger"], line["level"], line["message"], line["method"], line["status"],
            line["request_id"]) == ("fixright.access", "info", "GET / 200", "GET", 200, "abc")
