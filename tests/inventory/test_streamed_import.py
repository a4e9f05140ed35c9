"""A fleet CSV is read and written in chunks, yet goes in whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from fixright.accounts.service import get_or_create_organization
from fixright.audit.models import AuditEvent
from fixright.errors import InvalidInput
from fixright.inventory import csvio, importing
from fixright.inventory.csvio import iter_devices_csv, read_devices_csv

HEADER = "serial,vendor,os_family,model,running_version\n"


def _rows(first: int, count: int) -> str:
    return "".join(f"SN{i:05d},cisco,ios,WS-C2960X-48FPD-L,15.2(7)E{i % 4 + 1}\n"
                   for i in range(first, first + count))


def test_chunks_hold_every_row_once() -> None:
    text = HEADER + _rows(0, 25)
    chunks = list(iter_devices_csv(text, "f.csv", chunk_rows=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert [d for c in chunks for d in c] == read_devices_csv(text, "f.csv")
    assert [d.row for d in chunks[2]] == list(range(22, 27))  # header is row 1


def test_no_chunk_after_a_bad_row_and_every_error_is_named() -> None:
    bad = (HEADER + _rows(0, 14) + "SN99999,cisco,ios,X,not-a-version\n" + _rows(14, 10)
           + "SN00003,cisco,ios,X,15.2(7)E1\n")
    given = []
    with pytest.raises(InvalidInput) as caught:
        for chunk in iter_devices_csv(bad, "f.csv", chunk_rows=10):
            given.append(chunk)
    # The chunk before the bad row (row 16) was given; nothing after it.
    assert [len(c) for c in given] == [10]
    message = caught.value.message
    assert message.startswith("f.csv: row 16, column running_version")
    # A duplicate in a later chunk is still found: the first row is named.
    assert "row 27, column serial: SN00003 already on row 5" in message


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvio, "CHUNK_ROWS", 7)


def _serials(cli, org: str) -> list[str]:
    result = cli("devices", "list", "--org", org, "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted(d["serial"] for d in json.loads(result.stdout))


def _import_events(cli) -> list[dict]:
    result = cli("audit", "list", "--action", "inventory:devices:import", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_import_streams_in_chunks_into_one_report_and_event(
    cli, small_chunks, tmp_path: Path
) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + _rows(0, 20))
    second.write_text(HEADER + _rows(20, 12))
    result = cli("devices", "import", str(first), str(second), "--org", "acme")
    assert result.exit_code == 0, result.output
    assert "32 created, 0 updated, 0 unchanged" in result.stdout
    assert len(_serials(cli, "acme")) == 32
    (event,) = _import_events(cli)
    assert event["data"]["created"] == 32
    # One device of the second file moves to another release.
    second.write_text(HEADER + "SN00020,cisco,ios,WS-C2960X-48FPD-L,15.2(7)E4\n" + _rows(21, 11))
    again = cli("devices", "import", str(first), str(second), "--org", "acme")
    assert "0 created, 1 updated, 31 unchanged" in again.stdout


def test_a_bad_row_late_in_the_file_leaves_the_database_unchanged(
    cli, small_chunks, tmp_path: Path
) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    good, bad = tmp_path / "good.csv", tmp_path / "late.csv"
    good.write_text(HEADER + _rows(0, 20))
    bad.write_text(HEADER + _rows(20, 30) + "SN77777,cisco,ios,X,2020-99\n")
    other = tmp_path / "other.csv"
    other.write_text("serial,vendor,purchase_date\nZZ1,cisco,yesterday\n")
    result = cli("devices", "import", str(good), str(bad), str(other), "--org", "acme")
    assert result.exit_code == 2
    assert "nothing was imported" in result.stderr
    # Every bad file is named, the one after the first bad one too.
    assert "late.csv: row 32, column running_version" in result.stderr
    assert "other.csv: row 1: missing column(s) os_family" in result.stderr
    assert "Traceback" not in result.output
    assert _serials(cli, "acme") == []
    assert _import_events(cli) == []
    # --skip-bad imports the good file alone.
    skipped = cli("devices", "import", "--skip-bad", str(good), str(bad), "--org", "acme")
    assert skipped.exit_code == 1
    assert "20 created" in skipped.stdout and "late.csv: row 32" in skipped.stderr
    assert len(_serials(cli, "acme")) == 20


def test_another_organisations_serial_in_a_late_chunk_refuses_the_whole_file(
    cli, small_chunks, tmp_path: Path
) -> None:
    for slug in ("acme", "globex"):
        assert cli("orgs", "add", slug).exit_code == 0
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(HEADER + _rows(40, 1))
    assert cli("devices", "import", str(theirs), "--org", "globex").exit_code == 0
    ours = tmp_path / "ours.csv"
    ours.write_text(HEADER + _rows(0, 45))  # SN00040 is in the sixth chunk
    result = cli("devices", "import", str(ours), "--org", "acme")
    assert result.exit_code != 0
    assert "SN00040 is registered to another organisation" in result.stderr
    assert "Traceback" not in result.output
    assert _serials(cli, "acme") == []
    assert _serials(cli, "globex") == ["SN00040"]


def test_a_report_that_keeps_a_few_devices_counts_the_rest(session) -> None:
    org, _ = get_or_create_organization(session, "acme")
    chunks = iter_devices_csv(HEADER + _rows(0, 12), "f.csv", chunk_rows=5)
    report = importing.import_csv_chunks(session, org.id, chunks, keep=3)
    assert report.summary() == "12 created, 0 updated, 0 unchanged"
    assert [c.serial for c in report.created] == ["SN00000", "SN00001", "SN00002"]
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.action == "inventory:devices:import"))
    assert event.data["created"] == 12
    changed = HEADER + _rows(0, 12).replace("SN00007,cisco,ios,WS-C2960X-48FPD-L,15.2(7)E4",
                                            "SN00007,cisco,ios,WS-C2960X-48FPD-L,15.2(7)E1")
    again = importing.import_csv_chunks(session, org.id, iter_devices_csv(changed, "f.csv", 5),
                                        keep=3)
    assert again.summary() == "0 created, 1 updated, 11 unchanged"
    assert len(again.unchanged) == 3 and again.updated[0].serial == "SN00007"
    merged = importing.ImportReport()
    merged.merge(report)
    merged.merge(again)
    assert merged.summary() == "12 created, 1 updated, 11 unchanged"
