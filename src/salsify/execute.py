"""Executing a query body: the frame around it, and what is stored when it returns.

``begin`` pushes a frame that collects what the body reads; ``finish`` folds those reads
into the memo (ordered, de-duplicated dependencies, the lowest durability, the newest
``changed_at``) and applies backdating; ``abort`` unwinds after an exception, keeping
the old memo untouched (errors are never memoized).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from salsify.accumulator import fold_pushes
from salsify.backdate import values_equal
from salsify.cycles import forget_unit, head_finished, participant_finished, reset_participants
from salsify.durability import Durability
from salsify.events import Backdated, Executed
from salsify.eviction import lru_inserted
from salsify.memo import ActiveQuery, Memo

if TYPE_CHECKING:
    from salsify.database import Database
    from salsify.query import QueryIngredient

_HIGH = int(Durability.HIGH)
# Python frames used per query level (wrapper, cold path, executor, body, and slack).
_FRAMES_PER_LEVEL = 8
_depth_guard = (sys.getrecursionlimit() - 200) // _FRAMES_PER_LEVEL


def _ensure_recursion_room(depth: int) -> None:
    """Raise the interpreter's recursion limit for deep query chains.

    Query recursion runs through plain Python functions only, which the interpreter
    inlines without using the C stack, so a higher Python-level limit is safe.
    """
    global _depth_guard
    needed = depth * _FRAMES_PER_LEVEL * 2 + 1000
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
    _depth_guard = (sys.getrecursionlimit() - 200) // _FRAMES_PER_LEVEL


def begin(ingredient: QueryIngredient, db: Database, key: Any) -> ActiveQuery:
    local = db._local
    parent = local.top
    depth = 1 if parent is None else parent.depth + 1
    if depth > _depth_guard:
        _ensure_recursion_room(depth)
    frame = ActiveQuery(ingredient, key, parent, depth)
    db._in_query.append(None)
    local.top = frame
    db._states[ingredient.index].executions += 1
    return frame


def announce(db: Database, frame: ActiveQuery) -> None:
    """Emit ``Executed`` (inside the executor's try: a raising listener unwinds cleanly)."""
    ingredient = frame.ingredient
    db._emit(Executed(ingredient.wrapper, ingredient.args_of(frame.key)))


def abort(db: Database, frame: ActiveQuery) -> None:
    """The body raised: pop the frame; nothing is memoized, the old memo stays."""
    parent = frame.parent
    db._local.top = parent
    db._in_query.pop()
    if frame.cycle is not None:
        reset_participants(db, frame.cycle)
    if parent is not None:
        # A parent that catches the exception still depends on what led to it.
        parent.deps.extend(frame.deps)


def finish(db: Database, frame: ActiveQuery, value: Any, old: Memo | None) -> Memo:
    db._local.top = frame.parent
    db._in_query.pop()
    reads = frame.deps
    deps = tuple(dict.fromkeys(reads)) if len(reads) > 1 else tuple(reads)
    changed_at = 0
    durability = _HIGH
    inputs = 0
    for dep in deps:
        if dep.changed_at > changed_at:
            changed_at = dep.changed_at
        if dep.durability < durability:
            durability = dep.durability
        inputs |= dep.inputs
    pushed = None if frame.pushed is None else fold_pushes(reads, frame.pushed)
    ingredient = frame.ingredient
    key = frame.key
    revision = db._revision
    state = db._states[ingredient.index]
    if old is None and frame.cycle is not None:
        old = frame.cycle.head_memo
    if old is None:
        memo = Memo(ingredient, key, value, revision, changed_at, durability, deps, pushed, inputs)
        state.memos[key] = memo
    else:
        memo = old
        backdated = (
            durability >= old.durability
            and values_equal(ingredient, old, value)
            and old.accumulated == pushed
        )
        if backdated:
            changed_at = old.changed_at
            state.backdates += 1
        else:
            changed_at = revision
        old.value = value
        old.deps = deps
        old.inputs = inputs
        old.durability = durability
        old.changed_at = changed_at
        old.accumulated = pushed
        old.verified_at = revision  # last: the hot path trusts ``value`` once this matches
        if state.memos.get(key) is not old:
            state.evicted.pop(key, None)
            state.memos[key] = old
        if db._cycle_units:
            db._cycle_units.pop(old, None)
            if old in db._cycle_members:
                forget_unit(db, old)
        if backdated and db._listeners:
            db._emit(Backdated(ingredient.wrapper, ingredient.args_of(key)))
    if frame.head is not None:
        if frame.cycle is not None:
            head_finished(db, frame, memo)
        else:
            participant_finished(frame, memo)
    if ingredient.lru is not None:
        lru_inserted(db, state, memo)
    return memo
