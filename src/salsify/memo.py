"""The records the engine keeps: input cells, memos, and the frame of a running query.

All three are plain ``__slots__`` classes without back references, so millions of them
stay small and never form reference cycles among themselves (cheap for CPython's GC).
Cells and memos share the attribute names ``changed_at`` and ``durability``: a
dependency list mixes both, and the code that folds a finished query's dependencies
reads those two attributes without asking which kind it holds.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salsify.query import QueryIngredient


# Input summaries: every cell owns one of INPUT_BITS bits (round robin); a memo's
# ``inputs`` is the union of the bits of every cell below it. If none of those bits was
# written since the memo was verified, no cell below it changed, and it is valid without
# a walk (a Bloom filter: a shared bit can only cause a needless walk, never a miss).
INPUT_BITS = 256
ALL_INPUTS = (1 << INPUT_BITS) - 1
_BITS = [1 << i for i in range(INPUT_BITS)]  # shared int objects: 8 bytes per reference
_cell_numbers = itertools.count()


class Cell:
    """One value field of one input: the leaves of the dependency graph."""

    __slots__ = ("changed_at", "durability", "field", "inputs", "owner", "value")

    def __init__(self, value: Any, changed_at: int, durability: int, owner: Any, field: str):
        self.value = value
        self.changed_at = changed_at
        self.durability = durability
        self.owner = owner
        self.field = field
        self.inputs = _BITS[next(_cell_numbers) % INPUT_BITS]

    def describe(self) -> str:
        owner = self.owner if isinstance(self.owner, str) else repr(self.owner)
        return f"{owner}.{self.field}"


class Memo:
    """The memoized result of one (query, arguments) call.

    A memo is updated in place when its query re-executes: readers hold a reference to
    it in their dependency tuples, so its identity is the identity of the call.
    ``deps`` is the ordered, de-duplicated tuple of cells and memos read by the last
    execution; ``accumulated`` holds what that execution pushed to accumulators;
    ``inputs`` summarises the cells below it (see ``INPUT_BITS``).
    """

    __slots__ = (
        "accumulated",
        "changed_at",
        "deps",
        "durability",
        "ingredient",
        "inputs",
        "key",
        "value",
        "verified_at",
    )

    def __init__(
        self,
        ingredient: QueryIngredient,
        key: Any,
        value: Any,
        verified_at: int,
        changed_at: int,
        durability: int,
        deps: tuple[Any, ...],
        accumulated: Any,
        inputs: int = ALL_INPUTS,
    ) -> None:
        self.ingredient = ingredient
        self.key = key
        self.value = value
        self.verified_at = verified_at
        self.changed_at = changed_at
        self.durability = durability
        self.deps = deps
        self.accumulated = accumulated
        self.inputs = inputs

    @property
    def args(self) -> tuple[Any, ...]:
        return self.ingredient.args_of(self.key)

    def describe(self) -> str:
        return self.ingredient.describe_call(self.key)


class ActiveQuery:
    """The frame of a query body that is running on some thread.

    ``deps`` collects reads in order (duplicates allowed; folded when the body returns);
    ``pushed`` collects accumulator pushes as (accumulator, value, read count at the push),
    lazily created. ``head`` is the frame of the innermost fixpoint cycle this frame runs
    under (its memo is provisional until that head converges); ``cycle`` is set on a
    frame that is itself a cycle head.
    """

    __slots__ = ("cycle", "deps", "depth", "head", "ingredient", "key", "parent", "pushed")

    def __init__(
        self, ingredient: QueryIngredient, key: Any, parent: ActiveQuery | None, depth: int
    ) -> None:
        self.ingredient = ingredient
        self.key = key
        self.parent = parent
        self.depth = depth
        self.deps: list[Any] = []
        self.pushed: list[tuple[Any, Any, int]] | None = None
        self.head: ActiveQuery | None = None if parent is None else parent.head
        self.cycle: Any = None
