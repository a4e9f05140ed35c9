"""Lifecycle dates, security-fix claims and the fix-access cliff in Debian's Chromium (issue 16).

Uses the server, browser and page fixtures of `test_browser` (`fixright serve
--demo` on each backend, one Chromium per module). Data is set up the way an
operator would, through the `fixright` CLI against the server's database: a
lifecycle CSV for a device's PID, the `contract-only` policy (under which a
device whose contract lapsed is denied its fix). Expected values come from the
same database through the CLI (`lifecycle list`, `report exposure`, `claims
list`, `report cliff`), not from constants. Screenshots of a passing run go to
test-output/browser/ (lifecycle-*, claim-*, cliff-*) and their paths are printed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect  # noqa: E402  (after the module's skip)
from tests.e2e.test_browser import (  # noqa: F401  (fixtures used by name)
    GLOBEX,
    OUTPUT,
    Demo,
    _keep_reports,
    browser,
    demo,
    login,
    page,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
# A C9300 whose demo contract has lapsed: exposed, and denied its fix under contract-only.
CLAIM_HOST = "globex-dist-01"
DENYING_POLICY = "contract-only"
DATE_FIELDS = ("end_of_sale", "end_of_sw_maintenance", "end_of_security_support",
               "last_date_of_support")


def _shot(tab: Page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    # From the top: a page opened at an #anchor draws its sticky table headers out of place.
    tab.evaluate("window.scrollTo(0, 0)")
    tab.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def _no_sideways_scroll(tab: Page) -> None:
    scroll, client = tab.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"the page is {scroll}px wide in a {client}px window"


def _cli(live: Demo, *args: str) -> str:
    result = live.server.cli(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _device(live: Demo, host: str) -> dict[str, Any]:
    (row,) = json.loads(_cli(live, "devices", "list", "--org", "globex", "--search", host,
                             "--format", "json"))
    return dict(row)


@pytest.fixture
def denying_policy(demo: Demo) -> Iterator[str]:  # noqa: F811
    """`contract-only` active for the test; the demo's policy back afterwards."""
    before = json.loads(_cli(demo, "policy", "show", "--format", "json"))["name"]
    _cli(demo, "policy", "set", DENYING_POLICY)
    yield DENYING_POLICY
    _cli(demo, "policy", "set", before)


def test_lifecycle_dates_show_on_the_device_page(page: Page, demo: Demo,  # noqa: F811
                                                 tmp_path: Path) -> None:
    device = _device(demo, CLAIM_HOST)
    today = date.today()
    # Two milestones passed, two to come: the page marks which is which.
    days = dict(zip(DATE_FIELDS, (-400, -30, 200, 600), strict=True))
    csv = tmp_path / "lifecycle.csv"
    csv.write_text("pid,vendor,description," + ",".join(DATE_FIELDS) + ",bulletin_url\n"
                   f"{device['model']},cisco,Catalyst 9300 48-port PoE+,"
                   + ",".join((today + timedelta(days=d)).isoformat() for d in days.values())
                   + ",https://www.cisco.example/eol-c9300.html\n", encoding="utf-8")
    _cli(demo, "lifecycle", "import", str(csv))
    stored = {row["pid"]: row for row in json.loads(_cli(demo, "lifecycle", "list",
                                                         "--format", "json"))
              if row["pid"]}[device["model"]]

    login(page, *GLOBEX)
    page.goto(f"/devices/{device['id']}")
    block = page.locator("#lifecycle")
    expect(block.get_by_role("heading", name="Lifecycle")).to_be_visible()
    for name in DATE_FIELDS:
        cell = block.locator(f"#lc-{name}")
        expect(cell).to_contain_text(stored[name])
        passed = cell.locator(".pill", has_text="passed")
        expect(passed).to_have_count(1 if date.fromisoformat(stored[name]) < today else 0)
    expect(block.get_by_role("link", name="Vendor bulletin")).to_have_attribute(
        "href", stored["bulletin_url"])
    _shot(page, f"lifecycle-device-{demo.backend}")


