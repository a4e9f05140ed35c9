"""Organisations, users, API tokens and password hashing."""
