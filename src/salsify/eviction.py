"""Eviction: dropping memo *values* while keeping their dependency records.

An evicted memo leaves its query's memo table (so the generated hot path never sees
it) for the evicted table; readers still hold it in their dependency tuples, so they
verify without re-executing. Its value is replaced by an ``EvictedValue`` holding a
stable fingerprint, so a recomputed equal value is still backdated.

Policy for ``@query(lru=N)``: evicted on insertion. When a value is stored and the
query holds more than N values, the least recently used ones go. Recency is updated on
every hit by the wrapper generated for LRU queries only; other queries pay nothing.
``lru=0`` means no bound, as in salsa.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from salsify.backdate import EvictedValue
from salsify.events import Evicted
from salsify.fingerprint import fingerprint
from salsify.memo import Memo

if TYPE_CHECKING:
    from salsify.database import Database, QueryState


def lru_inserted(db: Database, state: QueryState, memo: Memo) -> None:
    limit = memo.ingredient.lru
    if not limit:
        return
    lru = state.lru
    if lru is None:
        lru = state.lru = OrderedDict()
    key = memo.key
    lru[key] = None
    lru.move_to_end(key)
    while len(lru) > limit:
        oldest, _ = lru.popitem(last=False)
        victim = state.memos.get(oldest)
        if victim is not None:
            evict_memo(db, state, victim)


def lru_touch(db: Database, index: int, key: Any) -> None:
    """Mark a hit (called by the hot path of LRU queries only)."""
    lru = db._states[index].lru
    if lru is not None:
        # A key missing here was stored before the bound existed; it joins on insertion.
        with contextlib.suppress(KeyError):
            lru.move_to_end(key)


def evict_memo(db: Database, state: QueryState, memo: Memo) -> None:
    key = memo.key
    if state.memos.get(key) is not memo:
        return
    del state.memos[key]
    state.evicted[key] = memo
    ingredient = memo.ingredient
    value = memo.value
    print_ = None if ingredient.eq is not None else fingerprint(value)
    memo.value = EvictedValue(print_)
    state.evictions += 1
    if state.lru is not None:
        state.lru.pop(key, None)
    if db._listeners:
        db._emit(Evicted(ingredient.wrapper, ingredient.args_of(key)))


def evict(db: Database, query: Callable[..., Any] | None = None) -> int:
    """Drop the values of every memo of ``query`` (or of every query); returns how many."""
    from salsify.query import ingredient_of

    if query is None:
        states = list(db._states)
    else:
        ingredient = ingredient_of(query)
        from salsify.fetch import state_of

        states = [state_of(ingredient, db)]
    count = 0
    for state in states:
        for memo in list(state.memos.values()):
            evict_memo(db, state, memo)
            count += 1
    return count
