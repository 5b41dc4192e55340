"""The oracle: on this Python's standard library (without test folders), agree with pyflakes
on every undefined name and cover the unused imports that pyflakes and ruff both report."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyflakes import checker, messages

from salsify.python.demo import copy_stdlib
from salsify.python.workspace import Workspace

pytestmark = pytest.mark.slow

Pair = tuple[str, str]


def _strip_alias(name: str) -> str:
    return name.split(" as ")[0]


@pytest.fixture(scope="module")
def stdlib_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(copy_stdlib(str(tmp_path_factory.mktemp("oracle"))))


@pytest.fixture(scope="module")
def ours(stdlib_copy: Path) -> dict[str, set[Pair]]:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    results = Workspace([str(stdlib_copy)]).check()
    found: dict[str, set[Pair]] = {"F821": set(), "F401": set()}
    for path, diagnostics in results.items():
        relative = os.path.relpath(path, stdlib_copy)
        for diagnostic in diagnostics:
            if diagnostic.code in found:
                name = diagnostic.message.split("'")[1]
                found[diagnostic.code].add((relative, _strip_alias(name)))
    return found


@pytest.fixture(scope="module")
def pyflakes_found(stdlib_copy: Path) -> dict[str, set[Pair]]:
    found: dict[str, set[Pair]] = {"F821": set(), "F401": set()}
    for path in sorted(stdlib_copy.rglob("*.py")):
        relative = str(path.relative_to(stdlib_copy))
        try:
            tree = ast.parse(path.read_bytes(), str(path))
        except SyntaxError:
            continue
        for message in checker.Checker(tree, filename=str(path)).messages:
            if isinstance(message, messages.UndefinedName):
                found["F821"].add((relative, str(message.message_args[0])))
            elif isinstance(message, messages.UnusedImport):
                found["F401"].add((relative, _strip_alias(str(message.message_args[0]))))
    return found


def ruff_unused_imports(root: Path) -> set[Pair]:
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    assert ruff is not None, "ruff is a dev dependency of this test"
    command = [ruff, "check", "--select", "F401", "--no-cache", "--output-format", "json"]
    completed = subprocess.run(
        [*command, "--isolated", "--exit-zero", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: set[Pair] = set()
    for row in json.loads(completed.stdout):
        match = re.search(r"`([^`]+)`", row["message"])
        if match:
            found.add((os.path.relpath(row["filename"], root), match.group(1)))
    return found


def test_undefined_names_equal_pyflakes(
    ours: dict[str, set[Pair]], pyflakes_found: dict[str, set[Pair]]
) -> None:
    assert ours["F821"] == pyflakes_found["F821"]
    assert len(ours["F821"]) > 50  # the oracle is not vacuous


def test_unused_imports_cover_what_pyflakes_and_ruff_agree_on(
    ours: dict[str, set[Pair]], pyflakes_found: dict[str, set[Pair]], stdlib_copy: Path
) -> None:
    both = pyflakes_found["F401"] & ruff_unused_imports(stdlib_copy)
    assert len(both) > 100
    covered = len(ours["F401"] & both) / len(both)
    print(f"F401: ours {len(ours['F401'])}, pyflakes&ruff {len(both)}, covered {covered:.2%}")
    assert covered >= 0.97
    assert ours["F401"] == pyflakes_found["F401"]  # and, today, exactly pyflakes' set
