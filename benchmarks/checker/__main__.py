"""``python -m benchmarks.checker``: salsify check vs pyflakes (and ruff) on the stdlib.

In one run, on one copy of this Python's standard library without its test folders:

* cold ``salsify check`` and ``python -m pyflakes`` (and ``ruff check --select F
  --no-cache`` when ruff is installed), each a fresh process, CPU time (user + system)
  and peak memory, median of ``--repeats`` runs, interleaved;
* in one process: a cold ``Workspace.check()``, then the demo's three scripted edits,
  each re-checked ``--edit-repeats`` times (the edit is applied and reverted), reporting
  the median CPU time and how many queries re-executed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from salsify.python.demo import (
    LEAF_MODULE,
    WIDELY_IMPORTED,
    body_edit,
    copy_stdlib,
    first_missing_module,
)
from salsify.python.watch import ExecutionCounter
from salsify.python.workspace import Workspace

# Runs a command and prints its CPU seconds and peak RSS: a fresh process per measured
# run, so each tool's peak memory is its own (RUSAGE_CHILDREN keeps a running maximum).
_MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
"""


def run_process(command: list[str]) -> tuple[float, float]:
    """(CPU seconds of the command, its peak resident MiB)."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def cold_processes(root: str, repeats: int) -> dict[str, tuple[float, float]]:
    salsify_cli = [sys.executable, "-m", "salsify.python.cli", "check", root]
    commands = {
        "salsify check (cold)": salsify_cli,
        "python -m pyflakes": [sys.executable, "-m", "pyflakes", root],
    }
    ruff = shutil.which("ruff") or os.path.join(os.path.dirname(sys.executable), "ruff")
    if os.path.exists(ruff):
        commands["ruff check --select F --no-cache"] = [
            ruff,
            "check",
            "--select",
            "F",
            "--no-cache",
            "--isolated",
            "--quiet",
            root,
        ]
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():  # interleaved: load hits all alike
            samples[name].append(run_process(command))
    return {
        name: (statistics.median(c for c, _ in runs), max(m for _, m in runs))
        for name, runs in samples.items()
    }


def edit_steps(root: str) -> list[tuple[str, Callable[[Workspace], Callable[[], None]]]]:
    """(label, apply) where apply edits the workspace and returns the undo."""

    def body(ws: Workspace) -> Callable[[], None]:
        path = os.path.join(root, WIDELY_IMPORTED)
        with open(path, encoding="utf-8") as source:
            text = source.read()
        ws.set_text(path, body_edit(text)[0])
        return lambda: ws.set_text(path, text)

    def unused_import(ws: Workspace) -> Callable[[], None]:
        path = os.path.join(root, LEAF_MODULE)
        with open(path, encoding="utf-8") as source:
            text = source.read()
        ws.set_text(path, "import textwrap\n" + text)
        return lambda: ws.set_text(path, text)

    def create_missing(ws: Workspace) -> Callable[[], None]:
        found = [d for ds in ws.check().values() for d in ds]
        name = first_missing_module(sorted(found))
        assert name is not None, "no missing module to create"
        path = os.path.join(root, name + ".py")
        ws.set_text(path, "VALUE = 1\n")
        return lambda: ws.remove(path)

    return [
        (f"body edit in {WIDELY_IMPORTED}", body),
        (f"unused import in {LEAF_MODULE}", unused_import),
        ("create a missing module", create_missing),
    ]


def incremental(root: str, repeats: int) -> list[tuple[str, float, int]]:
    ws = Workspace([root])
    cpu = time.process_time()
    ws.check()
    rows = [("Workspace.check() cold, in process", time.process_time() - cpu, 0)]
    cpu = time.process_time()
    ws.check()
    rows.append(("Workspace.check() unchanged", time.process_time() - cpu, 0))
    for label, apply in edit_steps(root):
        times: list[float] = []
        executed = 0
        for _ in range(repeats):
            undo = apply(ws)
            counter = ExecutionCounter(ws.db)
            cpu = time.process_time()
            ws.check()
            times.append(time.process_time() - cpu)
            executed = counter.count
            counter.close()
            undo()
            ws.check()
        rows.append((f"re-check: {label}", statistics.median(times), executed))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="cold runs per tool")
    parser.add_argument("--edit-repeats", type=int, default=7, help="re-checks per edit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="salsify-bench-") as tmp:
        root = copy_stdlib(tmp)
        count = sum(len([f for f in fs if f.endswith(".py")]) for _, _, fs in os.walk(root))
        print(f"{sys.version.split()[0]}, {os.cpu_count()} cores, {count} files in {root}")
        cold = cold_processes(root, args.repeats)
        base = cold["python -m pyflakes"][0]
        print(f"\n{'cold, fresh process':<40} {'CPU s':>8} {'vs pyflakes':>12} {'peak MiB':>9}")
        for name, (cpu, mib) in cold.items():
            print(f"{name:<40} {cpu:>8.2f} {cpu / base:>11.2f}x {mib:>9.0f}")
        print(f"\n{'in one process':<45} {'CPU ms':>9} {'executed':>9}")
        for label, seconds, executed in incremental(root, args.edit_repeats):
            print(f"{label:<45} {seconds * 1000:>9.1f} {executed or '':>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
