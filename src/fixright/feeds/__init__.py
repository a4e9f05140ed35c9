"""Advisory feeds: CSAF trusted providers and aggregators, Cisco openVuln, CVE record deltas."""
