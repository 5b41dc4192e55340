"""`salsify check --watch`: feed file events into the inputs and re-print what changed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TextIO

import salsify
from salsify.python.diagnostic import Diagnostic
from salsify.python.workspace import Workspace


def diagnostics_delta(
    before: dict[str, list[Diagnostic]], after: dict[str, list[Diagnostic]]
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(new, gone) diagnostics between two checks."""
    old = {d for found in before.values() for d in found}
    new = {d for found in after.values() for d in found}
    return sorted(new - old), sorted(old - new)


class ExecutionCounter:
    """Counts `Executed` engine events: how many queries a re-check re-ran."""

    def __init__(self, db: salsify.Database) -> None:
        self.count = 0
        # Only Executed events: the Validated events of a large re-check are never built.
        self._subscription = db.on_event(self._on_event, salsify.Executed)

    def _on_event(self, event: salsify.Event) -> None:
        self.count += 1

    def close(self) -> None:
        self._subscription.close()


def recheck(
    workspace: Workspace, previous: dict[str, list[Diagnostic]], changed: Iterable[str]
) -> tuple[dict[str, list[Diagnostic]], float, int]:
    """Apply changed paths, re-check: (results, seconds, queries re-executed)."""
    counter = ExecutionCounter(workspace.db)
    started = time.perf_counter()
    try:
        workspace.rescan(changed)
        results = workspace.check()
    finally:
        counter.close()
    return results, time.perf_counter() - started, counter.count


def print_batch(
    added: list[Diagnostic],
    removed: list[Diagnostic],
    seconds: float,
    executed: int,
    output_format: str,
    out: TextIO,
) -> None:
    from salsify.python.cli import format_text

    if output_format == "json":
        record = {
            "added": [d.to_json() for d in added],
            "removed": [d.to_json() for d in removed],
            "seconds": round(seconds, 4),
            "queries_executed": executed,
        }
        out.write(json.dumps(record) + "\n")
    else:
        for diagnostic in added:
            out.write(f"+ {format_text(diagnostic)}\n")
        for diagnostic in removed:
            out.write(f"- {format_text(diagnostic)}\n")
        out.write(
            f"re-checked in {seconds * 1000:.1f} ms, {executed} queries re-executed, "
            f"{len(added)} new, {len(removed)} fixed\n"
        )
    out.flush()


def watch(
    workspace: Workspace,
    results: dict[str, list[Diagnostic]],
    output_format: str,
    out: TextIO,
    *,
    also_watch: tuple[str, ...] = (),
) -> int:
    """Re-check after every batch of file events below the project roots and
    `also_watch` (the search paths given on the command line; the standard library and
    site-packages are not watched)."""
    import watchfiles

    out.write("watching for changes (Ctrl-C to stop)\n")
    out.flush()
    watched = [*workspace.roots, *(p for p in also_watch if p not in workspace.roots)]
    try:
        for changes in watchfiles.watch(*watched, debounce=50, step=20):
            paths = [path for _, path in changes]
            new_results, seconds, executed = recheck(workspace, results, paths)
            added, removed = diagnostics_delta(results, new_results)
            results = new_results
            print_batch(added, removed, seconds, executed, output_format, out)
    except KeyboardInterrupt:
        return 0
    return 0
