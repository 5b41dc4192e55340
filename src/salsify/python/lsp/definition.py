"""`textDocument/definition`: across modules, through imports and re-exports, into the stdlib."""

from __future__ import annotations

from lsprotocol import types

from salsify.python import navigation
from salsify.python.lsp.context import RequestContext, key_at_position


def definition(context: RequestContext, position: types.Position) -> list[types.Location]:
    key = key_at_position(context, position)
    if key is None:
        return []
    where = navigation.def_location(context.db, key)
    if where is None:
        return []
    return [context.location(where)]
