"""A cyclic-GC policy for large memo graphs (opt-in; the engine never changes it itself).

Memos, cells and interned values are long-lived and acyclic among themselves, so every
full collection walks them for nothing, and with hundreds of thousands of them CPython's
collector can take more time than the queries (measured on the checker's cold pass over
the standard library: 55 % of it). ``tuned_gc()`` makes young collections rarer while a
large build runs, then ``gc.freeze()``s what survived, so later full collections skip the
graph. Frozen objects are still freed by reference counting; only garbage *cycles* among
them would wait, and the engine creates none.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# gen0 threshold while building: 700 (the default) means a young collection every 700
# allocations of container objects, which a parse of one file exceeds many times over.
BUILD_THRESHOLD = (100_000, 50, 100)


@contextmanager
def tuned_gc(*, freeze: bool = True) -> Iterator[None]:
    """Collect less often inside the block; freeze the survivors on exit."""
    previous = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        if freeze:
            gc.freeze()
