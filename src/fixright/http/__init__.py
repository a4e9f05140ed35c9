"""The HTTP kit below the domains: what every domain's `api.py` needs.

`deps` (the request's transaction and who is asking), `pagination`
(`limit`/`offset` and the `Page` envelope), `uploads` (documents sent to an
import route) and `errors` (FixrightError and validation errors as JSON).
It imports only accounts, audit, db, errors and config; `fixright.web` builds
the application from it and every domain's router.
"""
