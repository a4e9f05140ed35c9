"""An openVuln API answer `{"advisories": [...]}` is read one advisory at a time, in parts,
with the same records as reading it whole, and imported all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixright.advisories.formats import peek_identity, read_document, read_document_parts
from fixright.errors import InvalidInput

SHARED = "advisories/openvuln"


def _answer(shared_data: Path, count: int, *, small: bool = False) -> list[dict]:
    templates = json.loads((shared_data / SHARED / "all.json").read_text())["advisories"]
    if small:  # for imports into both databases: not the one listing 3,841 products
        templates = [t for t in templates if len(t.get("productNames") or []) < 100]
    items = []
    for n in range(count):
        item = dict(templates[n % len(templates)])
        item["advisoryId"] = f"{item['advisoryId']}-s{n}"
        items.append(item)
    return items


def test_parts_hold_the_records_of_a_whole_read(shared_data: Path) -> None:
    raw = json.dumps({"advisories": _answer(shared_data, 250)}).encode()
    parts = list(read_document_parts(raw, "answer.json"))
    assert [len(p.advisories) for p in parts] == [100, 100, 50]
    whole = read_document(raw, "answer.json")
    assert [a for p in parts for a in p.advisories] == whole.advisories
    assert {p.source_name for p in parts} == {"answer.json"}
    assert peek_identity(raw) is None  # never parsed whole to peek


def test_other_documents_are_one_part(shared_data: Path) -> None:
    raw = (shared_data / SHARED / "cisco-sa-20150325-mdns.json").read_bytes()
    [part] = read_document_parts(raw, "one.json")
    assert part.advisories == read_document(raw, "one.json").advisories


@pytest.mark.parametrize(("tail", "expected"), [
    ('{"advisoryId": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"advisoryId": "x", "cvssBaseScore": ' + "9" * 10_000 + "}", "too many digits"),
    ("7", "expected an advisory object"),
])
def test_a_hostile_advisory_after_good_parts_is_refused(shared_data: Path, tail: str,
                                                         expected: str) -> None:
    good = json.dumps(_answer(shared_data, 150))[:-1]
    raw = ('{"advisories": ' + good + ", " + tail + "]}").encode()
    with pytest.raises(InvalidInput) as caught:
        list(read_document_parts(raw, "answer.json"))
    assert expected in str(caught.value) and len(str(caught.value)) < 300


def _import(cli, path: Path, *extra: str):
    return cli("advisories", "import", str(path), *extra)


def test_import_of_an_answer_bad_at_the_end_changes_nothing(cli, shared_data: Path,
                                                            tmp_path: Path) -> None:
    items = _answer(shared_data, 230, small=True)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"advisories": [*items, "not an advisory"]}))
    refused = _import(cli, bad)
    assert refused.exit_code == 2
    assert "$.advisories[230]" in refused.stderr
    assert json.loads(cli("advisories", "list", "--format", "json").stdout) == []

    skipped = _import(cli, bad, "--skip-bad")  # the bad file is skipped whole
    assert skipped.exit_code == 1
    assert json.loads(cli("advisories", "list", "--format", "json").stdout) == []

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"advisories": items}))
    assert _import(cli, good).exit_code == 0
    listed = json.loads(cli("advisories", "list", "--format", "json").stdout)
    assert len(listed) == 230
