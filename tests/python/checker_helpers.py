"""Small helpers shared by the checker's tests."""

from __future__ import annotations

import textwrap

from salsify.python.analysis import analyze_source


def findings(source: str, path: str = "mod.py") -> set[tuple[str, str]]:
    """(code, quoted name) of every diagnostic in `source`."""
    found = set()
    for diagnostic in analyze_source(path, textwrap.dedent(source)):
        name = diagnostic.message.split("'")[1] if "'" in diagnostic.message else ""
        found.add((diagnostic.code, name))
    return found


def undefined(source: str, path: str = "mod.py") -> set[str]:
    return {name for code, name in findings(source, path) if code == "F821"}


def unused(source: str, path: str = "mod.py") -> set[str]:
    return {name for code, name in findings(source, path) if code == "F401"}
