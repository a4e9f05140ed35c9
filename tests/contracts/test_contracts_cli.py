"""`fixright contracts ...` and `fixright report coverage`, in-process, on both backends."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from tests.contracts.contracts_fleet import ASR, C4948, STACK

from fixright.audit.models import AuditEvent
from fixright.contracts.models import Contract, CoverageLine
from fixright.db import make_session_factory

CSV = (
    "contract number;serial;pid;sla;start;end;price;currency\n"
    f"91234;{C4948};WS-C4948E;8X5XNBD;2021-03-02;2024-03-01;1200;USD\n"
    f"91234;{ASR};ASR1001;8X5XNBD;2022-03-02;2025-07-15;3650.00;USD\n"
    f"77001;{STACK[0]};WS-C3850-48U;24X7X4;2025-01-01;2025-12-31;730;EUR\n"
    "77001;FTX9999ZZZZ;C9300-48P;24X7X4;2025-01-01;2025-12-31;;EUR\n"
)


def _fleet(cli, shared_data) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    result = cli("devices", "import", str(shared_data / "show/cisco_ios/show_version"),
                 "--skip-bad")
    assert "created" in result.output


def _counts(engine):
    with make_session_factory(engine)() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))
                     for t in (Contract, CoverageLine, AuditEvent))


def test_import_list_expiring_and_report(cli, engine, shared_data, tmp_path) -> None:
    _fleet(cli, shared_data)
    path = tmp_path / "contracts.csv"
    path.write_text(CSV)
    first = cli("contracts", "import", str(path))
    assert first.exit_code == 0, first.output
    # The result is a sentence (issue 16), still with the same counts.
    assert "Imported 4 contract lines: 4 new, 0 updated." in first.stdout
    assert "Contracts: 2 new, 0 updated." in first.stdout
    assert "FTX9999ZZZZ" in first.stderr and "1 line(s) name serials" in first.stderr
    again = cli("contracts", "import", str(path), "--format", "json")
    summary = json.loads(again.stdout)
    assert (summary["lines_unchanged"], summary["lines_created"]) == (4, 0)
    assert summary["unknown"][0]["row"] == 5

    listed = json.loads(cli("contracts", "list", "--today", "2025-06-01", "--format",
                            "json").stdout)
    assert [(c["number"], c["status"], c["lines"]) for c in listed] == [
        ("77001", "active", 2), ("91234", "active", 2)]
    soon = cli("contracts", "expiring", "--within", "90d", "--today", "2025-06-01",
               "--format", "csv")
    assert soon.stdout.splitlines()[1].startswith(f"91234,8X5XNBD,{ASR},ASR1001,2025-07-15,44,no")
    assert len(soon.stdout.splitlines()) == 2

    report = json.loads(cli("report", "coverage", "--today", "2025-06-01", "--format",
                            "json").stdout)
    assert (report["covered"], report["lapsing"]["60"], report["lines_on_unknown_serials"]) == (
        2, 1, 1)
    assert report["devices"] == report["covered"] + report["uncovered"]
    per_device = cli("report", "coverage", "--today", "2025-06-01", "--devices", "--format",
                     "csv").stdout
    assert f"{ASR},ASR1001,asr1001,yes,2025-07-15,44" in per_device
    assert f"{C4948},WS-C4948E,cat4500e,no" in per_device


def test_bad_file_exits_2_and_changes_nothing(cli, engine, shared_data, tmp_path) -> None:
    _fleet(cli, shared_data)
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    assert cli("contracts", "import", str(good)).exit_code == 0
    before = _counts(engine)
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + f"77001;{STACK[1]};WS-C3850-48U;24X7X4;2025-01-01;2025-12-31;-5;EUR\n")
    result = cli("contracts", "import", str(bad))
    assert result.exit_code == 2
    assert "bad.csv: row 6, column list_price: price '-5' is negative" in result.stderr
    assert _counts(engine) == before
    missing = cli("contracts", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "nope.csv: cannot read" in missing.stderr
    window = cli("contracts", "expiring", "--within", "soon")
    assert window.exit_code == 2 and "--within 'soon'" in window.stderr
    assert _counts(engine) == before


def test_import_replace_removes_lines_missing_from_the_file(cli, engine, shared_data,
                                                            tmp_path) -> None:
    _fleet(cli, shared_data)
    path = tmp_path / "contracts.csv"
    path.write_text(CSV)
    assert cli("contracts", "import", str(path)).exit_code == 0
    # 91234 now lists only the ASR; 77001 is not in this file and is left alone.
    shorter = tmp_path / "shorter.csv"
    shorter.write_text("\n".join(CSV.splitlines()[i] for i in (0, 2)) + "\n")
    kept = cli("contracts", "import", str(shorter))
    assert kept.exit_code == 0
    assert _counts(engine)[1] == 4  # without --replace nothing is removed
    replaced = cli("contracts", "import", str(shorter), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "1 removed" in replaced.output
    with make_session_factory(engine)() as s:
        lines = {(c.number, line.serial) for c in s.scalars(select(Contract))
                 for line in c.lines}
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (("91234", C4948) not in lines and ("91234", ASR) in lines
            and ("77001", STACK[0]) in lines and len(lines) == 3)
    assert last is not None and last.data["lines_removed"] == 1
