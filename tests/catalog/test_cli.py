"""`fixright images ...` and `fixright releases ...` end to end, in-process, on both databases."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.catalog.test_filenames import NAMES
from tests.catalog.test_service import ISSUE_NAMES

from fixright.catalog.models import Image, Release
from fixright.hardware import shipped_catalogue


def _counts(session: Session) -> tuple[int, int]:
    counts = (session.scalar(select(func.count()).select_from(Release)),
              session.scalar(select(func.count()).select_from(Image)))
    session.rollback()  # end the read so the next look sees the CLI's commits
    return counts  # type: ignore[return-value]


def _blobs(data_dir: Path) -> list[Path]:
    root = data_dir / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _files(folder: Path, names: list[str], size: int = 4096) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name in names:
        path = folder / name
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths


def test_add_list_verify_the_issue_names(cli, session: Session, tmp_path: Path, data_dir: Path) -> None:
    paths = _files(tmp_path / "in", ISSUE_NAMES)
    result = cli("images", "add", *map(str, paths))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("added ") == len(ISSUE_NAMES)
    assert _counts(session) == (len(ISSUE_NAMES), len(ISSUE_NAMES))
    listed = json.loads(cli("images", "list", "--format", "json").stdout)
    by_name = {row["filename"]: row for row in listed}
    assert set(by_name) == set(ISSUE_NAMES)
    for path in paths:
        row = by_name[path.name]
        data = path.read_bytes()
        _vendor, family, _token, feature_set, _version, _fmt = NAMES[path.name]
        platform = shipped_catalogue().family_of_image(path.name).id  # type: ignore[union-attr]
        assert (row["os_family"], row["platform"], row["feature_set"]) == (family, platform, feature_set)
        assert (row["sha256"], row["sha512"], row["md5"], row["size"]) == (
            hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(),
            hashlib.md5(data).hexdigest(), len(data))
    csv_out = cli("releases", "list", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,vendor,os_family,version,version_normalized,train")
    assert len(csv_out) == 1 + len(ISSUE_NAMES)
    verify = cli("images", "verify")
    assert verify.exit_code == 0, verify.output
    assert f"{len(ISSUE_NAMES)} images verified" in verify.stdout
    again = cli("images", "add", str(paths[0]))
    assert again.exit_code == 0 and again.stdout.startswith("exists:")
    assert _counts(session) == (len(ISSUE_NAMES), len(ISSUE_NAMES))


def test_verify_catches_a_flipped_byte(cli, tmp_path: Path, data_dir: Path) -> None:
    paths = _files(tmp_path / "in", ISSUE_NAMES[:2], size=100_000)
    assert cli("images", "add", *map(str, paths)).exit_code == 0
    key = hashlib.sha256(paths[1].read_bytes()).hexdigest()
    blob = data_dir / "blobs" / key[:2] / key[2:4] / key
    raw = bytearray(blob.read_bytes())
    raw[12345] ^= 0x80
    blob.write_bytes(bytes(raw))
    result = cli("images", "verify")
    assert result.exit_code == 1
    assert paths[1].name in result.stderr and "corrupted" in result.stderr
    assert paths[0].name not in result.stderr
    assert "1 of 2 images" in result.stderr


def test_verify_notes_orphan_blobs_without_failing(cli, tmp_path: Path, data_dir: Path) -> None:
    (path,) = _files(tmp_path / "in", ISSUE_NAMES[:1])
    assert cli("images", "add", str(path)).exit_code == 0
    stray = os.urandom(3000)  # bytes stored by an add whose transaction then failed
    key = hashlib.sha256(stray).hexdigest()
    folder = data_dir / "blobs" / key[:2] / key[2:4]
    folder.mkdir(parents=True)
    (folder / key).write_bytes(stray)
    result = cli("images", "verify")
    assert result.exit_code == 0, result.output
    assert "1 stored blob(s) belong to no image" in result.stderr
    assert key[:16] in result.stderr


def test_digest_mismatch_is_refused_and_nothing_stored(cli, session: Session, tmp_path: Path,
                                                       data_dir: Path) -> None:
    (path,) = _files(tmp_path / "in", ["asa9-8-4-45-smp-k8.bin"])
    wrong = hashlib.md5(b"something else").hexdigest()
    result = cli("images", "add", str(path), "--md5", wrong)
    assert result.exit_code == 2
    assert "asa9-8-4-45-smp-k8.bin: md5 mismatch" in result.stderr
    assert "Traceback" not in result.output
    assert _counts(session) == (0, 0)
    assert _blobs(data_dir) == []
    right = hashlib.sha512(path.read_bytes()).hexdigest()
    ok = cli("images", "add", str(path), "--sha512", right, "--kind", "maintenance",
             "--release-date", "2019-11-20", "--public")
    assert ok.exit_code == 0, ok.output
    row = json.loads(cli("images", "list", "--format", "json").stdout)[0]
    assert (row["kind"], row["public"]) == ("maintenance", True)


def test_one_bad_file_means_no_rows_at_all(cli, session: Session, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", ISSUE_NAMES[:2])
    result = cli("images", "add", str(paths[0]), str(tmp_path / "in" / "missing.bin"), str(paths[1]))
    assert result.exit_code == 2
    assert "missing.bin: cannot read" in result.stderr
    assert _counts(session) == (0, 0)


@pytest.mark.parametrize(("args", "message"), [
    (["--md5", "0" * 32, "--two-files"], "add files one at a time"),
    (["--release-date", "2024-13-01"], "--release-date '2024-13-01' is not a date"),
    (["--kind", "hotfix"], "release kind 'hotfix'"),
    (["--platform", "c3750"], "file name says platform c2960x"),
    (["--sha512", "xyz"], "sha512 digest"),
])
def test_bad_options_exit_2_and_change_nothing(cli, session: Session, tmp_path: Path,
                                               data_dir: Path, args: list[str], message: str) -> None:
    paths = _files(tmp_path / "in", ["c2960x-universalk9-mz.152-7.E8.bin", "EOS-4.28.3M.swi"])
    files = [str(p) for p in paths] if "--two-files" in args else [str(paths[0])]
    options = [a for a in args if a != "--two-files"]
    result = cli("images", "add", *files, *options)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert _counts(session) == (0, 0)
    assert _blobs(data_dir) == []


def test_unknown_name_asks_for_the_fields(cli, session: Session, tmp_path: Path) -> None:
    (path,) = _files(tmp_path / "in", ["firmware-latest.bin"])
    result = cli("images", "add", str(path))
    assert result.exit_code == 2
    assert "firmware-latest.bin: not a file name fixright can read; give --version, --platform, --feature-set" in result.stderr
    unknown = cli("images", "add", str(path), "--version", "21.4R3-S5", "--platform", "srx",
                  "--feature-set", "base")
    assert unknown.exit_code == 2
    assert "platform 'srx' is not an image family" in unknown.stderr
    assert "fixright hardware list" in unknown.stderr
    ok = cli("images", "add", str(path), "--version", "21.4R3-S5", "--platform", "junos-srxsme",
             "--feature-set", "base")
    assert ok.exit_code == 0, ok.output
    assert "juniper junos 21.4R3-S5" in ok.stdout


def test_releases_defer_and_undo(cli, session: Session, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", ["isr4300-universalk9.17.03.04a.SPA.bin"])
    assert cli("images", "add", str(paths[0])).exit_code == 0
    result = cli("releases", "defer", "17.3.4a")
    assert result.exit_code == 0 and "17.03.04a is deferred" in result.stdout
    assert json.loads(cli("releases", "list", "--format", "json").stdout)[0]["deferred"] is True
    assert cli("releases", "defer", "17.3.4a", "--os-family", "iosxe", "--undo").exit_code == 0
    assert json.loads(cli("releases", "list", "--format", "json").stdout)[0]["deferred"] is False
    missing = cli("releases", "defer", "17.3.5")
    assert missing.exit_code == 1 and "no release '17.3.5'" in missing.stderr
    bad = cli("releases", "defer", "banana", "--os-family", "iosxe")
    assert bad.exit_code == 2 and "cannot read 'banana'" in bad.stderr
