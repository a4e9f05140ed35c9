"""Security-fix claims: for a device that is exposed and that the active policy denies its fix,
a packet (JSON and PDF) asking the vendor for the fix it promises owners without a contract.
States drafted -> sent -> granted | refused, audited; per organisation."""
