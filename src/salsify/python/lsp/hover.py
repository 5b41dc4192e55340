"""`textDocument/hover`: the kind of thing, its signature, the docstring's first paragraph."""

from __future__ import annotations

from lsprotocol import types

from salsify.python import navigation
from salsify.python.lsp.context import RequestContext, key_at_position


def hover(context: RequestContext, position: types.Position) -> types.Hover | None:
    key = key_at_position(context, position)
    if key is None:
        return None
    info = navigation.def_info(context.db, key)
    text = f"```python\n({info.kind}) {info.signature}\n```"
    if key.kind == navigation.MODULE:
        text = f"```python\n(module) {key.module}\n```"
    if info.doc:
        text += f"\n\n{info.doc}"
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))