def test_drafting_a_claim_and_downloading_its_pdf(page: Page, demo: Demo,  # noqa: F811
                                                  denying_policy: str) -> None:
    device = _device(demo, CLAIM_HOST)
    exposure = {row["hostname"]: row for row in json.loads(
        _cli(demo, "report", "exposure", "--org", "globex", "--format", "json"))}
    advisories = exposure[CLAIM_HOST]["advisory_ids"]
    assert exposure[CLAIM_HOST]["status"] == "affected" and advisories
    before = {c["id"] for c in json.loads(_cli(demo, "claims", "list", "--org", "globex",
                                               "--format", "json"))}

    login(page, *GLOBEX)
    page.goto(f"/devices/{device['id']}")
    claims = page.locator("#claims")
    expect(claims).to_contain_text("does not give this device its fix")
    draft = claims.get_by_role("button", name="Draft claim for ")
    expect(draft.first).to_be_visible()
    advisory = draft.first.inner_text().removeprefix("Draft claim for ").strip()
    assert advisory in advisories
    draft.first.click()
    expect(page.get_by_role("status")).to_contain_text(f"drafted for {advisory}")

    (claim,) = [c for c in json.loads(_cli(demo, "claims", "list", "--org", "globex",
                                           "--format", "json")) if c["id"] not in before]
    assert (claim["state"], claim["serial"], claim["advisory"]) == (
        "drafted", device["serial"], advisory)
    # An open claim is not offered twice.
    expect(claims.get_by_role("button", name=f"Draft claim for {advisory}")).to_have_count(0)
    row = claims.locator("tr", has=page.locator(f"#claim-pdf-{claim['id']}"))
    expect(row).to_contain_text("drafted")
    _shot(page, f"claim-device-{demo.backend}")

    with page.expect_download() as info:
        page.locator(f"#claim-pdf-{claim['id']}").click()
    download = info.value
    assert download.suggested_filename == f"claim-{claim['id']}.pdf"
    saved = OUTPUT / f"claim-{demo.backend}.pdf"
    download.save_as(saved)
    body = saved.read_bytes()
    assert body.startswith(b"%PDF-"), body[:20]
    assert len(body) > 1500 and b"%%EOF" in body[-64:], len(body)
    print(f"claim packet: {saved} ({len(body)} bytes)")


def _cliff_counts(live: Demo, today: date) -> dict[str, dict[str, int]]:
    """Per policy, what the page's table counts, from `report cliff` per device."""
    rows = json.loads(_cli(live, "report", "cliff", "--org", "globex", "--format", "json"))
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        tally = counts.setdefault(row["policy"], Counter())
        if row["status"] in ("never", "none"):
            tally[row["status"]] += 1
        elif date.fromisoformat(row["cliff"]) < today:
            tally["passed"] += 1
        else:
            tally["falls"] += 1
    return {name: {k: tally[k] for k in ("passed", "none", "falls", "never")}
            for name, tally in counts.items()}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_cliff_page_matches_the_report_and_fits(page: Page, demo: Demo,  # noqa: F811
                                                width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    login(page, *GLOBEX)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cliff").click()
    page.wait_for_url("**/cliff")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fix-access cliff")
    expected = _cliff_counts(demo, date.today())
    table = page.locator("#cliff-table tbody tr")
    expect(table).to_have_count(len(expected))
    for name, want in expected.items():
        cells = page.locator("#cliff-table tbody tr", has=page.get_by_role(
            "cell", name=name, exact=True)).locator("td")
        expect(cells).to_have_text([name, str(want["passed"]), str(want["none"]),
                                    str(want["falls"]), str(want["never"])])
    chart = page.locator("#cliff-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width]["width"]
    _no_sideways_scroll(page)
    _shot(page, f"cliff-{width}-{demo.backend}")
