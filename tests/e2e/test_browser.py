"""The web UI in a real browser: Playwright (sync API) driving Debian's Chromium.

Each module run starts `fixright serve --demo` (on SQLite, and on PostgreSQL
when a server is reachable) and clicks through what an owner does: log in,
import a real `show version`, read its advisories, download the entitled fix
and check its bytes, be refused another image and read why, log out. The
expected values come from the same server's database through the `fixright`
CLI (images list, report exposure, devices list, policy show), never from
constants that merely echo the page.

No browser is ever downloaded: the module is skipped when /usr/bin/chromium
(Debian's `chromium` package) is missing. Screenshots go to
test-output/browser/: one per failed test, plus the dashboard and device pages
of a passing run, to judge the UI by eye.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.conftest import SHARED_DATA
from tests.e2e.conftest import LiveServer, free_port, running_server

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                "(apt-get install chromium); browser tests need it and never download one",
                allow_module_level=True)

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
VIEWPORT = {"width": 1366, "height": 768}  # a common laptop screen

GLOBEX = ("it@globex.example", "demo-globex")
ACME = ("noc@acme.example", "demo-acme")
OPERATOR = ("operator@demo.fixright.org", "demo-operator")
SHOW_VERSION = SHARED_DATA / "show/cisco_ios/show_version/cisco_ios_show_version.raw"
ENTITLED_HOST = "globex-acc-01"  # a 2960X whose combined fix has an image in the catalog
REFUSED_IMAGE = "cat9k_iosxe.17.15.01.SPA.bin"  # a feature release; globex's C9300 lapsed
# Answers no test changes, asked once per server (each CLI run costs a Python start).
STATIC_QUERIES = {("images", "list"), ("policy", "show"), ("devices", "list", "--org", "acme"),
                  ("report", "exposure", "--org", "acme")}


@dataclass
class Demo:
    server: LiveServer
    backend: str
    _static: dict[tuple[str, ...], Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def cli_json(self, *args: str) -> Any:
        """`fixright ARGS --format json` against the server's database."""
        if args in STATIC_QUERIES and args in self._static:
            return self._static[args]
        result = self.server.cli(*args, "--format", "json")
        assert result.returncode == 0, result.stdout + result.stderr
        self._static[args] = json.loads(result.stdout)
        return self._static[args]


# -- failure screenshots ---------------------------------------------------------------

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


class _ReportKeeper:
    """Keeps each phase's report on the test item, so the page fixture can tell a failure."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Iterator[None]:
        report = yield
        item.stash.setdefault(_REPORTS, {})[report.when] = report  # type: ignore[attr-defined]
        return report


@pytest.fixture(scope="module", autouse=True)
def _keep_reports(request: pytest.FixtureRequest) -> Iterator[None]:
    for stale in OUTPUT.glob("*-FAILED.png"):
        stale.unlink()  # only this run's failures stay
    keeper = _ReportKeeper()
    request.config.pluginmanager.register(keeper, f"browser-reports-{id(keeper)}")
    yield
    request.config.pluginmanager.unregister(keeper)


def _shot_name(node: pytest.Item, suffix: str = "") -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name).strip("_")
    return OUTPUT / f"{safe}{suffix}.png"


# -- server and browser ----------------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Demo]:
    """`fixright serve --demo` on a fresh database of each backend."""
    with running_server(tmp_path_factory.mktemp("browser"), request.param, ("--demo",)) as server:
        yield Demo(server, request.param)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, demo: Demo) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test; a screenshot when the test fails."""
    context: BrowserContext = browser.new_context(
        base_url=demo.url, viewport=VIEWPORT, accept_downloads=True)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    reports = request.node.stash.get(_REPORTS, {})
    if any(r.failed for r in reports.values()):
        OUTPUT.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(_shot_name(request.node, "-FAILED")), full_page=True)
    context.close()


