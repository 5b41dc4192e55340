"""Bit flags stored in every node's ``flags`` int (one int, tested with ``&``)."""

from __future__ import annotations

COMPUTED = 1  # node kind: a cached derivation
EFFECT = 2  # node kind: a side effect scheduled by the flush
DIRTY = 4  # a direct source changed: must re-run
PENDING = 8  # some transitive source may have changed: check sources before re-running
RUNNING = 16  # fn is executing right now (tracking reads)
QUEUED = 32  # effect sits in the flush queue
ERRORED = 64  # computed: its last run raised; ``error`` holds the exception
DISPOSED = 128  # effect: disposed, never runs again

NOTIFIED = DIRTY | PENDING
# Reads of a computed carrying any of these take the slow path.
SLOW_READ = DIRTY | PENDING | RUNNING | ERRORED
