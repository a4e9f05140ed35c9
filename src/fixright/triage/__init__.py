"""Triage: what the owner decided about one advisory on one device (VEX vocabulary)."""
