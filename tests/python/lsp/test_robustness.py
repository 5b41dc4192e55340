"""End-to-end robustness: the real server process over stdio (pytest-lsp).

Requests before `initialize`, requests overtaken by edits, `$/cancelRequest`, files that
cannot be decoded, files outside the workspace, file events (from the client and from the
server's own watcher) and a handler that raises. Where timing cannot be controlled from
the outside (does an edit land while a request runs?), the tests assert what must hold
whatever the timing: every request is answered, with a right answer or the right error.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import (
    codes,
    definition_params,
    error_code,
    history,
    open_document,
    open_text,
    replace_all,
    send_raw,
    uri,
    wait_until,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="function")

SERVER_NOT_INITIALIZED = -32002
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
REQUEST_CANCELLED = -32800
CONTENT_MODIFIED = -32801


async def error_of(request: Any, timeout: float = 10.0) -> int | None:
    """The error code `request` (an awaitable) is answered with; None for a result."""
    try:
        await asyncio.wait_for(request, timeout)
    except JsonRpcException as error:
        return error_code(error)
    return None


async def helper_definition(client: LanguageClient, document: str) -> list[types.Location]:
    """`helper` in main.py's `return helper(box.size)` (line 8): defined in app/util.py."""
    found = await client.text_document_definition_async(definition_params(document, 8, 12))
    assert isinstance(found, list)
    return found


def cleared(client: LanguageClient, document: str) -> bool:
    """Diagnostics were published for `document`, and are empty now."""
    return list(client.diagnostics.get(document, [None])) == []


def is_box(found: Any, client: LanguageClient) -> bool:
    return (
        isinstance(found, list)
        and len(found) == 1
        and found[0].uri == uri(client, "app/util.py")
        and found[0].range.start == types.Position(line=11, character=6)
    )


def is_helper(found: Any, client: LanguageClient) -> bool:
    return (
        isinstance(found, list)
        and len(found) == 1
        and found[0].uri == uri(client, "app/util.py")
        and found[0].range.start == types.Position(line=4, character=4)
    )


# ---- before initialize ---------------------------------------------------------------------


async def test_requests_before_initialize_get_server_not_initialized(
    fresh: LanguageClient,
) -> None:
    client = fresh
    main = uri(client, "main.py")
    text = (client.__dict__["root"] / "main.py").read_text()
    document = {"uri": main}
    position = {"line": 8, "character": 12}
    # (The typed client refuses to send anything before `initialize`: raw messages.)
    requests: list[Any] = [
        ("textDocument/definition", {"textDocument": document, "position": position}),
        ("textDocument/hover", {"textDocument": document, "position": position}),
        ("workspace/symbol", {"query": "helper"}),
        ("textDocument/diagnostic", {"textDocument": document}),
        ("salsify/noSuchMethod", None),
        ("shutdown", None),
    ]
    futures = send_raw(
        client,
        # A notification before `initialize` is dropped (not an error, and no crash).
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": main, "languageId": "python", "version": 1, "text": text}
            },
        },
        *(
            {"jsonrpc": "2.0", "id": f"early-{n}", "method": method, "params": params}
            for n, (method, params) in enumerate(requests)
        ),
    )
    assert [await error_of(f) for f in futures] == [SERVER_NOT_INITIALIZED] * len(requests)
    # Then `initialize`: the server works as usual.
    from lsp_helpers import initialize_params

    result = await client.initialize_session(initialize_params(client.__dict__["root"]))
    assert result.capabilities.definition_provider
    open_text(client, main, text)
    assert is_helper(await helper_definition(client, main), client)


# ---- requests and edits -------------------------------------------------------------------


async def test_requests_overtaken_by_edits_are_answered_right_or_content_modified(
    client: LanguageClient,
) -> None:
    main = open_document(client, "main.py")
    original = (client.__dict__["root"] / "main.py").read_text()
    # The text alternates between the file (odd versions: line 8 column 12 is `helper`)
    # and the file one line lower (even versions: `Box` of `box = Box()` is there). An
    # answer computed on another version's text than the request's would be the other one.
    texts = {1: original, 0: "\n" + original}
    requests = []
    for version in range(2, 22):
        # Sent now (the `_async` methods would send when the task first runs).
        sent = client.protocol.send_request(
            types.TEXT_DOCUMENT_DEFINITION, definition_params(main, 8, 12)
        )
        requests.append((version - 1, asyncio.wrap_future(sent)))
        if version % 4 == 0:
            await asyncio.sleep(0.002 * version)  # vary where the edit lands
        replace_all(client, main, version, texts[version % 2])
    for version, request in requests:
        try:
            found = await asyncio.wait_for(request, 10)
        except JsonRpcException as error:
            assert error_code(error) == CONTENT_MODIFIED
            continue
        if version % 2:
            assert is_helper(found, client), (version, found)
        else:
            assert is_box(found, client), (version, found)
    # After the burst (version 21: the file as it is), answered as usual.
    assert is_helper(await helper_definition(client, main), client)


