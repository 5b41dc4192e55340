"""salsify.python: a pyflakes-compatible Python checker built on salsify queries."""

from salsify.python.diagnostic import Diagnostic

__all__ = ["Diagnostic"]
