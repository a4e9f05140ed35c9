"""Catalog service on SQLite and PostgreSQL, with local and S3 storage."""

from __future__ import annotations

import hashlib
import io
import os
import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.catalog.test_filenames import NAMES

from fixright.catalog import service
from fixright.catalog.models import Image, Release
from fixright.catalog.storage import BlobStorage
from fixright.catalog.storage_local import LocalStorage
from fixright.errors import Conflict, InvalidInput, NotFound
from fixright.hardware import shipped_catalogue
from fixright.versions import parse

ISSUE_NAMES = [
    "c2960x-universalk9-mz.152-7.E8.bin",
    "c3900-universalk9-mz.SPA.157-3.M8.bin",
    "cat9k_iosxe.17.12.04.SPA.bin",
    "isr4300-universalk9.17.03.04a.SPA.bin",
    "asa9-8-4-45-smp-k8.bin",
    "nxos.9.3.8.bin",
    "nxos64-cs.10.3.4a.M.bin",
    "junos-install-ex-x86-64-21.4R3-S5.4.tgz",
    "EOS-4.28.3M.swi",
]


@pytest.fixture
def local(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "blobs")


def _counts(session: Session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Release)) or 0,
            session.scalar(select(func.count()).select_from(Image)) or 0)


def _blob_files(storage: LocalStorage) -> list[Path]:
    return sorted(p for p in storage.root.rglob("*") if p.is_file())


def _add(session: Session, storage: BlobStorage, name: str, data: bytes, **kw: object):
    return service.add_image(session, storage, io.BytesIO(data), filename=name, **kw)  # type: ignore[arg-type]


def test_every_issue_name_is_added_with_its_metadata(session: Session, local: LocalStorage) -> None:
    for name in ISSUE_NAMES:
        data = os.urandom(2000)
        result = _add(session, local, name, data)
        vendor, family, _token, feature_set, version, _fmt = NAMES[name]
        # The image's platform is its image family in the hardware catalogue.
        platform = shipped_catalogue().family_of_image(name).id  # type: ignore[union-attr]
        image = result.image
        assert result.created
        assert (image.platform, image.feature_set, image.filename) == (platform, feature_set, name)
        assert (image.release.vendor, image.release.os_family) == (vendor, family)
        assert parse(family, image.release.version) == parse(family, version)
        assert image.release.version_normalized == parse(family, version).normalized
        assert image.release.train == parse(family, version).train
        assert (image.size, image.sha256, image.sha512, image.md5) == (
            len(data), hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(),
            hashlib.md5(data).hexdigest())
        assert local.exists(image.blob_key)
    session.commit()
    assert _counts(session) == (len(ISSUE_NAMES), len(ISSUE_NAMES))
    assert {i.filename for i in service.list_images(session)} == set(ISSUE_NAMES)
    assert [i.filename for i in service.list_images(session, os_family="junos")] == [
        "junos-install-ex-x86-64-21.4R3-S5.4.tgz"]
    # nxos.9.3.8 and nxos64-cs.10.3.4a are two image families (the 64-bit one runs on
    # newer hardware only); the platform filter takes either, in any case.
    assert [len(service.list_images(session, platform=p)) for p in ("nxos", "NXOS64-CS")] == [1, 1]


def test_same_bytes_twice_is_one_blob_and_one_row(session: Session, local: LocalStorage) -> None:
    data = os.urandom(5000)
    first = _add(session, local, "nxos.9.3.8.bin", data)
    again = _add(session, local, "nxos.9.3.8.bin", data)
    renamed = _add(session, local, "copy-of-nxos.bin", data, version="9.3(8)", platform="nxos",
                   feature_set="base")
    assert first.created and not again.created and not renamed.created
    assert again.image.id == first.image.id == renamed.image.id
    assert _counts(session) == (1, 1)
    assert _blob_files(local) == [local.path(first.image.sha256)]


@pytest.mark.parametrize("option", ["expected_md5", "expected_sha512", "expected_sha256"])
def test_digest_mismatch_stores_nothing(session: Session, local: LocalStorage, option: str) -> None:
    data = os.urandom(3000)
    algorithm = option.removeprefix("expected_")
    wrong = hashlib.new(algorithm, data + b"!").hexdigest()
    with pytest.raises(InvalidInput, match=f"EOS-4.28.3M.swi: {algorithm} mismatch.*nothing was stored"):
        _add(session, local, "EOS-4.28.3M.swi", data, **{option: wrong})
    assert _counts(session) == (0, 0)
    assert _blob_files(local) == []


def test_matching_published_digests_are_accepted(session: Session, local: LocalStorage) -> None:
    data = os.urandom(3000)
    result = _add(session, local, "EOS-4.28.3M.swi", data,
                  expected_md5=hashlib.md5(data).hexdigest().upper(),
                  expected_sha512=hashlib.sha512(data).hexdigest())
    assert result.created


