"""fixright: give owners of network equipment their bug fixes."""

__version__ = "0.1.0"
