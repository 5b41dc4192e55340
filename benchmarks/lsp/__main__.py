"""`python -m benchmarks.lsp`: the language server on a copy of the stdlib.

Drives the real `salsify lsp` process over stdio with pygls' client and measures: time to
first diagnostics of an opened file; per-keystroke re-diagnosis latency (p50/p95 over 100
edits, each waited for); 100 go-to-definitions on identifiers chosen by a seeded random
sample, cold then warm, and jedi on the same positions in the same run (jedi runs in the
interpreter given by `--jedi-python`, a separate venv with jedi installed).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from salsify.python.demo import copy_stdlib

OPENED = "json/decoder.py"
EDITED = "os.py"
SEED = 7


def sample_positions(root: str, count: int, seed: int) -> list[tuple[str, int, int]]:
    """Loads of names (and attribute names after a name) in randomly chosen files."""
    files = sorted(str(p) for p in Path(root).rglob("*.py"))
    chooser = random.Random(seed)
    found: list[tuple[str, int, int]] = []
    while len(found) < count:
        path = chooser.choice(files)
        try:
            text = Path(path).read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        lines = text.splitlines()
        candidates = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
                if line.isascii():
                    candidates.append((path, node.lineno, node.col_offset))
        if candidates:
            found.append(chooser.choice(candidates))
    return found


class Bench:
    def __init__(self, root: str) -> None:
        self.root = root
        self.client = LanguageClient("salsify-bench", "1")
        self.published: dict[str, list[tuple[int | None, float]]] = {}
        self.last_publish = time.perf_counter()
        self.waiters: list[tuple[str, int, asyncio.Future[float]]] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            self.last_publish = now
            self.published.setdefault(params.uri, []).append((params.version, now))
            for waiter in list(self.waiters):
                uri, version, future = waiter
                if uri == params.uri and params.version == version and not future.done():
                    future.set_result(now)
                    self.waiters.remove(waiter)

    def uri(self, relative: str) -> str:
        return Path(self.root, relative).as_uri()

    def expect(self, uri: str, version: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters.append((uri, version, future))
        return future

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "salsify.python.cli", "lsp", "--no-watch")
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=Path(self.root).as_uri()
            )
        )
        self.client.initialized(types.InitializedParams())

    async def quiet(self, seconds: float = 8.0, limit: float = 600.0) -> float:
        """Wait until no diagnostics were published for `seconds`."""
        started = time.perf_counter()
        while time.perf_counter() - self.last_publish < seconds:
            if time.perf_counter() - started > limit:
                break
            await asyncio.sleep(0.1)
        return time.perf_counter() - started

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def in_process_definitions(root: str, positions: list[tuple[str, int, int]]) -> dict[str, float]:
    """The server's definition code path without the protocol: a `Workspace`, the same
    `RequestContext` and `definition()`, cold then warm (jedi runs in-process too)."""
    from pygls.workspace.position_codec import PositionCodec

    from salsify.python.lsp.context import RequestContext, Token
    from salsify.python.lsp.definition import definition
    from salsify.python.navigation import NeedSource, split_lines
    from salsify.python.workspace import Workspace

    started = time.perf_counter()
    workspace = Workspace([root])
    timings = {"workspace_s": time.perf_counter() - started}
    codec = PositionCodec()
    for round_name in ("cold", "warm"):
        started = time.perf_counter()
        for path, line, column in positions:
            lines = split_lines(Path(path).read_text(encoding="utf-8"))
            while True:
                context = RequestContext(workspace.db, path, lines, codec, Token())
                try:
                    definition(context, types.Position(line=line - 1, character=column))
                    break
                except NeedSource as need:
                    workspace.load_external(need.path)
        timings[f"{round_name}_s"] = time.perf_counter() - started
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(root: str, jedi_python: str | None, count: int) -> dict[str, Any]:
    report: dict[str, Any] = {}
    bench = Bench(root)
    started = time.perf_counter()
    await bench.start()
    report["initialize_s"] = time.perf_counter() - started

    # 1. Time to first diagnostics of a file opened right after startup.
    opened = bench.uri(OPENED)
    text = Path(root, OPENED).read_text(encoding="utf-8")
    waiting = bench.expect(opened, 1)
    sent = time.perf_counter()
    bench.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=opened, language_id="python", version=1, text=text
            )
        )
    )
    report["first_diagnostics_s"] = await asyncio.wait_for(waiting, 300) - sent
    report["project_pass_s"] = await bench.quiet()

    # 2. Keystrokes in os.py: insert one character at a time into a new statement of a
    #    function body, waiting for each version's diagnostics.
    edited = bench.uri(EDITED)
    source = Path(root, EDITED).read_text(encoding="utf-8")
    tree = ast.parse(source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    line = function.body[-1].end_lineno or function.body[-1].lineno  # after its last line
    indent = " " * function.body[0].col_offset
    lines = source.split("\n")
    lines.insert(line, indent + "keystrokes = 0")
    bench.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=edited, language_id="python", version=1, text="\n".join(lines)
            )
        )
    )
    await bench.quiet(1.0)
    column = len(indent + "keystrokes = 0")
    latencies = []
    for version in range(2, 102):
        waiting = bench.expect(edited, version)
        sent = time.perf_counter()
        bench.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=edited, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=column),
                            end=types.Position(line=line, character=column),
                        ),
                        text="1",
                    )
                ],
            )
        )
        column += 1
        latencies.append(await asyncio.wait_for(waiting, 60) - sent)
    report["keystroke_ms"] = {
        "p50": 1000 * statistics.median(latencies),
        "p95": 1000 * percentile(latencies, 0.95),
        "max": 1000 * max(latencies),
    }
    await bench.quiet(1.0)

    # 3. Go to definition, cold then warm, on a seeded random sample of identifiers.
    positions = sample_positions(root, count, SEED)
    ours: list[Any] = []
    for round_name in ("cold", "warm"):
        ours = []
        started = time.perf_counter()
        for path, line_number, col in positions:
            found = await bench.client.text_document_definition_async(
                types.DefinitionParams(
                    text_document=types.TextDocumentIdentifier(uri=Path(path).as_uri()),
                    position=types.Position(line=line_number - 1, character=col),
                )
            )
            if isinstance(found, list) and found:
                target = found[0]
                assert isinstance(target, types.Location)
                ours.append([target.uri, target.range.start.line + 1])
            else:
                ours.append(None)
        report[f"definition_{round_name}_s"] = time.perf_counter() - started
    report["definition_answered"] = sum(1 for r in ours if r is not None)
    await bench.stop()

    in_process = in_process_definitions(root, positions)
    report["in_process_definition_cold_s"] = in_process["cold_s"]
    report["in_process_definition_warm_s"] = in_process["warm_s"]

    if jedi_python is not None:
        request = json.dumps({"root": root, "positions": positions})
        runner = str(Path(__file__).with_name("jedi_runner.py"))
        output = subprocess.run(
            [jedi_python, runner], input=request, capture_output=True, text=True, check=True
        ).stdout
        jedi = json.loads(output)
        report["jedi_version"] = jedi["jedi"]
        report["jedi_cold_s"] = jedi["cold"]
        report["jedi_warm_s"] = jedi["warm"]
        report["jedi_answered"] = sum(1 for r in jedi["results"] if r is not None)
        agree = 0
        both = 0
        for mine, theirs in zip(ours, jedi["results"], strict=True):
            if mine is None or theirs is None:
                continue
            both += 1
            mine_path = mine[0].removeprefix("file://")
            agree += os.path.realpath(mine_path) == os.path.realpath(theirs[0]) and (
                mine[1] == theirs[1]
            )
        report["agreement"] = f"{agree}/{both} answered by both point at the same line"
        report["warm_speedup_vs_jedi_over_lsp"] = jedi["warm"] / report["definition_warm_s"]
        report["cold_speedup_vs_jedi_over_lsp"] = jedi["cold"] / report["definition_cold_s"]
        report["warm_speedup_vs_jedi_in_process"] = jedi["warm"] / in_process["warm_s"]
        report["cold_speedup_vs_jedi_in_process"] = jedi["cold"] / in_process["cold_s"]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lsp")
    parser.add_argument("--jedi-python", help="python of a venv with jedi installed")
    parser.add_argument("--count", type=int, default=100)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_stdlib(scratch)
        report = asyncio.run(run(root, arguments.jedi_python, arguments.count))
    report["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    report["date"] = time.strftime("%Y-%m-%d %H:%M")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
