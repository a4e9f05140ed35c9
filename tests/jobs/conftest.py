"""The feed tests' provider site and signer, for the jobs run that syncs a feed."""

from tests.feeds.conftest import signer, site  # noqa: F401
