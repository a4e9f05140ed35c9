"""OpenPGP signatures of CSAF documents, checked with GnuPG through python-gnupg.

Why GnuPG: it is the reference OpenPGP implementation, maintained, and what
providers sign with; python-gnupg (released 2026) drives it. PGPy, the pure
Python alternative, has had no release since 2022. Each `Keyring` lives in its
own temporary GnuPG home holding only the keys the provider publishes (with
their fingerprints checked) and those given with `--key`: the user's own
keyring is never consulted, so "valid" means "signed by one of these keys".
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from fixright.errors import InvalidInput

MISSING = ("checking OpenPGP signatures needs python-gnupg and the gpg program: "
           "pip install 'fixright[feeds]' and install GnuPG")


class SignatureError(Exception):
    """A signature did not verify; the message says why."""


def available() -> str | None:
    """None when signatures can be checked, else the one-line reason they cannot."""
    try:
        import gnupg  # noqa: F401  (optional extra: probed, not used here)
    except ImportError:
        return MISSING
    if shutil.which("gpg") is None:
        return MISSING
    return None


class Keyring:
    """Trusted public keys in a private GnuPG home; `close()` removes it."""

    def __init__(self) -> None:
        import gnupg  # the optional extra, imported only when signatures are checked

        # python-gnupg logs gpg's exit code as a warning; the refusal line already says it.
        logging.getLogger("gnupg").setLevel(logging.ERROR)

        self._home = Path(tempfile.mkdtemp(prefix="fixright-gpg-"))
        self._gpg: Any = gnupg.GPG(gnupghome=str(self._home))
        self.fingerprints: set[str] = set()
        # One gpg process at a time: the trust database in the home is shared.
        self._lock = threading.Lock()

    def add(self, key_data: bytes, source: str, fingerprint: str | None = None) -> list[str]:
        """Import the keys in `key_data`; with `fingerprint`, only that key is trusted.

        Raises `InvalidInput` when the data holds no key or not the expected one.
        """
        with self._lock:
            result = self._gpg.import_keys(key_data)
        found = [f.upper() for f in (result.fingerprints or []) if f]
        if not found:
            raise InvalidInput(f"{source}: no OpenPGP public key in it")
        if fingerprint is not None:
            wanted = fingerprint.upper()
            if wanted not in found:
                with self._lock:
                    self._gpg.delete_keys(found)
                raise InvalidInput(f"{source}: key fingerprint {found[0]} is not the "
                                   f"{wanted} the provider metadata names")
            found = [wanted]
        self.fingerprints.update(found)
        return found

    def verify(self, data: bytes, signature: bytes) -> str:
        """The fingerprint of the trusted key that signed `data`; SignatureError otherwise."""
        if not self.fingerprints:
            raise SignatureError("signed, but no trusted key is known (provider metadata "
                                 "lists none; give one with --key)")
        with tempfile.NamedTemporaryFile(dir=self._home, suffix=".asc") as sig:
            sig.write(signature)
            sig.flush()
            with self._lock:
                result = self._gpg.verify_data(sig.name, data)
        # A signing subkey's signature names its primary key as pubkey_fingerprint.
        signers = {str(f).upper() for f in (result.pubkey_fingerprint, result.fingerprint) if f}
        if result.valid and signers & self.fingerprints:
            return str(result.pubkey_fingerprint or result.fingerprint).upper()
        status = str(result.status or "")
        if "no public key" in status:
            raise SignatureError(f"signed by unknown key {result.key_id or '?'}")
        if result.valid:
            raise SignatureError(f"signed by {result.fingerprint}, not a trusted key")
        if status == "signature bad":
            raise SignatureError("bad OpenPGP signature (document or signature altered)")
        raise SignatureError(f"OpenPGP signature not valid ({status or 'unreadable'})")

    def close(self) -> None:
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> Keyring:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

