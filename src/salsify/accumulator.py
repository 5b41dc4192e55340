"""Accumulators: a side channel (diagnostics, warnings) filled by queries as they run.

A push is recorded in the running query's frame together with the number of reads made
before it, so ``accumulated`` can replay pushes and sub-calls in execution order. What a
memo pushed is stored with it and compared on re-execution: a query whose value is
equal but whose pushes differ is not backdated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from salsify.errors import MisuseError
from salsify.memo import Memo

if TYPE_CHECKING:
    from salsify.database import Database

T = TypeVar("T")


class Accumulator(Generic[T]):
    """A named channel; ``push`` inside queries, read with ``accumulated``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def push(self, db: Database, value: T) -> None:
        """Record ``value`` as pushed by the query running on this thread."""
        top = db._local.top
        if top is None:
            raise MisuseError(
                f"Accumulator {self.name!r}: push() is only allowed inside a query "
                "(what a query pushes is memoized with it)"
            )
        if top.pushed is None:
            top.pushed = []
        top.pushed.append((self, value, len(top.deps)))

    def __repr__(self) -> str:
        return f"Accumulator({self.name!r})"


def fold_pushes(
    reads: list[Any], pushed: list[tuple[Any, Any, int]]
) -> tuple[tuple[Any, Any, int], ...]:
    """Rewrite each push's read count as a count of *distinct* reads (the deps index)."""
    folded = []
    seen: set[int] = set()
    distinct = 0
    i = 0
    for acc, value, at in pushed:
        while i < at:
            ident = id(reads[i])
            if ident not in seen:
                seen.add(ident)
                distinct += 1
            i += 1
        folded.append((acc, value, distinct))
    return tuple(folded)


def collect(db: Database, root: Memo, accumulator: Accumulator[T]) -> tuple[list[T], list[Memo]]:
    """Values pushed to ``accumulator`` below ``root`` in execution order; memos visited.

    Iterative pre-order walk; a memo reached twice contributes once (the first time).
    """
    out: list[T] = []
    visited: list[Memo] = []
    seen: set[int] = set()
    # Frames: (memo, next dep index, next push index).
    stack: list[list[Any]] = [[root, 0, 0]]
    seen.add(id(root))
    visited.append(root)
    while stack:
        frame = stack[-1]
        memo, i, p = frame
        pushes = memo.accumulated or ()
        deps = memo.deps
        while p < len(pushes) and pushes[p][2] <= i:
            acc, value, _ = pushes[p]
            if acc is accumulator:
                out.append(value)
            p += 1
        frame[2] = p
        if i >= len(deps):
            stack.pop()
            continue
        frame[1] = i + 1
        dep = deps[i]
        if dep.__class__ is Memo and id(dep) not in seen:
            seen.add(id(dep))
            visited.append(dep)
            stack.append([dep, 0, 0])
    return out, visited


def accumulated(
    query: Callable[..., Any], accumulator: Accumulator[T], db: Database, *args: Any
) -> list[T]:
    """What ``query(db, *args)`` and the queries it called pushed to ``accumulator``.

    Brings the call up to date first (executing what changed). Inside a query, the
    caller depends on every memo visited, so it re-runs when any of their pushes change.
    """
    from salsify.fetch import fetch_memo
    from salsify.query import ingredient_of

    ingredient = ingredient_of(query)
    memo = fetch_memo(ingredient, db, ingredient.key_of(args))
    values, visited = collect(db, memo, accumulator)
    top = db._local.top
    if top is not None:
        top.deps.extend(visited)
    return values
