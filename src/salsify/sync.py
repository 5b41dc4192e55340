"""Claims: at most one thread executes (or verifies) a given call at a time.

A thread that needs a call claimed by another thread waits for the claim to be released
and then looks at the memo again. Before waiting it follows the wait-for chain
(thread -> claim it waits on -> owner thread -> ...); when the chain comes back to
itself, waiting would deadlock, so it raises ``CycleError`` instead.

Every claim table mutation happens under ``Database._lock``; waiting uses a per-claim
``threading.Event`` so the database lock is never held while blocked.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salsify.database import Database
    from salsify.memo import ActiveQuery


class Claim:
    """One thread's exclusive right to verify or execute one call.

    ``error`` is set when the owner's execution raised (other than ``Cancelled``):
    threads that waited for it raise the same error instead of starting over.
    """

    __slots__ = ("done", "error", "owner")

    def __init__(self, owner: int) -> None:
        self.owner = owner
        # Created by the first waiter, under the database lock: most claims are never
        # waited on, and an Event (a Condition and a Lock) costs microseconds to build.
        self.done: threading.Event | None = None
        self.error: BaseException | None = None


def would_deadlock(db: Database, claim: Claim, me: int) -> bool:
    """Does waiting on ``claim`` close a cycle of waiting threads? Call under ``db._lock``."""
    seen: set[int] = set()
    owner = claim.owner
    while owner not in seen:
        if owner == me:
            return True
        seen.add(owner)
        waited = db._waiting.get(owner)
        if waited is None:
            return False
        owner = waited.owner
    return False


def frames_of(top: ActiveQuery | None) -> list[ActiveQuery]:
    """The active frames of one thread, outermost first."""
    frames: list[ActiveQuery] = []
    while top is not None:
        frames.append(top)
        top = top.parent
    frames.reverse()
    return frames


def cycle_participants(top: ActiveQuery | None, ingredient: Any, key: Any) -> list[ActiveQuery]:
    """The frames from the re-entered call (the cycle head) to the innermost, in entry order."""
    frames = frames_of(top)
    for i, frame in enumerate(frames):
        if frame.ingredient is ingredient and frame.key == key:
            return frames[i:]
    return frames
