from __future__ import annotations

from datetime import timedelta

import pytest

from fixright.accounts import service
from fixright.accounts.passwords import hash_password, verify_password
from fixright.db import utcnow
from fixright.errors import Conflict, InvalidInput, Unauthorized


def test_password_hash_is_argon2id_and_verifies() -> None:
    h = hash_password("s3cret-pass")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "s3cret-pass")
    assert not verify_password(h, "s3cret-pasS")
    assert not verify_password(None, "anything")


def test_authenticate_password(session) -> None:
    org, _ = service.get_or_create_organization(session, "acme")
    service.add_user(session, email="a@acme.test", password="long enough", organization=org)
    session.commit()
    assert service.authenticate_password(session, "A@acme.test", "long enough").email == "a@acme.test"
    with pytest.raises(Unauthorized):
        service.authenticate_password(session, "a@acme.test", "wrong password")
    with pytest.raises(Unauthorized):
        service.authenticate_password(session, "nobody@acme.test", "long enough")


def test_tokens_are_stored_hashed_and_checked(session) -> None:
    org, _ = service.get_or_create_organization(session, "acme")
    user = service.add_user(session, email="a@acme.test", password=None, organization=org)
    row, token = service.create_token(session, user, "ci")
    session.commit()
    assert token not in row.token_hash and row.token_hash != token
    assert service.authenticate_token(session, token).id == user.id
    with pytest.raises(Unauthorized):
        service.authenticate_token(session, token[:-1] + ("A" if token[-1] != "A" else "B"))
    with pytest.raises(Unauthorized):
        service.authenticate_token(session, "garbage")
    row.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthorized, match="expired"):
        service.authenticate_token(session, token)
    row.expires_at = None
    service.revoke_token(session, user, row.prefix)
    with pytest.raises(Unauthorized, match="revoked"):
        service.authenticate_token(session, token)


def test_bad_slug_and_email(session) -> None:
    with pytest.raises(InvalidInput):
        service.get_or_create_organization(session, "Bad Slug!")
    org, _ = service.get_or_create_organization(session, "acme")
    with pytest.raises(InvalidInput):
        service.add_user(session, email="not-an-email", password=None, organization=org)
    service.add_user(session, email="x@acme.test", password=None, organization=org)
    with pytest.raises(Conflict):
        service.add_user(session, email="X@acme.test", password=None, organization=org)


def test_token_use_is_written_at_most_once_a_minute(session) -> None:
    org, _ = service.get_or_create_organization(session, "acme")
    user = service.add_user(session, email="a@acme.test", password=None, organization=org)
    row, token = service.create_token(session, user, "ci")
    session.commit()
    service.authenticate_token(session, token)
    first = row.last_used
    assert first is not None
    session.commit()
    service.authenticate_token(session, token)
    assert row.last_used == first
    assert not session.dirty  # a second request within the minute writes nothing
    row.last_used = utcnow() - service.LAST_USED_RESOLUTION - timedelta(seconds=1)
    session.commit()
    service.authenticate_token(session, token)
    assert row.last_used is not None and row.last_used > first
