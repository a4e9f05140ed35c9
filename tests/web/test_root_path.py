"""Under `--root-path /fixright` every link, form action, redirect, asset and download link
of the UI carries the root path and leads somewhere (no 404), for an owner and the operator."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.demo import load_demo
from fixright.demo.loader import demo_logins
from fixright.web.app import create_app

ROOT = "/fixright"
BASE = "https://portal.example"
# href, src and form actions; `value="/..."` of hidden back/next fields are app paths.
_ADDRESS = re.compile(r'<(a|link|script|img|form)\b[^>]*?\b(href|src|action)="([^"]*)"', re.S)
_METHOD = re.compile(r'\bmethod="(\w+)"', re.I)
MAX_PAGES = 120


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("root-path")
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'fixright.db'}",
                        demo=True, root_path=ROOT)
    list(load_demo(AppContext(settings=settings)))
    return settings


def _login(client: TestClient, email: str, password: str) -> None:
    page = client.get(f"{ROOT}/login")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    done = client.post(f"{ROOT}/login", data={"email": email, "password": password,
                                               "csrf_token": csrf[1]}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{ROOT}/"


def _local(address: str) -> bool:
    return not urlsplit(address).scheme and not address.startswith("//")


def _crawl(client: TestClient) -> tuple[int, list[str], list[str]]:
    """(pages read, addresses outside the root path, addresses that answer 404)."""
    seen, outside, missing = {f"{ROOT}/"}, [], []
    queue, pages = deque([f"{ROOT}/"]), 0
    while queue and pages < MAX_PAGES:
        page = queue.popleft()
        answer = client.get(page, follow_redirects=False)
        pages += 1
        if answer.status_code == 404:
            missing.append(page)
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        for match in _ADDRESS.finditer(answer.text):
            tag, attribute, address = match.groups()
            if not address or address.startswith(("#", "?")) or not _local(address):
                continue  # same page, or another site (advisory URLs, the Swagger CDN)
            if not address.startswith(f"{ROOT}/"):
                outside.append(f"{page}: {attribute}={address}")
                continue
            target = urljoin(page, address).split("#")[0]
            method = _METHOD.search(match.group(0))
            if tag == "form" and method and method[1].lower() == "post":
                # Only that the route exists: a GET of a POST route answers 405, not 404.
                if client.get(target, follow_redirects=False).status_code == 404:
                    missing.append(target)
                continue
            if target not in seen and "/logout" not in target:
                seen.add(target)
                queue.append(target)
    return pages, outside, missing


@pytest.mark.parametrize("who", ["owner", "operator"])
def test_every_address_carries_the_root_path(settings: Settings, who: str) -> None:
    logins = demo_logins()
    email, password, _ = logins[-1] if who == "operator" else logins[0]
    with TestClient(create_app(settings), base_url=BASE) as client:
        anonymous = client.get(f"{ROOT}/devices", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == f"{ROOT}/login?next=/devices"
        _login(client, email, password)
        pages, outside, missing = _crawl(client)
    assert pages >= 10
    assert outside == []
    assert missing == []


def test_redirects_and_download_links_carry_the_root_path(settings: Settings) -> None:
    # Globex may download some images and is refused others: both answers are checked.
    [(email, password, _)] = [login for login in demo_logins() if "globex" in login[0]]
    with TestClient(create_app(settings), base_url=BASE) as client:
        _login(client, email, password)
        cookie = client.cookies.jar
        assert {c.path for c in cookie if c.name == "fixright_session"} == {ROOT}
        images = client.get(f"{ROOT}/images").text
        forms = re.findall(r'action="(/fixright/images/\d+/download)"', images)
        assert forms
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', images)
        assert csrf
        outcomes = set()
        for action in forms:
            answer = client.post(action, data={"csrf_token": csrf[1], "back": "/images"},
                                 follow_redirects=False)
            if answer.status_code == 303:  # allowed: the signed link
                assert urlsplit(answer.headers["location"]).path.startswith(f"{ROOT}/")
                outcomes.add("link")
            else:  # refused: the decision page, whose back link is under the root path
                assert answer.status_code == 403
                assert f'href="{ROOT}/images"' in answer.text
                outcomes.add("refused")
        assert outcomes == {"link", "refused"}
        logout = client.post(f"{ROOT}/logout", data={"csrf_token": csrf[1]},
                             follow_redirects=False)
        assert logout.headers["location"] == f"{ROOT}/login"
