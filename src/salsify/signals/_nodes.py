"""The public node types: ``Signal`` and ``Computed`` (each is its own graph node).

``__call__`` is the hot path: it is inlined by hand (link reuse check, flag test) rather
than delegating, to keep a clean read to a few attribute loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from ._context import LOCK, ctx, state
from ._effects import flush
from ._flags import DIRTY, ERRORED, SLOW_READ
from ._graph import (
    DerivedNode,
    SourceNode,
    link_slow,
    propagate,
    refresh,
    refresh_top,
    same,
    shallow_propagate,
    update_signal,
)

T = TypeVar("T")


class Signal(SourceNode, Generic[T]):
    """A writable value. Read with ``s()`` or ``s.value`` (tracked), ``s.peek()`` (untracked)."""

    __slots__ = ()

    def __init__(self, value: T, equals: Callable[[T, T], bool] | None = None) -> None:
        super().__init__(value, equals)

    def __call__(self) -> T:
        if self.flags:
            self._sync()
        sub = ctx.observer
        if sub is not None:
            # Inlined ``_graph.track``: the common case reuses the next link of the last run.
            tail = sub.deps_tail
            if tail is not None:
                if tail.dep is self:
                    return self.current  # type: ignore[no-any-return]
                nxt = tail.next_dep
            else:
                nxt = sub.deps
            if nxt is not None and nxt.dep is self:
                nxt.version = sub.version
                sub.deps_tail = nxt
            else:
                link_slow(self, sub, tail, nxt)
        return self.current  # type: ignore[no-any-return]

    def _sync(self) -> None:
        # Read while a write is unchecked: whoever reads now sees ``current``, so record it
        # as seen (and tell the other readers if that is a change) before linking.
        with LOCK:
            if self.flags and update_signal(self) and self.subs is not None:
                shallow_propagate(self.subs)

    @property
    def value(self) -> T:
        return self()

    @value.setter
    def value(self, value: T) -> None:
        self.set(value)

    def peek(self) -> T:
        return self.current  # type: ignore[no-any-return]

    def set(self, value: T) -> None:
        with LOCK:
            old = self.current
            eq = self.equals
            if same(old, value) if eq is None else eq(old, value):
                return
            self.current = value
            if self.flags == 0:
                self.flags = DIRTY
                self.seen = old
            subs = self.subs
            if subs is not None:
                propagate(subs)
                if not state.batch_depth:
                    flush()

    def update(self, fn: Callable[[T], T]) -> None:
        with LOCK:
            self.set(fn(self.current))

    def __repr__(self) -> str:
        return f"Signal({self.current!r})"


class Computed(DerivedNode, Generic[T]):
    """A lazily computed, cached value. Read with ``c()`` or ``c.value``; ``c.peek()``."""

    __slots__ = ()

    def __init__(self, fn: Callable[[], T], equals: Callable[[T, T], bool] | None = None) -> None:
        super().__init__(fn, equals)

    def __call__(self) -> T:
        if self.flags & SLOW_READ:
            return self._read_slow(True)
        sub = ctx.observer
        if sub is not None:
            tail = sub.deps_tail
            if tail is not None:
                if tail.dep is self:
                    return self.cached  # type: ignore[no-any-return]
                nxt = tail.next_dep
            else:
                nxt = sub.deps
            if nxt is not None and nxt.dep is self:
                nxt.version = sub.version
                sub.deps_tail = nxt
            else:
                link_slow(self, sub, tail, nxt)
        return self.cached  # type: ignore[no-any-return]

    def _read_slow(self, tracked: bool) -> T:
        sub = ctx.observer
        if sub is None:
            # Outside any computation: take the lock (an observer implies we hold it).
            with LOCK:
                refresh_top(self)
        else:
            if state.depth:
                refresh(self)  # refresh_top's own first test, saving a call per read
            else:
                refresh_top(self)
            if tracked:
                tail = sub.deps_tail
                if tail is None or tail.dep is not self:
                    nxt = sub.deps if tail is None else tail.next_dep
                    if nxt is not None and nxt.dep is self:
                        nxt.version = sub.version
                        sub.deps_tail = nxt
                    else:
                        link_slow(self, sub, tail, nxt)
        if self.flags & ERRORED:
            raise self.error  # type: ignore[misc]
        return self.cached  # type: ignore[no-any-return]

    @property
    def value(self) -> T:
        return self()

    def peek(self) -> T:
        return self._read_slow(False)

    def __repr__(self) -> str:
        return f"Computed({self.fn!r})"
