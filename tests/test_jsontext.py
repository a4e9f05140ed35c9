"""Hostile JSON: a short message naming the source, never a traceback."""

from __future__ import annotations

import json

import pytest

from fixright.errors import InvalidInput
from fixright.jsontext import decode_text, iter_first_member, load_json


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
        ("1" * 5000, "too many digits"),
        ('{"n": ' + "9" * 10_000 + "}", "too many digits"),
        (b"{\"a\": \"\xff\"}", "not UTF-8"),
        ("{", "line 1 column 2"),
        ("", "not valid JSON"),
    ],
)
def test_hostile_json_is_one_short_line(raw: str | bytes, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_json(raw, "doc.json")
    message = str(caught.value)
    assert message.startswith("doc.json: ") and expected in message
    assert len(message) < 200


def test_ordinary_json_reads() -> None:
    assert load_json(b'{"a": [1, 2.5, "x", null]}', "d") == {"a": [1, 2.5, "x", None]}
    assert load_json("[" * 200 + "]" * 200, "d") is not None


# -- iter_first_member: the streamed `{"advisories": [...]}` -------------------------

def _streamed(text: str) -> list:
    return list(iter_first_member(text, "items", "doc.json"))


@pytest.mark.parametrize("text", [
    '{"items": []}',
    ' {\n "items" : [ 1 , {"a": [2, 3]}, "x", null ] }\n',
    '{"items": [{"b": 1}], "next": {"deep": [1, 2]}, "n": 3}',
])
def test_stream_gives_what_json_loads_gives(text: str) -> None:
    assert _streamed(text) == json.loads(text)["items"]


@pytest.mark.parametrize(("text", "expected"), [
    ('{"items": [' + "[" * 100_000 + "]" * 100_000 + "]}", "nested too deeply"),
    ('{"items": [1], "x": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}", "nested too deeply"),
    ('{"items": [' + "9" * 10_000 + "]}", "too many digits"),
    ('{"items": [1 2]}', "line 1 column 14"),
    ('{"items": [1,', "not valid JSON"),
    ('{"items": [1]', "not valid JSON"),
    ('{"items": [1]} x', "Extra data"),
    ('{"items": [1], "items": [2]}', "given twice"),
    ('{"items": [1], 7: 1}', "not valid JSON"),
    ('{"other": 1, "items": []}', "first member"),
])
def test_stream_refuses_hostile_json_in_one_short_line(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _streamed(text)
    message = str(caught.value)
    assert message.startswith("doc.json: ") and expected in message
    assert len(message) < 200


def test_decode_text_names_bad_bytes() -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        decode_text(b'{"items": ["\xff"]}', "doc.json")
