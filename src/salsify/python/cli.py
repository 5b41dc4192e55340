"""`salsify check PATH...`: the command line face of the checker.

Exit status: 0 no diagnostics, 1 diagnostics, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from salsify.python.diagnostic import Diagnostic
from salsify.python.filesystem import default_search_paths
from salsify.python.workspace import Workspace

EXIT_CLEAN = 0
EXIT_DIAGNOSTICS = 1
EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salsify", description="salsify tools")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check Python files (pyflakes-compatible)")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--watch", action="store_true", help="re-check on every change")
    check.add_argument(
        "--search-path",
        action="append",
        default=[],
        metavar="DIR",
        help="also resolve imports in DIR (before the interpreter's own paths)",
    )
    lsp = commands.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    lsp.add_argument(
        "--no-watch",
        action="store_true",
        help="do not watch files when the client does not (no watchfiles fallback)",
    )
    return parser


def display_path(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def format_text(diagnostic: Diagnostic) -> str:
    return (
        f"{display_path(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}: "
        f"{diagnostic.code} {diagnostic.message}"
    )


def summary(files: int, diagnostics: Sequence[Diagnostic], seconds: float) -> str:
    by_code = Counter(d.code for d in diagnostics)
    codes = ", ".join(f"{code}: {count}" for code, count in sorted(by_code.items()))
    found = f"{len(diagnostics)} diagnostic{'s' if len(diagnostics) != 1 else ''}"
    detail = f" ({codes})" if codes else ""
    return f"Checked {files} file{'s' if files != 1 else ''}: {found}{detail} in {seconds:.2f} s"


def all_diagnostics(results: dict[str, list[Diagnostic]]) -> list[Diagnostic]:
    return sorted(d for found in results.values() for d in found)


def print_results(
    results: dict[str, list[Diagnostic]], output_format: str, seconds: float, out: TextIO
) -> list[Diagnostic]:
    diagnostics = all_diagnostics(results)
    if output_format == "json":
        rows = [d.to_json() | {"path": display_path(d.path)} for d in diagnostics]
        json.dump(rows, out, indent=2)
        out.write("\n")
        print(summary(len(results), diagnostics, seconds), file=sys.stderr)
    else:
        for diagnostic in diagnostics:
            print(format_text(diagnostic), file=out)
        print(summary(len(results), diagnostics, seconds), file=out)
    return diagnostics


class _Progress:
    """A one-line progress indication on a terminal's stderr (nothing when redirected)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and done != total):
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{bar}] {done}/{total} files{end}")
        sys.stderr.flush()


def run_check(arguments: argparse.Namespace) -> int:
    for path in arguments.paths:
        if not os.path.exists(path):
            print(f"salsify: error: no such file or directory: {path}", file=sys.stderr)
            return EXIT_ERROR
    for path in arguments.search_path:
        if not os.path.isdir(path):
            print(f"salsify: error: --search-path is not a directory: {path}", file=sys.stderr)
            return EXIT_ERROR
    started = time.perf_counter()
    try:
        search = None
        if arguments.search_path:
            extra = tuple(os.path.abspath(p) for p in arguments.search_path)
            search = extra + default_search_paths(exclude=extra)
        workspace = Workspace(arguments.paths, search_paths=search)
        results = workspace.check(progress=_Progress())
    except OSError as error:
        print(f"salsify: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    seconds = time.perf_counter() - started
    diagnostics = print_results(results, arguments.format, seconds, sys.stdout)
    if arguments.watch:
        from salsify.python.watch import watch

        extra = tuple(os.path.abspath(p) for p in arguments.search_path)
        return watch(workspace, results, arguments.format, sys.stdout, also_watch=extra)
    return EXIT_DIAGNOSTICS if diagnostics else EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "check":
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
        try:
            return run_check(arguments)
        except BrokenPipeError:  # `salsify check ... | head`
            sys.stderr.close()
            return EXIT_DIAGNOSTICS
    if arguments.command == "lsp":
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
        from salsify.python.lsp import serve

        return serve(arguments.tcp, watch=not arguments.no_watch)
    return EXIT_ERROR  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
