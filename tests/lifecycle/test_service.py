"""Lifecycle import from the CLI on both databases: stored, replaced, all-or-nothing; the
device lookup falls back from the PID to the family and the hardware catalogue."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from fixright.lifecycle.cli import sample_path
from fixright.lifecycle.models import LifecycleDate
from fixright.lifecycle.records import LifecycleRecord
from fixright.lifecycle.service import LifecycleIndex


def test_import_list_and_replace(cli, tmp_path) -> None:
    result = cli("lifecycle", "import", str(sample_path()))
    assert result.exit_code == 0, result.output
    assert "1 lifecycle records added" in result.stderr
    listed = json.loads(cli("lifecycle", "list", "--format", "json").stdout)
    assert listed[0]["pid"] == "WS-C3750X-48PF-S"
    assert listed[0]["end_of_security_support"] == "2019-10-30"
    changed = tmp_path / "new.csv"
    changed.write_text("pid,end_of_security_support\nWS-C3750X-48PF-S,2019-11-30\n")
    assert "1 replaced" in cli("lifecycle", "import", str(changed)).stderr
    listed = json.loads(cli("lifecycle", "list", "--format", "json").stdout)
    assert len(listed) == 1 and listed[0]["end_of_security_support"] == "2019-11-30"


def test_a_bad_file_changes_nothing(cli, tmp_path, session) -> None:
    assert cli("lifecycle", "import", str(sample_path())).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("pid,end_of_sale\nC9300-48P,2030-01-01\nC9200-24T,31/01/2030\n")
    result = cli("lifecycle", "import", str(bad))
    assert result.exit_code == 2
    assert "bad.csv: row 3: end_of_sale" in result.stderr and "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(LifecycleDate)) == 1


def test_device_lookup_merges_pid_family_and_catalogue() -> None:
    records = [LifecycleRecord(pid="WS-C3750X-48PF-S", end_of_sale=date(2016, 10, 30)),
               LifecycleRecord(family="c3750e", end_of_security_support=date(2019, 10, 30))]
    index = LifecycleIndex(records, None)
    found = index.for_device("ws-c3750x-48pf-s", "C3750E")
    assert found is not None
    assert found.record.end_of_sale == date(2016, 10, 30)
    assert found.record.end_of_security_support == date(2019, 10, 30)
    assert found.sources["end_of_security_support"] == "family c3750e"
    assert index.for_device("C9300-48P", "cat9k") is None
