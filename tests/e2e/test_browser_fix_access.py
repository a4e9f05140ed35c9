"""The fix access page and the policy preview in Debian's Chromium, at laptop and phone width.

Uses the server, browser and page fixtures of `test_browser` (`fixright serve
--demo` on each backend). Expected numbers come from the server's database
through the CLI (`report policies --format json`), not from constants.
Screenshots of a passing run go to test-output/browser/fix-access-*.png.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect  # noqa: E402  (after the module's skip)
from tests.e2e.test_browser import (  # noqa: F401  (fixtures used by name)
    GLOBEX,
    OPERATOR,
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
OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _no_sideways_scroll(tab: Page) -> None:
    scroll, client = tab.evaluate(OVERFLOW)
    assert scroll <= client, f"the page is {scroll}px wide in a {client}px window"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_fix_access_page_fits_and_matches_the_report(page: Page, demo: Demo,  # noqa: F811
                                                     width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    login(page, *GLOBEX)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fix access").click()
    page.wait_for_url("**/fix-access")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fix access")
    report = {row["policy"]: row for row in demo.cli_json("report", "policies", "--org",
                                                          "globex")}
    table = page.locator("#fa-table")
    for name, row in report.items():
        cell = table.locator(f'[data-cell="{name}/may-download"]')
        if row["may_download"]:
            expect(cell).to_have_text(str(row["may_download"]))
        else:
            expect(cell).to_have_count(0)
    chart = page.locator("#fa-chart")
    expect(chart.locator("svg.fa-bar")).to_have_count(len(report))
    # Every bar starts at the same x, and no label wraps onto a second line.
    lefts = chart.locator("svg.fa-bar").evaluate_all(
        "bars => bars.map(b => Math.round(b.getBoundingClientRect().left))")
    assert len(set(lefts)) == 1, lefts
    heights = chart.locator(".fa-value, .fa-label").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(e).lineHeight) || 20])")
    assert all(h <= 1.6 * line for h, line in heights), heights
    _no_sideways_scroll(page)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / f"fix-access-{width}-{demo.backend}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    # A cell lists its devices.
    first = table.locator("a[data-cell]").first
    expected = int(first.inner_text())
    first.click()
    page.wait_for_url(lambda url: urlsplit(url).path.count("/") == 3)
    expect(page.locator("#fa-count")).to_contain_text(str(expected))
    expect(page.locator("#fa-devices tbody tr")).to_have_count(min(expected, 50))
    _no_sideways_scroll(page)


def test_activating_a_policy_shows_its_effect_first(page: Page, demo: Demo) -> None:  # noqa: F811
    page.set_viewport_size(WIDTHS["phone"])
    login(page, *OPERATOR)
    page.goto("/policy")
    active = demo.cli_json("policy", "show")["name"]
    other = "contract-only" if active != "contract-only" else "open"
    row = page.locator("tr", has=page.get_by_text(other, exact=True))
    row.get_by_role("button", name="Preview and activate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Activate {other}?")
    expect(page.locator("#preview")).to_contain_text("May download its fix")
    _no_sideways_scroll(page)
    shot = OUTPUT / f"policy-preview-phone-{demo.backend}.png"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    # Nothing changed yet.
    shown = demo.server.cli("policy", "show", "--format", "json")
    assert json.loads(shown.stdout)["name"] == active
    page.get_by_role("button", name=f"Activate {other}").click()
    page.wait_for_url("**/policy")
    expect(page.get_by_role("status")).to_contain_text(f"Policy {other} is now active")
    expect(page.get_by_role("heading", level=1)).to_contain_text(other)
    # Put the demo's policy back, through the same two steps.
    page.locator("tr", has=page.get_by_text(active, exact=True)).get_by_role(
        "button", name="Preview and activate").click()
    page.get_by_role("button", name=f"Activate {active}").click()
    page.wait_for_url("**/policy")
    expect(page.get_by_role("heading", level=1)).to_contain_text(active)
