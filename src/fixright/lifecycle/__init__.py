"""Lifecycle dates of hardware (per PID) and image families: end of sale, of software
maintenance, of security support, last date of support (the fields of Cisco's EoX bulletins).

Public knowledge, not per organisation: operators import it (`fixright lifecycle import`);
`records` reads CSV, JSON and Cisco EoX API answers (pure), `service` stores and looks up.
"""
