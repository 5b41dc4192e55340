"""`salsify lsp --tcp`: over a socket, pygls reads every message already received before a
request's task first runs, so the server must remember what had arrived before the request
(over stdio each read yields to the tasks first, and the tests there cannot tell)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CONTENT_MODIFIED = -32801


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def send(self, *messages: dict[str, Any]) -> None:
        self.sock.sendall(b"".join(frame(m) for m in messages))  # one write

    def response(self, request_id: int) -> dict[str, Any]:
        while True:
            while b"\r\n\r\n" in self.buffer:
                head, rest = self.buffer.split(b"\r\n\r\n", 1)
                length = int(head.split(b"\r\n")[0].split(b":")[1])
                if len(rest) < length:
                    break
                body, self.buffer = rest[:length], rest[length:]
                message: dict[str, Any] = json.loads(body)
                if message.get("id") == request_id:
                    return message
            data = self.sock.recv(65536)
            assert data, "the server closed the connection"
            self.buffer += data


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Connection, Path]]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("from app.util import helper as helper\n")
    (tmp_path / "app" / "util.py").write_text("def helper():\n    return 1\n")
    (tmp_path / "main.py").write_text("from app import helper\n\nhelper()\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "salsify.python.cli", "lsp", "--no-watch"]
    process = subprocess.Popen([*command, "--tcp", f"127.0.0.1:{port}"])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=20)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with sock:
            yield Connection(sock), tmp_path
    finally:
        process.kill()
        process.wait(10)


def test_a_request_sent_before_an_edit_is_not_answered_on_the_new_text(
    server: tuple[Connection, Path],
) -> None:
    connection, root = server
    main = (root / "main.py").as_uri()
    text = (root / "main.py").read_text()
    connection.send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": {}, "rootUri": root.as_uri()},
        },
    )
    assert "result" in connection.response(1)
    item = {"uri": main, "languageId": "python", "version": 1, "text": text}
    at_helper = {"textDocument": {"uri": main}, "position": {"line": 2, "character": 1}}
    connection.send(
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/definition", "params": at_helper},
    )
    (found,) = connection.response(2)["result"]
    assert found["uri"].endswith("app/util.py")
    # A request about version 1, then an edit that moves `helper` down a line, in one
    # write: the request is answered with ContentModified, not on the new text.
    change = {
        "textDocument": {"uri": main, "version": 2},
        "contentChanges": [{"text": "\n" + text}],
    }
    connection.send(
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/definition", "params": at_helper},
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change},
    )
    assert connection.response(3)["error"]["code"] == CONTENT_MODIFIED
    # A request after the edit is about the new text.
    moved = {"textDocument": {"uri": main}, "position": {"line": 3, "character": 1}}
    connection.send(
        {"jsonrpc": "2.0", "id": 4, "method": "textDocument/definition", "params": moved}
    )
    (found,) = connection.response(4)["result"]
    assert found["uri"].endswith("app/util.py")
    # After `shutdown`, a request gets an error (pygls alone would never answer it).
    connection.send({"jsonrpc": "2.0", "id": 5, "method": "shutdown"})
    assert connection.response(5)["result"] is None
    connection.send(
        {"jsonrpc": "2.0", "id": 6, "method": "textDocument/definition", "params": moved}
    )
    assert connection.response(6)["error"]["code"] == -32600
    connection.send({"jsonrpc": "2.0", "method": "exit"})
