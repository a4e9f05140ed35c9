"""Every UI page at phone width (390 px): no sideways scrolling, the main action on screen.

The pages are listed from the UI routers themselves (every GET route), so a new
page is checked without editing this file. One `fixright serve --demo` on
SQLite, one Chromium, one browser context per role (an owner and the portal
operator). A screenshot of every page goes to test-output/phone/ (git-ignored,
beside the other browser tests' test-output/browser/), to judge by eye.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.e2e.conftest import LiveServer, running_server
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, GLOBEX, OPERATOR, login

from fixright.web.ui_access import router as access_pages
from fixright.web.ui_auth import router as auth_pages
from fixright.web.ui_fleet import router as fleet_pages
from fixright.web.ui_portal import router as portal_pages

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}  # a current phone in portrait
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "phone"
ENTITLED_HOST = "globex-acc-01"  # its fix has an image in the demo catalogue: a Download button

# What is wider than the window, to say which element a failure is about.
_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""


def ui_paths() -> list[str]:
    """Every GET page of the UI routers, as written in the router (with {params})."""
    paths = {route.path for router in (fleet_pages, auth_pages, access_pages, portal_pages)
             for route in router.routes if "GET" in getattr(route, "methods", ())}
    return sorted(paths)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("phone"), "sqlite", ("--demo",)) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _device_id(server: LiveServer, host: str) -> int:
    result = server.cli("devices", "list", "--org", "globex", "--search", host, "--format", "json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    return int(row["id"])


def _fits(page: Page, name: str) -> None:
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{name}: {width}px wide in a {inner}px window: {page.evaluate(_WIDE)}"


@pytest.mark.parametrize("role", ["owner", "operator"])
def test_every_page_fits_a_phone(role: str, server: LiveServer, browser: Browser) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    print(f"phone screenshots: {OUTPUT}")
    device = _device_id(server, ENTITLED_HOST)
    context = browser.new_context(base_url=server.url, viewport=PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        if role == "owner":  # the pages before logging in, once
            for path, name in (("/login", "login"), ("/policy", "policy-public"),
                               ("/no-such-page", "not-found-public")):
                page.goto(path)
                _fits(page, name)
        login(page, *(GLOBEX if role == "owner" else OPERATOR))
        seen = []
        for template in ui_paths():
            path = template.replace("{device_id}", str(device)).replace(
                "{token}", "not-a-reset-token")
            assert "{" not in path, f"no value for the parameter of {template}: add one here"
            response = page.goto(path)
            assert response is not None and response.status < 500, path
            if path == "/login":  # a logged-in user is sent on; the page was checked above
                continue
            name = f"{role}-{re.sub(r'[^a-z0-9]+', '-', path.strip('/')) or 'dashboard'}"
            _fits(page, name)
            seen.append(path)
        assert {"/", "/devices", f"/devices/{device}", "/contracts", "/exposure"} <= set(seen)
        # The device page's main action: its Download button sits inside the window.
        page.goto(f"/devices/{device}")
        button = page.get_by_role("button", name=re.compile(r"^Download ")).first
        expect(button).to_be_visible()
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.goto("/no-such-page")
        expect(page.locator("#error-page")).to_have_attribute("data-status", "404")
        _fits(page, f"{role}-not-found")
    finally:
        context.close()