def test_unknown_name_needs_explicit_fields(session: Session, local: LocalStorage) -> None:
    source = io.BytesIO(b"firmware")
    with pytest.raises(InvalidInput, match=r"vendor-image\.bin: .*--version, --platform, --feature-set"):
        service.add_image(session, local, source, filename="vendor-image.bin")
    assert source.tell() == 0  # refused before reading a byte
    result = service.add_image(session, local, source, filename="vendor-image.bin",
                               version="15.2(7)E8", platform="C2960X", feature_set="LANBASEK9")
    assert (result.release.os_family, result.image.platform, result.image.feature_set) == (
        "ios", "c2960x", "lanbasek9")


def test_the_family_decides_the_version_grammar(session: Session, local: LocalStorage) -> None:
    # A Catalyst 4500 runs classic IOS (cat4500e) or IOS XE 3.x (cat4500e-xe): two families.
    ios = _add(session, local, "a.bin", b"a", version="15.2(7)E3", platform="cat4500e",
               feature_set="entservicesk9")
    xe = _add(session, local, "b.bin", b"b", version="03.11.03.E", platform="cat4500e-xe",
              feature_set="universalk9")
    assert (ios.release.os_family, xe.release.os_family) == ("ios", "iosxe")
    assert (ios.image.platform, xe.image.platform) == ("cat4500e", "cat4500e-xe")
    with pytest.raises(InvalidInput, match="c.bin: cannot read '03.11.03.E'"):
        _add(session, local, "c.bin", b"c", version="03.11.03.E", platform="cat4500e",
             feature_set="universalk9")