async def test_a_request_sent_before_an_edit_is_not_answered_on_the_new_text(
    client: LanguageClient,
) -> None:
    main = open_document(client, "main.py")
    await helper_definition(client, main)  # main.py is loaded: the next request is quick
    original = (client.__dict__["root"] / "main.py").read_text()
    change = {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": main, "version": 2},
            "contentChanges": [{"text": "\n\n" + original}],
        },
    }
    request = {
        "jsonrpc": "2.0",
        "id": "before-edit",
        "method": "textDocument/definition",
        "params": {"textDocument": {"uri": main}, "position": {"line": 8, "character": 12}},
    }
    # Both in one write: the server reads the edit whatever its request is doing.
    (future,) = send_raw(client, request, change)
    try:
        found = await asyncio.wait_for(future, 10)
    except JsonRpcException as error:
        assert error_code(error) == CONTENT_MODIFIED
    else:
        assert found is not None and len(found) == 1
        assert found[0]["uri"] == uri(client, "app/util.py")
        assert found[0]["range"]["start"] == {"line": 4, "character": 4}


async def test_cancelled_requests_are_answered_and_the_server_goes_on(
    client: LanguageClient,
) -> None:
    main = open_document(client, "main.py")
    ids = [f"cancel-{n}" for n in range(20)]
    messages: list[Any] = []
    for n, request_id in enumerate(ids):
        if n % 2:
            method, params = "workspace/symbol", {"query": ""}
        else:
            method = "textDocument/references"
            params = {
                "textDocument": {"uri": main},
                "position": {"line": 8, "character": 12},
                "context": {"includeDeclaration": True},
            }
        messages.append({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        messages.append(
            {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": request_id}}
        )
    futures = send_raw(client, *messages)
    # A cancelled request is answered: RequestCancelled, or its result when the
    # cancellation came too late. Never silence.
    for future in futures:
        try:
            found = await asyncio.wait_for(future, 10)
        except JsonRpcException as error:
            assert error_code(error) == REQUEST_CANCELLED
        else:
            assert isinstance(found, list)
    # A cancel for a request already answered, or never sent, is ignored.
    send_raw(
        client,
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "cancel-0"}},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 123456}},
    )
    assert is_helper(await helper_definition(client, main), client)


@pytest.mark.parametrize(
    "project",
    [
        {
            f"gen/mod_{n}.py": b"".join(b"def f_%d(x):\n    return x\n\n" % i for i in range(200))
            for n in range(60)
        }
    ],
    indirect=True,
)
async def test_cancelling_running_project_wide_work(project: Path, client: LanguageClient) -> None:
    # Workspace symbols over 60 files of 200 functions: long enough to be running when the
    # cancellation arrives (or not: either answer is allowed, but one must come).
    request = {
        "jsonrpc": "2.0",
        "id": "long",
        "method": "workspace/symbol",
        "params": {"query": "f_"},
    }
    (future,) = send_raw(client, request)
    await asyncio.sleep(0.05)
    send_raw(client, {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "long"}})
    try:
        found = await asyncio.wait_for(future, 20)
    except JsonRpcException as error:
        assert error_code(error) == REQUEST_CANCELLED
    else:
        assert isinstance(found, list) and len(found) == 500  # at most 500
    main = open_document(client, "main.py")
    assert is_helper(await helper_definition(client, main), client)


# ---- files that cannot be decoded ----------------------------------------------------------

LATIN = {
    "app/latin.py": b"name = '\xe9t\xe9'\n",  # Latin-1 without a coding declaration
    "app/declared.py": b"# -*- coding: latin-1 -*-\nother = '\xe9t\xe9'\n",
    "uses_latin.py": (
        b"from app.latin import name\nfrom app.declared import other\nprint(name, other)\n"
    ),
}


