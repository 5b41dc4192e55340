"""Publishing diagnostics: per document, with its version, from one revision, never stale.

Every write schedules a pass (and cancels the pass in flight: its queries raise
`salsify.Cancelled` when the write lands). A pass computes, on a worker, first the open
documents' `local_diagnostics` (everything but import cycles, which need every project file
parsed), most recently edited first, then every project file's `file_diagnostics`. Each step
publishes only when the database is still at the revision the step computed in, and only
the files whose diagnostics differ from what was last published for them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from lsprotocol import types

from salsify.python import navigation, queries
from salsify.python.diagnostic import Diagnostic
from salsify.python.inputs import file_id
from salsify.python.lsp.context import Token
from salsify.python.lsp.documents import Positions, path_to_uri
from salsify.python.lsp.runner import ContentModified, RequestCancelledError

if TYPE_CHECKING:
    from salsify.python.lsp.server import SalsifyServer

logger = logging.getLogger(__name__)

SOURCE = "salsify"
CHUNK_SECONDS = 0.25  # the project pass publishes what it has at least this often
SEVERITY = {
    "E999": types.DiagnosticSeverity.Error,
    "E902": types.DiagnosticSeverity.Error,
    "F821": types.DiagnosticSeverity.Error,
}


_TOKEN = re.compile(rb"[\w.]+")


def to_lsp(diagnostic: Diagnostic, positions: Positions) -> types.Diagnostic:
    data = positions.line(diagnostic.line).encode("utf-8")
    start = diagnostic.column
    token = _TOKEN.match(data, start)
    end = token.end() if token is not None else start
    return types.Diagnostic(
        range=positions.range(diagnostic.line, start, diagnostic.line, end),
        message=diagnostic.message,
        severity=SEVERITY.get(diagnostic.code, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        source=SOURCE,
        tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code == "F401" else None,
    )


Result = tuple[str, tuple[Diagnostic, ...], list[types.Diagnostic]]


class Publisher:
    def __init__(self, server: SalsifyServer) -> None:
        self.server = server
        self.published: dict[str, tuple[Diagnostic, ...]] = {}
        self.versions: dict[str, int | None] = {}  # the version last published, per path
        self.task: asyncio.Task[None] | None = None
        self.passes = 0  # finished passes (tests and benchmarks wait on them)
        self.listeners: list[Callable[[str, int | None], None]] = []

    def schedule(self) -> None:
        """Start a new pass (cancelling the one in flight). Call after every write."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = asyncio.ensure_future(self._pass())

    async def _pass(self) -> None:
        server = self.server
        runner = server.runner
        assert runner is not None
        try:
            open_paths = server.open_paths_recent_first()
            await self._step(lambda token: self._compute(open_paths, token, local=True)[0])
            # Project files: first without import cycles (no file waits for every file to
            # be parsed), then with them.
            for local in (True, False):
                start = 0
                while start >= 0:
                    results, start = await self._chunk(start, local)
                    self._publish(results)
            self.passes += 1
        except asyncio.CancelledError:
            raise
        except (ContentModified, RequestCancelledError):
            return
        except Exception:  # never let one pass kill the server
            logger.exception("diagnostics pass failed")

    async def _step(self, work: Callable[[Token], list[Result]]) -> None:
        """Compute on the diagnostics worker, publish if still at the same revision."""
        runner = self.server.runner
        assert runner is not None
        results, _ = await runner.run(work, background=True, urgent=True)
        self._publish(results)

    async def _chunk(self, start: int, local: bool) -> tuple[list[Result], int]:
        runner = self.server.runner
        assert runner is not None
        result, _ = await runner.run(
            lambda token: self._compute(None, token, local=local, start=start), background=True
        )
        return result

    def _compute(
        self, paths: Iterable[str] | None, token: Token, *, local: bool, start: int = 0
    ) -> tuple[list[Result], int]:
        """Diagnostics of `paths` (None: the project, from file `start` on, for at most
        CHUNK_SECONDS): (results, where the next chunk starts, or -1 when done)."""
        """On the worker: diagnostics, converted to protocol positions with the same text."""
        db = self.server.db
        if paths is None:
            files = list(queries.project_files(db))
            known = {f.path for f in files}
            files += [file_id(db, p) for p in self.server.open_paths() if p not in known]
        else:
            files = [file_id(db, p) for p in paths]
        query = queries.local_diagnostics if local else queries.file_diagnostics
        codec = self.server.workspace.position_codec
        out: list[Result] = []
        deadline = time.perf_counter() + CHUNK_SECONDS
        runner = self.server.runner
        assert runner is not None
        for index in range(start, len(files)):
            if paths is None and time.perf_counter() > deadline:
                return out, index
            if paths is None:
                runner.requests_idle.wait()  # requests first: the project pass yields to them
            token.check()
            file = files[index]
            found = query(db, file)
            if self.published.get(file.path) == found and paths is None:
                continue
            positions = Positions(list(navigation.source_lines(db, file)), codec)
            out.append((file.path, found, [to_lsp(d, positions) for d in found]))
        return out, -1

    def _publish(self, results: list[Result]) -> None:
        # Runs on the event loop right after the revision check: no write can interleave,
        # so an open document's version is the one these diagnostics were computed for.
        server = self.server
        for path, found, converted in results:
            version = server.document_version(path)
            if self.published.get(path) == found and self.versions.get(path) == version:
                continue
            self.published[path] = found
            self.versions[path] = version
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=path_to_uri(path), diagnostics=converted, version=version
                )
            )
            for listener in self.listeners:
                listener(path, version)

    def forget(self, path: str) -> None:
        """A document outside the project closed: clear what was published for it."""
        self.versions.pop(path, None)
        if self.published.pop(path, None):
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=path_to_uri(path), diagnostics=[])
            )
