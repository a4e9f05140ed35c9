"""UI sessions end at once: logout, password change, disable and role change.

The cookie is signed, but signed is not revocable: these tests replay the very
cookie a browser held before the change and expect the login page.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.web.access_support import build, csrf, login

from fixright.access import service as access
from fixright.accounts.service import get_user_by_email


def _replay(world, cookie: str) -> int:
    with TestClient(world.app) as replayer:
        replayer.cookies.set("fixright_session", cookie)
        return replayer.get("/devices", follow_redirects=False).status_code


def test_cookie_replayed_after_logout_is_refused(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    with TestClient(world.app) as client:
        assert login(client, "member@acme.test") == 303
        cookie = client.cookies["fixright_session"]
        assert _replay(world, cookie) == 200
        token = csrf(client, "/devices")
        out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303
    # The old cookie is still validly signed; the server-side session is gone.
    assert _replay(world, cookie) == 303
    with TestClient(world.app) as api:
        api.cookies.set("fixright_session", cookie)
        assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("change", ["password", "disable", "role"])
def test_account_changes_end_sessions(db_url, data_dir, session, change) -> None:
    world = build(session, db_url, data_dir)
    with TestClient(world.app) as client:
        assert login(client, "member@acme.test") == 303
        cookie = client.cookies["fixright_session"]
        assert _replay(world, cookie) == 200
    if change == "password":
        access.set_password(session, None, "member@acme.test", "another long password")
    elif change == "disable":
        access.set_disabled(session, None, "member@acme.test", True)
    else:
        access.set_role(session, None, "member@acme.test", "viewer")
    session.commit()
    assert _replay(world, cookie) == 303
    if change == "role":  # logging in again gives the new role
        with TestClient(world.app) as client:
            assert login(client, "member@acme.test") == 303
            assert client.get("/api/v1/me").json()["role"] == "viewer"


def test_reset_link_sets_password_once(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    url = access.reset_link(session, None, "member@acme.test", "http://portal.test")
    session.commit()
    path = url.removeprefix("http://portal.test")
    with TestClient(world.app) as client:
        assert login(client, "member@acme.test") == 303
        old_cookie = client.cookies["fixright_session"]
    with TestClient(world.app) as client:
        token = csrf(client, path)
        done = client.post(path, data={"password": "brand new secret", "confirm":
                                       "brand new secret", "csrf_token": token},
                           follow_redirects=False)
        assert done.status_code == 303
        again = client.post(path, data={"password": "third secret!!", "confirm":
                                        "third secret!!", "csrf_token": csrf(client)},
                            follow_redirects=False)
        assert again.status_code == 400
        assert "not valid" in again.text
        assert login(client, "member@acme.test", "brand new secret") == 303
    assert _replay(world, old_cookie) == 303
    session.expire_all()
    assert get_user_by_email(session, "member@acme.test").password_hash is not None


def test_expired_reset_link_is_refused(db_url, data_dir, session) -> None:
    from datetime import timedelta

    world = build(session, db_url, data_dir)
    url = access.reset_link(session, None, "member@acme.test", "http://portal.test",
                            lifetime=timedelta(seconds=-1))
    session.commit()
    with TestClient(world.app) as client:
        page = client.get(url.removeprefix("http://portal.test"))
        assert page.status_code == 400
        assert "expired" in page.text