@pytest.mark.parametrize("project", [LATIN], indirect=True)
async def test_a_file_that_cannot_be_decoded_is_reported_not_fatal(
    project: Path,
    client: LanguageClient,
) -> None:
    latin = uri(client, "app/latin.py")
    await wait_until(lambda: latin in client.diagnostics)
    (problem,) = client.diagnostics[latin]
    assert problem.code == "E902" and "cannot decode" in problem.message
    # A coding declaration is honoured: no E902.
    declared = uri(client, "app/declared.py")
    await wait_until(lambda: declared in client.diagnostics or latin in client.diagnostics)
    assert codes(client.diagnostics.get(declared, [])) == []
    # Requests about the undecodable file (not open) get empty answers, not errors.
    identifier = types.TextDocumentIdentifier(uri=latin)
    position = types.Position(line=0, character=1)
    assert not await client.text_document_definition_async(
        types.DefinitionParams(text_document=identifier, position=position)
    )
    assert not await client.text_document_hover_async(
        types.HoverParams(text_document=identifier, position=position)
    )
    assert not await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=identifier)
    )
    assert not await client.text_document_references_async(
        types.ReferenceParams(
            text_document=identifier,
            position=position,
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    completion = await client.text_document_completion_async(
        types.CompletionParams(text_document=identifier, position=position)
    )
    assert completion is None or isinstance(completion, (list, types.CompletionList))
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=identifier)
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert codes(report.items) == ["E902"]
    # A file importing from it: navigating there is no crash either.
    uses = open_document(client, "uses_latin.py")
    for line, character in [(0, 24), (2, 7), (1, 26), (2, 13)]:
        await client.text_document_definition_async(definition_params(uses, line, character))
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uses),
                position=types.Position(line=line, character=character),
            )
        )
    found = await client.text_document_definition_async(definition_params(uses, 2, 13))
    assert isinstance(found, list) and found[0].uri == declared
    # The editor decoded it and opens it: the buffer is analysed, E902 goes.
    open_text(client, latin, "name = 'été'\n", version=3)
    await wait_until(lambda: any(u == latin and v == 3 and not d for u, v, d in history(client)))
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=identifier))
    await wait_until(lambda: codes(client.diagnostics.get(latin, [])) == ["E902"])
    # The server is still well.
    main = open_document(client, "main.py")
    assert is_helper(await helper_definition(client, main), client)


async def test_an_undecodable_file_outside_the_workspace(
    client: LanguageClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "latin.py"
    outside.write_bytes(b"x = '\xe9'\nprint(x)\n")
    identifier = types.TextDocumentIdentifier(uri=outside.as_uri())
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=identifier)
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert codes(report.items) == ["E902"]
    assert not await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=identifier, position=types.Position(line=1, character=6)
        )
    )


# ---- files outside the workspace -----------------------------------------------------------

SCRIPT = (
    "import os\n"
    "\n"
    "\n"
    "def greet(name: str) -> str:\n"
    '    """Say hello."""\n'
    "    return os.path.join(name)\n"
    "\n"
    "\n"
    "greet('x')\n"
    "print(undefined_name)\n"
)


async def test_a_document_outside_the_workspace(
    client: LanguageClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    script = tmp_path_factory.mktemp("elsewhere") / "script.py"
    script.write_text(SCRIPT)
    document = open_text(client, script.as_uri(), SCRIPT, version=5)
    # Diagnostics, with the version.
    await wait_until(lambda: any(u == document and v == 5 for u, v, _ in history(client)))
    published = [d for u, v, d in history(client) if u == document and v == 5][-1]
    assert codes(published) == ["F821"]
    identifier = types.TextDocumentIdentifier(uri=document)
    # Definition inside the file, and into the stdlib.
    found = await client.text_document_definition_async(definition_params(document, 8, 1))
    assert isinstance(found, list) and found[0].uri == document
    assert found[0].range.start == types.Position(line=3, character=4)
    found = await client.text_document_definition_async(definition_params(document, 5, 20))
    assert isinstance(found, list) and found[0].uri.endswith("posixpath.py")
    # Hover, symbols, references, completion, pull diagnostics.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=identifier, position=types.Position(line=8, character=1))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "def greet(name: str) -> str" in hover.contents.value
    assert "Say hello." in hover.contents.value
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=identifier)
    )
    assert symbols is not None and [s.name for s in symbols] == ["greet"]
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=identifier,
            position=types.Position(line=8, character=1),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert references is not None
    assert sorted(r.range.start.line for r in references) == [3, 8]
    completion = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=identifier, position=types.Position(line=5, character=11)
        )
    )
    assert isinstance(completion, types.CompletionList)
    assert "greet" in {item.label for item in completion.items}
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=identifier)
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert codes(report.items) == ["F821"]
    # An edit, then closing: its diagnostics are cleared (it is not a project file).
    replace_all(client, document, 6, SCRIPT.replace("print(undefined_name)\n", ""))
    await wait_until(lambda: any(u == document and v == 6 and not d for u, v, d in history(client)))
    replace_all(client, document, 7, SCRIPT)
    await wait_until(lambda: codes(client.diagnostics.get(document, [])) == ["F821"])
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=identifier))
    await wait_until(lambda: cleared(client, document))
    # The project's own files are unaffected.
    main = open_document(client, "main.py")
    assert is_helper(await helper_definition(client, main), client)


