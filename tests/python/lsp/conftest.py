"""A real `salsify lsp` process driven over stdio by pytest-lsp, on a small project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import initialize_params
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


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    registrations: list[Any] = client.__dict__.setdefault("registrations", [])
    registrations.extend(params.registrations)


def make_client() -> LanguageClient:
    client = LanguageClient()
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[types.CLIENT_REGISTER_CAPABILITY] = _register
    register_lsp_features(client, features)
    return client


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The project on disk; `parametrize("project", [{name: bytes}], indirect=True)` adds
    files (bytes, written as they are)."""
    extra: dict[str, bytes] = getattr(request, "param", {})
    for name, text in {**PROJECT, **extra}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return tmp_path


SERVER = [sys.executable, "-m", "salsify.python.cli", "lsp"]
# The server with one feature patched to raise (an unexpected exception in a handler).
FAULTY = Path(__file__).with_name("faulty_server.py")


async def _session(client: LanguageClient, project: Path, **options: Any) -> Any:
    params = initialize_params(project, **options)
    client.__dict__["initialized"] = await client.initialize_session(params)
    client.__dict__["root"] = project
    yield
    await client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[*SERVER, "--no-watch"], client_factory=make_client),
)
async def client(lsp_client: LanguageClient, project: Path) -> Any:
    async for step in _session(lsp_client, project):
        yield step


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[*SERVER, "--no-watch"], client_factory=make_client),
)
async def fresh(lsp_client: LanguageClient, project: Path) -> Any:
    """A server that has not been sent `initialize` (the test does it)."""
    lsp_client.__dict__["root"] = project
    yield
    if lsp_client.capabilities is not None:
        await lsp_client.shutdown_session()
    else:  # `exit` before `initialize`: the server stops (with code 1)
        lsp_client.protocol.notify(types.EXIT, None)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
)
async def watching(lsp_client: LanguageClient, project: Path) -> Any:
    """A server that watches the disk itself (the client does not offer to)."""
    async for step in _session(lsp_client, project):
        yield step


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
)
async def registering(lsp_client: LanguageClient, project: Path) -> Any:
    """A client that offers to watch files: the server registers for the events."""
    async for step in _session(lsp_client, project, watched_files=True):
        yield step


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, str(FAULTY), "--no-watch"], client_factory=make_client
    ),
)
async def faulty(lsp_client: LanguageClient, project: Path) -> Any:
    async for step in _session(lsp_client, project):
        yield step
