"""salsify.python: a pyflakes-compatible Python checker built on salsify queries."""

from salsify.python.diagnostic import Diagnostic
from salsify.python.workspace import Workspace

__all__ = ["Diagnostic", "Workspace"]
