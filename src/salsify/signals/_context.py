"""Process-wide runtime state: the write lock, the per-thread observer, counters, the queue.

Rules: every graph mutation (writes, recomputation, effect runs, flushes, batches) happens
while holding ``LOCK``. The active observer lives in a thread-local (``ctx.observer``) so a
thread reading outside any computation never links into another thread's computation; an
observer is only ever set by the thread holding ``LOCK``, so the counters in ``state`` are
only touched by that thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._graph import Node

LOCK = threading.RLock()


class _Ctx(threading.local):
    # Class attribute default: every new thread starts with no observer.
    observer: Node | None = None


ctx = _Ctx()


class _State:
    __slots__ = ("batch_depth", "depth", "flush_gen", "flushing", "owner", "queue", "version")

    def __init__(self) -> None:
        self.version = 0  # run id, incremented at each tracked run (marks links read this run)
        self.depth = 0  # nesting of computed evaluations (bounded, see _graph.MAX_DEPTH)
        self.batch_depth = 0  # > 0: writes defer the flush
        self.flushing = False
        self.flush_gen = 0  # flush counter, for the effect self-loop limit
        self.owner: Node | None = None  # effect currently running (owner of nested effects)
        self.queue: list[Node] = []  # effects to run at the next flush, in notification order


state = _State()
