"""Fixtures for feed tests: a local HTTP site and a GnuPG signer made for the session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.feeds.site import Signer, Site


@pytest.fixture(scope="session")
def signer() -> Iterator[Signer]:
    if shutil.which("gpg") is None:
        pytest.skip("the gpg program is not installed")
    # Short path: gpg-agent's socket path must stay under the 108-byte limit.
    home = Path(tempfile.mkdtemp(prefix="fxgpg"))
    made = Signer(home)
    yield made
    made.close()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as served:
        yield served
