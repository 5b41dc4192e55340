"""`salsify lsp`: the language server (pygls 2), sharing the checker's `Workspace`.

Threads: the event loop's thread reads messages, applies edits (input writes) and publishes;
query work runs on worker threads (`Runner`): one for requests, one for the open documents'
diagnostics, one for the project's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

import salsify
from salsify.python import navigation
from salsify.python.filesystem import read_source
from salsify.python.inputs import get_source_file
from salsify.python.lsp.context import RequestContext, Token
from salsify.python.lsp.diagnostics import Publisher
from salsify.python.lsp.documents import uri_to_path
from salsify.python.lsp.runner import ContentModified, RequestCancelledError, Runner
from salsify.python.navigation import split_lines
from salsify.python.workspace import Workspace

T = TypeVar("T")
logger = logging.getLogger(__name__)

NAME = "salsify"
VERSION = "0.1.0"


# Errors that are answers (the client asked about a document that changed, cancelled, sent
# a URI the server cannot read, or asked too early), not failures: pygls logs each with a
# traceback, which would fill an editor's log at every overtaken keystroke.
_EXPECTED = (
    ContentModified,
    RequestCancelledError,
    JsonRpcInvalidParams,
    JsonRpcServerNotInitialized,
)


class _QuietExpected(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _EXPECTED))


logging.getLogger("pygls.protocol.json_rpc").addFilter(_QuietExpected())


class _Ignored:
    """A message that could not be decoded and was already answered."""

    jsonrpc = "ignored"


_BEFORE_INITIALIZE = frozenset({types.INITIALIZE, types.EXIT})
# The server's edit count when the message being handled arrived (pygls runs each handler,
# and the task of an async one, in a copy of the reading task's context).
ARRIVAL: ContextVar[int] = ContextVar("salsify_arrival", default=-1)


class SalsifyProtocol(LanguageServerProtocol):
    """pygls' protocol, answering undecodable requests with an error instead of silence."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=error.to_response_error())
            return _Ignored()

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Ignored):
            return
        if not hasattr(message, "jsonrpc"):
            # Valid JSON that is not a JSON-RPC message at all (a list, a bare object).
            request_id = message.get("id") if isinstance(message, dict) else None
            error = JsonRpcInvalidRequest("not a JSON-RPC 2.0 message").to_response_error()
            self._send_response(request_id, error=error)  # type: ignore[arg-type]
            return
        method = getattr(message, "method", None)
        request_id = getattr(message, "id", None)
        if self._shutdown and method is not None and method != types.EXIT:
            # pygls drops it silently: a request would wait forever.
            if request_id is not None:
                error = JsonRpcInvalidRequest("the server is shutting down").to_response_error()
                self._send_response(request_id, error=error)
            return
        # What a request is about is the text as it was when it arrived: its task (which
        # inherits this context) compares with the edits applied since.
        ARRIVAL.set(getattr(self._server, "edit_count", 0))
        if method is not None and method not in _BEFORE_INITIALIZE and not self.initialized:
            # The specification: before `initialize`, a request is answered with
            # ServerNotInitialized (whatever its method) and a notification is dropped.
            if request_id is not None:
                error = JsonRpcServerNotInitialized().to_response_error()
                self._send_response(request_id, error=error)
            return
        super().handle_message(message)

    @property
    def initialized(self) -> bool:
        return getattr(self._server, "salsify_workspace", None) is not None


