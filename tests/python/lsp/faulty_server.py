"""`salsify lsp` with hover patched to raise on line 999 and a `didOpen` that raises for
`boom.py`: how the server survives an unexpected exception in one handler (the tests
cannot make the real code fail on purpose)."""

from __future__ import annotations

import sys
from typing import Any

from salsify.python.lsp import hover, serve
from salsify.python.lsp.server import SalsifyServer

real_hover = hover.hover
real_set_overlay = SalsifyServer.set_overlay


def faulty_hover(context: Any, position: Any) -> Any:
    if position.line == 999:
        raise RuntimeError("injected failure")
    return real_hover(context, position)


def faulty_set_overlay(self: SalsifyServer, uri: str, path: str, text: str) -> None:
    if path.endswith("boom.py"):
        raise RuntimeError("injected failure")
    real_set_overlay(self, uri, path, text)


hover.hover = faulty_hover
SalsifyServer.set_overlay = faulty_set_overlay  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(serve(watch="--no-watch" not in sys.argv))
