"""The core: nodes, dependency links, dirty propagation (push) and dirty checking (pull).

Every node keeps two intrusive lists of ``Link`` records: ``deps`` (what it read, in read
order, singly linked through ``next_dep``) and ``subs`` (who read it, doubly linked through
``prev_sub``/``next_sub``). A re-run walks its previous ``deps`` in step with its reads and
reuses each link whose dependency matches, so a run that reads what it read last time
allocates nothing; links past the final read position are stale and get unlinked.

A write marks direct subscribers DIRTY and everything further downstream PENDING
(``propagate``); no value is computed then. A read of a PENDING node walks its sources
(``check_dirty``), recomputing only the computeds whose sources really changed, deepest
first, and stops at the first change. Both walks are loops with an explicit stack: no Python
recursion per node, so graph depth is not limited by the recursion limit.

This module is the hot path and is written for speed: locals, ``__slots__``, no per-read
allocation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from salsify.errors import CycleError

from ._context import ctx, state
from ._flags import (
    COMPUTED,
    DIRTY,
    EFFECT,
    ERRORED,
    NOTIFIED,
    PENDING,
    QUEUED,
    RUNNING,
)

# Nested computed evaluations deeper than this unwind (``TooDeep``) and restart from the
# deepest requested node at the top of the stack; each level costs several Python frames.
MAX_DEPTH = 48


class TooDeep(BaseException):
    """Unwinds a too-deep chain of first evaluations so it can restart from its deep end.

    A BaseException so user code's ``except Exception`` does not swallow it.
    """

    def __init__(self, node: Node) -> None:
        self.node = node


class Link:
    __slots__ = ("dep", "next_dep", "next_sub", "prev_sub", "sub", "version")

    def __init__(self, dep: Node, sub: Node, version: int, next_dep: Link | None) -> None:
        self.dep = dep
        self.sub = sub
        self.version = version  # run id of ``sub`` when this link was last read
        self.next_dep = next_dep
        self.prev_sub: Link | None = None
        self.next_sub: Link | None = None


class Node:
    """Fields shared by signals, computeds and effects (flat record, no behaviour)."""

    __slots__ = ("deps", "deps_tail", "flags", "subs", "subs_tail", "version")

    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.subs: Link | None = None
        self.subs_tail: Link | None = None
        self.deps: Link | None = None
        self.deps_tail: Link | None = None
        self.version = 0  # id of the current/last tracked run


UNSET: Any = object()  # value of a computed that never ran


class SourceNode(Node):
    """A signal's record. A write sets ``current`` and flags the signal DIRTY; the pull phase
    compares ``current`` with ``seen`` (the value when last checked), so a batch that writes
    a value and then restores it changes nothing downstream."""

    __slots__ = ("current", "equals", "seen")

    def __init__(self, value: Any, equals: Callable[[Any, Any], bool] | None) -> None:
        super().__init__(0)
        self.current = value
        self.seen = value
        self.equals = equals


def update_signal(node: SourceNode) -> bool:
    node.flags = 0
    old = node.seen
    new = node.seen = node.current
    eq = node.equals
    return not (same(old, new) if eq is None else eq(old, new))


class DerivedNode(Node):
    """A computed's record: fn, cached value or error, equality."""

    __slots__ = ("cached", "equals", "error", "fn")

    def __init__(self, fn: Callable[[], Any], equals: Callable[[Any, Any], bool] | None) -> None:
        super().__init__(COMPUTED | DIRTY)
        self.fn = fn
        self.equals = equals
        self.cached: Any = UNSET
        self.error: BaseException | None = None


def same(a: Any, b: Any) -> bool:
    """Default equality: identity, then ``==``; any float NaN equals any float NaN."""
    if a is b or a == b:
        return True
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def link_slow(dep: Node, sub: Node, tail: Link | None, nxt: Link | None) -> None:
    """Record that ``sub`` read ``dep`` when the next old link does not match."""
    version = sub.version
    last = dep.subs_tail
    if last is not None and last.sub is sub and last.version == version:
        return  # already read earlier in this run (non-adjacent repeat)
    new = Link(dep, sub, version, nxt)
    if tail is None:
        sub.deps = new
    else:
        tail.next_dep = new
    if last is None:
        dep.subs = new
    else:
        new.prev_sub = last
        last.next_sub = new
    dep.subs_tail = new
    sub.deps_tail = new


