"""Access that can be taken away: who may manage users and tokens, audited.

Sits above `accounts` and `audit`: it checks the caller's role, changes the
account (`fixright.accounts.admin`) and records the audit event, so the CLI,
the API and the UI all call the same functions.
"""
