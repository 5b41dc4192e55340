"""The server's handlers: each protocol method delegates to its feature module."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from salsify.python import queries
from salsify.python.inputs import file_id
from salsify.python.lsp import completion, definition, hover, references, symbols
from salsify.python.lsp.context import RequestContext
from salsify.python.lsp.diagnostics import to_lsp
from salsify.python.lsp.documents import Positions, uri_to_path
from salsify.python.lsp.server import SalsifyServer

logger = logging.getLogger(__name__)


def create_server(*, watch: bool = True) -> SalsifyServer:
    server = SalsifyServer(watch=watch)

    @server.feature(types.INITIALIZE)
    def initialize(ls: SalsifyServer, params: types.InitializeParams) -> None:
        ls.start_workspace(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SalsifyServer, params: types.InitializedParams) -> None:
        ls.start_watching()
        ls.wrote()  # first pass: the whole project

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: SalsifyServer, params: Any) -> None:
        ls.stop()

    # ---- text sync -----------------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SalsifyServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.set_overlay(uri, uri_to_path(uri), params.text_document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SalsifyServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = uri_to_path(uri)
        text = ls.document_text(path)
        if text is None:
            text = ls.workspace.get_text_document(uri).source
        ls.set_overlay(uri, path, text)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SalsifyServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.ready()  # the buffer already is the overlay: nothing changes

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SalsifyServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.drop_overlay(uri_to_path(params.text_document.uri))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: SalsifyServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = []
        for change in params.changes:
            try:
                paths.append(uri_to_path(change.uri))
            except Exception:  # a non-file URI: nothing to re-read
                continue
        ls.files_changed(paths)

    # ---- requests ------------------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def goto_definition(
        ls: SalsifyServer, params: types.DefinitionParams
    ) -> list[types.Location]:
        return await ls.request(
            params.text_document.uri, lambda c: definition.definition(c, params.position)
        )

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def find_references(
        ls: SalsifyServer, params: types.ReferenceParams
    ) -> list[types.Location]:
        include = params.context.include_declaration
        return await ls.request(
            params.text_document.uri,
            lambda c: references.references(c, params.position, include),
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: SalsifyServer, params: types.HoverParams) -> types.Hover | None:
        return await ls.request(params.text_document.uri, lambda c: hover.hover(c, params.position))

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        ls: SalsifyServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        return await ls.request(params.text_document.uri, symbols.document_symbols)

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: SalsifyServer, params: types.WorkspaceSymbolParams
    ) -> list[types.WorkspaceSymbol]:
        return await ls.request(
            "", lambda c: symbols.workspace_symbols(c, params.query), needs_document=False
        )

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["."]),
    )
    async def complete(ls: SalsifyServer, params: types.CompletionParams) -> types.CompletionList:
        return await ls.request(
            params.text_document.uri, lambda c: completion.completion(c, params.position)
        )

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False),
    )
    async def pull_diagnostics(
        ls: SalsifyServer, params: types.DocumentDiagnosticParams
    ) -> types.RelatedFullDocumentDiagnosticReport:
        def work(context: RequestContext) -> list[types.Diagnostic]:
            file = file_id(context.db, context.path)
            positions = Positions(context.lines, context.codec)
            return [to_lsp(d, positions) for d in queries.file_diagnostics(context.db, file)]

        found = await ls.request(params.text_document.uri, work)
        return types.RelatedFullDocumentDiagnosticReport(items=found)

    return server
