"""`salsify lsp`: a language server for Python on the checker's queries (pygls 2)."""

from __future__ import annotations

from salsify.python.lsp.app import create_server

__all__ = ["create_server", "serve"]


def serve(tcp: str | None = None, *, watch: bool = True) -> int:
    """Run the server on stdio, or on TCP at `HOST:PORT`."""
    import logging
    import sys

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="salsify lsp: %(message)s")
    server = create_server(watch=watch)
    try:
        if tcp is None:
            server.start_io()
        else:
            host, _, port = tcp.rpartition(":")
            server.start_tcp(host or "127.0.0.1", int(port))
    finally:
        server.stop()
    return 0
