"""salsify: query-based incremental computation for Python.

Inputs are the only mutable state; queries are pure, memoized functions of the database
and their arguments; each write starts a new revision, and a call in a later revision
re-executes only what a changed input actually reaches.
"""

from salsify.accumulator import Accumulator, accumulated
from salsify.collector import tuned_gc
from salsify.database import Database
from salsify.durability import Durability
from salsify.errors import Cancelled, CycleError, MisuseError, SalsifyError
from salsify.events import (
    Backdated,
    Blocked,
    CancellationRequested,
    CycleDetected,
    Event,
    Evicted,
    Executed,
    Validated,
)
from salsify.inputs import field, input
from salsify.interned import interned
from salsify.push import LiveQuery, LiveStats, SubscriptionLoopError
from salsify.query import query

__all__ = [
    "Accumulator",
    "Backdated",
    "Blocked",
    "CancellationRequested",
    "Cancelled",
    "CycleDetected",
    "CycleError",
    "Database",
    "Durability",
    "Event",
    "Evicted",
    "Executed",
    "LiveQuery",
    "LiveStats",
    "MisuseError",
    "SalsifyError",
    "SubscriptionLoopError",
    "Validated",
    "accumulated",
    "aio",
    "field",
    "input",
    "interned",
    "query",
    "tuned_gc",
]


def __getattr__(name: str) -> object:
    # `salsify.aio` is loaded on first use: it imports asyncio, which a program that
    # never awaits a query should not pay for at `import salsify`.
    if name == "aio":
        import importlib

        return importlib.import_module("salsify.aio")
    raise AttributeError(f"module 'salsify' has no attribute {name!r}")
