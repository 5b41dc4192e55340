"""Effects: running, ownership of nested effects, disposal and the flush loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salsify.errors import CycleError

from ._context import ctx, state
from ._flags import DIRTY, DISPOSED, EFFECT, NOTIFIED, PENDING, QUEUED
from ._graph import Node, check_dirty, end_tracking, start_tracking, unlink_chain

# An effect may re-run this many times within one flush (because it keeps invalidating
# itself, directly or through other effects) before the flush gives up with CycleError.
MAX_RERUNS = 100


class EffectNode(Node):
    __slots__ = ("children", "cleanup", "fn", "loop_count", "loop_gen", "owner")

    def __init__(self, fn: Callable[[], Any], owner: EffectNode | None) -> None:
        super().__init__(EFFECT)
        self.fn = fn
        self.cleanup: Callable[[], Any] | None = None
        self.owner = owner
        self.children: list[EffectNode] | None = None
        self.loop_gen = -1
        self.loop_count = 0


def _run_cleanup(node: EffectNode) -> None:
    cleanup = node.cleanup
    if cleanup is not None:
        node.cleanup = None
        prev = ctx.observer
        ctx.observer = None  # cleanups never track
        try:
            cleanup()
        finally:
            ctx.observer = prev


def _dispose_children(node: EffectNode) -> None:
    children = node.children
    if children:
        node.children = None
        for child in children:
            dispose_tree(child)


def dispose_tree(node: EffectNode) -> None:
    """Dispose an effect and its nested effects, innermost first (caller holds the lock)."""
    if node.flags & DISPOSED:
        return
    node.flags |= DISPOSED
    try:
        _dispose_children(node)
        _run_cleanup(node)
    finally:
        deps = node.deps
        node.deps = node.deps_tail = None
        if deps is not None:
            unlink_chain(deps)


def dispose_effect(node: EffectNode) -> None:
    """User-requested disposal: also forget the owner's reference."""
    owner = node.owner
    if owner is not None and owner.children is not None and node in owner.children:
        owner.children.remove(node)
    dispose_tree(node)


def run_effect(node: EffectNode) -> None:
    """Run an effect's fn with tracking, after disposing its children and its last cleanup."""
    _dispose_children(node)
    _run_cleanup(node)
    prev_observer = ctx.observer
    prev_owner = state.owner
    ctx.observer = node
    state.owner = node
    start_tracking(node)
    try:
        result = node.fn()
    finally:
        ctx.observer = prev_observer
        state.owner = prev_owner
        end_tracking(node)
    if callable(result):
        node.cleanup = result


def _stale(node: EffectNode) -> bool:
    """Must this queued effect run? (Clears PENDING when its sources turned out unchanged.)"""
    flags = node.flags
    if flags & DIRTY:
        return True
    if flags & PENDING:
        deps = node.deps
        if deps is not None and check_dirty(deps):
            return True
        node.flags &= ~PENDING
    return False


def _process(node: EffectNode, gen: int) -> None:
    node.flags &= ~QUEUED
    if node.flags & DISPOSED or not _stale(node):
        return
    if node.loop_gen != gen:
        node.loop_gen = gen
        node.loop_count = 0
    else:
        node.loop_count += 1
        if node.loop_count > MAX_RERUNS:
            node.flags &= ~NOTIFIED  # let a later write trigger it again
            raise CycleError(
                f"effect re-ran {MAX_RERUNS} times in one flush: it keeps invalidating itself"
            )
    run_effect(node)


def flush() -> None:
    """Run queued effects until the queue is empty (caller holds the lock, batch depth 0).

    Continues past a raising effect; re-raises the first error at the end. Re-entrant calls
    (an effect writing a signal) return at once: the running loop picks up what they queued.
    """
    if state.flushing or not state.queue:
        return
    state.flushing = True
    state.flush_gen += 1
    gen = state.flush_gen
    queue = state.queue
    first: BaseException | None = None
    i = 0
    try:
        while i < len(queue):
            node: EffectNode = queue[i]  # type: ignore[assignment]
            i += 1
            if not node.flags & QUEUED:
                continue  # already handled (its owner ran it first, or it was disposed)
            try:
                # Queued owners run first, outermost first: a re-run disposes this effect.
                while True:
                    top = None
                    owner = node.owner
                    while owner is not None:
                        if owner.flags & QUEUED:
                            top = owner
                        owner = owner.owner
                    if top is None:
                        break
                    _process(top, gen)
                if node.flags & QUEUED:
                    _process(node, gen)
            except Exception as exc:
                if first is None:
                    first = exc
    finally:
        for rest in queue[i:]:
            rest.flags &= ~QUEUED
        queue.clear()
        state.flushing = False
    if first is not None:
        raise first