def track(dep: Node, sub: Node) -> None:
    """Record that ``sub`` read ``dep`` in its current run (reusing the old link if it matches)."""
    tail = sub.deps_tail
    if tail is not None:
        if tail.dep is dep:
            return
        nxt = tail.next_dep
    else:
        nxt = sub.deps
    if nxt is not None and nxt.dep is dep:
        nxt.version = sub.version
        sub.deps_tail = nxt
        return
    link_slow(dep, sub, tail, nxt)


def unlink_chain(link: Link | None) -> None:
    """Remove a chain of dep links (following ``next_dep``) from their deps' ``subs`` lists.

    A computed left with no subscriber drops its own deps too (so an abandoned branch stops
    being notified and can be collected) and becomes DIRTY: it no longer hears of changes,
    so its next read must recompute.
    """
    stack: list[Link] | None = None
    while True:
        while link is not None:
            dep = link.dep
            nxt = link.next_dep
            prev = link.prev_sub
            after = link.next_sub
            if after is not None:
                after.prev_sub = prev
            else:
                dep.subs_tail = prev
            if prev is not None:
                prev.next_sub = after
            else:
                dep.subs = after
            if dep.subs is None and dep.flags & COMPUTED and dep.deps is not None:
                dep.flags |= DIRTY
                if nxt is not None:
                    if stack is None:
                        stack = []
                    stack.append(nxt)
                nxt = dep.deps
                dep.deps = None
                dep.deps_tail = None
            link = nxt
        if not stack:
            return
        link = stack.pop()


def start_tracking(sub: Node) -> None:
    state.version += 1
    sub.version = state.version
    sub.deps_tail = None
    sub.flags = (sub.flags & ~NOTIFIED) | RUNNING


def end_tracking(sub: Node) -> None:
    """Drop the links not read in the run that just ended (dynamic dependencies)."""
    sub.flags &= ~RUNNING
    tail = sub.deps_tail
    if tail is None:
        stale = sub.deps
        sub.deps = None
    else:
        stale = tail.next_dep
        tail.next_dep = None
    if stale is not None:
        unlink_chain(stale)


def propagate(link: Link) -> None:
    """Push phase of a write: ``link`` heads the written signal's ``subs`` list.

    Everything reachable becomes PENDING (the pull phase decides what really changed);
    effects are queued in notification order. Iterative depth-first walk; ``stack`` holds
    the link whose siblings to resume after finishing a subtree.
    """
    queue = state.queue
    stack: list[Link] = []
    cur: Link | None = link
    while True:
        while cur is not None:
            sub = cur.sub
            flags = sub.flags
            if not flags & (NOTIFIED | RUNNING):
                sub.flags = flags | PENDING
                if flags & EFFECT:
                    if not flags & QUEUED:
                        sub.flags |= QUEUED
                        queue.append(sub)
                else:
                    subs = sub.subs
                    if subs is not None:
                        stack.append(cur)
                        cur = subs
                        continue
            elif flags & RUNNING and cur.version == sub.version:
                # Read earlier in its current run, so that run may have seen a stale value.
                sub.flags = flags | PENDING
                if flags & EFFECT and not flags & QUEUED:
                    sub.flags |= QUEUED
                    queue.append(sub)
            cur = cur.next_sub
        if not stack:
            return
        cur = stack.pop().next_sub


def shallow_propagate(link: Link | None) -> None:
    """A computed's value changed: its PENDING subscribers now know they must re-run."""
    while link is not None:
        sub = link.sub
        flags = sub.flags
        if flags & NOTIFIED == PENDING:
            sub.flags = flags | DIRTY
        link = link.next_sub


