"""The database: revisions, durability bookkeeping, memo tables, writes and events."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from salsify.durability import LEVELS, Durability
from salsify.errors import Cancelled, MisuseError
from salsify.events import CancellationRequested, Event, EventCallback, Subscription, Validated
from salsify.memo import ALL_INPUTS, ActiveQuery, Cell, Memo

# Revisions remembered for the input-summary shortcut; a memo verified longer ago than
# that is walked.
_WRITTEN_LOG_LENGTH = 4096

if TYPE_CHECKING:
    from salsify.introspect import Graph, QueryStats, Why
    from salsify.push import EventLoop, LiveQuery, LiveStats, Push
    from salsify.query import QueryIngredient
    from salsify.sync import Claim

T = TypeVar("T")


class _ThreadState(threading.local):
    """Per-thread engine state: the innermost running query frame of this thread."""

    top: ActiveQuery | None = None


class QueryState:
    """What one database keeps for one query: memos, evicted memos, claims, counters."""

    __slots__ = (
        "backdates",
        "claims",
        "evicted",
        "evictions",
        "executions",
        "hits",
        "ingredient",
        "lru",
        "memos",
        "validations_deep",
        "validations_shallow",
    )

    def __init__(self, ingredient: QueryIngredient, memos: dict[Any, Memo]) -> None:
        self.ingredient = ingredient
        self.memos = memos
        # Memos whose value was dropped: out of ``memos`` so the hot path never sees them,
        # but still referenced by their readers' dependency tuples.
        self.evicted: dict[Any, Memo] = {}
        self.claims: dict[Any, Claim] = {}
        self.lru: OrderedDict[Any, None] | None = None  # recency, for ``lru=`` queries
        self.hits = 0
        self.executions = 0
        self.validations_shallow = 0
        self.validations_deep = 0
        self.backdates = 0
        self.evictions = 0


class Database:
    """Holds inputs and the memo tables of queries.

    Subclass it to carry query methods; a subclass that defines ``__init__`` must call
    ``super().__init__()``.
    """

    def __init__(self) -> None:
        # Revision 0 means "never"; the first real revision is 1.
        self._revision = 1
        # The revision the generated hot path compares against. It equals ``_revision``
        # except while a write waits for cancelled queries (then -1, so every call takes
        # the cold path, which checks for cancellation).
        self._hot_rev = 1
        # _last_changed[d]: last revision in which an input of durability >= d changed.
        self._last_changed = [1] * LEVELS
        self._memos: list[dict[Any, Memo]] = []
        self._states: list[QueryState] = []
        self._local = _ThreadState()
        # One entry per query frame running on any thread (append/pop are atomic, so no
        # lock); lets the hot path skip the thread-local lookup outside any query.
        self._in_query: list[None] = []
        self._listeners: list[EventCallback] = []
        # The listeners that want ``Validated`` events, the most numerous kind.
        self._validated_listeners: list[EventCallback] = []
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._active: list[int] = []  # threads in a top-level cold call (see _enter)
        self._write_pending = 0
        self._cancel_requested = False
        self._waiting: dict[int, Claim] = {}  # thread -> claim it waits on
        self._cancelled_threads: set[int] = set()  # calls cancelled one by one (asyncio)
        self._inputs_by_key: dict[type, dict[tuple[Any, ...], Any]] = {}
        self._input_key_cells: dict[type, Cell] = {}
        self._interned: dict[tuple[Any, ...], Any] = {}
        # Fixpoint cycle units: member memo -> head memo, head memo -> members.
        self._cycle_units: dict[Memo, Memo] = {}
        self._cycle_members: dict[Memo, tuple[Memo, ...]] = {}
        self._entered_cycle = False  # set for good by the first fixpoint iteration
        # Why a memo last re-executed: memo -> (dependency that changed, revision).
        self._why: dict[Memo, tuple[Any, int]] = {}
        self._count_hits = False
        # (revision, union of the input bits written in it), for the input-summary
        # shortcut of verification; and its per-revision cache.
        self._written_log: list[tuple[int, int]] = [(1, 0)]
        self._written_since: dict[int, int] = {}
        # Memos whose verification met an error below them in ``_rerun_revision``:
        # they re-execute (once) so the error travels through their bodies.
        self._rerun_revision = 0
        self._rerun: set[Memo] = set()
        # Live queries (push.py): created by the first ``subscribe``.
        self._push: Push | None = None

    # -- memo tables -------------------------------------------------------------------

    def _grow(self, index: int) -> None:
        from salsify.query import all_ingredients

        with self._lock:
            ingredients = all_ingredients()
            while len(self._states) <= index:
                memos: dict[Any, Memo] = {}
                self._states.append(QueryState(ingredients[len(self._states)], memos))
                self._memos.append(memos)

    # -- revisions -----------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """The current revision; every input write increments it."""
        return self._revision

    def synthetic_write(self, durability: Durability = Durability.LOW) -> None:
        """Start a new revision as if an input of ``durability`` had changed.

        Which input is unknown, so no input summary vouches for any memo: every memo of
        at most that durability is verified by walking its dependencies.
        """
        self._apply_write((), Durability(durability), ALL_INPUTS)

    def _apply_write(
        self,
        updates: Iterable[tuple[Cell, Any, int | None]],
        durability: int,
        written: int = 0,
    ) -> int:
        """Apply ``(cell, value, new durability or None)`` updates in one new revision.

        ``durability`` is the lowest level the revision counts at; each update also
        counts at the higher of its cell's old and new durability.
        """
        self._check_not_in_query("write an input")
        push = self._push
        if push is not None:
            return push.write(updates, durability, written)  # marks, then notifies
        return self._write(updates, durability, None, written)

    def _write(
        self,
        updates: Iterable[tuple[Cell, Any, int | None]],
        durability: int,
        push: Push | None,
        written: int = 0,
    ) -> int:
        with self._cond:
            self._write_pending += 1
            try:
                self._wait_for_running_queries()
                revision = self._revision + 1
                level = durability
                for cell, value, new_durability in updates:
                    old = cell.durability
                    if new_durability is not None:
                        cell.durability = new_durability
                    level = max(level, old, cell.durability)
                    cell.value = value
                    cell.changed_at = revision
                    written |= cell.inputs
                last_changed = self._last_changed
                for d in range(level + 1):
                    last_changed[d] = revision
                log = self._written_log
                log.append((revision, written))
                if len(log) > _WRITTEN_LOG_LENGTH:
                    del log[: len(log) - _WRITTEN_LOG_LENGTH]
                self._written_since = {}
                self._revision = revision
                if push is not None:
                    # Before any query can see the revision: marking is what tells live
                    # memos apart from clean ones.
                    push.mark(cell for cell, _, _ in updates)
            finally:
                self._write_pending -= 1
                if not self._write_pending:
                    self._cancel_requested = False
                    self._reset_hot_rev()
                self._cond.notify_all()
        return revision

    def _inputs_written_since(self, revision: int) -> int:
        """Union of the input bits of every cell written after ``revision``.

        Memoized per revision (most memos of a verification pass were verified in the
        same earlier revision); beyond the log's reach, every bit.
        """
        found = self._written_since.get(revision)
        if found is not None:
            return found
        log = self._written_log
        mask = 0
        if not log or log[0][0] > revision + 1:
            mask = ALL_INPUTS
        else:
            for written_at, written in reversed(log):
                if written_at <= revision:
                    break
                mask |= written
        self._written_since[revision] = mask
        return mask

    def _reset_hot_rev(self) -> None:
        # -1 sends every call through the cold path: there hits are counted, and
        # cancellation is noticed at the next query call even when it would be a hit.
        slow = self._count_hits or self._cancel_requested or self._cancelled_threads
        self._hot_rev = -1 if slow else self._revision

    def _check_not_in_query(self, what: str) -> None:
        top = self._local.top
        if top is not None:
            raise MisuseError(
                f"cannot {what} while the query {top.ingredient.describe_call(top.key)} "
                "is executing on this thread: queries must be pure; write inputs "
                "outside of queries"
            )

    def _wait_for_running_queries(self) -> None:
        """Cancel queries running on other threads and wait until they unwound.

        Called under ``_cond`` after ``_write_pending`` was raised, so a call entering
        from now on sees the pending write and steps back (see ``_enter``).
        """
        if not self._active:
            return
        self._cancel_requested = True
        self._reset_hot_rev()
        if self._listeners:
            self._emit(CancellationRequested(self._revision + 1))
        while self._active:
            self._cond.wait(0.05)

    # -- top-level call bookkeeping (cold path only) -------------------------------------
    #
    # ``_active`` lists the threads running a top-level call that took the cold path.
    # ``list.append`` and ``list.remove`` are atomic, so entering and leaving take no
    # lock unless a write is pending: a thread registers first, then looks for a
    # pending write; a writer raises the pending count first, then looks at ``_active``.
    # Whichever comes second sees the other.

    def _enter(self) -> None:
        """Register a top-level call; waits while a write is being applied."""
        me = threading.get_ident()
        self._active.append(me)
        if self._write_pending:
            self._enter_after_write(me)

    def _enter_after_write(self, me: int) -> None:
        with self._cond:
            self._active.remove(me)
            self._cond.notify_all()
            # A thread already running a call (a nested top-level call) goes on.
            while self._write_pending and me not in self._active:
                self._cond.wait()
            self._active.append(me)

    def _exit(self) -> None:
        self._active.remove(threading.get_ident())
        if self._write_pending:
            with self._cond:
                self._cond.notify_all()

    def unwind_if_cancelled(self) -> None:
        """Raise ``Cancelled`` if this thread's query should unwind.

        That is when a write from another thread waits for running queries, or when the
        call running on this thread was cancelled (``salsify.aio``). Long query bodies
        call this between steps so that a write is not held up.
        """
        if self._local.top is not None:
            self._raise_if_cancelled()

    def _raise_if_cancelled(self) -> None:
        if self._cancel_requested:
            raise Cancelled("a write is waiting for running queries to unwind")
        if self._cancelled_threads and threading.get_ident() in self._cancelled_threads:
            raise Cancelled("the call running on this thread was cancelled")

    def _raise_if_cancelled_thread(self) -> None:
        if threading.get_ident() in self._cancelled_threads:
            raise Cancelled("the call running on this thread was cancelled")

    def _cancel_thread(self, ident: int) -> None:
        """Cancel the call running on thread ``ident`` at its next query call."""
        with self._lock:
            self._cancelled_threads.add(ident)
            self._reset_hot_rev()

    def _uncancel_thread(self, ident: int) -> None:
        with self._lock:
            self._cancelled_threads.discard(ident)
            self._reset_hot_rev()

    # -- live queries (push.py) -----------------------------------------------------------

    def subscribe(
        self,
        query: Callable[..., T],
        *args: Any,
        callback: Callable[[T], object],
        loop: EventLoop | None = None,
        **kwargs: Any,
    ) -> LiveQuery[T]:
        """Compute ``query(db, *args)`` and call ``callback(value)`` whenever it changes.

        Notified after every write, or once at the end of ``with db.batch():``, only when
        the value changed (backdating applies). With ``loop=`` (an asyncio loop) the
        callback is scheduled with ``loop.call_soon_threadsafe`` instead of being run on
        the writing thread. ``.value`` is the latest value; ``.close()`` unsubscribes.
        """
        from salsify.push import subscribe

        return subscribe(self, query, args, kwargs, callback, loop)

    def batch(self) -> AbstractContextManager[None]:
        """Group writes: subscriptions are brought up to date once, at the outermost end."""
        from salsify.push import push_of

        return push_of(self).batched()

    def live_edges(self) -> int:
        """Reverse edges held for subscriptions (0 when no subscription is open)."""
        return 0 if self._push is None else self._push.edge_count

    def live_stats(self) -> LiveStats:
        """Subscriptions, live memos and reverse edges held; rounds and notifications."""
        from salsify.push import push_of

        return push_of(self).stats()

    # -- events --------------------------------------------------------------------------

    def on_event(self, callback: EventCallback, *kinds: type[Event]) -> Subscription:
        """Call ``callback(event)`` for engine events; ``.close()`` the handle to stop.

        With ``kinds`` (e.g. ``salsify.Executed``), only events of those classes are
        delivered, and events nobody asked for are never built: counting executions
        does not pay for the ``Validated`` events of a large verification.
        """
        for kind in kinds:
            if not (isinstance(kind, type) and issubclass(kind, Event)):
                raise TypeError(f"on_event: {kind!r} is not a salsify event class")
        entry = _filtered(callback, kinds) if kinds else callback

        lists = [self._listeners]
        self._listeners.append(entry)
        if not kinds or any(issubclass(Validated, kind) for kind in kinds):
            self._validated_listeners.append(entry)
            lists.append(self._validated_listeners)
        return Subscription(lists, entry)

    def _emit(self, event: Event) -> None:
        for callback in tuple(self._listeners):
            callback(event)

    # -- eviction and introspection --------------------------------------------------------

    def evict(self, query: Callable[..., Any] | None = None) -> int:
        """Drop memo values of ``query`` (or all queries), keeping dependency records.

        Returns the number of values dropped. The next call recomputes only if needed,
        and a recomputed equal value is backdated, so readers do not re-execute.
        """
        from salsify.eviction import evict

        return evict(self, query)

    def count_hits(self, enabled: bool = True) -> None:
        """Count cached hits in ``stats()``. Costs speed: every call takes the cold path."""
        self._count_hits = enabled
        self._reset_hot_rev()

    def stats(self) -> dict[str, QueryStats]:
        """Per query (by qualified name): executions, hits, validations, memos, bytes."""
        from salsify.introspect import stats

        return stats(self)

    def why(self, query: Callable[..., Any], *args: Any) -> Why:
        """Explain the last re-execution of ``query(db, *args)`` down to an input write."""
        from salsify.introspect import why

        return why(self, query, args)

    def graph(self, query: Callable[..., Any], *args: Any) -> Graph:
        """The dependency graph below the memo of ``query(db, *args)`` (see ``to_dot``)."""
        from salsify.introspect import graph

        return graph(self, query, args)


def _filtered(callback: EventCallback, kinds: tuple[type[Event], ...]) -> EventCallback:
    def deliver(event: Event) -> None:
        if isinstance(event, kinds):
            callback(event)

    return deliver
