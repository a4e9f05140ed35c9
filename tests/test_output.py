"""Data output: streamed row by row (JSON one item per line), and quiet on a closed pipe."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from fixright.output import emit, to_csv, to_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=10,
)


def _emitted(rows, fmt: str, **kwargs) -> str:
    buffer = io.StringIO()
    emit(rows, ["a", "b"], fmt, console=Console(file=buffer, width=200), **kwargs)
    return buffer.getvalue()


@given(st.lists(st.fixed_dictionaries({"a": json_values, "b": json_values}), max_size=6))
def test_streamed_formats_equal_the_whole_document(rows: list[dict]) -> None:
    streamed = _emitted(iter(rows), "json")
    assert json.loads(streamed) == rows
    # One item per line between the brackets, each a JSON document of its own.
    lines = streamed.split("\n")
    assert lines[-1] == ""
    if rows:
        assert (lines[0], lines[-2]) == ("[", "]")
        assert [json.loads(line.removesuffix(",")) for line in lines[1:-2]] == rows
    else:
        assert streamed == to_json(rows) + "\n"
    assert [json.loads(line) for line in _emitted(iter(rows), "jsonl").split("\n")[:-1]] == rows
    assert _emitted(iter(rows), "csv") == to_csv(rows, ["a", "b"])


def test_rows_are_consumed_lazily() -> None:
    """A generator is written as it is produced, never collected into a list first."""
    buffer = io.StringIO()
    seen: list[int] = []

    def rows():
        for i in range(3):
            # Everything before this row is already written when it is made.
            seen.append(buffer.getvalue().count("\n"))
            yield {"a": i, "b": "=1+1"}

    emit(rows(), ["a", "b"], "csv", console=Console(file=buffer))
    assert seen == [1, 2, 3]
    assert buffer.getvalue().splitlines()[1] == "0,'=1+1"  # formulas still neutralised


def test_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    """`fixright ... | head -1`: no traceback, status 0 or 141."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FIXRIGHT_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "fixright.cli"]
    subprocess.run([*command, "orgs", "add", "acme"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*command, "orgs", "list", "--format", "csv"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Closed before the command writes (it needs most of a second to start).
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (0, 141), stderr
    assert "Traceback" not in stderr and "Broken pipe" not in stderr


def test_tables_fold_long_cells_instead_of_cutting_them() -> None:
    ident = "cisco-sa-ios-xr-verii-bypass-HhPwQRvx"
    rows = [{"a": ident, "b": "FCW2233FFG3-" + "X" * 30}]
    for width in (40, 80):
        buffer = io.StringIO()
        emit(rows, ["a", "b"], "table", console=Console(file=buffer, width=width))
        text = buffer.getvalue()
        assert "…" not in text
        body = [line.split("│") for line in text.splitlines() if line.startswith("│")]
        assert "".join(cells[1].strip() for cells in body) == ident
        assert "".join(cells[2].strip() for cells in body) == rows[0]["b"]


def _table(rows, columns, width: int, **kwargs) -> str:
    buffer = io.StringIO()
    emit(rows, columns, "table", console=Console(file=buffer, width=width), **kwargs)
    return buffer.getvalue()


def test_narrow_tables_leave_columns_out_rather_than_break_words() -> None:
    ident = "cisco-sa-ios-xr-verii-bypass-HhPwQRvx"
    rows = [{"serial": "FCW2233FFG3", "advisory_id": ident, "note": "a b c " * 10,
             "extra": "unimportant-words-here", "empty": None}]
    columns = ["serial", "advisory_id", "extra", "note", "empty"]
    text = _table(rows, columns, 70, drop=("extra",))
    assert all(len(line) <= 70 for line in text.splitlines() if line.startswith("│"))
    assert ident in text and "FCW2233FFG3" in text  # whole, on one line each
    assert "not shown at 70 columns: extra, empty" in text.replace("\n", " ")
    wide = _table(rows, columns, 200)
    assert "unimportant-words-here" in wide and "not shown" not in wide


def test_tables_say_yes_and_no_and_csv_keeps_its_text() -> None:
    rows = [{"a": True, "b": False}]
    text = _table(rows, ["a", "b"], 80)
    assert "yes" in text and "no" in text and "True" not in text and "False" not in text
    assert json.loads(_emitted(rows, "json")) == rows  # JSON keeps booleans


def test_headers_are_words() -> None:
    text = _table([{"combined_fix": "1.2"}], ["combined_fix"], 80)
    assert "combined fix" in text and "combined_fix" not in text


def test_money_is_a_number_in_json_and_keeps_its_cents_in_csv() -> None:
    from decimal import Decimal

    rows = [{"a": Decimal("290.20"), "b": {"USD": Decimal("1746.00")}}]
    data = json.loads(_emitted(rows, "json"))
    assert data == [{"a": 290.2, "b": {"USD": 1746.0}}]
    assert json.loads(_emitted(rows, "jsonl")) == data[0]
    assert json.loads(_emitted([], "json", json_data=rows[0])) == data[0]
    assert _emitted(rows, "csv").splitlines()[1].startswith("290.20,")
