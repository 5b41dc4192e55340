"""asyncio integration: run query calls in worker threads, cancellable from the loop.

``await salsify.aio.call(db, query, *args)`` runs the call in a worker thread so the
event loop stays responsive. Cancelling the awaiting task cancels the call: it raises
``salsify.Cancelled`` at its next query call (or ``db.unwind_if_cancelled()``) and the
task then sees ``asyncio.CancelledError``. A write made while the call runs (from the
loop thread or any other) cancels it too; the awaiter then gets ``salsify.Cancelled``
and typically retries against the new revision.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from salsify.database import Database
from salsify.errors import Cancelled

R = TypeVar("R")

_default_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _default_executor
    with _executor_lock:
        if _default_executor is None:
            _default_executor = ThreadPoolExecutor(thread_name_prefix="salsify-aio")
        return _default_executor


class _Call:
    """The worker-thread side of one call: knows its thread so it can be cancelled."""

    __slots__ = ("cancelled", "db", "lock", "thread")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.thread: int | None = None
        self.cancelled = False
        self.lock = threading.Lock()

    def run(self, query: Callable[..., R], args: tuple[Any, ...]) -> R:
        with self.lock:
            if self.cancelled:
                raise Cancelled("cancelled before it started")
            self.thread = threading.get_ident()
        try:
            return query(self.db, *args)
        finally:
            with self.lock:
                if self.cancelled:
                    self.db._uncancel_thread(self.thread)
                self.thread = None

    def cancel(self) -> None:
        with self.lock:
            self.cancelled = True
            if self.thread is not None:
                self.db._cancel_thread(self.thread)


async def call(
    db: Database, query: Callable[..., R], *args: Any, executor: Executor | None = None
) -> R:
    """Run ``query(db, *args)`` in a worker thread and await its value."""
    loop = asyncio.get_running_loop()
    job = _Call(db)
    future = loop.run_in_executor(executor or _executor(), job.run, query, args)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        job.cancel()
        # Let the worker unwind before the task finishes: no work outlives its task.
        with contextlib.suppress(BaseException):
            await future
        raise
