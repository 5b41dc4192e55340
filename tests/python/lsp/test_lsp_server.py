"""End-to-end: the real server process over stdio (pytest-lsp)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from lsp_helpers import codes, history, open_document, replace_all, uri, wait_until
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="function")


async def test_initialize_advertises_features(client: LanguageClient) -> None:
    capabilities = client.__dict__["initialized"].capabilities
    assert capabilities.definition_provider
    assert capabilities.references_provider
    assert capabilities.hover_provider
    assert capabilities.document_symbol_provider
    assert capabilities.workspace_symbol_provider
    assert capabilities.completion_provider is not None
    assert capabilities.diagnostic_provider is not None


async def test_diagnostics_arrive_with_the_document_version(client: LanguageClient) -> None:
    document = open_document(client, "broken.py", version=7)
    await wait_until(lambda: any(u == document and v == 7 for u, v, _ in history(client)))
    published = [d for u, v, d in history(client) if u == document and v == 7][-1]
    assert codes(published) == ["I001"]
    # Files that are not open are published too (without a version).
    util = uri(client, "app/util.py")
    await wait_until(lambda: util in client.diagnostics)
    assert next(u for u, v, _ in history(client) if u == util)
    assert all(v is None for u, v, _ in history(client) if u == util)


async def test_an_edit_that_fixes_an_import_clears_another_files_diagnostics(
    client: LanguageClient,
) -> None:
    broken = uri(client, "broken.py")
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    # Create app/missing.py in the editor (an overlay: nothing on disk).
    missing = uri(client, "app/missing.py")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=missing, language_id="python", version=1, text="thing = 1\n"
            )
        )
    )
    await wait_until(lambda: list(client.diagnostics.get(broken, [None])) == [])
    # Break it again with an edit: the diagnostic comes back.
    replace_all(client, missing, 2, "other = 1\n")
    await wait_until(lambda: codes(client.diagnostics.get(broken, [])) == ["I001"])
    assert "'thing' from 'app.missing'" in client.diagnostics[broken][0].message


async def test_definition_across_modules_and_into_the_stdlib(client: LanguageClient) -> None:
    main = open_document(client, "main.py")
    # `helper` in `return helper(box.size)`: through app/__init__'s re-export to app/util.py.
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=8, character=12),
        )
    )
    assert isinstance(found, list) and len(found) == 1
    assert found[0].uri == uri(client, "app/util.py")
    assert found[0].range.start == types.Position(line=4, character=4)
    # `OrderedDict` in the last line: into collections/__init__.py.
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=11, character=26),
        )
    )
    assert isinstance(found, list) and found[0].uri.endswith("collections/__init__.py")
    # `join` in `os.path.join`: an attribute chain through os into posixpath.
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=11, character=15),
        )
    )
    assert isinstance(found, list) and found[0].uri.endswith("posixpath.py")


async def test_references_across_files(client: LanguageClient) -> None:
    main = open_document(client, "main.py")
    found = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=8, character=12),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert found is not None
    places = sorted((Path(loc.uri).name, loc.range.start.line) for loc in found)
    assert places == [
        ("__init__.py", 0),
        ("main.py", 1),
        ("main.py", 8),
        ("util.py", 4),
    ]


async def test_hover_shows_kind_signature_and_docstring(client: LanguageClient) -> None:
    main = open_document(client, "main.py")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=8, character=12),
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "(function) def helper(count: int, name: str='x') -> int" in text
    assert "Add one to count." in text
    assert "More detail" not in text


async def test_document_and_workspace_symbols(client: LanguageClient) -> None:
    util = open_document(client, "app/util.py")
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=util))
    )
    assert found is not None
    tree = {s.name: [c.name for c in (s.children or [])] for s in found}  # type: ignore[union-attr]
    assert tree == {"helper": [], "Box": ["size", "open"]}
    symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="OPE"))
    assert symbols is not None
    assert [(s.name, s.container_name) for s in symbols] == [("open", "Box")]


async def test_completion(client: LanguageClient) -> None:
    main = open_document(client, "main.py")
    text = (client.__dict__["root"] / "main.py").read_text() + "os.\n"
    replace_all(client, main, 2, text)
    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=12, character=3),
        )
    )
    assert isinstance(found, types.CompletionList)
    labels = {item.label for item in found.items}
    assert {"path", "sep", "walk"} <= labels
    # Names in scope, keywords and builtins inside a function.
    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=8, character=4),
        )
    )
    assert isinstance(found, types.CompletionList)
    labels = {item.label for item in found.items}
    assert {"box", "helper", "run", "return", "len", "OrderedDict"} <= labels
    # `from m import` names.
    replace_all(client, main, 3, "from app.util import \n")
    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=0, character=21),
        )
    )
    assert isinstance(found, types.CompletionList)
    assert {"Box", "helper", "os"} <= {item.label for item in found.items}


async def test_a_burst_of_edits_ends_with_diagnostics_for_the_last_version(
    client: LanguageClient,
) -> None:
    document = open_document(client, "broken.py")
    for version in range(2, 22):
        # Alternate between an undefined name and a clean file.
        text = f"value_{version} = 1\nprint(value_{version})\n"
        if version % 2:
            text += f"print(undefined_{version})\n"
        replace_all(client, document, version, text)
    await wait_until(lambda: any(u == document and v == 21 for u, v, _ in history(client)))
    await asyncio.sleep(0.5)  # anything published late would show up here
    mine = [(v, d) for u, v, d in history(client) if u == document]
    assert mine[-1][0] == 21
    assert [m.message for m in mine[-1][1]] == ["undefined name 'undefined_21'"]
    versioned = [(v, d) for v, d in mine if v is not None]
    versions = [v for v, _ in versioned]
    assert versions == sorted(versions)  # never an older version after a newer one
    for version, diagnostics in versioned:  # each publication matches its version's text
        expected = [f"undefined name 'undefined_{version}'"] if version % 2 else []
        if version == 1:
            expected = ["unresolved import 'app.missing'"]
        assert [m.message for m in diagnostics] == expected


async def test_pull_diagnostics(client: LanguageClient) -> None:
    document = open_document(client, "broken.py")
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=document))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert codes(report.items) == ["I001"]


async def test_malformed_and_unknown_requests_get_errors(client: LanguageClient) -> None:
    # Params of the wrong shape: an error response, and the server carries on.
    protocol = client.protocol
    body = {
        "jsonrpc": "2.0",
        "id": 9999,
        "method": "textDocument/definition",
        "params": {"textDocument": 42},
    }
    future = asyncio.get_running_loop().create_future()
    protocol._request_futures[9999] = future  # type: ignore[attr-defined]
    protocol._send_data(body)  # type: ignore[attr-defined]
    with pytest.raises(Exception) as error:
        await asyncio.wait_for(future, 10)
    assert "Invalid" in str(error.value) or "-32602" in str(error.value)
    # A URI the server cannot know about: an error, not a crash.
    with pytest.raises(Exception, match="unknown document"):
        await client.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=uri(client, "nope.py")),
                position=types.Position(line=0, character=0),
            )
        )
    # The next request succeeds.
    main = open_document(client, "main.py")
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=main),
            position=types.Position(line=8, character=12),
        )
    )
    assert isinstance(found, list) and len(found) == 1
    assert json.dumps(found[0].uri)