async def test_a_file_outside_the_workspace_that_is_not_open(
    client: LanguageClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    script = tmp_path_factory.mktemp("elsewhere") / "script.py"
    script.write_text(SCRIPT)
    found = await client.text_document_definition_async(definition_params(script.as_uri(), 8, 1))
    assert isinstance(found, list) and found[0].range.start == types.Position(line=3, character=4)


async def test_uris_the_server_cannot_read(client: LanguageClient) -> None:
    for document in ["untitled:Untitled-1", "https://example.com/a.py", uri(client, "app")]:
        code = await error_of(
            client.text_document_definition_async(definition_params(document, 0, 0))
        )
        assert code == INVALID_PARAMS, document
    # Notifications about them are dropped without harm.
    open_text(client, "untitled:Untitled-1", "print(1)\n")
    replace_all(client, uri(client, "never_opened.py"), 2, "x = 1\n")
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, "also_never_opened.py"))
        )
    )
    main = open_document(client, "main.py")
    assert is_helper(await helper_definition(client, main), client)


# ---- file events -----------------------------------------------------------------------------


def file_event(path: Path, kind: types.FileChangeType) -> types.DidChangeWatchedFilesParams:
    return types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=path.as_uri(), type=kind)]
    )


async def test_did_change_watched_files_clears_an_unresolved_import(client: LanguageClient) -> None:
    broken = uri(client, "broken.py")
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    missing = client.__dict__["root"] / "app" / "missing.py"
    missing.write_text("thing = 1\n")
    client.workspace_did_change_watched_files(file_event(missing, types.FileChangeType.Created))
    await wait_until(lambda: cleared(client, broken))
    # Changed so that `thing` is gone: the import is unresolved again (I001 on the name).
    missing.write_text("other = 1\n")
    client.workspace_did_change_watched_files(file_event(missing, types.FileChangeType.Changed))
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    missing.write_text("thing = 1\n")
    client.workspace_did_change_watched_files(file_event(missing, types.FileChangeType.Changed))
    await wait_until(lambda: cleared(client, broken))
    missing.unlink()
    client.workspace_did_change_watched_files(file_event(missing, types.FileChangeType.Deleted))
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    # A whole new package (directory events too).
    package = client.__dict__["root"] / "app" / "missing"
    package.mkdir()
    (package / "__init__.py").write_text("thing = 2\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=package.as_uri(), type=types.FileChangeType.Created),
                types.FileEvent(
                    uri=(package / "__init__.py").as_uri(), type=types.FileChangeType.Created
                ),
            ]
        )
    )
    await wait_until(lambda: cleared(client, broken))


async def test_the_server_registers_for_file_events_when_the_client_can_watch(
    registering: LanguageClient,
) -> None:
    client = registering
    await wait_until(lambda: client.__dict__.get("registrations"))
    (registration,) = client.__dict__["registrations"]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    watchers = registration.register_options["watchers"]  # (left unstructured by the client)
    assert [w["globPattern"] for w in watchers] == ["**/*.py"]
    broken = uri(client, "broken.py")
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    missing = client.__dict__["root"] / "app" / "missing.py"
    missing.write_text("thing = 1\n")
    client.workspace_did_change_watched_files(file_event(missing, types.FileChangeType.Created))
    await wait_until(lambda: cleared(client, broken))


async def test_the_watchfiles_fallback_sees_a_new_module_on_disk(watching: LanguageClient) -> None:
    client = watching
    broken = uri(client, "broken.py")
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    # No notification: the server's own watcher sees the file appear.
    missing = client.__dict__["root"] / "app" / "missing.py"
    missing.write_text("thing = 1\n")
    await wait_until(lambda: cleared(client, broken))
    # An open buffer wins over the disk: the watcher does not undo the editor's text.
    document = open_text(client, missing.as_uri(), "other = 1\n", version=1)
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    missing.write_text("thing = 3\n")
    await asyncio.sleep(0.5)
    assert codes(client.diagnostics.get(broken, [])) == ["I001"]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=document))
    )
    await wait_until(lambda: cleared(client, broken))
    missing.unlink()
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])


# ---- a handler that raises -------------------------------------------------------------------


async def test_an_exception_in_one_request_is_that_requests_internal_error(
    faulty: LanguageClient,
) -> None:
    client = faulty
    main = open_document(client, "main.py")
    hover = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=main),
        position=types.Position(line=999, character=0),
    )
    assert await error_of(client.text_document_hover_async(hover)) == INTERNAL_ERROR
    # A notification that raises: logged, nothing else.
    open_text(client, uri(client, "boom.py"), "x = 1\n")
    # The next requests work.
    hover.position = types.Position(line=8, character=12)
    found = await client.text_document_hover_async(hover)
    assert found is not None
    assert is_helper(await helper_definition(client, main), client)
    broken = open_document(client, "broken.py", version=4)
    await wait_until(lambda: any(u == broken and v == 4 for u, v, _ in history(client)))