def login(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def device_id(demo: Demo, org: str, search: str) -> int:
    rows = demo.cli_json("devices", "list", "--org", org, "--search", search)
    assert len(rows) == 1, rows
    return int(rows[0]["id"])


# -- public and login ------------------------------------------------------------------

def test_policy_page_is_public(page: Page, demo: Demo) -> None:
    active = demo.cli_json("policy", "show")
    response = page.goto("/policy")
    assert response is not None and response.status == 200
    assert path_of(page) == "/policy"
    expect(page.get_by_role("heading", level=1)).to_contain_text(active["name"])
    text = page.locator("#policy-text")
    expect(text).to_contain_text(active["description"])
    for grant in active["grants"]:
        expect(text).to_contain_text(grant["grant"])
    expect(page.locator("#logout")).to_have_count(0)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_protected_page_redirects_to_login_and_back(page: Page) -> None:
    page.goto("/devices")
    assert path_of(page) == "/login"
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/devices"]
    page.get_by_label("E-mail").fill(ACME[0])
    page.get_by_label("Password").fill(ACME[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/devices")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devices")


def test_wrong_password_shows_error_and_is_audited(page: Page, demo: Demo) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(GLOBEX[0])
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_label("Password").press("Enter")
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password")
    assert path_of(page) == "/login"
    expect(page.get_by_label("E-mail")).to_have_value(GLOBEX[0])
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_label("Password")).to_be_focused()  # retype at once
    page.goto("/")
    assert path_of(page) == "/login"  # no session was opened
    login(page, *OPERATOR)
    page.goto("/audit?action=accounts:login:failed")
    expect(page.locator("table tbody")).to_contain_text(GLOBEX[0])


def test_keyboard_only_login_and_visible_focus(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_label("E-mail")).to_be_focused()  # autofocus: type at once
    page.keyboard.type(GLOBEX[0])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(GLOBEX[1])
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    # The first Tab reaches the skip link, shown with a focus outline.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), style: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth), top: e.getBoundingClientRect().top}; }")
    assert focused["text"] == "Skip to content"
    assert focused["style"] != "none" and focused["width"] >= 2
    assert focused["top"] >= 0  # on screen while focused
    page.keyboard.press("Enter")
    # Wait for the jump rather than race it (it failed now and then on a busy machine).
    page.wait_for_url(lambda url: urlsplit(url).fragment == "main")
    # Every link of the main navigation shows an outline when tabbed to.
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # brand
    for index in range(nav.count()):
        page.keyboard.press("Tab")
        expect(nav.nth(index)).to_be_focused()
        width = nav.nth(index).evaluate("e => parseFloat(getComputedStyle(e).outlineWidth)")
        assert width >= 2, nav.nth(index).inner_text()


def test_csrf_token_is_required(page: Page) -> None:
    login(page, *GLOBEX)
    page.goto("/import")
    page.locator("main input[name=csrf_token]").evaluate("e => e.value = 'forged'")
    page.locator("#pasted").fill(SHOW_VERSION.read_text())
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Import").click()
    assert answer.value.status == 403
    expect(page.locator("main")).to_contain_text("did not come from this site")


# -- the owner's flow ------------------------------------------------------------------

def test_dashboard_shows_the_fleet(page: Page, demo: Demo) -> None:
    fleet = demo.cli_json("report", "exposure", "--org", "acme")
    login(page, *ACME)
    expect(page.locator("#stat-devices")).to_have_text(str(len(fleet)))
    affected = [row for row in fleet if row["status"] == "affected"]
    expect(page.locator("#stat-affected")).to_have_text(str(len(affected)))
    bars = page.locator("#severity-chart .bar .num")
    assert sum(int(n) for n in bars.all_inner_texts()) == len(affected)
    expect(page.locator("#h-policy")).to_contain_text(demo.cli_json("policy", "show")["name"])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"dashboard-{demo.backend}.png"), full_page=True)


