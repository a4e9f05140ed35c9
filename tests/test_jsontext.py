"""Hostile JSON: a short message naming the source, never a traceback."""

from __future__ import annotations

import pytest

from fixright.errors import InvalidInput
from fixright.jsontext import load_json


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
