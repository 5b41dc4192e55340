"""The cold path of a query call: everything the generated hot path does not handle.

``fetch_cold`` is reached when there is no memo verified in the current revision (or
when the hot path is switched off while a write waits). It claims the call, verifies an
old memo (``verify.deep_verify``), and executes the body when that fails.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from salsify.backdate import EvictedValue
from salsify.errors import Cancelled, CycleError, MisuseError
from salsify.events import Blocked, CycleDetected
from salsify.sync import Claim, cycle_participants, would_deadlock

if TYPE_CHECKING:
    from salsify.database import Database, QueryState
    from salsify.memo import Memo
    from salsify.query import QueryIngredient


class Provisional:
    """The answer to a re-entrant call of a fixpoint head: its provisional value."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def fetch_cold(ingredient: QueryIngredient, db: Database, key: Any) -> Any:
    """Return the value of the call, recording it as a dependency of the running query."""
    memo: Any = fetch_memo(ingredient, db, key)
    if memo.__class__ is Provisional:
        return memo.value  # the head's memo is already recorded as the dependency
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
        if (
            memo is not None
            and db._last_changed[memo.durability] <= memo.verified_at
            and not db._write_pending
            and not db._cancelled_threads
        ):
            # The durability shortcut needs no registration: nothing of the memo's level
            # changed since it was verified (a write racing with this check can only make
            # ``verified_at`` below lag behind, which is safe). It writes no shared cache.
            revision = db._revision
            if memo.verified_at == revision:
                state.hits += 1  # the hot path is off (count_hits or a cancellation)
            else:
                mark_validated(db, memo, revision, deep=False)
            return memo
        # A top-level call: register it so that a write from another thread waits for it
        # (and a write already waiting is applied first).
        if db._cancelled_threads:
            db._raise_if_cancelled_thread()
        db._enter()
        try:
            return _fetch(ingredient, db, state, key, memo, False)
        finally:
            db._exit()
    if db._hot_rev < 0:
        db._raise_if_cancelled()
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
    """Verify ``memo`` (no claim needed: threads verifying at once agree) and, when it
    cannot be reused, claim the call and execute it (or wait for its owner)."""
    memos = state.memos
    revision = db._revision
    stale_at = revision if known_stale else -1
    if memo is None:
        memo = state.evicted.get(key)
    while True:
        if memo is not None and stale_at != revision and memo.verified_at != revision:
            head = db._cycle_units.get(memo) if db._cycle_units else None
            if head is not None:
                # A member of a fixpoint cycle is verified with its whole unit.
                verify_unit(db, head)
                memo = memos.get(key) or state.evicted.get(key)
                continue
            if not deep_verify(db, memo):
                stale_at = revision
        if memo is not None and memo.verified_at == revision and memos.get(key) is memo:
            state.hits += 1
            return memo
        # It must execute (it is new, stale or evicted): claim it, under the lock (the
        # claim tables must not rest on the GIL; free-threaded builds have none).
        me = threading.get_ident()
        claim = Claim(me)
        with db._lock:
            owner = state.claims.setdefault(key, claim)
        if owner is not claim:
            if owner.owner == me:
                return _reentered(ingredient, db, key)  # type: ignore[return-value]
            _wait_for_owner(db, ingredient, state, key, owner, me)
            memo = memos.get(key) or state.evicted.get(key)
            continue
        try:
            if memo is None:
                _check_owned_arguments(ingredient, db, key)
            elif memo.verified_at == revision and memos.get(key) is memo:
                return memo  # another thread executed it between our check and claim
            elif memo.value.__class__ is EvictedValue:
                db._why.setdefault(memo, (_EVICTED, revision))
            result: Memo = ingredient.execute(db, key, memo)
            return result
        except Cancelled:
            raise  # a waiter takes over and computes it
        except BaseException as error:
            claim.error = error
            raise
        finally:
            with db._lock:
                del state.claims[key]
                done = claim.done  # a waiter creates it under the lock
            if done is not None:
                done.set()


def _wait_for_owner(
    db: Database, ingredient: QueryIngredient, state: QueryState, key: Any, claim: Claim, me: int
) -> None:
    """Wait until another thread's claim on the call is released (or raise its error)."""
    with db._lock:
        if state.claims.get(key) is not claim:
            return  # released meanwhile: look at the memo again
        if would_deadlock(db, claim, me):
            raise _cycle(ingredient, db, key, across_threads=True)
        if claim.done is None:
            claim.done = threading.Event()
        db._waiting[me] = claim
    _wait(db, ingredient, state, key, claim, me)
    if claim.error is not None:
        # The owner failed: errors are not memoized, but a waiter shares the owner's
        # attempt, as if it had made the call itself.
        raise claim.error


_EVICTED = "its value had been evicted"


def _reentered(ingredient: QueryIngredient, db: Database, key: Any) -> Provisional:
    """This thread re-entered a call it is running: a fixpoint step or a CycleError."""
    from salsify.cycles import enter_cycle

    frames = cycle_participants(db._local.top, ingredient, key)
    head = frames[0] if frames else None
    if (
        head is not None
        and head.ingredient is ingredient
        and head.key == key
        and ingredient.cycle_initial is not None
    ):
        return Provisional(enter_cycle(db, ingredient, key, frames))
    raise _cycle(ingredient, db, key)


def _wait(
    db: Database, ingredient: QueryIngredient, state: QueryState, key: Any, claim: Claim, me: int
) -> None:
    done = claim.done
    assert done is not None  # created by _wait_for_owner under the lock
    if db._listeners:
        db._emit(Blocked(ingredient.wrapper, ingredient.args_of(key), claim.owner))
    try:
        # Wake up now and then: a write may want this thread to unwind meanwhile.
        while not done.wait(0.02):
            if db._hot_rev < 0 and db._local.top is not None:
                db._raise_if_cancelled()
    finally:
        with db._lock:
            db._waiting.pop(me, None)
    if db._hot_rev < 0 and db._local.top is not None:
        db._raise_if_cancelled()


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
    """Inputs and interned values passed as arguments (or inside tuples and frozensets
    of arguments) must belong to ``db``: reads of another database's inputs would not
    be tracked here."""
    for name, value in zip(ingredient.param_names, ingredient.args_of(key), strict=True):
        pending = [value]
        while pending:
            item = pending.pop()
            kind = type(item)
            if kind is tuple or kind is frozenset:
                pending.extend(item)
            elif _is_owned_type(kind) and item._db is not db:
                raise MisuseError(
                    f"query {ingredient.name}: argument {name!r} holds {item!r}, which "
                    "belongs to another database"
                )


# Bound at the end: these modules import this one (the cycle is resolved by the time
# any function here runs).
from salsify.cycles import verify_unit  # noqa: E402
from salsify.verify import deep_verify, mark_validated  # noqa: E402
