"""`python -m salsify.python.demo`: the checker on a copy of this Python's standard library.

A cold check, then three scripted edits, each re-checked through the same database, with
the time it took and how many queries re-executed (counted from the engine's events).
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from salsify.python.diagnostic import Diagnostic
from salsify.python.watch import ExecutionCounter
from salsify.python.workspace import Workspace

TEST_FOLDERS = ("test", "tests", "idle_test", "site-packages", "__pycache__")
WIDELY_IMPORTED = "os.py"
LEAF_MODULE = "colorsys.py"


def copy_stdlib(destination: str) -> str:
    """Copy the running Python's stdlib, without test folders, to `destination`/stdlib."""
    source = sysconfig.get_paths()["stdlib"]
    target = os.path.join(destination, "stdlib")
    ignore = shutil.ignore_patterns(*TEST_FOLDERS, "*.pyc")
    shutil.copytree(source, target, ignore=ignore, symlinks=True)
    return target


@dataclass
class Step:
    label: str
    cpu_seconds: float
    wall_seconds: float
    executed: int
    diagnostics: list[Diagnostic]


def measure(
    workspace: Workspace, label: str, action: Callable[[], dict[str, list[Diagnostic]]]
) -> Step:
    counter = ExecutionCounter(workspace.db)
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        results = action()
    finally:
        counter.close()
    found = sorted(d for diagnostics in results.values() for d in diagnostics)
    return Step(label, time.process_time() - cpu, time.perf_counter() - wall, counter.count, found)


def body_edit(text: str) -> tuple[str, str]:
    """Add a statement to the body of the first module-level function: (new text, name)."""
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.body:
            lines = text.splitlines(keepends=True)
            indent = " " * node.body[0].col_offset
            insert_at = node.body[0].lineno - 1
            if isinstance(node.body[0], ast.Expr):  # after a docstring
                insert_at = node.body[0].end_lineno or node.body[0].lineno
            lines.insert(insert_at, f"{indent}_demo_edit = len(())\n")
            return "".join(lines), node.name
    raise ValueError("no module-level function to edit")


def first_missing_module(diagnostics: list[Diagnostic]) -> str | None:
    for diagnostic in diagnostics:
        if diagnostic.code == "I001" and diagnostic.message.startswith("unresolved import '"):
            name = diagnostic.message.split("'")[1]
            if name.isidentifier() and "from" not in diagnostic.message:
                return name
    return None


def by_code(diagnostics: list[Diagnostic]) -> str:
    counts = Counter(d.code for d in diagnostics)
    return ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))


def run(directory: str) -> list[Step]:
    print(f"copying {sysconfig.get_paths()['stdlib']} (without test folders) ...", flush=True)
    root = copy_stdlib(directory)
    files = sum(1 for _, _, names in os.walk(root) for n in names if n.endswith(".py"))
    print(f"checking {files} files in {root}", flush=True)
    workspace = Workspace([root])
    steps = [measure(workspace, "cold check", workspace.check)]
    print_step(steps[0])
    # Nothing changed: one verification of the project's memo, which its input summary
    # vouches for.
    steps.append(measure(workspace, "cached re-check (nothing changed)", workspace.check))
    print_step(steps[-1])

    os_path = os.path.join(root, WIDELY_IMPORTED)
    with open(os_path, encoding="utf-8") as handle:
        edited, function = body_edit(handle.read())

    def edit_body() -> dict[str, list[Diagnostic]]:
        workspace.set_text(os_path, edited)
        return workspace.check()

    steps.append(measure(workspace, f"body edit in {WIDELY_IMPORTED} ({function})", edit_body))
    print_step(steps[-1])

    leaf_path = os.path.join(root, LEAF_MODULE)
    with open(leaf_path, encoding="utf-8") as handle:
        leaf_text = handle.read()

    def add_unused_import() -> dict[str, list[Diagnostic]]:
        workspace.set_text(leaf_path, "import json\n" + leaf_text)
        return workspace.check()

    steps.append(measure(workspace, f"unused import in {LEAF_MODULE}", add_unused_import))
    print_step(steps[-1])

    missing = first_missing_module(steps[-1].diagnostics)
    if missing is not None:
        new_path = os.path.join(root, missing + ".py")

        def create_module() -> dict[str, list[Diagnostic]]:
            with open(new_path, "w", encoding="utf-8") as handle:
                handle.write('"""Created by the demo."""\n')
            workspace.set_text(new_path, '"""Created by the demo."""\n')
            return workspace.check()

        steps.append(measure(workspace, f"create missing module {missing}.py", create_module))
        print_step(steps[-1])
    return steps


def print_step(step: Step) -> None:
    print(
        f"{step.label:<44} {step.cpu_seconds * 1000:>10.1f} ms CPU "
        f"{step.wall_seconds * 1000:>10.1f} ms wall {step.executed:>8} queries executed   "
        f"{len(step.diagnostics)} diagnostics ({by_code(step.diagnostics)})",
        flush=True,
    )


def main() -> int:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    with tempfile.TemporaryDirectory(prefix="salsify-demo-") as directory:
        steps = run(directory)
    cold = steps[0]
    print()
    print("summary (cached and incremental re-checks, next to the cold check):")
    for step in steps:
        ratio = step.wall_seconds / cold.wall_seconds if cold.wall_seconds else 0.0
        print(
            f"  {step.label:<44} {step.wall_seconds * 1000:>10.1f} ms wall "
            f"({ratio:6.2%} of cold)  {step.executed:>7} queries executed"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
