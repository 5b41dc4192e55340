"""The runner, in process, where the timing can be controlled: work overtaken by an edit is
retried or answered with ContentModified, and `$/cancelRequest` stops running work."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from salsify.python import queries
from salsify.python.lsp.context import RequestCancelled, Token
from salsify.python.lsp.runner import ContentModified, Runner
from salsify.python.workspace import Workspace

pytestmark = pytest.mark.asyncio(loop_scope="function")


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    (tmp_path / "a.py").write_text("import os\n")
    runner = Runner(Workspace([str(tmp_path)]), lambda: None)
    yield runner
    runner.shutdown()


async def edit_while_running(runner: Runner, *, unchanged: bool) -> tuple[object, list[int]]:
    """Run work that calls a query, waits while the test writes, and calls another."""
    workspace = runner.workspace
    path = workspace.roots[0] + "/a.py"
    started, proceed = threading.Event(), threading.Event()
    attempts: list[int] = []

    def work(token: Token) -> int:
        attempts.append(workspace.db.revision)
        queries.project_files(workspace.db)
        if len(attempts) == 1:
            started.set()
            assert proceed.wait(10)
        return len(queries.project_files(workspace.db))

    task = asyncio.ensure_future(runner.run(work, unchanged=lambda: unchanged))
    while not started.is_set():
        await asyncio.sleep(0.005)
    workspace.set_text(path, "import sys\n")  # the edit, on the loop's thread
    proceed.set()
    try:
        result: object = (await task)[0]
    except ContentModified as error:
        result = error
    return result, attempts


async def test_work_overtaken_by_an_edit_to_its_document_is_content_modified(
    runner: Runner,
) -> None:
    result, attempts = await edit_while_running(runner, unchanged=False)
    assert isinstance(result, ContentModified)
    assert len(attempts) == 1


async def test_work_overtaken_by_an_edit_elsewhere_is_retried_at_the_new_revision(
    runner: Runner,
) -> None:
    result, attempts = await edit_while_running(runner, unchanged=True)
    assert result == 1
    assert len(attempts) == 2 and attempts[1] > attempts[0]


async def test_cancelling_stops_running_work(runner: Runner) -> None:
    started, stopped = threading.Event(), threading.Event()

    def work(token: Token) -> None:
        started.set()
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:  # a project-wide loop: checks between files
                token.check()
                time.sleep(0.005)
        except RequestCancelled:
            stopped.set()
            raise

    task = asyncio.ensure_future(runner.run(work))
    while not started.is_set():
        await asyncio.sleep(0.005)
    task.cancel()  # what pygls does on `$/cancelRequest`
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(stopped.wait, 5)
    # The request worker is free again.
    assert (await asyncio.wait_for(runner.run(lambda token: 42), 5))[0] == 42
