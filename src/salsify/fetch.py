"""The cold path of a query call: everything the generated hot path does not handle.

``fetch_cold`` is reached when there is no memo verified in the current revision (or
when the hot path is switched off while a write waits). It claims the call, verifies an
old memo (``verify.deep_verify``), and executes the body when that fails.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from salsify.errors import Cancelled, CycleError, MisuseError
from salsify.events import Blocked, CycleDetected
from salsify.sync import Claim, cycle_participants, would_deadlock

if TYPE_CHECKING:
    from salsify.database import Database, QueryState
    from salsify.memo import Memo
    from salsify.query import QueryIngredient


def fetch_cold(ingredient: QueryIngredient, db: Database, key: Any) -> Any:
    """Return the value of the call, recording it as a dependency of the running query."""
    memo = fetch_memo(ingredient, db, key)
    top = db._local.top
    if top is not None:
        top.deps.append(memo)
    return memo.value


def state_of(ingredient: QueryIngredient, db: Database) -> QueryState:
    try:
        states = db._states
    except AttributeError:
        from salsify.database import Database

        if isinstance(db, Database):
            raise MisuseError(
                f"{type(db).__name__}.__init__ did not call Database.__init__()"
            ) from None
        raise TypeError(
            f"query {ingredient.name}: the first argument must be a salsify.Database, "
            f"got {type(db).__name__}"
        ) from None
    if ingredient.index >= len(states):
        db._grow(ingredient.index)
    return states[ingredient.index]


def fetch_memo(ingredient: QueryIngredient, db: Database, key: Any) -> Memo:
    """A memo of the call holding a value valid in the current revision."""
    state = state_of(ingredient, db)
    try:
        memo = state.memos.get(key)
    except TypeError:
        raise _unhashable(ingredient, key) from None
    if db._local.top is None:
        # A top-level call: register it so that a write from another thread waits for it
        # (and a write already waiting is applied first).
        db._enter()
        try:
            return _fetch(ingredient, db, state, key, memo, False)
        finally:
            db._exit()
    if db._cancel_requested:
        raise Cancelled(f"cancelled before {ingredient.describe_call(key)}: a write is waiting")
    return _fetch(ingredient, db, state, key, memo, False)


def refresh_stale(db: Database, memo: Memo) -> None:
    """Re-execute a memo that verification found stale (unless another thread did)."""
    ingredient = memo.ingredient
    _fetch(ingredient, db, state_of(ingredient, db), memo.key, memo, True)


def _fetch(
    ingredient: QueryIngredient,
    db: Database,
    state: QueryState,
    key: Any,
    memo: Memo | None,
    known_stale: bool,
) -> Memo:
    from salsify.verify import deep_verify

    me = threading.get_ident()
    stale_at = db._revision if known_stale else -1
    while True:
        revision = db._revision
        if memo is not None and memo.verified_at == revision and state.memos.get(key) is memo:
            return memo
        with db._lock:
            claim = state.claims.get(key)
            if claim is None:
                claim = state.claims[key] = Claim(me)
            elif claim.owner == me:
                raise _cycle(ingredient, db, key)
            elif would_deadlock(db, claim, me):
                raise _cycle(ingredient, db, key, across_threads=True)
            else:
                if claim.done is None:
                    claim.done = threading.Event()
                db._waiting[me] = claim
        if claim.owner != me:
            _wait(db, ingredient, key, claim, me)
            memo = state.memos.get(key)
            if memo is None:
                memo = state.evicted.get(key)
            continue
        try:
            if memo is None:
                memo = state.evicted.get(key)
                if memo is None:
                    _check_owned_arguments(ingredient, db, key)
            if memo is not None and memo.verified_at != revision and stale_at != revision:
                if deep_verify(db, memo) and state.memos.get(key) is memo:
                    return memo
            elif memo is not None and memo.verified_at == revision and state.memos.get(key) is memo:
                return memo  # another thread refreshed it while we waited for the lock
            result: Memo = ingredient.execute(db, key, memo)
            return result
        finally:
            with db._lock:
                del state.claims[key]
                done = claim.done  # read under the lock: a waiter creates it under it
            if done is not None:
                done.set()


def _wait(db: Database, ingredient: QueryIngredient, key: Any, claim: Claim, me: int) -> None:
    done = claim.done
    assert done is not None  # created by _fetch before it let go of the lock
    if db._listeners:
        db._emit(Blocked(ingredient.wrapper, ingredient.args_of(key), claim.owner))
    try:
        while not done.wait(0.05):
            if db._cancel_requested and db._local.top is not None:
                raise Cancelled(f"cancelled while waiting for {ingredient.describe_call(key)}")
    finally:
        with db._lock:
            db._waiting.pop(me, None)
    if db._cancel_requested and db._local.top is not None:
        raise Cancelled(f"cancelled after waiting for {ingredient.describe_call(key)}")


def _cycle(
    ingredient: QueryIngredient, db: Database, key: Any, *, across_threads: bool = False
) -> CycleError:
    frames = cycle_participants(db._local.top, ingredient, key)
    participants = tuple((f.ingredient.name, f.ingredient.args_of(f.key)) for f in frames)
    if not participants or across_threads:
        participants = (*participants, (ingredient.name, ingredient.args_of(key)))
    if db._listeners:
        db._emit(CycleDetected(ingredient.wrapper, ingredient.args_of(key), participants))
    chain = " -> ".join(
        [f.ingredient.describe_call(f.key) for f in frames] + [ingredient.describe_call(key)]
    )
    where = " across threads" if across_threads else ""
    return CycleError(f"query cycle{where}: {chain}", participants)


def _unhashable(ingredient: QueryIngredient, key: Any) -> TypeError:
    args = ingredient.args_of(key) if ingredient.nparams != 1 else (key,)
    for name, value in zip(ingredient.param_names, args, strict=False):
        try:
            hash(value)
        except TypeError:
            return TypeError(
                f"query {ingredient.name}: argument {name!r} is unhashable "
                f"({type(value).__name__}); query arguments are memo keys and must be "
                "hashable (use a tuple, a frozenset, an input or an interned value)"
            )
    return TypeError(f"query {ingredient.name}: arguments {args!r} are unhashable")


# type -> does it carry ``__salsify_owned__`` (inputs, interned)? Cached because
# ``getattr(int, "__salsify_owned__", False)`` raises and formats an AttributeError
# internally, which made this check cost more than executing a small query.
_owned_types: dict[type, bool] = {}


def _is_owned_type(cls: type) -> bool:
    owned = _owned_types.get(cls)
    if owned is None:
        owned = _owned_types[cls] = bool(getattr(cls, "__salsify_owned__", False))
    return owned


def _check_owned_arguments(ingredient: QueryIngredient, db: Database, key: Any) -> None:
    """Inputs and interned values passed as arguments must belong to ``db``."""
    for name, value in zip(ingredient.param_names, ingredient.args_of(key), strict=True):
        for item in value if type(value) is tuple else (value,):
            owner = _is_owned_type(type(item)) and item._db
            if owner and owner is not db:
                raise MisuseError(
                    f"query {ingredient.name}: argument {name!r} is {item!r}, which belongs "
                    "to another database"
                )