class SalsifyServer(LanguageServer):
    def __init__(self, *, watch: bool = True) -> None:
        super().__init__(NAME, VERSION, protocol_cls=SalsifyProtocol, max_workers=2)
        self.salsify_workspace: Workspace | None = None
        self.runner: Runner | None = None
        self.publisher = Publisher(self)
        self.edited: dict[str, float] = {}  # open document path -> last edit time
        self.uris: dict[str, str] = {}  # open document path -> its URI as the client wrote it
        # Edits applied (text changes of open documents, file events), and the count at
        # each path's last one: a request that arrived before its document changed is
        # answered with ContentModified, not computed on a text it was not about.
        self.edit_count = 0
        self.last_edit: dict[str, int] = {}
        self.use_watchfiles = watch
        self._watch_stop = threading.Event()

    # ---- state -------------------------------------------------------------------------

    @property
    def db(self) -> salsify.Database:
        return self.ready().db

    def ready(self) -> Workspace:
        if self.salsify_workspace is None:
            raise JsonRpcServerNotInitialized()
        return self.salsify_workspace

    def report_server_error(self, error: Exception, source: Any) -> None:
        if isinstance(error, json.JSONDecodeError):
            # A body that is not JSON: answer with a parse error (id null), as JSON-RPC says.
            self.protocol._send_response(None, error=JsonRpcParseError().to_response_error())  # type: ignore[arg-type]
            return
        if isinstance(error, _EXPECTED):
            return  # answered with its error code; nothing went wrong in the server
        logger.error("server error (%s): %s", getattr(source, "__name__", source), error)

    def open_paths(self) -> list[str]:
        return list(self.edited)

    def open_paths_recent_first(self) -> list[str]:
        return sorted(self.edited, key=self.edited.__getitem__, reverse=True)

    def _document(self, path: str) -> Any:
        uri = self.uris.get(path)
        if uri is None:
            return None
        return self.workspace.text_documents.get(uri)

    def document_version(self, path: str) -> int | None:
        document = self._document(path)
        return None if document is None else document.version

    def document_lines(self, path: str) -> list[str] | None:
        document = self._document(path)
        return None if document is None else split_lines(document.source)

    def document_text(self, path: str) -> str | None:
        document = self._document(path)
        return None if document is None else document.source

    # ---- edits (event loop thread) -------------------------------------------------------

    def wrote(self) -> None:
        self.publisher.schedule()

    def note_edit(self, path: str) -> None:
        self.edit_count += 1
        self.last_edit[path] = self.edit_count

    def set_overlay(self, uri: str, path: str, text: str) -> None:
        workspace = self.ready()
        self.note_edit(path)
        self.uris[path] = uri
        source = get_source_file(workspace.db, path)
        if source is None or source.text != text or source.problem is not None:
            workspace.set_text(path, text)
        self.edited[path] = time.monotonic()
        self.wrote()

    def drop_overlay(self, path: str) -> None:
        workspace = self.ready()
        self.note_edit(path)
        self.edited.pop(path, None)
        self.uris.pop(path, None)
        result = read_source(path)
        if result.text is None and result.problem is None:
            workspace.remove(path)
        else:
            source = get_source_file(workspace.db, path)
            if source is not None and (source.text, source.problem) != (
                result.text,
                result.problem,
            ):
                source.set(text=result.text, problem=result.problem)  # type: ignore[attr-defined]
        if not workspace.is_project_file(path):
            self.publisher.forget(path)
        self.wrote()

    def files_changed(self, paths: list[str]) -> None:
        """File events from the client or the watcher: re-read, keeping open buffers."""
        workspace = self.ready()
        revision = workspace.db.revision
        for path in paths:
            self.note_edit(path)
        workspace.rescan([p for p in paths if p not in self.edited])
        for path in self.edited:
            source = get_source_file(workspace.db, path)
            text = self.document_text(path)
            if text is not None and (source is None or source.text != text):
                workspace.set_text(path, text)
        if workspace.db.revision != revision:
            self.wrote()

    # ---- requests (worker threads) ---------------------------------------------------------

    async def request(
        self,
        uri: str,
        work: Callable[[RequestContext], T],
        *,
        needs_document: bool = True,
    ) -> T:
        """Run `work` for the document `uri` on the request worker."""
        workspace = self.ready()
        assert self.runner is not None
        path = uri_to_path(uri) if uri else ""
        arrived = ARRIVAL.get()
        if path and 0 <= arrived < self.last_edit.get(path, 0):
            raise ContentModified()  # the document changed after the request was sent
        version = self.document_version(path) if path else None
        lines = self.document_lines(path) if path else None
        if needs_document and lines is None:
            if not os.path.isfile(path):
                raise JsonRpcInvalidParams(f"unknown document: {uri}")
            if self.runner.workspace.load_external(path):
                self.wrote()
        codec = self.workspace.position_codec

        def unchanged() -> bool:
            return not path or self.document_version(path) == version

        def run(token: Token) -> T:
            text_lines = lines
            if text_lines is None and path:
                file = navigation.loaded_file(workspace.db, path)
                text_lines = list(navigation.source_lines(workspace.db, file))
            context = RequestContext(workspace.db, path, text_lines or [], codec, token)
            return work(context)

        result, _ = await self.runner.run(run, unchanged=unchanged)
        return result

    # ---- lifecycle ---------------------------------------------------------------------

    def start_workspace(self, params: types.InitializeParams) -> None:
        roots: list[str] = []
        for folder in params.workspace_folders or []:
            roots.append(uri_to_path(folder.uri))
        if not roots and params.root_uri:
            roots.append(uri_to_path(params.root_uri))
        if not roots and params.root_path:
            roots.append(os.path.abspath(params.root_path))
        roots = [r for r in roots if os.path.exists(r)]
        options = params.initialization_options
        search = None
        if isinstance(options, dict) and isinstance(options.get("searchPaths"), list):
            extra = tuple(os.path.abspath(str(p)) for p in options["searchPaths"])
            from salsify.python.filesystem import default_search_paths

            search = extra + default_search_paths(exclude=extra)
        workspace = Workspace(roots, search_paths=search)
        self.salsify_workspace = workspace
        self.runner = Runner(workspace, self.wrote)

    def start_watching(self) -> None:
        capabilities = self.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities is not None else None
        if watched is not None and watched.dynamic_registration:
            registration = types.Registration(
                id="salsify-watch",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/*.py")]
                ),
            )
            self.client_register_capability(types.RegistrationParams(registrations=[registration]))
            return
        if self.use_watchfiles and self.salsify_workspace is not None:
            self._start_watchfiles(asyncio.get_running_loop())

    def _start_watchfiles(self, loop: asyncio.AbstractEventLoop) -> None:
        workspace = self.salsify_workspace
        if workspace is None or not workspace.roots:
            return
        roots = [r for r in workspace.roots if os.path.isdir(r)]

        def watch() -> None:
            try:
                import watchfiles

                # Files written after the workspace was read but before the watcher was set
                # up would be missed: its first answer (a change, or nothing after 500 ms)
                # says it is watching, and the whole disk is compared once then.
                ready = False
                for changes in watchfiles.watch(
                    *roots,
                    stop_event=self._watch_stop,
                    debounce=50,
                    rust_timeout=500,
                    yield_on_timeout=True,
                ):
                    if changes or not ready:
                        paths = [path for _, path in changes]
                        loop.call_soon_threadsafe(self.files_changed, paths)
                    ready = True
            except Exception:  # the fallback watcher is best effort
                logger.exception("file watcher stopped")

        threading.Thread(target=watch, name="salsify-watch", daemon=True).start()

    def stop(self) -> None:
        self._watch_stop.set()
        if self.runner is not None:
            self.runner.shutdown()


__all__ = ["SalsifyServer"]
