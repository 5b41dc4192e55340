"""Push: live queries. ``db.subscribe(query, *args, callback=fn)`` keeps a call live.

The engine is pull-based and keeps dependency edges in one direction only (reader ->
read). Push adds the other direction, but only below subscribed calls:

- **Reverse edges, reference-counted.** A memo is *live* while a subscription is on it
  or a live memo reads it; ``refs[memo]`` counts exactly those (subscriptions plus live
  readers). A memo that becomes live records the dependency tuple it has now
  (``edges[memo]``) and adds one reverse edge ``dep -> memo`` per dependency, making its
  memo dependencies live in turn; one that drops to zero removes its edges and releases
  its dependencies. Both walks are iterative. ``live_edges()`` is the number of reverse
  edges held: 0 once every subscription is closed.
- **Dirty marking.** A write walks reverse edges up from the written cells only, marking
  live memos dirty; a memo already marked is not walked again, so marking is linear in
  the live subgraph above the write. A write whose cells have no reverse edge costs one
  dictionary miss per cell: nothing executes, nothing re-verifies, no event is emitted.
- **Pull to re-evaluate.** Dirty subscriptions are brought up to date by the normal pull
  (``fetch_memo``: deep verification, bottom-up re-execution, backdating), so a change
  cut off below never reaches the subscribed call, and a sub-query shared by two
  subscriptions executes once. A callback fires iff the root memo's ``changed_at``
  moved past the revision its subscriber last saw.
- **Glitch-freedom.** All dirty subscriptions of a round are pulled before any callback
  of that round runs, and a ``with db.batch():`` block defers the round to its end: a
  callback sees one consistent revision, after all writes of the batch. Writes made by
  callbacks start the next round; more than ``MAX_ROUNDS`` rounds raise
  ``SubscriptionLoopError``.
- **Clean memos verify in O(1).** A live memo that no write has marked since it was last
  verified is valid now: ``deep_verify`` asks ``is_clean`` before walking it.

After a round, each dirty memo that is still live compares its current dependency tuple
with the recorded one and adjusts its reverse edges (a subscribed query that switched
branches stops listening to the old branch and starts listening to the new one). Only a
dirty memo can have re-executed: a memo re-executes only when something below it changed,
and everything below a live memo is reached by marking.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from salsify.errors import SalsifyError
from salsify.memo import Cell, Memo

if TYPE_CHECKING:
    from salsify.database import Database
    from salsify.query import QueryIngredient

T = TypeVar("T")

MAX_ROUNDS = 100


class SubscriptionLoopError(SalsifyError):
    """Subscription callbacks kept writing inputs: more than ``MAX_ROUNDS`` rounds."""


class EventLoop(Protocol):
    """What ``subscribe(..., loop=)`` needs: ``asyncio.AbstractEventLoop`` fits."""

    def call_soon_threadsafe(self, callback: Callable[..., object], *args: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class LiveStats:
    """What push keeps: open subscriptions, live memos, reverse edges; work done so far."""

    subscriptions: int
    live_memos: int
    live_edges: int
    rounds: int
    notifications: int


class LiveQuery(Generic[T]):
    """A subscription on one call, returned by ``db.subscribe``.

    ``value`` is the value as of the last round (the value the callback last received,
    or the initial one); ``close()`` stops notifications and releases reverse edges.
    """

    __slots__ = ("_callback", "_closed", "_loop", "_memo", "_push", "_seen", "_value")

    def __init__(
        self,
        push: Push,
        memo: Memo,
        callback: Callable[[T], object],
        loop: EventLoop | None,
    ) -> None:
        self._push = push
        self._memo = memo
        self._callback = callback
        self._loop = loop
        self._value: T = memo.value
        self._seen = memo.changed_at  # the root's changed_at the subscriber has seen
        self._closed = False

    @property
    def value(self) -> T:
        return self._value

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop notifications; drop every reverse edge only this subscription needed."""
        self._push.close(self)

    def __enter__(self) -> LiveQuery[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "live"
        return f"<LiveQuery {self._memo.describe()} {state}>"


class _BatchDepth(threading.local):
    depth = 0


class Push:
    """The push state of one database: created by its first subscription."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.RLock()
        self.refs: dict[Memo, int] = {}  # live memo -> subscriptions + live readers
        self.edges: dict[Memo, tuple[Any, ...]] = {}  # live memo -> deps it registered
        self.readers: dict[Any, set[Memo]] = {}  # cell or memo -> live memos reading it
        self.edge_count = 0
        self.subs: dict[Memo, list[LiveQuery[Any]]] = {}  # subscribed memo -> subscriptions
        self.dirty: set[Memo] = set()  # marked by writes since the last round
        # Live memos a round could not bring to its revision (a body raised): never
        # trusted as clean, but marked again like any other by the next write.
        self.stale: set[Memo] = set()
        self.pending: dict[LiveQuery[Any], None] = {}  # dirty subscriptions, in order
        self.batch = _BatchDepth()
        self.flushing = False
        self.rounds = 0
        self.notifications = 0

    # -- verification shortcut (called by deep_verify) ---------------------------------

    def is_clean(self, memo: Memo) -> bool:
        """True when ``memo`` is live and no write reached it since it was verified."""
        return memo in self.refs and memo not in self.dirty and memo not in self.stale

    # -- subscribe and close --------------------------------------------------------------

    def subscribe(
        self,
        ingredient: QueryIngredient,
        key: Any,
        callback: Callable[[Any], object],
        loop: EventLoop | None,
    ) -> LiveQuery[Any]:
        from salsify.fetch import fetch_memo

        db = self.db
        db._check_not_in_query("subscribe")
        with self.lock:
            memo = fetch_memo(ingredient, db, key)
            sub: LiveQuery[Any] = LiveQuery(self, memo, callback, loop)
            self._acquire(memo)
            self.subs.setdefault(memo, []).append(sub)
            return sub

    def close(self, sub: LiveQuery[Any]) -> None:
        with self.lock:
            if sub._closed:
                return
            sub._closed = True
            self.pending.pop(sub, None)
            memo = sub._memo
            subs = self.subs[memo]
            subs.remove(sub)
            if not subs:
                del self.subs[memo]
            self._release(memo)
            if not self.subs:
                # Fixpoint cycles (memos reading each other) keep their counts above zero;
                # with no subscription left, nothing is live at all.
                self._clear()

    def _clear(self) -> None:
        self.refs.clear()
        self.edges.clear()
        self.readers.clear()
        self.dirty.clear()
        self.stale.clear()
        self.pending.clear()
        self.edge_count = 0

    # -- reverse edges ------------------------------------------------------------------

    def _acquire(self, memo: Memo) -> None:
        """One more reference to ``memo``; on its first, register its edges (iterative)."""
        refs = self.refs
        readers = self.readers
        stack = [memo]
        while stack:
            node = stack.pop()
            count = refs.get(node, 0)
            refs[node] = count + 1
            if count:
                continue
            deps = node.deps
            self.edges[node] = deps
            self.edge_count += len(deps)
            for dep in deps:
                bucket = readers.get(dep)
                if bucket is None:
                    readers[dep] = {node}
                else:
                    bucket.add(node)
                if dep.__class__ is not Cell:
                    stack.append(dep)

    def _release(self, memo: Memo) -> None:
        """One reference less; at zero, drop its edges and release its dependencies."""
        refs = self.refs
        readers = self.readers
        stack = [memo]
        while stack:
            node = stack.pop()
            count = refs[node] - 1
            if count:
                refs[node] = count
                continue
            del refs[node]
            self.dirty.discard(node)
            self.stale.discard(node)
            deps = self.edges.pop(node)
            self.edge_count -= len(deps)
            for dep in deps:
                bucket = readers[dep]
                bucket.discard(node)
                if not bucket:
                    del readers[dep]
                if dep.__class__ is not Cell:
                    stack.append(dep)

    def _refresh_edges(self, memo: Memo) -> None:
        """``memo`` re-executed: move its reverse edges to its new dependencies."""
        old = self.edges[memo]
        new = memo.deps
        if old == new:  # element identity: cells and memos compare by identity
            return
        old_set = set(old)
        new_set = set(new)
        readers = self.readers
        self.edges[memo] = new
        self.edge_count += len(new) - len(old)
        # Acquire before releasing, so a dependency that stays live is not dropped and
        # rebuilt on the way.
        for dep in new:
            if dep not in old_set:
                bucket = readers.get(dep)
                if bucket is None:
                    readers[dep] = {memo}
                else:
                    bucket.add(memo)
                if dep.__class__ is not Cell:
                    self._acquire(dep)
        for dep in old:
            if dep not in new_set:
                bucket = readers[dep]
                bucket.discard(memo)
                if not bucket:
                    del readers[dep]
                if dep.__class__ is not Cell:
                    self._release(dep)

    # -- writes ---------------------------------------------------------------------------

    def write(
        self, updates: Iterable[tuple[Cell, Any, int | None]], durability: int, written: int = 0
    ) -> int:
        """Apply a write (marking inside it); bring subscriptions up to date unless batching.

        Holding ``lock`` makes writers wait for a flush running on another thread, so the
        flush's pulls never meet a write half-applied.
        """
        with self.lock:
            revision = self.db._write(tuple(updates), durability, self, written)
            if self.pending and not self.flushing and not self.batch.depth:
                self.flush()
            return revision

    def mark(self, cells: Iterable[Cell]) -> None:
        """Mark the live memos the written cells reach (and their subscriptions) dirty."""
        readers = self.readers
        dirty = self.dirty
        subs = self.subs
        pending = self.pending
        stack: list[Any] = [cell for cell in cells if cell in readers]
        while stack:
            for reader in readers.get(stack.pop(), ()):
                if reader in dirty:
                    continue  # already walked: marking stays linear
                dirty.add(reader)
                stack.append(reader)
                subscribed = subs.get(reader)
                if subscribed is not None:
                    for sub in subscribed:
                        pending[sub] = None

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Hold ``lock`` for the whole body: a batch is one thread's transaction, and a
        writer on another thread waits for its end (so it cannot flush it half-done)."""
        local = self.batch
        with self.lock:
            local.depth += 1
            try:
                yield
            finally:
                local.depth -= 1
                if not local.depth and self.pending and not self.flushing:
                    self.flush()

    def flush(self) -> None:
        """Bring dirty subscriptions up to date and notify, round after round."""
        from salsify.fetch import fetch_memo

        db = self.db
        self.flushing = True
        first_error: BaseException | None = None
        try:
            rounds = 0
            while self.pending:
                rounds += 1
                if rounds > MAX_ROUNDS:
                    self.pending.clear()
                    raise SubscriptionLoopError(
                        f"subscription callbacks kept writing inputs: still dirty after "
                        f"{MAX_ROUNDS} rounds"
                    )
                self.rounds += 1
                batch = list(self.pending)
                self.pending.clear()
                # 1. Pull every dirty subscription in this revision, before any callback.
                changed: list[LiveQuery[Any]] = []
                for sub in batch:
                    if sub._closed:
                        continue
                    ingredient = sub._memo.ingredient
                    try:
                        memo = fetch_memo(ingredient, db, sub._memo.key)
                    except Exception as exc:
                        if first_error is None:
                            first_error = exc
                        continue
                    if memo is not sub._memo:  # defensive: memos are updated in place
                        self._rebase(sub, memo)
                    if memo.changed_at > sub._seen:
                        sub._seen = memo.changed_at
                        sub._value = memo.value
                        changed.append(sub)
                # 2. What a raising body left behind stays suspect (set before clearing
                # ``dirty``: another thread's verification may ask ``is_clean`` meanwhile).
                dirty = self.dirty
                revision = db._revision
                self.stale = {
                    memo
                    for memo in (dirty | self.stale)
                    if memo.verified_at != revision and memo in self.refs
                }
                self.dirty = set()
                # 3. Move reverse edges of the memos that may have re-executed.
                for memo in dirty:
                    if memo in self.edges:
                        self._refresh_edges(memo)
                # 4. Notify; writes made by callbacks mark the next round.
                for sub in changed:
                    if sub._closed:
                        continue
                    self.notifications += 1
                    try:
                        if sub._loop is None:
                            sub._callback(sub._value)
                        else:
                            sub._loop.call_soon_threadsafe(sub._callback, sub._value)
                    except Exception as exc:
                        if first_error is None:
                            first_error = exc
        finally:
            self.flushing = False
        if first_error is not None:
            raise first_error

    def _rebase(self, sub: LiveQuery[Any], memo: Memo) -> None:
        old = sub._memo
        subs = self.subs[old]
        subs.remove(sub)
        if not subs:
            del self.subs[old]
        self._acquire(memo)
        self.subs.setdefault(memo, []).append(sub)
        sub._memo = memo
        self._release(old)

    def stats(self) -> LiveStats:
        return LiveStats(
            subscriptions=sum(len(s) for s in self.subs.values()),
            live_memos=len(self.refs),
            live_edges=self.edge_count,
            rounds=self.rounds,
            notifications=self.notifications,
        )


def key_of_call(ingredient: QueryIngredient, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The memo key of ``query(db, *args, **kwargs)``, with the query's defaults applied."""
    if not kwargs and len(args) == ingredient.nparams:
        return ingredient.key_of(args)
    try:
        bound = inspect.signature(ingredient.fn).bind(None, *args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"subscribe({ingredient.name}, ...): {exc}") from None
    bound.apply_defaults()
    values = list(bound.arguments.values())[1:]
    return ingredient.key_of(tuple(values))


def push_of(db: Database) -> Push:
    push = db._push
    if push is None:
        with db._lock:
            push = db._push
            if push is None:
                push = db._push = Push(db)
    return push


def subscribe(
    db: Database,
    query: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    callback: Callable[[T], object],
    loop: EventLoop | None,
) -> LiveQuery[T]:
    from salsify.query import ingredient_of

    if not callable(callback):
        raise TypeError(f"subscribe(): callback must be callable, got {callback!r}")
    if loop is not None and not hasattr(loop, "call_soon_threadsafe"):
        raise TypeError(f"subscribe(): loop must have call_soon_threadsafe, got {loop!r}")
    ingredient = ingredient_of(query)
    key = key_of_call(ingredient, args, kwargs)
    return push_of(db).subscribe(ingredient, key, callback, loop)
