"""A real `salsify lsp` process driven over stdio by pytest-lsp, on a small project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

PROJECT = {
    "app/__init__.py": "from app.util import helper as helper\n",
    "app/util.py": (
        '"""Utilities."""\n'
        "import os\n"
        "\n"
        "\n"
        "def helper(count: int, name: str = 'x') -> int:\n"
        '    """Add one to count.\n'
        "\n"
        '    More detail."""\n'
        "    return count + 1\n"
        "\n"
        "\n"
        "class Box:\n"
        "    size = 3\n"
        "\n"
        "    def open(self) -> str:\n"
        "        return os.sep\n"
    ),
    "main.py": (
        "import os\n"
        "from app import helper\n"
        "from app.util import Box\n"
        "from collections import OrderedDict\n"
        "\n"
        "\n"
        "def run() -> int:\n"
        "    box = Box()\n"
        "    return helper(box.size)\n"
        "\n"
        "\n"
        "print(os.path.join('a'), OrderedDict, run())\n"
    ),
    "broken.py": "from app.missing import thing\n\nprint(thing)\n",
}


def _publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    history: list[Any] = client.__dict__.setdefault("history", [])
    history.append((params.uri, params.version, params.diagnostics))


def make_client() -> LanguageClient:
    client = LanguageClient()
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    register_lsp_features(client, features)
    return client


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in PROJECT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "salsify.python.cli", "lsp", "--no-watch"],
        client_factory=make_client,
    ),
)
async def client(lsp_client: LanguageClient, project: Path) -> Any:
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                    version_support=True
                ),
                document_symbol=types.DocumentSymbolClientCapabilities(
                    hierarchical_document_symbol_support=True
                ),
            ),
        ),
        root_uri=project.as_uri(),
    )
    lsp_client.__dict__["initialized"] = await lsp_client.initialize_session(params)
    lsp_client.__dict__["root"] = project
    yield
    await lsp_client.shutdown_session()
