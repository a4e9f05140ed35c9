"""SIGKILL in the middle of `fixright images add`: no partial blob, no row, and a retry works."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.catalog.models import Image, Release
from fixright.catalog.storage_local import STAGING_DIR, LocalStorage

SIZE = 768 * 1024 * 1024  # sparse: costs no disk to create, reads as zeros


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def test_sigkill_mid_add_leaves_nothing_half_stored(cli, session: Session, tmp_path: Path,
                                                    data_dir: Path) -> None:
    image = tmp_path / "nxos64-cs.10.3.4a.M.bin"
    with image.open("wb") as handle:
        handle.truncate(SIZE)
    staging = data_dir / "blobs" / STAGING_DIR
    # PYTHONPATH kept: the killed process must run this tree's fixright, not an installed one.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "PYTHONPATH": os.environ.get("PYTHONPATH", ""), **cli.env}
    proc = subprocess.Popen([sys.executable, "-m", "fixright.cli", "images", "add", str(image)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        partial = None
        while time.monotonic() < deadline and proc.poll() is None:
            temps = list(staging.glob("*")) if staging.is_dir() else []
            if temps and temps[0].stat().st_size > 32 * 1024 * 1024:
                partial = temps[0]
                break
            time.sleep(0.005)
        assert partial is not None, "the upload never got under way"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the add finished before it could be killed"

    storage = LocalStorage(data_dir / "blobs")
    key = _sha256(image)
    assert 0 < partial.stat().st_size < SIZE  # what was written is only a temporary file
    assert not storage.exists(key)
    assert list(storage.keys()) == []
    assert session.scalar(select(func.count()).select_from(Image)) == 0
    assert session.scalar(select(func.count()).select_from(Release)) == 0
    session.rollback()

    # An abandoned temporary file is swept once it is old; a second add succeeds.
    old = time.time() - 2 * 3600
    os.utime(partial, (old, old))
    result = cli("images", "add", str(image))
    assert result.exit_code == 0, result.output
    assert not partial.exists()
    assert storage.exists(key) and storage.size(key) == SIZE
    assert list(staging.iterdir()) == []
    assert session.scalar(select(Image.sha256)) == key
