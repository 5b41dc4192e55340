"""The public functions: a thin layer over the node types and the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from ._context import LOCK, ctx, state
from ._effects import EffectNode, dispose_effect, flush, run_effect
from ._nodes import Computed, Signal

T = TypeVar("T")

__all__ = ["Computed", "Signal", "batch", "computed", "effect", "signal", "untracked"]


def signal(value: T, *, equals: Callable[[T, T], bool] | None = None) -> Signal[T]:
    """A writable reactive value."""
    return Signal(value, equals)


def computed(fn: Callable[[], T], *, equals: Callable[[T, T], bool] | None = None) -> Computed[T]:
    """A lazy, cached derivation of other signals/computeds; ``fn`` runs on first read."""
    return Computed(fn, equals)


def effect(fn: Callable[[], Any]) -> Callable[[], None]:
    """Run ``fn`` now and again whenever something it read changed; returns ``dispose``.

    If ``fn`` returns a callable it is the cleanup, run before the next run and on dispose.
    An effect created while another effect runs is owned by it (disposed on its re-run).
    If the first run raises, the effect stays subscribed and the error is re-raised here.
    """
    with LOCK:
        owner: EffectNode | None = state.owner  # type: ignore[assignment]
        node = EffectNode(fn, owner)
        if owner is not None:
            if owner.children is None:
                owner.children = [node]
            else:
                owner.children.append(node)
        # The creation run counts as the first run of the next flush (self-loop limit).
        node.loop_gen = state.flush_gen + 1
        state.batch_depth += 1  # writes made by the first run flush after it, not inside it
        error: Exception | None = None
        try:
            run_effect(node)
        except Exception as exc:
            error = exc
        finally:
            state.batch_depth -= 1
        if not state.batch_depth:
            try:
                flush()
            except Exception:
                if error is None:
                    raise
        if error is not None:
            raise error

    def dispose() -> None:
        with LOCK:
            dispose_effect(node)

    return dispose


class batch:
    """Group writes: effects run once, when the outermost batch exits (even on error).

    Holds the write lock for its whole body, so a batch is one thread's transaction.
    """

    __slots__ = ()

    def __enter__(self) -> batch:
        LOCK.acquire()
        state.batch_depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            state.batch_depth -= 1
            if not state.batch_depth:
                flush()
        finally:
            LOCK.release()


def untracked(fn: Callable[[], T]) -> T:
    """Call ``fn`` without recording its reads as dependencies of the running computation."""
    prev = ctx.observer
    ctx.observer = None
    try:
        return fn()
    finally:
        ctx.observer = prev