def update_computed(node: DerivedNode) -> bool:
    """Run a computed's fn with tracking; True when its value (or error) changed.

    ``start_tracking``/``end_tracking`` and ``same`` are inlined: this runs once per
    recomputation, and a Python call costs as much as the rest of the bookkeeping.
    """
    st = state
    if st.depth >= MAX_DEPTH:
        node.flags |= DIRTY
        raise TooDeep(node)
    local = ctx
    prev = local.observer
    local.observer = node
    version = st.version = st.version + 1
    node.version = version
    node.deps_tail = None
    node.flags = (node.flags & ~NOTIFIED) | RUNNING
    st.depth += 1
    try:
        value = node.fn()
    except Exception as exc:
        node.error = exc
        node.cached = None
        node.flags |= ERRORED
        return True
    except BaseException:
        node.flags |= DIRTY  # aborted (TooDeep, KeyboardInterrupt): run again next read
        raise
    finally:
        st.depth -= 1
        local.observer = prev
        # end_tracking: drop the links not read in this run (dynamic dependencies).
        node.flags &= ~RUNNING
        tail = node.deps_tail
        if tail is None:
            stale = node.deps
            node.deps = None
        else:
            stale = tail.next_dep
            if stale is not None:
                tail.next_dep = None
        if stale is not None:
            unlink_chain(stale)
    flags = node.flags
    if flags & ERRORED:
        node.flags = flags & ~ERRORED
        node.error = None
        node.cached = value
        return True
    old = node.cached
    eq = node.equals
    if old is not UNSET:
        if eq is None:
            # ``same`` inlined: identity, ==, then the NaN rule (x != x only for NaN).
            if (
                old is value
                or old == value
                or (
                    isinstance(old, float)
                    and isinstance(value, float)
                    and old != old
                    and value != value
                )
            ):
                return False
        elif eq(old, value):
            return False
    node.cached = value
    return True


def check_dirty(link: Link) -> bool:
    """Pull phase: did any source reachable through ``link`` (a deps list) really change?

    Walks down PENDING computeds with an explicit stack, recomputes DIRTY ones deepest first
    and stops at the first real change. Computeds found unchanged lose their PENDING flag.
    """
    stack: list[Link] = []
    dirty = False
    cur = link
    while True:
        dep = cur.dep
        flags = dep.flags
        if flags & DIRTY:
            if (
                update_computed(dep)  # type: ignore[arg-type]
                if flags & COMPUTED
                else update_signal(dep)  # type: ignore[arg-type]
            ):
                subs = dep.subs
                if subs is not None and subs.next_sub is not None:
                    shallow_propagate(subs)
                dirty = True
        elif flags & PENDING:
            deps = dep.deps
            if deps is not None:
                stack.append(cur)
                cur = deps
                continue
            dep.flags = flags & ~PENDING
        if not dirty:
            nxt = cur.next_dep
            if nxt is not None:
                cur = nxt
                continue
        # This level is finished: climb back up until some level has a sibling left to check.
        resumed = False
        while stack:
            cur = stack.pop()
            dep = cur.dep
            # A sibling's change may have marked this computed DIRTY (shallow_propagate).
            if dirty or dep.flags & DIRTY:
                dirty = True
                if update_computed(dep):  # type: ignore[arg-type]
                    subs = dep.subs
                    if subs is not None and subs.next_sub is not None:
                        shallow_propagate(subs)
                else:
                    dirty = False
            else:
                dep.flags &= ~PENDING
            if not dirty:
                nxt = cur.next_dep
                if nxt is not None:
                    cur = nxt
                    resumed = True
                    break
        if not resumed:
            # Likewise for the subscriber that started the walk (its last link's ``sub``).
            return dirty or bool(cur.sub.flags & DIRTY)


def refresh(node: DerivedNode) -> None:
    """Bring a computed up to date (caller holds the lock)."""
    flags = node.flags
    if flags & RUNNING:
        raise CycleError("cycle detected: a computed read itself while computing")
    if flags & DIRTY or (flags & PENDING and node.deps is not None and check_dirty(node.deps)):
        if update_computed(node):
            # shallow_propagate, inlined
            link = node.subs
            while link is not None:
                sub = link.sub
                flags = sub.flags
                if flags & NOTIFIED == PENDING:
                    sub.flags = flags | DIRTY
                link = link.next_sub
    elif flags & PENDING:
        node.flags = flags & ~PENDING


def refresh_top(node: DerivedNode) -> None:
    """Refresh, restarting from the deep end whenever a chain of evaluations gets too deep."""
    if state.depth:
        refresh(node)
        return
    todo = [node]
    while todo:
        try:
            refresh(todo[-1])
        except TooDeep as deep:
            todo.append(deep.node)  # type: ignore[arg-type]
        else:
            todo.pop()
