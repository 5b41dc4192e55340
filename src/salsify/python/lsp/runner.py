"""Running query work off the event loop, against the current revision.

Edits (input writes) happen on the event loop's thread; query work runs on worker threads.
A write cancels running queries (they raise `salsify.Cancelled`) and waits for them to
unwind, so work that meets `Cancelled` was overtaken by an edit: it is retried at the new
revision, or answered with ContentModified when the document it is about has changed.
A query that needs a file outside the project raises `NeedSource`: the file is read into an
input here, on the loop's thread, and the work is retried.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pygls.exceptions import JsonRpcException

import salsify
from salsify.python.lsp.context import RequestCancelled, Token
from salsify.python.navigation import NeedSource
from salsify.python.workspace import Workspace

T = TypeVar("T")
logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20


class ContentModified(JsonRpcException):
    CODE = -32801
    MESSAGE = "ContentModified"


class RequestCancelledError(JsonRpcException):
    CODE = -32800
    MESSAGE = "RequestCancelled"


class Runner:
    def __init__(self, workspace: Workspace, on_write: Callable[[], None]) -> None:
        self.workspace = workspace
        self.on_write = on_write  # called after this runner wrote inputs (loaded a file)
        self.requests = ThreadPoolExecutor(1, thread_name_prefix="salsify-requests")
        # Open documents' diagnostics get their own worker: they never wait behind the
        # project pass (whose first file can need every file parsed, for import cycles).
        self.open_documents = ThreadPoolExecutor(1, thread_name_prefix="salsify-open")
        self.background = ThreadPoolExecutor(1, thread_name_prefix="salsify-project")
        # Cleared while a request runs: the diagnostics pass waits between files.
        self.requests_idle = threading.Event()
        self.requests_idle.set()
        self._active = 0

    def shutdown(self) -> None:
        self.requests_idle.set()
        self.requests.shutdown(wait=False, cancel_futures=True)
        self.background.shutdown(wait=False, cancel_futures=True)
        self.open_documents.shutdown(wait=False, cancel_futures=True)

    def load(self, path: str) -> None:
        if self.workspace.load_external(path):
            self.on_write()

    async def run(
        self,
        work: Callable[[Token], T],
        *,
        unchanged: Callable[[], bool] = lambda: True,
        background: bool = False,
        urgent: bool = False,
    ) -> tuple[T, int]:
        """Run `work(token)` on a worker: (result, the revision it was computed in).

        `background` work is the diagnostics pass (`urgent`: the open documents' step).
        `unchanged()` says whether the request still makes sense after an edit (its
        document's version did not move); when it returns False, ContentModified.
        """
        loop = asyncio.get_running_loop()
        executor = self.background if background else self.requests
        if background and urgent:
            executor = self.open_documents
        token = Token()
        db = self.workspace.db
        for _ in range(MAX_ATTEMPTS):
            revision = db.revision
            if not background:
                self._active += 1
                self.requests_idle.clear()
            try:
                result = await loop.run_in_executor(executor, work, token)
            except asyncio.CancelledError:
                token.cancelled.set()  # `$/cancelRequest` or a newer diagnostics pass
                raise
            except salsify.Cancelled:
                if not unchanged():
                    raise ContentModified() from None
                continue
            except NeedSource as need:
                self.load(need.path)
                continue
            except RequestCancelled:
                raise RequestCancelledError() from None
            finally:
                if not background:
                    self._active -= 1
                    if not self._active:
                        self.requests_idle.set()
            if db.revision != revision:
                # An edit landed between two top-level calls of `work`: not one revision.
                if not unchanged():
                    raise ContentModified()
                continue
            return result, revision
        raise ContentModified("the workspace kept changing while this request ran")
