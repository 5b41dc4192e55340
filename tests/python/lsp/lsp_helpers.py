"""Helpers shared by the end-to-end tests: URIs, waiting, opening and editing documents,
and sending raw JSON-RPC messages the typed client would refuse to send."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient


def uri(client: LanguageClient, name: str) -> str:
    root: Path = client.__dict__["root"]
    return (root / name).as_uri()


def history(client: LanguageClient) -> list[tuple[str, int | None, list[types.Diagnostic]]]:
    found: list[Any] = client.__dict__.setdefault("history", [])
    return found


async def wait_until(condition: Any, timeout: float = 20.0, fail: Any = None) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            detail = fail() if fail is not None else ""
            raise AssertionError(f"timed out waiting for the server {detail}")
        await asyncio.sleep(0.02)


def open_text(client: LanguageClient, document: str, text: str, version: int = 1) -> str:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=document, language_id="python", version=version, text=text
            )
        )
    )
    return document


def open_document(client: LanguageClient, name: str, version: int = 1) -> str:
    text = (client.__dict__["root"] / name).read_text()
    return open_text(client, uri(client, name), text, version)


def replace_all(client: LanguageClient, document: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=document, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def definition_params(document: str, line: int, character: int) -> types.DefinitionParams:
    return types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=document),
        position=types.Position(line=line, character=character),
    )


def send_raw(client: LanguageClient, *messages: Any) -> list[asyncio.Future[Any]]:
    """Write `messages` (dicts, or bytes sent as they are) in one write; a future for each
    message with an `id`, in order (it fails with the error the server answers)."""
    protocol = client.protocol
    futures = []
    data = b""
    for message in messages:
        if isinstance(message, bytes):
            body = message
        else:
            body = json.dumps(message).encode("utf-8")
            if "id" in message:
                future = asyncio.get_running_loop().create_future()
                protocol._request_futures[message["id"]] = future  # type: ignore[attr-defined]
                futures.append(future)
        data += b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    protocol.writer.write(data)  # type: ignore[union-attr]
    return futures


def error_code(error: BaseException) -> int | None:
    code = getattr(error, "code", None)
    return code if isinstance(code, int) else None


def initialize_params(project: Path, *, watched_files: bool = False) -> types.InitializeParams:
    """`watched_files`: the client offers to watch files (dynamic registration)."""
    workspace = None
    if watched_files:
        workspace = types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
        )
    return types.InitializeParams(
        capabilities=types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                    version_support=True
                ),
                document_symbol=types.DocumentSymbolClientCapabilities(
                    hierarchical_document_symbol_support=True
                ),
            ),
            workspace=workspace,
        ),
        root_uri=project.as_uri(),
    )