def test_device_search(page: Page, demo: Demo) -> None:
    devices = demo.cli_json("devices", "list", "--org", "acme")
    target = devices[len(devices) // 2]
    login(page, *ACME)
    page.goto("/devices")
    search = page.get_by_role("searchbox", name="Search")
    search.fill(target["serial"])
    search.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(target["serial"])
    rows.first.get_by_role("link").click()
    assert path_of(page) == f"/devices/{target['id']}"
    expect(page.locator("#serial")).to_have_text(target["serial"])


def test_import_show_version_shows_its_advisories(page: Page, demo: Demo) -> None:
    original = SHOW_VERSION.read_text()
    taken = re.search(r"Processor board ID (\S+)", original).group(1)  # type: ignore[union-attr]
    version = re.search(r", Version ([^,\s]+),", original).group(1)  # type: ignore[union-attr]
    login(page, *GLOBEX)
    # The demo's acme owns this box: pasted by globex it is refused, naming the serial only.
    page.goto("/import")
    page.get_by_label("Output", exact=True).fill(original)
    page.locator("#import-submit").click()
    expect(page.locator("#import-error")).to_contain_text(
        f"serial {taken} is registered to another organisation")
    expect(page.locator("#import-error")).not_to_contain_text("acme")
    # The same output from another box of the model (its own serial) goes in.
    serial = "FOX1451T0ST"
    output = original.replace(taken, serial)
    page.goto("/import")
    page.get_by_label("Output", exact=True).fill(output)
    page.locator("#import-submit").click()
    page.wait_for_url(re.compile(r"/devices/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Import:")
    expect(page.locator("#serial")).to_have_text(serial)
    expect(page.locator("#running")).to_have_text(version)
    expect(page.locator("dl.facts")).to_contain_text("show")  # the source: pasted show output

    report = {row["serial"]: row for row in demo.cli_json("report", "exposure", "--org", "globex")}
    expected = report[serial]["advisory_ids"]
    assert expected, "the sample should be hit by at least one demo advisory"
    shown = page.locator("#advisories tbody tr td:first-child a").all_inner_texts()
    assert sorted(shown) == sorted(expected)
    # The device is now in the list, found by its serial.
    assert device_id(demo, "globex", serial) == int(path_of(page).rsplit("/", 1)[1])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"device-imported-{demo.backend}.png"), full_page=True)


def test_unreadable_import_is_refused_and_changes_nothing(page: Page, demo: Demo) -> None:
    before = demo.cli_json("devices", "list", "--org", "globex")
    # `show clock` output holds no device facts: the parser must say so, nothing is written.
    pasted = "*12:01:13.123 UTC Tue Mar 5 2024\n"
    login(page, *GLOBEX)
    page.goto("/import")
    page.get_by_label("Output", exact=True).fill(pasted)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("#import-submit").click()
    assert answer.value.status == 422
    error = page.locator("#import-error")
    expect(error).to_contain_text("pasted text")
    expect(error).to_contain_text("Nothing was imported")
    expect(page.get_by_label("Output", exact=True)).to_have_value(pasted)  # not lost
    assert demo.cli_json("devices", "list", "--org", "globex") == before


def test_download_entitled_fix_matches_catalog_sha256(page: Page, demo: Demo,
                                                     tmp_path: Path) -> None:
    [device] = demo.cli_json("devices", "list", "--org", "globex", "--search", ENTITLED_HOST)
    [exposure] = [r for r in demo.cli_json("report", "exposure", "--org", "globex")
                  if r["serial"] == device["serial"]]
    fix_version = exposure["combined_fix"].split()[0]  # "15.2(8)E8 (inferred)"
    [image] = [i for i in demo.cli_json("images", "list")
               if i["platform"] == device["platform"] and i["version"] == fix_version]

    login(page, *GLOBEX)
    page.goto(f"/devices/{device['id']}")
    fix = page.locator("#fix")
    expect(fix).to_contain_text(fix_version)
    row = fix.locator("tbody tr", has_text=image["filename"])
    expect(row.locator(".sha256")).to_have_attribute("title", image["sha256"])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"device-fix-{demo.backend}.png"), full_page=True)

    with page.expect_download() as info:
        row.get_by_role("button", name=f"Download {image['filename']}").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == image["filename"]
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert len(data) == image["size"]
    assert hashlib.sha256(data).hexdigest() == image["sha256"]
    assert path_of(page) == f"/devices/{device['id']}"  # the page stays put

    page.goto("/audit?action=entitlement:")
    decision = page.locator("table tbody tr", has_text=image["filename"]).first
    expect(decision).to_contain_text("allowed")


