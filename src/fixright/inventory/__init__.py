"""Inventory: every device an organisation owns, read from CLI output, CSV and SSH.

Pure parts (`parse`, `platforms`, `readers`, `detect`) turn text into
`DeviceFacts`; `service` stores them; `cli` and `collect` are the edges.
"""
