"""`textDocument/documentSymbol` (hierarchical) and `workspace/symbol` (all levels, by
case-insensitive substring)."""

from __future__ import annotations

from lsprotocol import types

from salsify.python import navigation, queries
from salsify.python.lsp.context import RequestContext
from salsify.python.lsp.documents import Positions, path_to_uri
from salsify.python.navigation import Symbol

KINDS = {
    "class": types.SymbolKind.Class,
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "variable": types.SymbolKind.Variable,
    "constant": types.SymbolKind.Constant,
}
MAX_WORKSPACE_SYMBOLS = 500


def _document_symbol(symbol: Symbol, positions: Positions) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=symbol.name,
        kind=KINDS[symbol.kind],
        range=positions.range(*symbol.span),
        selection_range=positions.range(*symbol.name_span),
        children=[_document_symbol(child, positions) for child in symbol.children],
    )


def document_symbols(context: RequestContext) -> list[types.DocumentSymbol]:
    file = navigation.loaded_file(context.db, context.path)
    positions = context.positions_of(context.path)
    return [_document_symbol(s, positions) for s in navigation.document_symbols(context.db, file)]


def workspace_symbols(context: RequestContext, query: str) -> list[types.WorkspaceSymbol]:
    db = context.db
    wanted = query.lower()
    found: list[types.WorkspaceSymbol] = []
    for file in queries.project_files(db):
        context.token.check()
        matches = [s for s in navigation.flat_symbols(db, file) if wanted in s.name.lower()]
        if not matches:
            continue
        positions = context.positions_of(file.path)
        for symbol in matches:
            found.append(
                types.WorkspaceSymbol(
                    name=symbol.name,
                    kind=KINDS[symbol.kind],
                    container_name=symbol.container or None,
                    location=types.Location(
                        uri=path_to_uri(file.path), range=positions.range(*symbol.name_span)
                    ),
                )
            )
            if len(found) >= MAX_WORKSPACE_SYMBOLS:
                return found
    return found
