"""A real fleet for contract tests: the shared Cisco `show version` samples."""

from __future__ import annotations

from pathlib import Path

from fixright.accounts.service import get_or_create_organization
from fixright.inventory.importing import import_facts
from fixright.inventory.parse import parse_output

# Serials in the shared samples (cisco_ios/show_version/*.raw)
C4948 = "CAT1451S15C"  # WS-C4948E, 12.2(54)SG1
STACK = ("FOC11111111", "FCW22222222", "FCW33333333", "FCW44444444")  # WS-C3850-48U
ASR = "SSI1289001MH"  # ASR1001


def register_fleet(session, shared_data: Path, slug: str = "acme") -> int:
    """Create organisation `slug` owning the devices of the shared Cisco IOS samples."""
    org, _ = get_or_create_organization(session, slug)
    facts = []
    for path in sorted((shared_data / "show/cisco_ios/show_version").glob("*.raw")):
        facts += parse_output(path.read_text(), source_name=path.name)
    import_facts(session, org.id, facts, "show")
    session.flush()
    return org.id