def test_refused_download_explains_why(page: Page, demo: Demo) -> None:
    [c9300] = demo.cli_json("devices", "list", "--org", "globex", "--search", "C9300")
    policy = demo.cli_json("policy", "show")["name"]
    downloads: list[object] = []
    login(page, *GLOBEX)
    page.on("download", lambda d: downloads.append(d))
    page.goto(f"/images?platform={c9300['platform']}")
    row = page.locator("table tbody tr", has_text=REFUSED_IMAGE)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        row.get_by_role("button", name=f"Download {REFUSED_IMAGE}").click()
    assert answer.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Download refused")
    decision = page.locator("#decision")
    expect(decision).to_contain_text("Not allowed")
    expect(decision).to_contain_text(policy)
    expect(decision).to_contain_text("feature release")
    # The contract grant fails on globex's own C9300, whose coverage ended.
    expect(decision).to_contain_text(c9300["serial"])
    expect(decision).to_contain_text("ended")
    expect(page.locator("#hint")).to_contain_text("What would change that")
    assert downloads == []
    page.get_by_role("link", name="← Back").click()
    assert path_of(page) == "/images"
    assert parse_qs(urlsplit(page.url).query)["platform"] == [c9300["platform"]]
    page.goto("/audit?action=entitlement:")
    expect(page.locator("table tbody tr", has_text=REFUSED_IMAGE).first).to_contain_text(
        "denied")


def test_other_organisations_device_is_not_found(page: Page, demo: Demo) -> None:
    acme_device = demo.cli_json("devices", "list", "--org", "acme")[0]
    login(page, *GLOBEX)
    response = page.goto(f"/devices/{acme_device['id']}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("main")).not_to_contain_text(acme_device["serial"])


def test_logout_ends_the_session(page: Page) -> None:
    login(page, *ACME)
    expect(page.locator("#org")).to_have_text("acme")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto("/devices")
    assert path_of(page) == "/login"
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/devices"]
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


# -- cross-site requests (kept last: its positive control adds two devices) -----------

FORGED_SERIALS = ("CSRF0001", "CSRF0002")
# A text/plain form posts `name=value`: the name carries a CSV of two devices, the `=`
# lands inside the last cell. No CORS preflight is needed for such a form.
FORGED_CSV = ("serial,vendor,os_family,model\r\n"
              f"{FORGED_SERIALS[0]},cisco,ios,x\r\n{FORGED_SERIALS[1]},cisco,ios,x")


@pytest.fixture
def attacker_site(tmp_path: Path, demo: Demo) -> Iterator[str]:
    """Another port of 127.0.0.1 (the same *site* for SameSite cookies) with a page that
    auto-submits a text/plain form to the portal's device import."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>win a prize</title>'
        f'<form id="f" method="post" enctype="text/plain" '
        f'action="{demo.url}/api/v1/devices/import?filename=devices.csv">'
        f'<input type="hidden" name="{FORGED_CSV}" value="y"></form>'
        '<script src="go.js"></script>')
    (tmp_path / "go.js").write_text('document.getElementById("f").submit();')
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _forged(demo: Demo) -> list[str]:
    rows = demo.cli_json("devices", "list", "--org", "globex", "--search", "CSRF000")
    return sorted(row["serial"] for row in rows)


def test_cross_site_form_cannot_use_the_session(page: Page, demo: Demo,
                                                attacker_site: str) -> None:
    login(page, *GLOBEX)
    response = page.goto("/")
    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    with page.expect_response(lambda r: "/api/v1/devices/import" in r.url) as answer:
        page.goto(attacker_site)
    assert answer.value.status == 403
    assert _forged(demo) == []
    # The same body from the portal's own page, with the page's CSRF token, is accepted:
    # what stopped the forged form is the check, not the payload.
    page.goto("/")
    status = page.evaluate("""async (body) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/api/v1/devices/import?filename=devices.csv', {method: 'POST',
            headers: {'Content-Type': 'text/plain', 'X-CSRF-Token': token}, body: body});
        return r.status; }""", FORGED_CSV + "=y\r\n")
    assert status == 200
    assert _forged(demo) == list(FORGED_SERIALS)
