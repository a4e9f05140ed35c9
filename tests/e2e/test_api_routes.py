"""The API against a real server: what each route does, with the CLI's answers as reference.

Pagination and filters, imports that are all-or-nothing (checked by counting
before and after a refused request), streamed image uploads with digests,
entitlement checks in the audit log, policy changes. Same world as
test_api_isolation.py (tests/e2e/api_world.py).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from tests.e2e.api_world import TODAY, World, build_world

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(live_server, tmp_path_factory, shared_data) -> World:
    return build_world(live_server, tmp_path_factory.mktemp("world"), shared_data)


def _count(world: World, org, path: str, **params) -> int:
    response = world.get(org, path, **params)
    assert response.status_code == 200, response.text
    return response.json()["total"]


def test_device_pages_cover_the_list_once(world: World) -> None:
    everything = world.get(world.acme, "/devices", limit=500).json()
    assert everything["total"] == len(everything["items"]) >= len(world.acme.serials)
    seen: list[int] = []
    offset = 0
    while offset < everything["total"]:
        page = world.get(world.acme, "/devices", limit=3, offset=offset).json()
        assert (page["limit"], page["offset"], page["total"]) == (3, offset, everything["total"])
        assert 1 <= len(page["items"]) <= 3
        seen += [d["id"] for d in page["items"]]
        offset += 3
    assert seen == [d["id"] for d in everything["items"]]
    assert world.get(world.acme, "/devices", offset=offset).json()["items"] == []
    for params, name in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"),
                         ({"offset": -1}, "offset")):
        response = world.get(world.acme, "/devices", **params)
        assert response.status_code == 422 and name in response.json()["detail"]


def test_device_totals_do_not_depend_on_the_page(world: World) -> None:
    # A page that is not full gives its total without counting: every window agrees.
    for search in (None, "cat", sorted(world.acme.hostnames)[0]):
        params = {"search": search} if search else {}
        total = world.get(world.acme, "/devices", limit=500, **params).json()["total"]
        for limit in (1, 4, 500):
            for offset in range(0, total + 3):
                page = world.get(world.acme, "/devices", limit=limit, offset=offset,
                                 **params).json()
                assert page["total"] == total, (search, limit, offset)
                assert len(page["items"]) == max(min(limit, total - offset), 0)
        ids = [d["id"] for d in world.get(world.acme, "/devices", limit=500, **params).json()
               ["items"]]
        for after in ids:
            page = world.get(world.acme, "/devices", limit=500, after=after, **params).json()
            assert page["total"] == total and [d["id"] for d in page["items"]] == [
                i for i in ids if i > after]


def test_device_filters(world: World) -> None:
    items = world.get(world.acme, "/devices", limit=500).json()["items"]
    for key, value in (("os_family", "iosxe"), ("platform", "cat9k_iosxe")):
        wanted = [d["id"] for d in items if d[key] == value]
        page = world.get(world.acme, "/devices", limit=500, **{key: value}).json()
        assert wanted and [d["id"] for d in page["items"]] == wanted
        assert page["total"] == len(wanted)
    hostname = sorted(world.acme.hostnames)[0]
    found = world.get(world.acme, "/devices", search=hostname.upper()).json()["items"]
    assert found and all(hostname.lower() in json.dumps(d).lower() for d in found)
    assert world.get(world.acme, "/devices", platform="no-such-platform").json()["total"] == 0


def test_fix_plan_and_device_exposure_agree_with_the_cli(world: World) -> None:
    cli_rows = json.loads(world.cli_ok("report", "fixes", "--org", "acme", "--format", "json"))
    api_rows = world.get(world.acme, "/fixes", limit=500).json()["items"]
    def key(r):
        return (r["serial"], r["advisory_id"], r["first_fixed"], r["combined_fix"])
    assert cli_rows and sorted(map(key, api_rows)) == sorted(map(key, cli_rows))
    critical = world.get(world.acme, "/fixes", severity="critical", limit=500).json()
    assert critical["total"] == sum(1 for r in cli_rows if r["severity"] == "critical")
    assert world.get(world.acme, "/fixes", severity="dire").status_code == 422

    report = world.get(world.acme, "/exposure", limit=500).json()
    assert report["affected"] + report["not_affected"] + report["unknown"] == report["total"]
    affected = world.get(world.acme, "/exposure", status="affected", limit=500).json()
    assert affected["total"] == report["affected"] > 0
    by_serial = {d["serial"]: d["id"] for d in
                 world.get(world.acme, "/devices", limit=500).json()["items"]}
    for row in affected["items"][:4]:
        detail = world.get(world.acme, f"/devices/{by_serial[row['serial']]}").json()
        exposure = detail["exposure"]
        assert detail["serial"] == row["serial"] and exposure["status"] == "affected"
        assert sorted(h["advisory_id"] for h in exposure["advisories"]) == sorted(
            row["advisory_ids"])
        for hit in exposure["advisories"]:
            assert hit["severity"] and hit["first_fixed"]["reason"]
            plan = [r for r in cli_rows
                    if r["serial"] == row["serial"] and r["advisory_id"] == hit["advisory_id"]]
            assert plan and hit["cves"] == plan[0]["cves"]
        assert exposure["combined_fix"]["reason"]


def test_create_one_device(world: World) -> None:
    before = _count(world, world.globex, "/devices")
    body = {"serial": "FDO2401X0AB", "vendor": "Cisco", "os_family": "nxos",
            "model": "N9K-C93180YC-FX", "running_version": "9.3(8)", "hostname": "leaf-api-1",
            # the model runs three NX-OS image families: the image booted decides
            "image_file": "bootflash:///nxos.9.3.8.bin"}
    with world.client(world.globex) as client:
        created = client.post("/api/v1/devices", json=body)
        assert created.status_code == 201, created.text
        device = created.json()
        assert (device["vendor"], device["source"], device["platform"]) == ("cisco", "api", "nxos")
        again = client.post("/api/v1/devices", json=body)
        assert again.status_code == 409 and str(device["id"]) in again.json()["detail"]
        for field, value in (("running_version", "banana split"), ("serial", "has space"),
                             ("vendor", "")):
            bad = client.post("/api/v1/devices", json={**body, "serial": "FDO2401X0AC",
                                                       field: value})
            assert bad.status_code == 422 and field in bad.json()["detail"], bad.text
        unknown = client.post("/api/v1/devices", json={**body, "serial": "FDO2401X0AC",
                                                       "platform": "n9k"})
        assert unknown.status_code in (400, 422), unknown.text
        assert "'n9k' is not an image family" in unknown.text
        assert "fixright hardware list" in unknown.text
    assert _count(world, world.globex, "/devices") == before + 1
    detail = world.get(world.globex, f"/devices/{device['id']}").json()
    assert detail["exposure"]["version"] == "9.3(8)"
    assert world.get(world.acme, f"/devices/{device['id']}").status_code == 404


def test_import_show_outputs_all_or_nothing(world: World) -> None:
    folder = world.shared / "show/cisco_asa/show_version"
    good = [folder / "cisco_asa_show_version1.raw", folder / "cisco_asa_show_version3.raw"]
    bad = folder / "cisco_asa_show_version2.raw"  # no serial number in it
    parsed = json.loads(world.cli_ok("devices", "parse", *map(str, good), "--format", "json"))
    serials = {d["serial"] for d in parsed}
    before = _count(world, world.globex, "/devices")
    with world.client(world.globex) as client:
        refused = client.post("/api/v1/devices/import", files=[
            ("files", (p.name, p.read_bytes())) for p in [*good, bad]])
        assert refused.status_code == 422
        assert bad.name in refused.json()["detail"] and good[0].name not in refused.json()["detail"]
        assert _count(world, world.globex, "/devices") == before
        first = client.post("/api/v1/devices/import", files=[
            ("files", (p.name, p.read_bytes())) for p in good])
        assert first.status_code == 200, first.text
        assert {d["serial"] for d in first.json()["created"]} == serials
        second = client.post("/api/v1/devices/import", files=[
            ("files", (p.name, p.read_bytes())) for p in good])
        assert {d["serial"] for d in second.json()["unchanged"]} == serials
        assert second.json()["created"] == [] and second.json()["updated"] == []
        raw = client.post("/api/v1/devices/import",
                          content=(folder / "cisco_asa_show_version4.raw").read_bytes(),
                          headers={"content-type": "text/plain"})
        assert raw.status_code == 200, raw.text
        csv_ok = "serial,vendor,os_family,model,running_version\nJMX1111A0AA,cisco,ios,WS-C2960X-48FPD-L,15.2(7)E3\n"
        imported = client.post("/api/v1/devices/import", content=csv_ok,
                               headers={"content-type": "text/csv"})
        assert [d["serial"] for d in imported.json()["created"]] == ["JMX1111A0AA"]
        after = _count(world, world.globex, "/devices")
        csv_bad = csv_ok.replace("JMX1111A0AA", "JMX2222A0AA") + "JMX3333A0AA,cisco,ios,x,not-a-version\n"
        refused = client.post("/api/v1/devices/import?filename=fleet.csv", content=csv_bad,
                              headers={"content-type": "text/csv"})
        assert refused.status_code == 422
        detail = refused.json()["detail"]
        assert "fleet.csv" in detail and "row 3" in detail and "running_version" in detail
        empty = client.post("/api/v1/devices/import", content=b"",
                            headers={"content-type": "text/plain"})
        assert empty.status_code == 422
    assert _count(world, world.globex, "/devices") == after
    assert not serials & {d["serial"] for d in
                          world.get(world.acme, "/devices", limit=500).json()["items"]}


def test_contracts_expiry_and_coverage(world: World) -> None:
    contracts = world.get(world.acme, "/contracts", today=TODAY).json()["items"]
    status = {c["number"]: c["status"] for c in contracts}
    assert status == {"ACME-100": "active", "ACME-OLD": "expired"}
    assert [c["number"] for c in world.get(world.acme, "/contracts", today=TODAY,
                                           status="expired").json()["items"]] == ["ACME-OLD"]
    detail = world.get(world.acme, "/contracts/ACME-100", today=TODAY).json()
    assert {line["serial"] for line in detail["coverage"]} == {"FOC11111111", "FCW2233FFG3"}
    assert detail["lines"] == 2
    soon = world.get(world.acme, "/contracts/expiring", today=TODAY, within_days=30).json()
    assert [(e["serial"], e["days_left"]) for e in soon["items"]] == [("FOC11111111", 17)]
    later = world.get(world.acme, "/contracts/expiring", today=TODAY, within_days=400).json()
    assert {e["serial"] for e in later["items"]} == {"FOC11111111", "FCW2233FFG3"}
    assert world.get(world.acme, "/contracts/expiring", within_days=-1).status_code == 422
    api = world.get(world.acme, "/coverage", today=TODAY, devices="true").json()
    cli = json.loads(world.cli_ok("report", "coverage", "--org", "acme", "--today", TODAY,
                                  "--format", "json"))
    for key in ("devices", "covered", "uncovered", "lapsing", "lines_on_unknown_serials"):
        assert api[key] == cli[key], key
    assert {r["serial"] for r in api["device_rows"] if r["covered"]} == {"FOC11111111",
                                                                       "FCW2233FFG3"}


def test_contract_import_all_or_nothing(world: World) -> None:
    good = ("contract number,service level,serial,product id,start,end\n"
            "GLX-300,SNTC-8X5XNBD,FDO23490570,N9K-C93108TC-EX,2025-01-01,2025-12-31\n"
            "GLX-300,SNTC-8X5XNBD,NOTREGISTERED1,N9K-C93108TC-EX,2025-01-01,2025-12-31\n")
    bad = good.replace("GLX-300", "GLX-301").replace("2025-12-31\n", "2025-13-45\n", 1)
    before = _count(world, world.globex, "/contracts")
    with world.client(world.globex) as client:
        refused = client.post("/api/v1/contracts/import",
                              files={"files": ("glx301.csv", bad.encode())})
        assert refused.status_code == 422
        detail = refused.json()["detail"]
        assert "glx301.csv" in detail and "row 2" in detail and "end" in detail.lower()
        assert _count(world, world.globex, "/contracts") == before
        first = client.post("/api/v1/contracts/import",
                            files={"files": ("glx300.csv", good.encode())})
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["contracts_created"] == ["GLX-300"] and body["summary"]["lines_created"] == 2
        assert [u["serial"] for u in body["unknown_serials"]] == ["NOTREGISTERED1"]
        again = client.post("/api/v1/contracts/import", content=good,
                            headers={"content-type": "text/csv"}).json()
        assert again["summary"]["lines_unchanged"] == 2 and again["contracts_created"] == []
    assert _count(world, world.globex, "/contracts") == before + 1
    assert world.get(world.acme, "/contracts/GLX-300").status_code == 404
    events = world.get(world.globex, "/audit/events", action="contracts:contract:import").json()
    assert {e["subject"] for e in events["items"]} >= {"glx300.csv"}


def test_operator_uploads_an_image_with_digests(world: World) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    name = "cat9k_iosxe.17.09.05.SPA.bin"
    md5, sha512 = hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()
    before = _count(world, world.operator, "/images")
    with world.client(world.operator) as client:
        wrong = client.post("/api/v1/images", files={"file": (name, data)},
                            data={"md5": "0" * 32})
        assert wrong.status_code == 422 and "md5" in wrong.json()["detail"]
        evil = client.post("/api/v1/images", files={"file": ("x.bin", data)},
                           data={"filename": "../../etc/cat9k_iosxe.17.09.05.SPA.bin"})
        assert evil.status_code == 422 and "plain file name" in evil.json()["detail"]
        assert _count(world, world.operator, "/images") == before
        added = client.post("/api/v1/images", files={"file": (name, data)},
                            data={"md5": md5.upper(), "sha512": sha512, "kind": "maintenance"})
        assert added.status_code == 201, added.text
        image = added.json()["image"]
        assert added.json()["created"] is True
        assert (image["sha256"], image["size"]) == (hashlib.sha256(data).hexdigest(), len(data))
        assert (image["platform"], image["release"]["version"]) == ("cat9k_iosxe", "17.09.05")
        same = client.post("/api/v1/images", files={"file": (name, data)})
        assert same.status_code == 200 and same.json()["created"] is False
        assert same.json()["image"]["id"] == image["id"]
    assert _count(world, world.operator, "/images") == before + 1
    assert world.get(world.acme, f"/images/{image['id']}").json()["sha512"] == sha512
    assert world.get(world.globex, f"/images/{image['id']}").status_code == 404
    releases = world.get(world.acme, "/releases", os_family="iosxe", limit=500).json()["items"]
    assert "17.09.05" in {r["version"] for r in releases}


def test_entitlement_check_is_decided_and_audited(world: World) -> None:
    public = world.images["c2960x-universalk9-mz.152-7.E8.bin"]
    action = "entitlement:download:decide"
    before = _count(world, world.globex, "/audit/events", action=action)
    decision = world.get(world.globex, f"/images/{public}/entitlement").json()
    assert decision["allowed"] is True and decision["grant"]
    assert decision["organization"] == "globex" and decision["policy"] == "lifetime-updates"
    assert "c2960x-universalk9-mz.152-7.E8.bin" in decision["explanation"]
    events = world.get(world.globex, "/audit/events", action=action).json()
    assert events["total"] == before + 1
    assert events["items"][0]["subject"].startswith(f"image {public} ")
    cat9k = world.images["cat9k_iosxe.17.12.04.SPA.bin"]
    other = world.get(world.acme, f"/images/{cat9k}/entitlement").json()
    assert other["allowed"] == (other["grant"] is not None)
    assert other["allowed"] or (other["denied_by"] and other["denied_by"][0]["failed"])


def test_advisories_list_filter_detail_import(world: World) -> None:
    cli = json.loads(world.cli_ok("advisories", "list", "--format", "json"))
    listed = world.get(world.acme, "/advisories", limit=500).json()
    assert listed["total"] == len(cli) and {a["advisory_id"] for a in listed["items"]} == {
        a["advisory_id"] for a in cli}
    critical = world.get(world.acme, "/advisories", severity="critical", limit=500).json()
    assert critical["total"] == sum(1 for a in cli if a["severity"] == "critical") > 0
    assert all(a["severity"] == "critical" for a in critical["items"])
    assert world.get(world.acme, "/advisories", severity="dire").status_code == 422
    found = world.get(world.acme, "/advisories", search="cve-2018-0171").json()["items"]
    assert [a["advisory_id"] for a in found] == ["cisco-sa-20180328-smi2"]
    page = world.get(world.acme, "/advisories", limit=2, offset=1).json()
    assert [a["advisory_id"] for a in page["items"]] == [a["advisory_id"] for a in cli[1:3]]
    detail = world.get(world.acme, "/advisories/cisco-sa-20180328-smi2").json()
    assert detail["cves"] == ["CVE-2018-0171"] and len(detail["affected"]) > 100
    assert world.get(world.acme, "/advisories/cisco-sa-nope").status_code == 404

    invalid = world.shared / "advisories/invalid/ssa-426509.json"  # the one still refused
    smi2 = world.shared / "advisories/csaf/cisco-sa-20180328-smi2.json"
    with world.client(world.operator) as client:
        refused = client.post("/api/v1/advisories/import", files=[
            ("files", (smi2.name, smi2.read_bytes())), ("files", (invalid.name, invalid.read_bytes()))])
        assert refused.status_code == 422 and invalid.name in refused.json()["detail"]
        raw = client.post("/api/v1/advisories/import?filename=smi2.json",
                          content=smi2.read_bytes(), headers={"content-type": "application/json"})
        assert raw.status_code == 200, raw.text
        assert raw.json()["unchanged"] == ["cisco-sa-20180328-smi2"]
    assert _count(world, world.acme, "/advisories") == len(cli)


def test_operator_sets_the_policy(world: World) -> None:
    action = "entitlement:policy:activate"
    before = _count(world, world.operator, "/audit/events", action=action)
    custom = ('description = "Only public images."\n\n[[grant]]\nname = "public image"\n'
              'public = true\n')
    with world.client(world.operator) as client:
        try:
            assert client.put("/api/v1/policy", json={"name": "contract-only"}).json()[
                "name"] == "contract-only"
            assert world.get(None, "/policy").json()["name"] == "contract-only"
            stored = client.put("/api/v1/policy", json={"toml": custom, "name": "e2e-public"})
            assert stored.status_code == 200, stored.text
            assert stored.json()["name"] == "e2e-public"
            assert [g["name"] for g in stored.json()["grants"]] == ["public image"]
            policies = {p["name"]: p for p in world.get(world.acme, "/policies").json()}
            assert policies["e2e-public"]["active"] and policies["e2e-public"]["kind"] == "stored"
            assert sum(p["active"] for p in policies.values()) == 1
            for body, words in (({"toml": "[[grant]]\nname = 'x'\nowns_devise = true\n",
                                  "name": "typo"}, "line 3"),
                                ({"name": "no-such-policy"}, "no-such-policy"),
                                ({}, "name"),
                                ({"toml": 'name = "e2e-public"\n' + custom, "name": "other"},
                                 "other")):
                refused = client.put("/api/v1/policy", json=body)
                assert refused.status_code == 422 and words in refused.json()["detail"], body
            assert world.get(None, "/policy").json()["name"] == "e2e-public"
        finally:
            client.put("/api/v1/policy", json={"name": "lifetime-updates"})
    assert world.get(None, "/policy").json()["name"] == "lifetime-updates"
    assert _count(world, world.operator, "/audit/events", action=action) == before + 3


def test_audit_filters_and_pages(world: World) -> None:
    everything = world.get(world.operator, "/audit/events", limit=500).json()
    seqs = [e["seq"] for e in everything["items"]]
    assert seqs == sorted(seqs, reverse=True) and everything["total"] == len(seqs) > 2
    second = world.get(world.operator, "/audit/events", limit=1, offset=1).json()["items"]
    assert [e["seq"] for e in second] == seqs[1:2]
    prefix = world.get(world.operator, "/audit/events", action="entitlement:", limit=500).json()
    assert prefix["total"] > 0 and all(e["action"].startswith("entitlement:")
                                       for e in prefix["items"])
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert world.get(world.operator, "/audit/events", since=future).json()["total"] == 0
    newest = everything["items"][0]["at"]
    recent = world.get(world.operator, "/audit/events", since=newest).json()
    assert recent["total"] >= 1 and recent["items"][0]["seq"] == seqs[0]
    assert world.get(world.operator, "/audit/events", since="yesterday").status_code == 422


def test_operator_imports_feeds_and_vendor_quirks(world: World) -> None:
    fortinet = world.shared / "advisories/vendor/FG-IR-24-041.json"
    # Real-shaped KEV catalog and EPSS CSV (formats: CISA's KEV JSON schema, FIRST's EPSS CSV).
    kev = json.dumps({"catalogVersion": "2025.03.14", "count": 1, "vulnerabilities": [
        {"cveID": "CVE-2024-26008", "vendorProject": "Fortinet", "product": "FortiOS",
         "vulnerabilityName": "Fortinet FortiOS Improper Check", "dateAdded": "2025-03-01",
         "dueDate": "2025-03-22", "knownRansomwareCampaignUse": "Unknown"}]})
    epss = ("#model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000\n"
            "cve,epss,percentile\nCVE-2024-26008,0.41230,0.97110\n")
    with world.client(world.acme) as client:
        assert client.post("/api/v1/advisories/kev", content=kev).status_code == 403
    with world.client(world.operator) as client:
        strict = client.post("/api/v1/advisories/import?strict=true", files=[
            ("files", (fortinet.name, fortinet.read_bytes()))])
        assert strict.status_code == 422 and fortinet.name in strict.json()["detail"]
        loose = client.post("/api/v1/advisories/import", files=[
            ("files", (fortinet.name, fortinet.read_bytes()))])
        assert loose.status_code == 200, loose.text
        assert loose.json()["warnings"] and all(w["file"] == fortinet.name
                                                for w in loose.json()["warnings"])
        listed = client.post("/api/v1/advisories/kev?filename=kev.json", content=kev,
                             headers={"content-type": "application/json"})
        assert listed.status_code == 200 and listed.json()["count"] == 1, listed.text
        scored = client.post("/api/v1/advisories/epss?filename=epss.csv", content=epss,
                             headers={"content-type": "text/csv"})
        assert scored.json()["date"] == "2025-03-14", scored.text
        bad = client.post("/api/v1/advisories/epss?filename=e.csv", content="cve,epss\nCVE-1,x\n")
        assert bad.status_code == 422 and "line 2" in bad.json()["detail"]
    detail = world.get(world.acme, "/advisories/FG-IR-24-041").json()
    assert detail["remediations"] and detail["cvss_scores"][0]["version"] == "3.1"