@pytest.mark.parametrize(("fields", "message"), [
    ({"platform": "c3750"}, "file name says platform c2960x"),
    ({"feature_set": "lanbasek9"}, "file name says feature set universalk9"),
    ({"version": "15.2(7)E9"}, "file name says version 15.2.7.E8|file name says version 15.2\\(7\\)E8"),
    ({"platform": "toaster"}, "'toaster' is not an image family .*`fixright hardware list`"),
    ({"platform": "cat9k_iosxe"}, "file name says platform c2960x, --platform says cat9k_iosxe"),
    ({"feature_set": "Universal K9"}, "feature set"),
    ({"kind": "bugfix"}, "must be one of feature, maintenance, rebuild, security"),
    ({"version": "nonsense"}, "c2960x-universalk9-mz.152-7.E8.bin: cannot read 'nonsense'"),
    ({"expected_md5": "abc"}, "md5 digest .*32 hexadecimal"),
])
def test_bad_metadata_is_refused_before_storing(session: Session, local: LocalStorage,
                                                fields: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _add(session, local, "c2960x-universalk9-mz.152-7.E8.bin", b"x", **fields)
    assert _counts(session) == (0, 0)
    assert _blob_files(local) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b.bin", "..", "", "x\n.bin"])
def test_file_names_never_become_paths(session: Session, local: LocalStorage, name: str) -> None:
    with pytest.raises(InvalidInput, match="plain file name"):
        _add(session, local, name, b"x", version="9.3(8)", platform="nxos", feature_set="base")
    assert _blob_files(local) == []


def test_read_error_stores_nothing(session: Session, local: LocalStorage) -> None:
    class Failing(io.RawIOBase):
        sent = False

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self.sent:
                raise OSError(5, "Input/output error")
            self.sent = True
            return b"y" * 1000

    with pytest.raises(InvalidInput, match="nxos.9.3.8.bin: cannot read: Input/output error"):
        service.add_image(session, local, Failing(), filename="nxos.9.3.8.bin")  # type: ignore[arg-type]
    assert _counts(session) == (0, 0)
    assert _blob_files(local) == []


def test_release_kind_and_date_fill_but_never_silently_change(session: Session,
                                                               local: LocalStorage) -> None:
    first = _add(session, local, "nxos.9.3.8.bin", b"1")
    assert first.release.kind is None
    second = _add(session, local, "nxos64-cs.9.3.8.M.bin", b"2", kind="maintenance",
                  release_date=date(2021, 9, 1))
    assert second.release.id == first.release.id
    assert (second.release.kind, second.release.release_date) == ("maintenance", date(2021, 9, 1))
    with pytest.raises(Conflict, match="already has kind maintenance"):
        # (another name: other bytes under a known name are refused before this check)
        _add(session, local, "custom-nxos-build.bin", b"3", kind="security", version="9.3(8)",
             platform="nxos", feature_set="base")


def test_releases_sort_by_version_in_the_database(session: Session, local: LocalStorage) -> None:
    # Added in a shuffled order; SQL ORDER BY version_key must give version order.
    texts = ["15.2(7)E8", "15.2(7)E10", "15.2(7a)E8", "15.2(7)E0b", "15.2(4)E10", "15.2(7)E9",
             "15.2(7)E", "15.2(8)E1", "15.2(7)E1", "15.2(12)E2"]
    random.Random(4).shuffle(texts)
    for n, text in enumerate(texts):
        _add(session, local, f"img{n}.bin", str(n).encode(), version=text, platform="c2960x",
             feature_set="universalk9")
    iosxe = ["17.3.4", "17.03.04a", "17.3.10", "17.3.1", "17.3.4b"]
    for n, text in enumerate(iosxe):
        _add(session, local, f"xe{n}.bin", f"xe{n}".encode(), version=text, platform="isr4300",
             feature_set="universalk9")
    session.flush()
    for family, train, given in (("ios", "15.2E", texts), ("iosxe", "17.3", iosxe)):
        listed = [r.version for r in service.list_releases(session, os_family=family, train=train)]
        assert listed == [str(v) for v in sorted(parse(family, t) for t in given)]


def test_set_deferred_by_any_spelling(session: Session, local: LocalStorage) -> None:
    _add(session, local, "isr4300-universalk9.17.03.04a.SPA.bin", b"a")
    release = service.set_deferred(session, "17.3.4a", True)
    assert release.deferred and release.version == "17.03.04a"
    assert [r.version for r in service.list_releases(session, deferred=True)] == ["17.03.04a"]
    assert not service.set_deferred(session, release.id, False).deferred
    with pytest.raises(NotFound, match="no release '17.3.5'"):
        service.set_deferred(session, "17.3.5", True)
    with pytest.raises(NotFound):
        service.set_deferred(session, 999, True)


def test_ambiguous_version_needs_the_family(session: Session, local: LocalStorage) -> None:
    _add(session, local, "a.bin", b"a", version="7.1.3", platform="asr9k", feature_set="mini-x64")
    _add(session, local, "b.bin", b"b", version="7.1.3", platform="eos", feature_set="base")
    with pytest.raises(InvalidInput, match="ambiguous.*give the os_family"):
        service.set_deferred(session, "7.1.3", True)
    assert service.set_deferred(session, "7.1.3", True, os_family="eos").os_family == "eos"


def test_lookups(session: Session, local: LocalStorage) -> None:
    data = os.urandom(100)
    image = _add(session, local, "EOS-4.28.3M.swi", data).image
    assert service.get_image(session, image.id) is image
    assert service.get_image_by_filename(session, "EOS-4.28.3M.swi").id == image.id
    assert service.get_image_by_sha256(session, hashlib.sha256(data).hexdigest().upper()).id == image.id
    with pytest.raises(NotFound):
        service.get_image(session, image.id + 1)
    with pytest.raises(NotFound):
        service.get_image_by_filename(session, "EOS-4.28.4M.swi")


def test_ranged_reads_of_an_image(session: Session, storage: BlobStorage) -> None:
    data = os.urandom(2 * 1024 * 1024 + 3)
    image = _add(session, storage, "nxos.9.3.8.bin", data).image
    for start, end in ((0, None), (0, 1), (1000, 1_500_000), (len(data) - 1, None),
                       (len(data), None), (10, len(data) + 100)):
        with service.open_image_range(storage, image, start, end) as reader:
            assert reader.read() == data[start:end]
    with pytest.raises(InvalidInput, match="past the end of the image nxos.9.3.8.bin"):
        service.open_image_range(storage, image, len(data) + 1)


def test_pages_of_images_and_releases_are_cut_and_counted_in_sql(
    session: Session, local: LocalStorage
) -> None:
    for i, name in enumerate(ISSUE_NAMES):
        _add(session, local, name, os.urandom(500), public=(i == 0))
    session.commit()
    everything = [i.filename for i in service.list_images(session)]
    pages = [service.page_images(session, limit=4, offset=o) for o in (0, 4, 8)]
    assert [total for _rows, total in pages] == [len(ISSUE_NAMES)] * 3
    assert [i.filename for rows, _t in pages for i in rows] == everything
    # An owner's view: the public image and those of the families its devices run
    # (a Nexus 93180YC-EX runs nxos and nxos64-cs); families compare in any case.
    nxos, owner_total = service.page_images(session, limit=50,
                                            visible_platforms={"NXOS", "nxos64-CS"})
    expected = [i.filename for i in service.list_images(session)
                if i.public or i.platform in ("nxos", "nxos64-cs")]
    assert [i.filename for i in nxos] == expected and owner_total == len(expected) == 3
    assert service.page_images(session, limit=50, visible_platforms=set())[1] == 1
    releases = [r.version for r in service.list_releases(session)]
    first, total = service.page_releases(session, limit=2, offset=1)
    assert [r.version for r in first] == releases[1:3] and total == len(releases)
    junos, total = service.page_releases(session, limit=5, os_family="junos")
    assert total == 1 and junos[0].os_family == "junos"
