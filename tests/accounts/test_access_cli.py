"""`fixright users ...` and `fixright tokens ...`: take access away from the CLI, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from fixright.accounts import service
from fixright.audit.models import AuditEvent
from fixright.db import make_session_factory
from fixright.errors import Unauthorized


def _session(engine):
    return make_session_factory(engine)()


def test_tokens_list_and_revoke(cli, engine) -> None:
    assert cli("users", "add", "a@acme.test", "--org", "acme", "--no-password").exit_code == 0
    token = cli("tokens", "create", "--email", "a@acme.test", "--name", "ci").stdout.strip()
    listed = json.loads(cli("tokens", "list", "--format", "json").stdout)
    assert [(t["user"], t["name"], t["revoked"]) for t in listed] == [("a@acme.test", "ci",
                                                                       False)]
    # The secret is everything after the second "_" (token_urlsafe may hold "_" too).
    assert token.split("_", 2)[2] not in json.dumps(listed)  # never the secret
    revoked = cli("tokens", "revoke", token)  # the whole token or its prefix
    assert revoked.exit_code == 0, revoked.output
    with _session(engine) as s, pytest.raises(Unauthorized):
        service.authenticate_token(s, token)
    assert cli("tokens", "revoke", "nosuchprefix").exit_code != 0


def test_users_disable_enable_set_role_passwd_reset_link(cli, engine) -> None:
    assert cli("users", "add", "a@acme.test", "--org", "acme", "--password-stdin",
               input="first password\n").exit_code == 0
    assert cli("users", "disable", "a@acme.test").exit_code == 0
    with _session(engine) as s, pytest.raises(Unauthorized):
        service.authenticate_password(s, "a@acme.test", "first password")
    assert cli("users", "enable", "a@acme.test").exit_code == 0
    assert cli("users", "set-role", "a@acme.test", "viewer").exit_code == 0
    bad = cli("users", "set-role", "a@acme.test", "king")
    assert bad.exit_code == 2 and "role must be one of" in bad.output
    assert cli("users", "passwd", "a@acme.test", "--password-stdin",
               input="second password\n").exit_code == 0
    link = cli("users", "reset-link", "a@acme.test", "--base-url", "https://portal.test/")
    assert link.exit_code == 0
    assert link.stdout.strip().startswith("https://portal.test/reset/")
    listed = json.loads(cli("users", "list", "--format", "json").stdout)
    assert listed == [{"email": "a@acme.test", "organization": "acme", "role": "viewer",
                       "disabled": False}]
    with _session(engine) as s:
        assert service.authenticate_password(s, "a@acme.test", "second password")
        actions = [(e.actor, e.action) for e in s.scalars(
            select(AuditEvent).order_by(AuditEvent.seq))]
    assert [a for _, a in actions] == [
        "accounts:user:added", "accounts:user:disabled", "accounts:user:enabled",
        "accounts:user:role-changed", "accounts:user:password-changed",
        "accounts:user:reset-link-created"]
    assert {actor for actor, _ in actions} == {"cli"}
