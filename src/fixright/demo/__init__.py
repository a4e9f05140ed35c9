"""`fixright serve --demo`: a realistic portal built from real device output and advisories."""

from fixright.demo.loader import load_demo

__all__ = ["load_demo"]
